/**
 * Group-relative advantages (GRPO, Dr.GRPO, RLOO): each rollout's score is centred and optionally
 * scaled by statistics of the other rollouts of the same prompt. Float64 over plain arrays.
 */
import { groupRows, meanOf, unbiasedStdOf } from "../groups.js";
import { lengthIs, sameShape, type GroupId, type Matrix, type Vector } from "../shape.js";
import { broadcastToTokens, sequenceScores } from "./broadcast.js";

/** What is subtracted: the group mean, the mean of the *other* members (RLOO), or nothing. */
export type GroupCentre = "mean" | "leave-one-out" | "none";
/** What the centred value is divided by: unbiased group std + eps, or nothing. */
export type GroupScale = "std" | "none";

export interface GroupNormOptions {
  readonly centre?: GroupCentre;
  readonly scale?: GroupScale;
  /** Added to the std before dividing (verl: 1e-6). */
  readonly eps?: number;
}

/**
 * Normalises values within their groups: (v − centre)/(std + eps) (or without the division).
 * Source: verl compute_grpo_outcome_advantage / compute_rloo_outcome_advantage. A group of one
 * uses mean 0 and std 1 (verl's singleton rule), so its value passes through as v/(1 + eps) or v.
 * Equal values in a group give std 0, hence 0 after centring.
 */
export function groupNormalize(values: Vector, groups: readonly GroupId[], options: GroupNormOptions = {}): number[] {
  lengthIs("groupNormalize", "groups", groups, values.length);
  const centre = options.centre ?? "mean";
  const scale = options.scale ?? "std";
  const eps = options.eps ?? 1e-6;
  const out = new Array<number>(values.length).fill(0);
  for (const rows of groupRows(groups).values()) {
    const n = rows.length;
    const singleton = n === 1;
    const mean = singleton ? 0 : meanOf(values, rows);
    const std = singleton ? 1 : unbiasedStdOf(values, rows);
    const sum = mean * n;
    for (const i of rows) {
      const v = values[i]!;
      const c = centre === "none" || singleton ? 0 : centre === "mean" ? mean : (sum - v) / (n - 1);
      out[i] = scale === "std" ? (v - c) / (std + eps) : v - c;
    }
  }
  return out;
}

/** Token-level outcome inputs shared by the verl outcome estimators. */
export interface OutcomeInputs {
  /** [batch][T]; the outcome reward sits on the last real token, so the row sum is the score. */
  readonly tokenLevelRewards: Matrix;
  /** [batch][T]; 1 for real response tokens. */
  readonly responseMask: Matrix;
}

/** Advantages and returns as verl's estimators return them ([batch][T] each). */
export interface AdvantageResult {
  readonly advantages: number[][];
  readonly returns: number[][];
}

/**
 * GRPO: (r − mean_g)/(std_g + ε), unbiased std; `normAdvByStd: false` is Dr.GRPO (r − mean_g).
 * Broadcast to the row's real tokens; returns equal advantages (verl).
 */
export function grpoOutcomeAdvantage(
  inputs: OutcomeInputs & { readonly groups: readonly GroupId[] },
  options: { readonly epsilon?: number; readonly normAdvByStd?: boolean } = {},
): AdvantageResult {
  sameShape("grpoOutcomeAdvantage", { tokenLevelRewards: inputs.tokenLevelRewards, responseMask: inputs.responseMask });
  const scores = sequenceScores(inputs.tokenLevelRewards);
  const normed = groupNormalize(scores, inputs.groups, {
    centre: "mean",
    scale: options.normAdvByStd === false ? "none" : "std",
    eps: options.epsilon ?? 1e-6,
  });
  const advantages = broadcastToTokens(normed, inputs.responseMask);
  return { advantages, returns: advantages };
}

/**
 * RLOO: r − mean of the other members of the group (verl: r·n/(n−1) − mean·n/(n−1)); a group of one
 * keeps r (verl's non-vectorised estimator). Broadcast to real tokens; returns equal advantages.
 */
export function rlooOutcomeAdvantage(inputs: OutcomeInputs & { readonly groups: readonly GroupId[] }): AdvantageResult {
  sameShape("rlooOutcomeAdvantage", { tokenLevelRewards: inputs.tokenLevelRewards, responseMask: inputs.responseMask });
  const scores = sequenceScores(inputs.tokenLevelRewards);
  const normed = groupNormalize(scores, inputs.groups, { centre: "leave-one-out", scale: "none" });
  const advantages = broadcastToTokens(normed, inputs.responseMask);
  return { advantages, returns: advantages };
}
