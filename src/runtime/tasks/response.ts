/**
 * Correct responses of a problem for each amount of reasoning, their token counts, and the richest
 * reasoning that fits a budget (the prefill counts in the budget, as in HBPO).
 */
import type { ArithProblem } from "./arith.js";
import { formatResponse } from "./format.js";
import { renderScratchpad, type Reasoning } from "./scratchpad.js";
import { tokenCount } from "./tokenizer.js";

/** The response text: opening tag (the budget prefill when `budget` is given), scratchpad, answer. */
export function demoResponse(problem: ArithProblem, reasoning: Reasoning, budget?: number): string {
  return formatResponse(renderScratchpad(problem, reasoning), problem.target, budget);
}

/** Response length in tokens, `<eos>` and prefill included: HBPO's `tokens`. */
export function responseTokens(problem: ArithProblem, reasoning: Reasoning, budget?: number): number {
  return tokenCount(demoResponse(problem, reasoning, budget));
}

/**
 * Reasoning styles a budget may be filled with, from the most to the least written: full, compact d,
 * compact d−1, …, 1, direct. `checked` is not on it: a budget-prefilled response writes at most the
 * full scratchpad (re-verifying is a habit of unprompted long reasoning, not a use of a budget).
 */
export function reasoningLadder(difficulty: number): Reasoning[] {
  const ladder: Reasoning[] = [{ kind: "full" }];
  for (let k = difficulty; k >= 1; k--) ladder.push({ kind: "compact", columns: k });
  ladder.push({ kind: "direct" });
  return ladder;
}

/**
 * The most reasoning of the ladder (never `checked`) whose whole response (prefill to `<eos>`) fits
 * in `budget` tokens; the direct answer when nothing fits (it is the shortest correct response there is).
 */
export function fitReasoning(problem: ArithProblem, budget: number): Reasoning {
  const ladder = reasoningLadder(problem.difficulty);
  return ladder.find((r) => responseTokens(problem, r, budget) <= budget) ?? { kind: "direct" };
}
