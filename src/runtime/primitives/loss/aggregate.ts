/**
 * Loss aggregation: how a [batch][T] loss matrix becomes a scalar. The four verl modes (agg_loss at
 * verl 1dda039b9, single data-parallel rank) plus SkyRL's prompt_mean.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PrimitiveInputError } from "../errors.js";
import type { GroupId } from "../shape.js";
import { divByCount, maskedSumT } from "./tensor.js";

export type AggMode =
  /** Σ L·m / Σ m over the batch (DAPO, HBPO, Knapsack). */
  | "token-mean"
  /** mean over non-empty rows of the row's token mean (original GRPO). */
  | "seq-mean-token-mean"
  /** mean over non-empty rows of the row's token sum. */
  | "seq-mean-token-sum"
  /** seq-mean-token-sum / constant (default T = columns): Dr.GRPO. */
  | "seq-mean-token-sum-norm"
  /** SkyRL prompt_mean: token mean within each prompt group, then the mean over prompts. */
  | "prompt-mean";

export const AGG_MODES: readonly AggMode[] = ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum", "seq-mean-token-sum-norm", "prompt-mean"];

export interface AggSpec {
  readonly mode: AggMode;
  /** seq-mean-token-sum-norm's divisor; defaults to the number of columns T. */
  readonly lossScaleFactor?: number;
  /** Prompt id per row; required by prompt-mean. */
  readonly groups?: readonly GroupId[];
}

/** Rows with at least one real token count as sequences (verl excludes fully masked rows). */
function seqMean(rowLoss: tf.Tensor1D, rowTokens: tf.Tensor1D): tf.Scalar {
  const seqMask = tf.cast(tf.greater(rowTokens, 0), "float32");
  return divByCount(maskedSumT(rowLoss, seqMask), tf.sum(seqMask)) as tf.Scalar;
}

/** Aggregates a loss matrix under a mask; differentiable in `lossMat`. Empty masks give 0, not NaN. */
export function aggLoss(lossMat: tf.Tensor2D, mask: tf.Tensor2D, spec: AggSpec): tf.Scalar {
  const [rows, cols] = lossMat.shape;
  switch (spec.mode) {
    case "token-mean":
      return divByCount(maskedSumT(lossMat, mask), tf.sum(mask)) as tf.Scalar;
    case "seq-mean-token-sum":
      return seqMean(maskedSumT(lossMat, mask, 1) as tf.Tensor1D, tf.sum(mask, 1));
    case "seq-mean-token-sum-norm": {
      const factor = spec.lossScaleFactor ?? cols;
      if (!(factor > 0)) throw new PrimitiveInputError("aggLoss", `lossScaleFactor must be > 0, got ${factor}`);
      return tf.div(seqMean(maskedSumT(lossMat, mask, 1) as tf.Tensor1D, tf.sum(mask, 1)), factor) as tf.Scalar;
    }
    case "seq-mean-token-mean": {
      const tokens = tf.sum(mask, 1) as tf.Tensor1D;
      const rowMean = tf.div(maskedSumT(lossMat, mask, 1), tf.add(tokens, 1e-8)) as tf.Tensor1D;
      return seqMean(rowMean, tokens);
    }
    case "prompt-mean": {
      const groups = spec.groups;
      if (groups === undefined || groups.length !== rows) {
        throw new PrimitiveInputError("aggLoss", `prompt-mean needs one group id per row (${rows}), got ${groups?.length ?? "none"}`);
      }
      const ids = new Map<GroupId, number>();
      const segment = groups.map((g) => {
        const known = ids.get(g);
        if (known !== undefined) return known;
        ids.set(g, ids.size);
        return ids.size - 1;
      });
      const segIds = tf.tensor1d(segment, "int32");
      const groupLoss = tf.unsortedSegmentSum(maskedSumT(lossMat, mask, 1), segIds, ids.size);
      const groupTokens = tf.unsortedSegmentSum(tf.sum(mask, 1), segIds, ids.size);
      const nonEmpty = tf.cast(tf.greater(groupTokens, 0), "float32");
      const groupMean = divByCount(groupLoss, groupTokens);
      return divByCount(tf.sum(tf.mul(groupMean, nonEmpty)), tf.sum(nonEmpty)) as tf.Scalar;
    }
  }
}

/**
 * Per-token weights W (same layout as `mask`, [rows][cols] row-major) with aggLoss(L, mask, spec) =
 * Σ W·L for every loss matrix L: each mode's normalisers (token count, number of non-empty rows,
 * the constant, per-prompt token counts and the number of non-empty prompts) taken from the whole
 * batch. A batch split by rows then aggregates exactly as a sum of weightedSum over the pieces.
 * Computed in float64; zero wherever the mask is.
 */
export function aggWeights(mask: ArrayLike<number>, rows: number, cols: number, spec: AggSpec): Float32Array {
  if (mask.length !== rows * cols) throw new PrimitiveInputError("aggWeights", `mask has ${mask.length} values, expected ${rows} x ${cols}`);
  const rowTokens = new Float64Array(rows);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += mask[r * cols + c]!;
    rowTokens[r] = s;
    total += s;
  }
  let nonEmptyRows = 0;
  for (let r = 0; r < rows; r++) if (rowTokens[r]! > 0) nonEmptyRows++;
  const seqs = Math.max(nonEmptyRows, 1);
  // The weight of row r's tokens, times the mask.
  const rowScale = new Float64Array(rows);
  switch (spec.mode) {
    case "token-mean":
      rowScale.fill(1 / Math.max(total, 1));
      break;
    case "seq-mean-token-sum":
      rowScale.fill(1 / seqs);
      break;
    case "seq-mean-token-sum-norm": {
      const factor = spec.lossScaleFactor ?? cols;
      if (!(factor > 0)) throw new PrimitiveInputError("aggWeights", `lossScaleFactor must be > 0, got ${factor}`);
      rowScale.fill(1 / (seqs * factor));
      break;
    }
    case "seq-mean-token-mean":
      for (let r = 0; r < rows; r++) rowScale[r] = rowTokens[r]! > 0 ? 1 / ((rowTokens[r]! + 1e-8) * seqs) : 0;
      break;
    case "prompt-mean": {
      const groups = spec.groups;
      if (groups === undefined || groups.length !== rows) {
        throw new PrimitiveInputError("aggWeights", `prompt-mean needs one group id per row (${rows}), got ${groups?.length ?? "none"}`);
      }
      const groupTokens = new Map<GroupId, number>();
      groups.forEach((g, r) => groupTokens.set(g, (groupTokens.get(g) ?? 0) + rowTokens[r]!));
      let nonEmpty = 0;
      for (const n of groupTokens.values()) if (n > 0) nonEmpty++;
      for (let r = 0; r < rows; r++) {
        const n = groupTokens.get(groups[r]!)!;
        rowScale[r] = n > 0 ? 1 / (Math.max(n, 1) * Math.max(nonEmpty, 1)) : 0;
      }
      break;
    }
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = mask[r * cols + c]! * rowScale[r]!;
  return out;
}

/** Σ where(W ≠ 0, L, 0)·W: a loss matrix aggregated with aggWeights' weights (NaN outside them cannot leak in). */
export function weightedSum(lossMat: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return maskedSumT(lossMat, weights) as tf.Scalar;
}
