/**
 * Evaluation of a compiled pipeline's reward/advantage graph on a batch of rollouts: values per
 * node, filter decisions, the loss plan for the training step, and step metrics.
 */
export { tokenCount, validateBatch, type PromptRecord, type Rollout, type RolloutBatch } from "./batch.js";
export type { ElementFunction, EvalEnv, TaskFunctions } from "./env.js";
export {
  InvalidBatch,
  MissingInput,
  NonFiniteValue,
  PrimitiveFailed,
  RewardFunctionFailed,
  UnsupportedNode,
  type ElementKey,
  type EvalError,
} from "./errors.js";
export { evaluate, evaluateFilters, promptValues, rolloutValues, type EvalResult, type FilterResult } from "./evaluate.js";
export { klEstimate, isKlValueEstimator, type KlValueEstimator } from "./kl.js";
export { LevelIndex, type LevelSet } from "./levels.js";
export type { LossOp, LossPlan, LossTerm } from "./loss-plan.js";
export type { RewardError } from "./pass.js";
export type { NumValue, Origin, TextValue, Value } from "./values.js";
