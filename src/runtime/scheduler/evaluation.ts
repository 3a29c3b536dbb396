/**
 * The evaluator (rewards, advantages, filters, loss plan) as Effects with the runtime's typed
 * errors: a non-finite value names its node, a failing reward function under `fail` names its
 * node and rollout, anything else is an EvaluateError at its node.
 */
import { Effect } from "effect";
import type { IrDocument } from "../../compiler/ir/types.js";
import {
  evaluate,
  evaluateFilters,
  InvalidBatch,
  MissingInput,
  NonFiniteValue,
  PrimitiveFailed,
  RewardFunctionFailed,
  UnsupportedNode,
  type EvalEnv,
  type EvalResult,
  type FilterResult,
  type RolloutBatch,
} from "../evaluate/index.js";
import { describe, EvaluateError, NonFiniteError, RewardFunctionError } from "../services/errors.js";

export type EvaluationError = NonFiniteError | RewardFunctionError | EvaluateError;

function typed(step: number, e: unknown): EvaluationError {
  if (e instanceof NonFiniteValue) return new NonFiniteError({ node: e.nodeId, step, message: e.message });
  if (e instanceof RewardFunctionFailed) return new RewardFunctionError({ node: e.nodeId, step, rollout: e.rollout, message: e.message });
  if (e instanceof MissingInput || e instanceof UnsupportedNode || e instanceof PrimitiveFailed) return new EvaluateError({ step, node: e.nodeId, message: e.message });
  if (e instanceof InvalidBatch) return new EvaluateError({ step, message: e.message });
  return new EvaluateError({ step, message: describe(e) });
}

export function evaluateStep(ir: IrDocument, batch: RolloutBatch, env: EvalEnv, step: number): Effect.Effect<EvalResult, EvaluationError> {
  return Effect.try({ try: () => evaluate(ir, batch, env), catch: (e) => typed(step, e) });
}

export function evaluateStepFilters(ir: IrDocument, batch: RolloutBatch, env: EvalEnv, step: number): Effect.Effect<FilterResult, EvaluationError> {
  return Effect.try({ try: () => evaluateFilters(ir, batch, env), catch: (e) => typed(step, e) });
}
