/**
 * Typed failures of the runtime. Every error a run can end with is one of these; the CLI turns
 * them into located messages and exit codes (4 for a runtime failure, 130 for an interrupt).
 * `node` names the IR node a failure belongs to, so that the message can point at its span.
 */
import { Schema } from "effect";

/** The executor could not sample, score, train, snapshot or restore. */
export class ExecutorError extends Schema.TaggedError<ExecutorError>()("ExecutorError", {
  operation: Schema.String,
  message: Schema.String,
  node: Schema.optional(Schema.String),
}) {}

/** A backend that cannot be initialised (missing optional package, no adapter, ...). */
export class BackendError extends Schema.TaggedError<BackendError>()("BackendError", {
  backend: Schema.String,
  message: Schema.String,
  help: Schema.String,
}) {}

/** NaN or ±Inf appeared in a node's value; the update of that step was not applied. */
export class NonFiniteError extends Schema.TaggedError<NonFiniteError>()("NonFiniteError", {
  node: Schema.String,
  step: Schema.Number,
  message: Schema.String,
}) {}

/** A reward function threw on a rollout and the pipeline declares `on_reward_error = fail`. */
export class RewardFunctionError extends Schema.TaggedError<RewardFunctionError>()("RewardFunctionError", {
  node: Schema.String,
  step: Schema.Number,
  rollout: Schema.Number,
  message: Schema.String,
}) {}

/** The reward/advantage graph could not be evaluated on a step's batch (a missing input, a primitive that rejected its group). */
export class EvaluateError extends Schema.TaggedError<EvaluateError>()("EvaluateError", {
  step: Schema.Number,
  message: Schema.String,
  node: Schema.optional(Schema.String),
}) {}

/** The task could not produce prompts, encode or decode text. */
export class TaskError extends Schema.TaggedError<TaskError>()("TaskError", {
  task: Schema.String,
  message: Schema.String,
}) {}

/** A pipeline feature this runtime cannot execute, found before any compute is spent. */
export class PlanError extends Schema.TaggedError<PlanError>()("PlanError", {
  message: Schema.String,
  node: Schema.optional(Schema.String),
  help: Schema.optional(Schema.String),
}) {}

/** Reading or writing a checkpoint failed, or a checkpoint on disk is damaged. */
export class CheckpointError extends Schema.TaggedError<CheckpointError>()("CheckpointError", {
  path: Schema.String,
  message: Schema.String,
}) {}

/** The metrics file could not be written or read back. */
export class MetricsError extends Schema.TaggedError<MetricsError>()("MetricsError", {
  path: Schema.String,
  message: Schema.String,
}) {}

/** A run directory that cannot be resumed (no manifest, a changed pipeline, no checkpoint). */
export class ResumeError extends Schema.TaggedError<ResumeError>()("ResumeError", {
  dir: Schema.String,
  message: Schema.String,
  help: Schema.String,
}) {}

/** The run stopped on SIGINT after saving a checkpoint at `step`. */
export class Interrupted extends Schema.TaggedError<Interrupted>()("Interrupted", {
  step: Schema.Number,
  checkpoint: Schema.String,
}) {}

export type RuntimeError =
  | ExecutorError
  | BackendError
  | NonFiniteError
  | RewardFunctionError
  | EvaluateError
  | TaskError
  | PlanError
  | CheckpointError
  | MetricsError
  | ResumeError
  | Interrupted;

/** A thrown value as one line (errors keep their name, as "NonFiniteLoss: ..."). */
export function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.name === "Error" ? cause.message : `${cause.name}: ${cause.message}`;
  return String(cause);
}
