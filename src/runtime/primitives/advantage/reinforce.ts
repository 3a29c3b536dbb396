/**
 * REINFORCE-family advantages of verl: REINFORCE++ (discounted return-to-go, batch-whitened),
 * REINFORCE++-baseline (group-mean baseline, batch-whitened) and ReMax (greedy-rollout baseline).
 */
import { groupRows, meanOf } from "../groups.js";
import { lengthIs, sameShape, type GroupId, type Vector } from "../shape.js";
import { applyMask, broadcastToTokens, sequenceScores } from "./broadcast.js";
import type { AdvantageResult, OutcomeInputs } from "./group-norm.js";
import { maskedWhiten } from "./masked.js";

/**
 * Discounted return-to-go G_t = r_t + γ·G_{t+1}, restarted after each row's last real token
 * (verl multiplies the running return by the mask as it walks backwards).
 */
export function returnToGo(inputs: OutcomeInputs, gamma: number): number[][] {
  const [, cols] = sameShape("returnToGo", { tokenLevelRewards: inputs.tokenLevelRewards, responseMask: inputs.responseMask });
  return inputs.tokenLevelRewards.map((row, i) => {
    const mask = inputs.responseMask[i]!;
    const out = new Array<number>(cols).fill(0);
    let running = 0;
    for (let t = cols - 1; t >= 0; t--) {
      running = row[t]! + gamma * running;
      out[t] = running;
      running *= mask[t]!;
    }
    return out;
  });
}

/**
 * REINFORCE++ (verl compute_reinforce_plus_plus_outcome_advantage): returns = return-to-go;
 * advantages = masked_whiten(returns)·mask over the whole batch (unbiased variance, eps 1e-8).
 */
export function reinforcePlusPlusOutcomeAdvantage(inputs: OutcomeInputs, options: { readonly gamma?: number } = {}): AdvantageResult {
  const returns = returnToGo(inputs, options.gamma ?? 1);
  const advantages = applyMask(maskedWhiten(returns, inputs.responseMask), inputs.responseMask);
  return { advantages, returns };
}

/**
 * REINFORCE++-baseline (verl): (r − group mean) on every real token, then masked_whiten·mask over
 * the batch. A group of one has baseline 0. Returns equal advantages.
 */
export function reinforcePlusPlusBaselineOutcomeAdvantage(inputs: OutcomeInputs & { readonly groups: readonly GroupId[] }): AdvantageResult {
  sameShape("reinforcePlusPlusBaselineOutcomeAdvantage", { tokenLevelRewards: inputs.tokenLevelRewards, responseMask: inputs.responseMask });
  const scores = sequenceScores(inputs.tokenLevelRewards);
  lengthIs("reinforcePlusPlusBaselineOutcomeAdvantage", "groups", inputs.groups, scores.length);
  const centred = scores.slice();
  for (const rows of groupRows(inputs.groups).values()) {
    const mean = rows.length === 1 ? 0 : meanOf(scores, rows);
    for (const i of rows) centred[i] = scores[i]! - mean;
  }
  const tiled = broadcastToTokens(centred, inputs.responseMask);
  const advantages = applyMask(maskedWhiten(tiled, inputs.responseMask), inputs.responseMask);
  return { advantages, returns: advantages };
}

/**
 * ReMax (verl compute_remax_outcome_advantage): returns = undiscounted return-to-go of the masked
 * rewards; advantages = returns − b·mask with b the reward of the row's greedy rollout.
 */
export function remaxOutcomeAdvantage(inputs: OutcomeInputs & { readonly rewardBaselines: Vector }): AdvantageResult {
  const [rows, cols] = sameShape("remaxOutcomeAdvantage", { tokenLevelRewards: inputs.tokenLevelRewards, responseMask: inputs.responseMask });
  lengthIs("remaxOutcomeAdvantage", "rewardBaselines", inputs.rewardBaselines, rows);
  const masked = applyMask(inputs.tokenLevelRewards, inputs.responseMask);
  const returns = masked.map((row) => {
    const out = new Array<number>(cols).fill(0);
    let acc = 0;
    for (let t = cols - 1; t >= 0; t--) {
      acc += row[t]!;
      out[t] = acc;
    }
    return out;
  });
  const advantages = returns.map((row, i) => row.map((g, t) => g - inputs.rewardBaselines[i]! * inputs.responseMask[i]![t]!));
  return { advantages, returns };
}
