/**
 * Masked batch statistics in float64, as verl's `torch_functional` (masked_mean, masked_var,
 * masked_whiten). Whitening is over every masked-in token of the batch, not per row.
 */
import { EmptyMaskError } from "../errors.js";
import { sameShape, type Matrix } from "../shape.js";

/** verl adds this to the token count of a masked mean so an empty mask gives 0, not NaN. */
const MEAN_EPS = 1e-8;

/** Σ values·mask over all entries. */
export function maskedSum(values: Matrix, mask: Matrix): number {
  sameShape("maskedSum", { values, mask });
  let s = 0;
  values.forEach((row, i) => row.forEach((v, j) => {
    const m = mask[i]![j]!;
    if (m !== 0) s += v * m;
  }));
  return s;
}

/** Σ mask over all entries (the number of real tokens for a 0/1 mask). */
export function maskCount(mask: Matrix): number {
  let n = 0;
  for (const row of mask) for (const m of row) n += m;
  return n;
}

/** verl masked_mean: Σ v·m / (Σ m + 1e-8). */
export function maskedMean(values: Matrix, mask: Matrix): number {
  return maskedSum(values, mask) / (maskCount(mask) + MEAN_EPS);
}

/** verl masked_var: masked mean of squared deviations, times n/(n − 1) when unbiased (needs n ≥ 2). */
export function maskedVar(values: Matrix, mask: Matrix, unbiased = true): number {
  const mean = maskedMean(values, mask);
  const centred = values.map((row) => row.map((v) => (v - mean) ** 2));
  const variance = maskedMean(centred, mask);
  if (!unbiased) return variance;
  const n = maskCount(mask);
  if (n < 2) throw new EmptyMaskError("maskedVar", n, 2);
  return (variance * n) / (n - 1);
}

export interface WhitenOptions {
  /** Added to the variance before the reciprocal square root (verl: 1e-8). */
  readonly eps?: number;
  /** false re-adds the mean after scaling (verl's shift_mean=False). */
  readonly shiftMean?: boolean;
}

/**
 * verl masked_whiten: (x − mean)·rsqrt(var_unbiased + eps) with statistics over the masked entries.
 * Every entry is transformed, masked-out ones included; callers multiply by the mask where verl does.
 */
export function maskedWhiten(values: Matrix, mask: Matrix, options: WhitenOptions = {}): number[][] {
  const eps = options.eps ?? 1e-8;
  const mean = maskedMean(values, mask);
  const scale = 1 / Math.sqrt(maskedVar(values, mask) + eps);
  const shift = options.shiftMean === false ? mean : 0;
  return values.map((row) => row.map((v) => (v - mean) * scale + shift));
}
