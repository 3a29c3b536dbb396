/**
 * Moving between sequence-level and token-level values: outcome rewards are read as the row sum of
 * token rewards (verl: `token_level_rewards.sum(-1)`), and sequence values are broadcast to tokens.
 */
import { lengthIs, sameShape, type Matrix, type Vector } from "../shape.js";

/** Row sums of token-level rewards: the scalar outcome score of each rollout. */
export function sequenceScores(tokenLevelRewards: Matrix): number[] {
  return tokenLevelRewards.map((row) => row.reduce((s, v) => s + v, 0));
}

/** value[i]·mask[i][t]: a per-sequence value placed on each real token of its row (0 elsewhere). */
export function broadcastToTokens(values: Vector, mask: Matrix): number[][] {
  lengthIs("broadcastToTokens", "values", values, mask.length);
  sameShape("broadcastToTokens", { mask });
  return mask.map((row, i) => row.map((m) => values[i]! * m));
}

/** Element-wise product with the mask (verl's `x * response_mask`). */
export function applyMask(values: Matrix, mask: Matrix): number[][] {
  sameShape("applyMask", { values, mask });
  return values.map((row, i) => row.map((v, j) => v * mask[i]![j]!));
}
