/**
 * Micro-batching of the training step and of scoring: the rows of a batch are split into pieces
 * of at most `budget` tokens (rows × padded length), each piece packed to its own longest row, so
 * the activations the model keeps for the backward pass are bounded whatever the batch size.
 *
 * The split is a pure function of the row lengths (rows sorted by length, longest first, ties in
 * row order; greedy fill), so a batch always splits the same way and the pieces are summed in the
 * same order: results are bitwise reproducible.
 */
import { computeGradients, type ComputeOptions } from "../model/train.js";
import type { TinyLM } from "../model/tiny-lm.js";
import type { Sequence, TrainInput, TrainTerm } from "../services/executor.js";
import { packSequences, toMatrix } from "./layout.js";
import { buildLoss, lossWeights, sliceWeights } from "./loss.js";

/**
 * Tokens (rows × padded sequence length) per micro-batch by default. On the wasm backend the
 * arith preset (d_model 128, 4 layers) grows the heap by about 0.25 MiB per token of a piece (a
 * single batch of 256 × 82 tokens runs out of the 4 GiB heap); 2048-token pieces keep a step to
 * about 0.5 GiB and measured no slower than larger ones (docs/runtime.md).
 */
export const DEFAULT_MICRO_BATCH_TOKENS = 2048;

/** Row indices of each micro-batch, in summation order. Every row is in exactly one; none is empty. */
export function planMicroBatches(seqs: readonly Sequence[], budget: number): number[][] {
  if (!(budget >= 1)) throw new RangeError(`the micro-batch token budget must be >= 1, got ${budget}`);
  const length = (i: number) => Math.max(2, seqs[i]!.prompt.length + seqs[i]!.response.length);
  const order = seqs.map((_, i) => i).sort((a, b) => length(b) - length(a) || a - b);
  const out: number[][] = [];
  let cur: number[] = [];
  let width = 0;
  for (const i of order) {
    // Sorted longest first, so the first row of a piece sets its padded length.
    if (cur.length === 0) width = length(i);
    else if ((cur.length + 1) * width > budget) {
      out.push(cur);
      cur = [];
      width = length(i);
    }
    cur.push(i);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The train input restricted to `rows` (in that order): rows, and every term's per-row arrays. */
export function sliceTrainInput(input: TrainInput, rows: readonly number[]): TrainInput {
  const pick = <T>(xs: readonly T[]): T[] => rows.map((i) => xs[i]!);
  const terms = input.terms.map((t): TrainTerm => {
    const base = { ...t, mask: pick(t.mask) };
    return "advantages" in t ? ({ ...base, advantages: pick(t.advantages) } as TrainTerm) : (base as TrainTerm);
  });
  return { ...input, rows: pick(input.rows), terms };
}

export interface BatchGradients {
  /** The loss (sum of the micro-batches' exact slices). */
  readonly loss: number;
  /** Flat gradient in parameter layout order, summed over the micro-batches. */
  readonly grads: Float32Array;
  /** buildLoss's statistics of the whole batch (sums of the micro-batches' slices). */
  readonly stats: Record<string, number>;
}

/**
 * Loss, gradient and statistics of the whole batch, computed micro-batch by micro-batch
 * (planMicroBatches) with the aggregation weights of the whole batch; equal to the single-batch
 * values up to float32 rounding, for every aggregation and term. `reported`: per row, the tokens
 * the entropy statistic is reported over. The model is not changed.
 */
export async function microBatchGradients(
  model: TinyLM,
  input: TrainInput,
  reported: readonly Float32Array[],
  budget: number,
  options: ComputeOptions = {},
): Promise<BatchGradients> {
  if (input.rows.length === 0) throw new RangeError("the training batch has no rows");
  // Normalisers from the whole batch; each micro-batch's loss is then an exact slice of the sum.
  const weights = lossWeights(input, reported);
  let grads: Float32Array | undefined;
  let loss = 0;
  const stats: Record<string, number> = {};
  for (const rows of planMicroBatches(input.rows, budget)) {
    const part = sliceTrainInput(input, rows);
    const batch = packSequences(part.rows);
    const responseMask = toMatrix(batch, rows.map((i) => reported[i]!));
    const built = buildLoss(part, batch, responseMask, sliceWeights(weights, rows));
    try {
      const g = await computeGradients(model, { ...batch, mask: responseMask }, built.lossFn, options);
      const s = await built.readStats();
      // In the plan's fixed order: bitwise reproducible.
      loss += g.loss;
      for (const [name, v] of Object.entries(s)) stats[name] = (stats[name] ?? 0) + v;
      if (grads === undefined) grads = g.grads;
      else for (let j = 0; j < grads.length; j++) grads[j]! += g.grads[j]!;
    } finally {
      built.dispose();
    }
  }
  return { loss, grads: grads!, stats };
}
