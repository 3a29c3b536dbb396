/**
 * Scoring token sequences: per-token log-prob of each next token and entropy of the predictive
 * distribution, as tensors that tf.grad / tf.variableGrads can differentiate (through the
 * hand-written backward pass, wrapped in tf.customGrad) or as plain arrays.
 */
import * as tf from "@tensorflow/tfjs-core";
import { InvalidBatch, type SeqBatch } from "./encode.js";
import { backward, scoreForward, trainForward } from "./network.js";
import type { ShardPool } from "./pool.js";
import { sliceRows, splitRows } from "./rows.js";
import type { TinyLM } from "./tiny-lm.js";

/** B sequences of `length` tokens, batch-major. Position t is scored on token t+1. */
export interface TokenBatch {
  readonly tokens: Int32Array;
  readonly batch: number;
  readonly length: number;
  /** Left padding per row (see SeqBatch.pad). */
  readonly pad?: Int32Array;
}

export interface ScoreOptions {
  /** Logits are divided by it (default 1), as the sampler does. */
  readonly temperature?: number;
}

export interface TokenStats<T> {
  /** [B, length-1]: log p(tokens[t+1] | tokens[<=t]). */
  readonly logp: T;
  /** [B, length-1]: entropy of the predictive distribution at t. */
  readonly entropy: T;
}

/** Inputs tokens[:, :-1], targets tokens[:, 1:]. */
export function toSeqBatch(b: TokenBatch): SeqBatch {
  const { batch: B, length: L } = b;
  if (!Number.isInteger(L) || L < 2) throw new InvalidBatch(`sequences need at least 2 tokens to be scored, got length ${L}`);
  if (b.tokens.length !== B * L) throw new InvalidBatch(`tokens has ${b.tokens.length} ids, expected ${B} x ${L}`);
  const T = L - 1;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    inputs.set(b.tokens.subarray(r * L, r * L + T), r * T);
    targets.set(b.tokens.subarray(r * L + 1, (r + 1) * L), r * T);
  }
  return b.pad === undefined ? { batch: B, steps: T, inputs, targets } : { batch: B, steps: T, inputs, targets, pad: b.pad };
}

/**
 * Log-probs and entropies as tensors. When a gradient is being recorded (inside tf.grad,
 * tf.variableGrads, ...) they are differentiable w.r.t. the model's variables.
 */
export function logProbs(model: TinyLM, batch: TokenBatch, options: ScoreOptions = {}): TokenStats<tf.Tensor2D> {
  const seq = toSeqBatch(batch);
  const cfg = model.config;
  const consts = model.consts;
  const temperature = options.temperature ?? 1;
  if (!tf.engine().isTapeOn()) return scoreForward(model.params(), cfg, seq, { consts, temperature });
  const names = model.layout.specs.map((s) => s.name);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const ws = args as tf.Tensor[];
    const params = Object.fromEntries(names.map((n, i) => [n, ws[i]!]));
    const fwd = trainForward(params, cfg, seq, { consts, temperature });
    save([...fwd.tape.tensors]);
    const value = tf.stack([fwd.logp, fwd.entropy]);
    const template = fwd.tape;
    tf.dispose([fwd.logp, fwd.entropy]);
    template.dispose();
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dl, de] = tf.unstack(dy) as [tf.Tensor2D, tf.Tensor2D];
        const grads = backward(params, template.withTensors(saved), dl, de, consts);
        return names.map((n) => grads.get(n)!);
      },
    };
  });
  const both = op(...names.map((n) => model.variables.get(n)!));
  const [logp, entropy] = tf.unstack(both) as [tf.Tensor2D, tf.Tensor2D];
  both.dispose();
  return { logp, entropy };
}

/** Log-probs and entropies as flat [B * (length-1)] arrays (no gradient), optionally over a pool. */
export async function logProbsArrays(model: TinyLM, batch: TokenBatch, options: ScoreOptions & { readonly pool?: ShardPool } = {}): Promise<TokenStats<Float32Array>> {
  const pool = options.pool;
  if (pool !== undefined && pool.size > 1 && batch.batch > 1) {
    if (pool.model !== model) throw new InvalidBatch("the shard pool belongs to another model");
    const seq = toSeqBatch(batch);
    const ranges = splitRows(seq.batch, Math.min(seq.batch, pool.size));
    const done = await pool.exclusive(() => {
      const parts: Promise<TokenStats<Float32Array>>[] = [];
      for (let i = ranges.length - 1; i >= 0; i--) parts[i] = pool.shards[i]!.score(sliceRows(seq, ranges[i]![0], ranges[i]![1]), options.temperature ?? 1);
      return Promise.all(parts);
    });
    const join = (k: "logp" | "entropy") => {
      const out = new Float32Array(seq.batch * seq.steps);
      let at = 0;
      for (const d of done) {
        out.set(d[k], at);
        at += d[k].length;
      }
      return out;
    };
    return { logp: join("logp"), entropy: join("entropy") };
  }
  const t = scoreForward(model.params(), model.config, toSeqBatch(batch), { consts: model.consts, temperature: options.temperature ?? 1 });
  try {
    const [logp, entropy] = await Promise.all([t.logp.data(), t.entropy.data()]);
    return { logp: logp as Float32Array, entropy: entropy as Float32Array };
  } finally {
    tf.dispose([t.logp, t.entropy]);
  }
}
