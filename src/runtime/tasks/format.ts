/**
 * The response format of the arith tasks:
 *
 *     <think>SCRATCHPAD</think>ANSWER<eos>            (no prefill)
 *     <think budget=N>SCRATCHPAD</think>ANSWER<eos>   (HBPO budget prefill, part of the response)
 *
 * `text` below is always a response as the sampler returns it: the prefill, then the sampled tokens.
 * The answer is an integer literal; anything else after `</think>` is a format error, as a missing
 * `\boxed{}` is in HBPO's math reward.
 */
import { TaskParamError } from "./errors.js";
import { BUDGET_CLOSE, BUDGET_OPEN, EOS, THINK_CLOSE, THINK_OPEN } from "./tokenizer.js";

const ANSWER = /^-?[0-9]+$/;
const OPEN_TAG = /^<think(?: budget=([0-9]+))?>/;
const ANY_OPEN_TAG = "<think(?: budget=[0-9]+)?>";

/** The budget prefill for `budget` tokens, e.g. `<think budget=16>`. */
export function budgetPrefill(budget: number): string {
  if (!Number.isSafeInteger(budget) || budget < 1) throw new TaskParamError("budget", `must be a positive integer, got ${budget}`);
  return `${BUDGET_OPEN}${budget}${BUDGET_CLOSE}`;
}

/** The opening tag of a response: the budget prefill when there is a budget, else `<think>`. */
export function openingTag(budget?: number): string {
  return budget === undefined ? THINK_OPEN : budgetPrefill(budget);
}

/** A whole response text. */
export function formatResponse(scratchpad: string, answer: string, budget?: number): string {
  return `${openingTag(budget)}${scratchpad}${THINK_CLOSE}${answer}${EOS}`;
}

/**
 * The answer: the text after the first `</think>` up to `<eos>` (or the end), when it is an integer
 * literal (`-?[0-9]+`); undefined otherwise (no `</think>`, empty, a second `</think>`, garbage).
 * Leading zeros and `-0` are extracted as written; `verify` then rejects them.
 */
export function extractAnswer(text: string): string | undefined {
  const close = text.indexOf(THINK_CLOSE);
  if (close < 0) return undefined;
  const rest = text.slice(close + THINK_CLOSE.length);
  const end = rest.indexOf(EOS);
  const answer = end < 0 ? rest : rest.slice(0, end);
  return ANSWER.test(answer) ? answer : undefined;
}

/** The budget of a response that starts with a budget prefill; undefined for `<think>` or none. */
export function parseBudget(text: string): number | undefined {
  const m = OPEN_TAG.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * The response opens a think block at its start (`<think>` or a budget prefill), closes it once
 * with `</think>` (no second opening tag inside), and has an extractable answer.
 */
export function wellFormed(text: string): boolean {
  if (!OPEN_TAG.test(text)) return false;
  const close = text.indexOf(THINK_CLOSE);
  if (close < 0) return false;
  // a fresh global RegExp per call: a shared one would carry `lastIndex` state between calls
  const opens = text.slice(0, close).match(new RegExp(ANY_OPEN_TAG, "g"))?.length ?? 0;
  return opens === 1 && extractAnswer(text) !== undefined;
}

/** Exact string match, as `exact_match` specifies: `007` is not `7`, `-0` is not `0`. */
export function verify(answer: string | undefined, target: string): boolean {
  return answer !== undefined && answer === target;
}

/**
 * The text functions in the shape the reward evaluator takes (`EvalEnv.task`): a response with no
 * answer reads as "", which equals no target.
 */
export const arithTextFunctions: { readonly wellFormed: (text: string) => boolean; readonly extractAnswer: (text: string) => string } = Object.freeze({
  wellFormed,
  extractAnswer: (text: string): string => extractAnswer(text) ?? "",
});
