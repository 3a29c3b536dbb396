/**
 * Shared RL primitives: float64 advantage and reward maths over plain arrays, rollout allocation,
 * and differentiable tfjs losses. See docs/conformance.md for the reference each one follows.
 */
export * from "./errors.js";
export type { GroupId, Matrix, Vector } from "./shape.js";
export { groupRows } from "./groups.js";

export { maskedMean, maskedSum, maskedVar, maskedWhiten, maskCount, type WhitenOptions } from "./advantage/masked.js";
export { applyMask, broadcastToTokens, sequenceScores } from "./advantage/broadcast.js";
export {
  groupNormalize,
  grpoOutcomeAdvantage,
  rlooOutcomeAdvantage,
  type AdvantageResult,
  type GroupCentre,
  type GroupNormOptions,
  type GroupScale,
  type OutcomeInputs,
} from "./advantage/group-norm.js";
export {
  reinforcePlusPlusBaselineOutcomeAdvantage,
  reinforcePlusPlusOutcomeAdvantage,
  remaxOutcomeAdvantage,
  returnToGo,
} from "./advantage/reinforce.js";
export { gaeAdvantageReturn, type GaeInputs } from "./advantage/gae.js";
export { hbpoAdvantage, HBPO_ADVANTAGE_DEFAULTS, type HbpoAdvantageInputs, type HbpoAdvantageParams } from "./advantage/hbpo.js";

export {
  hbpoBudgetReward,
  hbpoCosine,
  hbpoF1,
  hbpoF2,
  HBPO_REWARD_DEFAULTS,
  type HbpoRewardParams,
  type HbpoRewardResult,
  type HbpoRewardVariant,
  type HbpoRolloutOutcome,
} from "./reward/hbpo-budget.js";
export { dapoOverlongPenalty, type OverlongParams } from "./reward/overlong.js";
export { roundHalfEven } from "./reward/round.js";

export {
  knapsackAllocation,
  knapsackCost,
  knapsackValue,
  KNAPSACK_DEFAULTS,
  type KnapsackAllocation,
  type KnapsackCostEstimation,
  type KnapsackObjective,
  type KnapsackParams,
  type KnapsackPrompt,
} from "./allocation/knapsack.js";
export {
  normaliseKnapsackReward,
  PromptSuccessTracker,
  SUCCESS_TRACKER_DEFAULTS,
  type PromptSuccessEntry,
  type PromptSuccessState,
  type SuccessTrackerJSON,
  type SuccessTrackerOptions,
} from "./allocation/success-state.js";

export { aggLoss, aggWeights, AGG_MODES, weightedSum, type AggMode, type AggSpec } from "./loss/aggregate.js";
export {
  cispoLoss,
  gspoLoss,
  policyAggSpec,
  policyLoss,
  policyTokenLoss,
  POLICY_LOSS_MODES,
  ppoClipLoss,
  sapoLoss,
  type PolicyLossConfig,
  type PolicyLossInputs,
  type PolicyLossMetrics,
  type PolicyLossMode,
  type PolicyLossResult,
  type PolicyTokenLoss,
} from "./loss/policy.js";
export { isKlEstimator, klPenalty, type KlBaseEstimator, type KlEstimator } from "./loss/kl.js";
export { entropyFromLogits, entropyLoss } from "./loss/entropy.js";
export { valueLoss, type ValueLossInputs, type ValueLossResult } from "./loss/value.js";
export { maskedMeanT, maskedSumT, stopGradient } from "./loss/tensor.js";
export { ensureLossGradients } from "./loss/gradients.js";
