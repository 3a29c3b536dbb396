/**
 * The training loss of one update, built from the shared primitives: ppo_clip → policyTokenLoss
 * (vanilla/gspo/cispo/sapo with ε_low, ε_high, dual clip), REINFORCE as −A·log π, KL as klPenalty
 * against the reference log-probs, the entropy term, and SFT cross-entropy; each scaled by its
 * coefficient and summed.
 *
 * Aggregation is by per-token weights (aggWeights): lossWeights computes every term's normalisers
 * (token counts, non-empty rows, prompt groups) and those of the statistics from the whole batch,
 * so the loss of a micro-batch — any subset of the rows, given the matching slice of the weights —
 * is an exact slice of the full-batch sum, and so are its statistics: summing the losses,
 * gradients and statistics of the micro-batches gives the full-batch values.
 *
 * Statistics (pg_clipfrac, ppo_kl, ...) are computed inside the differentiated function, so they
 * are kept out of the tidy scope with tf.keep and read once the gradient is done.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LossFn } from "../model/train.js";
import { aggWeights, klPenalty, policyAggSpec, policyTokenLoss, weightedSum, type AggMode, type AggSpec } from "../primitives/index.js";
import type { AggName, TrainInput, TrainTerm } from "../services/executor.js";
import { fromMatrix, packSequences, toMatrix, type PackedBatch } from "./layout.js";

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

/** Response-aligned per-token weights (one array per row), from the whole batch. */
export interface LossWeights {
  /** Per term: the weights of its per-token loss (its aggregation). */
  readonly terms: readonly (readonly Float32Array[])[];
  /** pg_clipfrac, ppo_kl, pg_clipfrac_lower: masked mean under the first policy term's mask. */
  readonly metrics: readonly Float32Array[] | undefined;
  /** The reported entropy: mean over the reported tokens. */
  readonly entropy: readonly Float32Array[];
}

function aggSpec(term: TrainTerm, groups: readonly number[]): AggSpec {
  const mode = AGG[term.agg];
  let spec: AggSpec;
  if (mode === "seq-mean-token-sum-norm") spec = { mode, lossScaleFactor: term.normLength ?? 1 };
  else if (mode === "prompt-mean") spec = { mode, groups };
  else spec = { mode };
  return term.kind === "policy" ? policyAggSpec(term.variant, spec) : spec;
}

/** Σ_t x·w / (Σ x + eps) per row, eps = 1e-8 (verl masked_mean) or the max(·, 1) of a count. */
function meanWeights(rows: readonly ArrayLike<number>[], verl: boolean): Float32Array[] {
  let total = 0;
  for (const r of rows) for (let j = 0; j < r.length; j++) total += r[j]!;
  const scale = verl ? 1 / (total + 1e-8) : 1 / Math.max(total, 1);
  return rows.map((r) => Float32Array.from(r, (x) => x * scale));
}

/** The weights of every term and statistic of `input` (its rows are the whole batch); `reported`: the entropy statistic's tokens. */
export function lossWeights(input: TrainInput, reported: readonly ArrayLike<number>[]): LossWeights {
  const batch = packSequences(input.rows);
  const groups = input.rows.map((r) => r.group);
  const terms = input.terms.map((t) => fromMatrix(batch, aggWeights(toMatrix(batch, t.mask), batch.batch, batch.columns, aggSpec(t, groups))));
  const policy = input.terms.find((t) => t.kind === "policy");
  return { terms, metrics: policy === undefined ? undefined : meanWeights(policy.mask, true), entropy: meanWeights(reported, false) };
}

/** The weights of `rows` (in that order), for the matching sliceTrainInput. */
export function sliceWeights(w: LossWeights, rows: readonly number[]): LossWeights {
  const pick = (xs: readonly Float32Array[]) => rows.map((i) => xs[i]!);
  return { terms: w.terms.map(pick), metrics: w.metrics === undefined ? undefined : pick(w.metrics), entropy: pick(w.entropy) };
}

/**
 * `responseMask`: [B, T] 1 on the rollout tokens whose statistics are reported (entropy).
 * `weights`: from lossWeights over the whole batch, sliced to this batch's rows; by default this
 * batch is the whole batch.
 */
export function buildLoss(input: TrainInput, batch: PackedBatch, responseMask: Float32Array, weights?: LossWeights): LossBuild {
  const B = batch.batch;
  const T = batch.columns;
  const w = weights ?? lossWeights(input, fromMatrix(batch, responseMask));
  const oldLogp = toMatrix(batch, input.rows.map((r) => r.oldLogp));
  const needsRef = input.terms.some((t) => t.kind === "kl");
  const refLogp = needsRef ? toMatrix(batch, input.rows.map((r, i) => r.refLogp ?? missingRef(i))) : undefined;
  const masks = input.terms.map((t) => toMatrix(batch, t.mask));
  const advantages = input.terms.map((t) => ("advantages" in t ? toMatrix(batch, t.advantages) : undefined));
  const termWeights = w.terms.map((rows) => toMatrix(batch, rows));
  const metricWeights = w.metrics === undefined ? undefined : toMatrix(batch, w.metrics);
  const entropyWeights = toMatrix(batch, w.entropy);
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
    let metricsKept = false;
    input.terms.forEach((term, k) => {
      const weight = m2(termWeights[k]!);
      let value: tf.Scalar;
      switch (term.kind) {
        case "policy": {
          const mask = m2(masks[k]!);
          const r = policyTokenLoss(term.variant, { oldLogProb: old, logProb: logp, advantages: m2(advantages[k]!), responseMask: mask }, {
            clipLow: term.clipLow,
            clipHigh: term.clipHigh,
            dualClipC: term.dualClip,
          });
          value = weightedSum(r.perToken, weight);
          if (!metricsKept) {
            metricsKept = true;
            const mw = m2(metricWeights!);
            const metric = (v: tf.Tensor | undefined) => (v === undefined ? tf.scalar(0) : weightedSum(v, mw));
            keep("pg_clipfrac", metric(r.tokenMetrics.pg_clipfrac));
            keep("ppo_kl", metric(r.tokenMetrics.ppo_kl));
            keep("pg_clipfrac_lower", metric(r.tokenMetrics.pg_clipfrac_lower));
          }
          pgLoss = pgLoss === undefined ? value : tf.add(pgLoss, value);
          break;
        }
        case "reinforce": {
          value = weightedSum(tf.neg(tf.mul(m2(advantages[k]!), logp)), weight);
          pgLoss = pgLoss === undefined ? value : tf.add(pgLoss, value);
          break;
        }
        case "kl":
          value = weightedSum(klPenalty(logp, m2(refLogp!), term.estimator), weight);
          keep("kl_loss", value);
          break;
        case "entropy":
          value = weightedSum(entropy, weight);
          break;
        case "sft":
          value = weightedSum(tf.neg(logp), weight);
          keep("sft_loss", value);
          break;
      }
      keep(`term/${term.node}`, value);
      total = tf.add(total, tf.mul(value, term.coef));
    });
    if (pgLoss !== undefined) keep("pg_loss", pgLoss);
    keep("entropy", weightedSum(entropy, m2(entropyWeights)));
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
