/**
 * Packing prompt + response sequences into the tiny LM's token batches. Each row is left-padded to
 * the longest sequence, so every response ends in the last column: response token j of a row with
 * R response tokens is scored at column T − R + j of the [B, T = L − 1] log-prob matrix. Per-token
 * arrays aligned with the response (advantages, masks, old log-probs) are placed there.
 */
import type { TokenBatch } from "../model/score.js";
import type { Sequence } from "../services/executor.js";

export interface PackedBatch extends TokenBatch {
  /** Response length of each row. */
  readonly responseLengths: Int32Array;
  /** Columns of the log-prob matrix: length − 1. */
  readonly columns: number;
}

export function packSequences(seqs: readonly Sequence[]): PackedBatch {
  const B = seqs.length;
  const L = Math.max(2, ...seqs.map((s) => s.prompt.length + s.response.length));
  const tokens = new Int32Array(B * L);
  const pad = new Int32Array(B);
  const responseLengths = new Int32Array(B);
  seqs.forEach((s, r) => {
    const P = s.prompt.length;
    const R = s.response.length;
    if (P < 1) throw new RangeError(`row ${r} has an empty prompt`);
    pad[r] = L - P - R;
    responseLengths[r] = R;
    const base = r * L + pad[r]!;
    for (let j = 0; j < P; j++) tokens[base + j] = s.prompt[j]!;
    for (let j = 0; j < R; j++) tokens[base + P + j] = s.response[j]!;
  });
  return { tokens, batch: B, length: L, pad, responseLengths, columns: L - 1 };
}

/** Response-aligned rows → a [B, T] matrix, zero outside the responses. */
export function toMatrix(batch: PackedBatch, rows: readonly ArrayLike<number>[]): Float32Array {
  const T = batch.columns;
  const out = new Float32Array(batch.batch * T);
  rows.forEach((row, r) => {
    const R = batch.responseLengths[r]!;
    if (row.length !== R) throw new RangeError(`row ${r} has ${row.length} per-token values for ${R} response tokens`);
    const base = r * T + T - R;
    for (let j = 0; j < R; j++) out[base + j] = row[j]!;
  });
  return out;
}

/** The inverse of toMatrix: the response columns of each row. */
export function fromMatrix(batch: PackedBatch, matrix: Float32Array): Float32Array[] {
  const T = batch.columns;
  return Array.from({ length: batch.batch }, (_, r) => {
    const R = batch.responseLengths[r]!;
    return matrix.slice(r * T + T - R, (r + 1) * T);
  });
}
