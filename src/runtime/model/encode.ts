/**
 * Token batches and their one-hot encodings. Embedding lookups are one-hot matmuls because
 * tfjs-wasm has no kernel for the gradient of a gather; token and position one-hots share one
 * matrix so that the embedding is a single matmul against [emb; pos].
 */
import type { TinyLMConfig } from "./config.js";

/** A batch of B sequences of T input positions, batch-major. */
export interface SeqBatch {
  readonly batch: number;
  readonly steps: number;
  /** [B*T] input token ids. */
  readonly inputs: Int32Array;
  /** [B*T] next-token ids to score (omit when only logits are needed). */
  readonly targets?: Int32Array;
  /**
   * [B] left padding per row. Row b's first pad[b] columns are padding: never attended to, and the
   * position ids of the real tokens start at 0 at column pad[b].
   */
  readonly pad?: Int32Array;
}

export class InvalidBatch extends Error {
  override readonly name = "InvalidBatch";
}

export function checkBatch(cfg: TinyLMConfig, b: SeqBatch): void {
  const n = b.batch * b.steps;
  if (!Number.isInteger(b.batch) || b.batch < 1 || !Number.isInteger(b.steps) || b.steps < 1) {
    throw new InvalidBatch(`batch and steps must be positive integers, got ${b.batch} x ${b.steps}`);
  }
  if (b.inputs.length !== n) throw new InvalidBatch(`inputs has ${b.inputs.length} ids, expected ${b.batch} x ${b.steps}`);
  if (b.targets !== undefined && b.targets.length !== n) {
    throw new InvalidBatch(`targets has ${b.targets.length} ids, expected ${b.batch} x ${b.steps}`);
  }
  for (const ids of [b.inputs, b.targets]) {
    if (ids === undefined) continue;
    for (let i = 0; i < ids.length; i++) {
      const t = ids[i]!;
      if (!(t >= 0 && t < cfg.vocab)) throw new InvalidBatch(`token id ${t} at index ${i} is outside the vocabulary [0, ${cfg.vocab})`);
    }
  }
  for (let r = 0; r < b.batch; r++) {
    const pad = b.pad?.[r] ?? 0;
    if (!(pad >= 0 && pad < b.steps)) throw new InvalidBatch(`row ${r}: padding ${pad} must be in [0, ${b.steps})`);
    if (b.steps - pad > cfg.maxSeq) {
      throw new InvalidBatch(`row ${r}: ${b.steps - pad} positions exceed the model's maxSeq ${cfg.maxSeq}`);
    }
  }
}

export function hasPadding(b: SeqBatch): boolean {
  return b.pad !== undefined && b.pad.some((p) => p !== 0);
}

/** Time-major [T*B, vocab + maxSeq] one-hot of (token, position); `transposed` gives [vocab + maxSeq, T*B]. */
export function embedOneHot(cfg: TinyLMConfig, b: SeqBatch, transposed: boolean): Float32Array {
  const { batch: B, steps: T } = b;
  const width = cfg.vocab + cfg.maxSeq;
  const n = T * B;
  const out = new Float32Array(n * width);
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < B; r++) {
      const row = t * B + r;
      const tok = b.inputs[r * T + t]!;
      const pos = Math.max(0, t - (b.pad?.[r] ?? 0));
      if (transposed) {
        out[tok * n + row] = 1;
        out[(cfg.vocab + pos) * n + row] = 1;
      } else {
        out[row * width + tok] = 1;
        out[row * width + cfg.vocab + pos] = 1;
      }
    }
  }
  return out;
}

/** Time-major [T*B, vocab] one-hot of the targets. */
export function targetOneHot(vocab: number, b: SeqBatch): Float32Array {
  const { batch: B, steps: T } = b;
  const out = new Float32Array(T * B * vocab);
  const targets = b.targets;
  if (targets === undefined) throw new InvalidBatch("targets are required to score a batch");
  for (let t = 0; t < T; t++) for (let r = 0; r < B; r++) out[(t * B + r) * vocab + targets[r * T + t]!] = 1;
  return out;
}

/** Additive attention mask [T, B, 1, T]: causal, and padding columns hidden from every query. */
export function paddedCausalMask(b: SeqBatch): Float32Array {
  const { batch: B, steps: T } = b;
  const out = new Float32Array(T * B * T);
  for (let i = 0; i < T; i++) {
    for (let r = 0; r < B; r++) {
      const pad = b.pad?.[r] ?? 0;
      const base = (i * B + r) * T;
      for (let j = 0; j < T; j++) if (j > i || j < pad) out[base + j] = MASKED;
    }
  }
  return out;
}

/** Additive causal mask [T, 1, 1, T]. */
export function causalMask(T: number): Float32Array {
  const out = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) out[i * T + j] = MASKED;
  return out;
}

/**
 * A large finite negative rather than -Infinity: a padding query sees only masked keys, and a row
 * of -Infinity would turn into NaN that then leaks into every later position through the keys.
 */
export const MASKED = -1e9;
