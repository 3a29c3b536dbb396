/**
 * One optimisation step of the tiny LM: forward over the batch (split over the pool's shards),
 * the caller's loss over per-token log-probs and entropies, its gradient back through the
 * hand-written backward pass, global-norm clipping, and the optimiser update.
 */
import * as tf from "@tensorflow/tfjs-core";
import { InvalidBatch, type SeqBatch } from "./encode.js";
import type { Adam } from "./optim.js";
import type { ShardPool, Shard } from "./pool.js";
import { toSeqBatch, type TokenBatch } from "./score.js";
import { sliceRows, splitRows } from "./rows.js";
import { ShardEngine } from "./shard.js";
import type { TinyLM } from "./tiny-lm.js";

export interface TrainBatch extends TokenBatch {
  /** [B, length-1]: 1 where position t's target (token t+1) is trained on (the response), else 0. */
  readonly mask: Float32Array;
}

export interface LossInputs {
  /** [B, length-1] differentiable log p(token t+1). */
  readonly logp: tf.Tensor2D;
  /** [B, length-1] differentiable entropy at t. */
  readonly entropy: tf.Tensor2D;
  /** [B, length-1] the batch's mask (constant). */
  readonly mask: tf.Tensor2D;
}

/** Returns the scalar loss to minimise. */
export type LossFn = (inputs: LossInputs) => tf.Tensor;

export class NonFiniteLoss extends Error {
  override readonly name = "NonFiniteLoss";
}

export class InvalidLoss extends Error {
  override readonly name = "InvalidLoss";
}

/** Loss value and its gradient w.r.t. the log-probs and entropies (zeros where unused). */
function lossGradients(lossFn: LossFn, logp: Float32Array, entropy: Float32Array, mask: Float32Array, B: number, T: number) {
  return tf.tidy(() => {
    const l = tf.tensor2d(logp, [B, T]);
    const e = tf.tensor2d(entropy, [B, T]);
    const m = tf.tensor2d(mask, [B, T]);
    const { value, grads } = tf.engine().gradients(
      () => {
        const y = lossFn({ logp: l, entropy: e, mask: m });
        if (y.rank !== 0) throw new InvalidLoss(`the loss must be a scalar, got shape [${y.shape}]`);
        return y;
      },
      [l, e],
      undefined,
      true,
    );
    return { value, dl: grads[0] ?? tf.zerosLike(l), de: grads[1] ?? tf.zerosLike(e) };
  });
}

