/** Public API of the embedded tiny LM (see docs/backends.md). */
export { PRESETS, resolveConfig, InvalidModelConfig, type PresetName, type TinyLMConfig } from "./config.js";
export { TinyLM, WeightsMismatch, type CreateOptions } from "./tiny-lm.js";
export { Prng, mixSeed } from "./prng.js";
export { InvalidBatch, type SeqBatch } from "./encode.js";
export { logProbs, logProbsArrays, toSeqBatch, type ScoreOptions, type TokenBatch, type TokenStats } from "./score.js";
export {
  sample,
  SequenceTooLong,
  InvalidSampleRequest,
  type FinishReason,
  type SampleOptions,
  type SampleRequest,
  type SampleResult,
} from "./sampler.js";
export {
  trainStep,
  sftStep,
  sftLoss,
  computeGradients,
  applyGradients,
  NonFiniteLoss,
  InvalidLoss,
  type LossFn,
  type LossInputs,
  type TrainBatch,
  type TrainStepOptions,
  type TrainStepResult,
  type Gradients,
  type ApplyResult,
} from "./train.js";
export { Adam, adam, adamw, OptimizerStateMismatch, type AdamConfig, type OptimizerKind, type OptimizerState } from "./optim.js";
export { ShardPool, PoolUnavailable, WorkerFailed, type PoolOptions } from "./pool.js";
