/**
 * What the evaluator needs beyond the IR and the batch: the task's text functions, and optional
 * element-wise functions for externs the evaluator does not implement itself.
 */
import type { JsonValue } from "../../compiler/ir/types.js";

export interface TaskFunctions {
  /** `well_formed(text)`: the response follows the task's format. */
  wellFormed(text: string): boolean;
  /** When given, the `answer` field is re-extracted from the response text instead of read from the rollout. */
  extractAnswer?(text: string): string;
}

/** One element of an extern function: arguments by parameter name (already at the element), constant params. */
export type ElementFunction = (args: Readonly<Record<string, number | string>>, params: Readonly<Record<string, JsonValue>>) => number | boolean | string;

export interface EvalEnv {
  readonly task?: TaskFunctions;
  /**
   * Functions by name for calls the evaluator has no built-in for (a user's `extern fn`). They are
   * applied per element of the call's level and, like task functions, their failures follow the
   * pipeline's `on_reward_error`.
   */
  readonly functions?: Readonly<Record<string, ElementFunction>>;
}
