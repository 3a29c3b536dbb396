/**
 * The held-out evaluation set and its summary (accuracy, mean tokens, tokens by difficulty), for
 * `rlp eval` and for the per-difficulty curves of the HBPO reproduction.
 */
import { Prng } from "../model/prng.js";
import { ARITH_OPS, drawProblem, makeProblem, resolveArithParams, splitOf, type ArithOp, type ArithParamsInput, type ArithProblem } from "./arith.js";
import { TaskParamError } from "./errors.js";
import { extractAnswer, openingTag, parseBudget, verify, wellFormed } from "./format.js";

/** Stream id of the eval-set draws, apart from the task and demonstration streams. */
const EVAL_SET_STREAM = 4;
/** Operand spaces up to this many pairs are enumerated rather than sampled. */
const ENUMERATE_LIMIT = 100_000;

/** Operands of exactly `digits` digits, ascending. */
function operandsOf(digits: number): string[] {
  if (digits === 1) return Array.from({ length: 10 }, (_, i) => String(i));
  const lo = 10 ** (digits - 1);
  return Array.from({ length: 9 * lo }, (_, i) => String(lo + i));
}

function spaceSize(op: ArithOp, digits: number): number {
  const left = digits === 1 ? 10 : 9 * 10 ** (digits - 1);
  return left * (op === "*" ? 10 : left);
}

/** Splits `n` into `parts` near-equal shares; the remainder goes to the last (hardest) shares. */
function shares(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i >= parts - extra ? 1 : 0));
}

/** `count` eval problems of one op and difficulty: distinct while the split has enough of them. */
function evalProblems(op: ArithOp, difficulty: number, count: number, seed: number): ArithProblem[] {
  if (count === 0) return [];
  const rng = new Prng(seed, EVAL_SET_STREAM, difficulty, ARITH_OPS.indexOf(op));
  if (spaceSize(op, difficulty) <= ENUMERATE_LIMIT) {
    const pool: ArithProblem[] = [];
    for (const left of operandsOf(difficulty)) {
      for (const right of operandsOf(op === "*" ? 1 : difficulty)) {
        const p = makeProblem(op, left, right);
        if (splitOf(p) === "eval") pool.push(p);
      }
    }
    for (let i = pool.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    // a small space (1-digit problems) has fewer eval problems than asked for: cycle through them
    return Array.from({ length: count }, (_, i) => pool[i % pool.length]!);
  }
  const seen = new Set<string>();
  const out: ArithProblem[] = [];
  while (out.length < count) {
    const p = drawProblem(rng, op, difficulty, "eval");
    if (!seen.has(p.id)) {
      seen.add(p.id);
      out.push(p);
    }
  }
  return out;
}

/**
 * A fixed held-out set of `n` problems from the eval split (whatever `params.split` says): the same
 * count for every difficulty of `params.digits` (the remainder to the hardest), operators
 * interleaved within a difficulty, ordered by difficulty. It depends only on (digits, ops, seed, n),
 * and each (difficulty, op) draws from its own stream, so the 3-digit `+` items do not change when
 * the range or the op list grows. 1-digit spaces hold about a dozen eval problems per op; when asked
 * for more, they repeat.
 */
export function evalSet(params: ArithParamsInput, n: number): ArithProblem[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new TaskParamError("n", `must be a non-negative integer, got ${n}`);
  const p = resolveArithParams({ ...params, split: "eval" });
  const levels = p.digits.max - p.digits.min + 1;
  const out: ArithProblem[] = [];
  shares(n, levels).forEach((quota, level) => {
    const difficulty = p.digits.min + level;
    const perOp = shares(quota, p.ops.length).map((q, j) => evalProblems(p.ops[j]!, difficulty, q, p.seed));
    for (let i = 0; i < Math.max(...perOp.map((l) => l.length)); i++) {
      for (const list of perOp) if (i < list.length) out.push(list[i]!);
    }
  });
  return out;
}

export interface EvalRecord {
  readonly problem: ArithProblem;
  /** The response text (prefill included when there was one). */
  readonly response: string;
  /** Response length in tokens. */
  readonly tokens: number;
}

export interface EvalStats {
  readonly count: number;
  /** Share of responses whose answer matches the target exactly. */
  readonly accuracy: number;
  /** Share of well-formed responses. */
  readonly wellFormed: number;
  readonly meanTokens: number;
  /**
   * How responses open, as shares: `none` for `<think>` (or no tag), else the budget of the
   * `<think budget=N>` tag. Without a prefill this is the budget the policy chose by itself.
   */
  readonly openings: Readonly<Record<string, number>>;
}

export interface EvalSummary extends EvalStats {
  /** One entry per difficulty present, ascending. */
  readonly byDifficulty: readonly (EvalStats & { readonly difficulty: number })[];
}

function stats(records: readonly EvalRecord[]): EvalStats {
  const count = records.length;
  if (count === 0) return { count, accuracy: 0, wellFormed: 0, meanTokens: 0, openings: {} };
  let correct = 0;
  let formed = 0;
  let tokens = 0;
  const opened = new Map<number | undefined, number>();
  for (const r of records) {
    if (verify(extractAnswer(r.response), r.problem.target)) correct++;
    if (wellFormed(r.response)) formed++;
    tokens += r.tokens;
    const b = parseBudget(r.response);
    opened.set(b, (opened.get(b) ?? 0) + 1);
  }
  // Budgets ascending, then `none` (the order JavaScript keeps for integer-like keys anyway).
  const keys = [...opened.keys()].sort((a, b) => (a === undefined ? 1 : b === undefined ? -1 : a - b));
  const openings = Object.fromEntries(keys.map((k) => [k === undefined ? "none" : String(k), opened.get(k)! / count]));
  return { count, accuracy: correct / count, wellFormed: formed / count, meanTokens: tokens / count, openings };
}

/** The tag (`<think>` or `<think budget=N>`) of the most frequent key of an `openings` share map. */
export function mostFrequentOpening(openings: Readonly<Record<string, number>>): string | undefined {
  const top = Object.entries(openings).sort((a, b) => b[1] - a[1])[0];
  return top === undefined ? undefined : openingTag(top[0] === "none" ? undefined : Number(top[0]));
}

/** Accuracy, well-formedness and mean tokens, overall and by difficulty. */
export function summarizeEval(records: readonly EvalRecord[]): EvalSummary {
  const levels = [...new Set(records.map((r) => r.problem.difficulty))].sort((a, b) => a - b);
  return {
    ...stats(records),
    byDifficulty: levels.map((difficulty) => ({ difficulty, ...stats(records.filter((r) => r.problem.difficulty === difficulty)) })),
  };
}
