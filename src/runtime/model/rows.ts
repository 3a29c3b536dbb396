/** Splitting batches by rows, for data parallelism. */
import type { SeqBatch } from "./encode.js";

/** Rows [r0, r1) of a batch. */
export function sliceRows(seq: SeqBatch, r0: number, r1: number): SeqBatch {
  const T = seq.steps;
  const out: { -readonly [K in keyof SeqBatch]: SeqBatch[K] } = {
    batch: r1 - r0,
    steps: T,
    inputs: seq.inputs.slice(r0 * T, r1 * T),
  };
  if (seq.targets !== undefined) out.targets = seq.targets.slice(r0 * T, r1 * T);
  if (seq.pad !== undefined) out.pad = seq.pad.slice(r0, r1);
  return out;
}

/** Splits n rows into `parts` contiguous ranges whose sizes differ by at most one. */
export function splitRows(n: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const size = Math.floor(n / parts) + (i < n % parts ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}
