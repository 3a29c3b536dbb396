/**
 * The fixed vocabulary of the `arith` task family, shared by prompts, reasoning and answers.
 *
 * 37 ids: `<pad>` `<bos>` `<eos>`, the ten digits, `+ - * =`, `<think>` `</think>`, the generic
 * budget prefill pieces `<think budget=` and `>`, and one token per budget prefill
 * `<think budget=N>` for N = 4, 8, …, 64. Multi-character tokens keep sequences short: the budget
 * prefill counts in the response length (HBPO), so a one-token prefill leaves the whole budget to
 * the reasoning, and one learned embedding per budget is the easiest signal for a tiny model to
 * condition on. Budgets off that grid still tokenize (`<think budget=` + digits + `>`), so any
 * prefill a pipeline writes is accepted; they just cost 2 + digits tokens more.
 *
 * Encoding is greedy longest match, so decode(encode(s)) === s for every string it accepts.
 */
import { UnknownCharacterError, UnknownTokenIdError } from "./errors.js";

/** Budgets that have a single-token prefill `<think budget=N>`. */
export const BUDGET_TOKEN_VALUES: readonly number[] = Object.freeze(Array.from({ length: 16 }, (_, i) => 4 * (i + 1)));

export const PAD = "<pad>";
export const BOS = "<bos>";
export const EOS = "<eos>";
export const THINK_OPEN = "<think>";
export const THINK_CLOSE = "</think>";
/** First piece of a budget prefill whose value has no token of its own. */
export const BUDGET_OPEN = "<think budget=";
/** Last piece of such a prefill. */
export const BUDGET_CLOSE = ">";

/** Token strings by id. The order is part of the model's interface: never reorder, only append. */
export const VOCAB: readonly string[] = Object.freeze([
  PAD,
  BOS,
  EOS,
  "0",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  "+",
  "-",
  "*",
  "=",
  THINK_OPEN,
  THINK_CLOSE,
  BUDGET_OPEN,
  BUDGET_CLOSE,
  ...BUDGET_TOKEN_VALUES.map((b) => `${BUDGET_OPEN}${b}${BUDGET_CLOSE}`),
]);

export const VOCAB_SIZE = VOCAB.length;
/**
 * Ids a response may open with: `<think>` and every single-token budget tag. The generic
 * `<think budget=` piece is left out: it is for prefills a pipeline spells out, not for the policy.
 */
export const OPENING_IDS: readonly number[] = Object.freeze([THINK_OPEN, ...BUDGET_TOKEN_VALUES.map((b) => `${BUDGET_OPEN}${b}${BUDGET_CLOSE}`)].map((t) => VOCAB.indexOf(t)));

/** Padding id (the sampler left-pads with 0). */
export const PAD_ID = 0;
export const BOS_ID = 1;
/** End of a response; the sampler's stop id. */
export const EOS_ID = 2;

interface Entry {
  readonly text: string;
  readonly id: number;
}

/** Tokens grouped by first character, longest first, so the first match is the longest. */
const BY_FIRST_CHAR: ReadonlyMap<string, readonly Entry[]> = (() => {
  const groups = new Map<string, Entry[]>();
  VOCAB.forEach((text, id) => {
    const key = text[0]!;
    const list = groups.get(key) ?? [];
    list.push({ text, id });
    groups.set(key, list);
  });
  for (const list of groups.values()) list.sort((a, b) => b.text.length - a.text.length);
  return groups;
})();

/** Token ids of `text`. Throws UnknownCharacterError at the first character no token matches. */
export function encode(text: string): Int32Array {
  const ids: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    const hit = BY_FIRST_CHAR.get(text[pos]!)?.find((e) => text.startsWith(e.text, pos));
    if (hit === undefined) throw new UnknownCharacterError(text, pos);
    ids.push(hit.id);
    pos += hit.text.length;
  }
  return Int32Array.from(ids);
}

/** Text of `ids`. Throws UnknownTokenIdError for an id outside the vocabulary. */
export function decode(ids: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const text = Number.isInteger(id) ? VOCAB[id] : undefined;
    if (text === undefined) throw new UnknownTokenIdError(id, i, VOCAB_SIZE);
    out += text;
  }
  return out;
}

/** Number of tokens of `text`. */
export function tokenCount(text: string): number {
  return encode(text).length;
}

/** Model input for a task prompt: `<bos>` then the prompt's tokens. */
export function encodePrompt(prompt: string): Int32Array {
  const body = encode(prompt);
  const ids = new Int32Array(body.length + 1);
  ids[0] = BOS_ID;
  ids.set(body, 1);
  return ids;
}