async function read(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Runs fn on every shard that gets rows, workers first so that they overlap the main thread's share. */
function onShards<T>(shards: readonly Shard[], ranges: ReadonlyArray<readonly [number, number]>, fn: (s: Shard, r0: number, r1: number) => Promise<T>): Promise<T[]> {
  const out: Promise<T>[] = [];
  for (let i = ranges.length - 1; i >= 0; i--) out[i] = fn(shards[i]!, ranges[i]![0], ranges[i]![1]);
  return Promise.all(out);
}

function concatRows(parts: readonly Float32Array[], total: number): Float32Array {
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface Gradients {
  readonly loss: number;
  /** Flat gradient in parameter layout order (model.layout). */
  readonly grads: Float32Array;
}

export interface ComputeOptions {
  /** Shards to split the batch over (default: this thread only). Must belong to `model`. */
  readonly pool?: ShardPool;
  /** Temperature the log-probs are computed at (default 1). */
  readonly temperature?: number;
}

/** Loss and gradient of every parameter for one batch; the model is not changed. */
export async function computeGradients(model: TinyLM, batch: TrainBatch, lossFn: LossFn, options: ComputeOptions = {}): Promise<Gradients> {
  const seq = toSeqBatch(batch);
  const { batch: B, steps: T } = seq;
  if (batch.mask.length !== B * T) throw new InvalidBatch(`mask has ${batch.mask.length} values, expected ${B} x ${T}`);
  const pool = options.pool;
  if (pool === undefined) return gradientsOn([new ShardEngine(model)], seq, batch.mask, lossFn, options.temperature ?? 1);
  if (pool.model !== model) throw new InvalidBatch("the shard pool belongs to another model");
  return pool.exclusive(() => gradientsOn(pool.shards, seq, batch.mask, lossFn, options.temperature ?? 1));
}

async function gradientsOn(shards: readonly Shard[], seq: SeqBatch, mask: Float32Array, lossFn: LossFn, temperature: number): Promise<Gradients> {
  const { batch: B, steps: T } = seq;
  const ranges = splitRows(B, Math.min(B, shards.length));
  const fwd = await onShards(shards, ranges, (s, r0, r1) => s.forward(sliceRows(seq, r0, r1), temperature));
  const logp = concatRows(fwd.map((f) => f.logp), B * T);
  const entropy = concatRows(fwd.map((f) => f.entropy), B * T);
  const lg = lossGradients(lossFn, logp, entropy, mask, B, T);
  const [loss, dl, de] = await Promise.all([read(lg.value), read(lg.dl), read(lg.de)]);
  const parts = await onShards(shards, ranges, (s, r0, r1) => s.backward(dl.slice(r0 * T, r1 * T), de.slice(r0 * T, r1 * T)));
  // Sum in shard order (fixed): bitwise reproducible for a given shard count.
  const grads = Float32Array.from(parts[0]!);
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    for (let j = 0; j < grads.length; j++) grads[j]! += p[j]!;
  }
  return { loss: loss[0]!, grads };
}

export interface ApplyOptions {
  /** Global gradient-norm clip (default: no clipping). */
  readonly maxGradNorm?: number;
}

export interface ApplyResult {
  /** Global L2 norm of the gradient before clipping. */
  readonly gradNorm: number;
  readonly clipped: boolean;
  /** Optimiser step count after this update. */
  readonly step: number;
  /** Learning rate used for this update. */
  readonly lr: number;
}

/**
 * Clips `grads` (in place) to the global norm and applies one optimiser update to the model.
 * Throws NonFiniteLoss, without updating, when the gradient is not finite.
 */
export async function applyGradients(model: TinyLM, optimizer: Adam, grads: Float32Array, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (optimizer.size !== model.numParams || grads.length !== model.numParams) {
    throw new InvalidBatch(`optimizer has ${optimizer.size} slots and the gradient ${grads.length} values; the model has ${model.numParams} parameters`);
  }
  let sq = 0;
  for (let j = 0; j < grads.length; j++) sq += grads[j]! * grads[j]!;
  const gradNorm = Math.sqrt(sq);
  if (!Number.isFinite(gradNorm)) throw new NonFiniteLoss(`non-finite gradient norm (${gradNorm}); the update was not applied`);
  // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
  const coef = (options.maxGradNorm ?? Infinity) / (gradNorm + 1e-6);
  const clipped = coef < 1;
  if (clipped) for (let j = 0; j < grads.length; j++) grads[j]! *= coef;
  const lr = optimizer.lr;
  const params = await model.readFlat();
  optimizer.apply(params, grads);
  model.setFlat(params);
  return { gradNorm, clipped, step: optimizer.step, lr };
}

export type TrainStepOptions = ComputeOptions & ApplyOptions;

export interface TrainStepResult extends ApplyResult {
  readonly loss: number;
}

/** computeGradients then applyGradients. */
export async function trainStep(model: TinyLM, optimizer: Adam, batch: TrainBatch, lossFn: LossFn, options: TrainStepOptions = {}): Promise<TrainStepResult> {
  if (optimizer.size !== model.numParams) throw new InvalidBatch(`optimizer has ${optimizer.size} slots, the model ${model.numParams} parameters`);
  const { loss, grads } = await computeGradients(model, batch, lossFn, options);
  if (!Number.isFinite(loss)) throw new NonFiniteLoss(`non-finite loss (${loss}); the update was not applied`);
  return { loss, ...(await applyGradients(model, optimizer, grads, options)) };
}

/** Mean next-token cross-entropy over the masked (response) positions. */
export const sftLoss: LossFn = ({ logp, mask }) => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.maximum(tf.sum(mask), 1));

/** Supervised fine-tuning step on demonstrations: cross-entropy on the positions the mask selects. */
export function sftStep(model: TinyLM, optimizer: Adam, batch: TrainBatch, options: TrainStepOptions = {}): Promise<TrainStepResult> {
  return trainStep(model, optimizer, batch, sftLoss, options);
}
