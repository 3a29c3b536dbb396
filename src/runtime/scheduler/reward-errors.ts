/**
 * A reward function that failed on a rollout, as one line for the console: where the call is in
 * the pipeline, which rollout of which step, what it threw and what the pipeline did about it.
 */
import type { RewardError } from "../evaluate/index.js";

export function describeRewardError(e: RewardError, step: number): string {
  const at = e.span === undefined ? "" : ` at ${e.span.file}:${e.span.line}:${e.span.column}`;
  const action = e.action === "zero" ? "scored 0 (on_reward_error = zero)" : "rollout dropped (on_reward_error = drop)";
  return `warning: reward function \`${e.op}\` (node ${e.nodeId}${at}) failed on rollout ${e.rollout} of step ${step}: ${e.message}; ${action}`;
}
