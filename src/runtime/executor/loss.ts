/**
 * The training loss of one update, built from the shared primitives: ppo_clip → policyLoss
 * (vanilla/gspo/cispo/sapo with ε_low, ε_high, dual clip), REINFORCE as −A·log π, KL as klPenalty
 * against the reference log-probs, the entropy term, and SFT cross-entropy; each aggregated by
 * aggLoss under its own mask, scaled by its coefficient and summed.
 *
 * Statistics (pg_clipfrac, ppo_kl, ...) are computed inside the differentiated function, so they
 * are kept out of the tidy scope with tf.keep and read once the gradient is done.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LossFn } from "../model/train.js";
import { aggLoss, klPenalty, policyLoss, type AggMode, type AggSpec } from "../primitives/index.js";
import type { AggName, TrainInput, TrainTerm } from "../services/executor.js";
import { toMatrix, type PackedBatch } from "./layout.js";

const AGG: Readonly<Record<AggName, AggMode>> = {
  token_mean: "token-mean",
  seq_mean_token_mean: "seq-mean-token-mean",
  seq_mean_token_sum: "seq-mean-token-sum",
  seq_mean_token_sum_norm: "seq-mean-token-sum-norm",
  prompt_mean: "prompt-mean",
};

export interface LossBuild {
  readonly lossFn: LossFn;
  /** Reads (and frees) the statistics of the last lossFn call; term values by node under `term/<node>`. */
  readonly readStats: () => Promise<Record<string, number>>;
  readonly dispose: () => void;
}

function aggSpec(term: TrainTerm, groups: readonly number[]): AggSpec {
  const mode = AGG[term.agg];
  if (mode === "seq-mean-token-sum-norm") return { mode, lossScaleFactor: term.normLength ?? 1 };
  if (mode === "prompt-mean") return { mode, groups };
  return { mode };
}

/** `responseMask`: [B, T] 1 on the rollout tokens whose statistics are reported (entropy). */
export function buildLoss(input: TrainInput, batch: PackedBatch, responseMask: Float32Array): LossBuild {
  const B = batch.batch;
  const T = batch.columns;
  const groups = input.rows.map((r) => r.group);
  const oldLogp = toMatrix(batch, input.rows.map((r) => r.oldLogp));
  const needsRef = input.terms.some((t) => t.kind === "kl");
  const refLogp = needsRef ? toMatrix(batch, input.rows.map((r, i) => r.refLogp ?? missingRef(i))) : undefined;
  const masks = input.terms.map((t) => toMatrix(batch, t.mask));
  const advantages = input.terms.map((t) => ("advantages" in t ? toMatrix(batch, t.advantages) : undefined));
  let kept: Record<string, tf.Scalar> = {};

  const keep = (name: string, t: tf.Scalar) => {
    kept[name] = tf.keep(t);
  };

  const lossFn: LossFn = ({ logp, entropy }) => {
    kept = {};
    const m2 = (data: Float32Array) => tf.tensor2d(data, [B, T]);
    const old = m2(oldLogp);
    let total: tf.Scalar = tf.scalar(0);
    let pgLoss: tf.Scalar | undefined;
    input.terms.forEach((term, k) => {
      const mask = m2(masks[k]!);
      const agg = aggSpec(term, groups);
      let value: tf.Scalar;
      switch (term.kind) {
        case "policy": {
          const r = policyLoss(term.variant, { oldLogProb: old, logProb: logp, advantages: m2(advantages[k]!), responseMask: mask }, {
            clipLow: term.clipLow,
            clipHigh: term.clipHigh,
            dualClipC: term.dualClip,
            agg,
          });
          value = r.loss;
          if (pgLoss === undefined) {
            keep("pg_clipfrac", r.metrics.pg_clipfrac);
            keep("ppo_kl", r.metrics.ppo_kl);
            keep("pg_clipfrac_lower", r.metrics.pg_clipfrac_lower);
          }
          pgLoss = pgLoss === undefined ? value : tf.add(pgLoss, value);
          break;
        }
        case "reinforce": {
          value = aggLoss(tf.neg(tf.mul(m2(advantages[k]!), logp)) as tf.Tensor2D, mask, agg);
          pgLoss = pgLoss === undefined ? value : tf.add(pgLoss, value);
          break;
        }
        case "kl":
          value = aggLoss(klPenalty(logp, m2(refLogp!), term.estimator) as tf.Tensor2D, mask, agg);
          keep("kl_loss", value);
          break;
        case "entropy":
          value = aggLoss(entropy, mask, agg);
          break;
        case "sft":
          value = aggLoss(tf.neg(logp) as tf.Tensor2D, mask, agg);
          keep("sft_loss", value);
          break;
      }
      keep(`term/${term.node}`, value);
      total = tf.add(total, tf.mul(value, term.coef));
    });
    if (pgLoss !== undefined) keep("pg_loss", pgLoss);
    const resp = m2(responseMask);
    keep("entropy", tf.div(tf.sum(tf.mul(entropy, resp)), tf.maximum(tf.sum(resp), 1)) as tf.Scalar);
    return total;
  };

  const dispose = () => {
    tf.dispose(Object.values(kept));
    kept = {};
  };
  const readStats = async () => {
    const out: Record<string, number> = {};
    for (const [name, t] of Object.entries(kept)) out[name] = ((await t.data()) as Float32Array)[0]!;
    dispose();
    return out;
  };
  return { lossFn, readStats, dispose };
}

function missingRef(row: number): never {
  throw new RangeError(`row ${row} has no reference log-probs, which the KL term needs`);
}
