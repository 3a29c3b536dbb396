/**
 * `std.tasks.arith`: seeded integer arithmetic problems whose difficulty is the operand digit count.
 *
 * - `+` and `-`: two operands of exactly `difficulty` digits. Every problem of one difficulty then
 *   has the same token layout, so a tiny model with learned positions finds column i of each operand
 *   at a fixed place. `-` may go negative.
 * - `*`: a `difficulty`-digit operand times one digit, so the column procedure stays linear in the
 *   digit count (a full long multiplication would not fit the pipelines' 64-token responses).
 *
 * The stream is infinite and random-access: problem i depends only on (seed, split, i), which makes
 * a resumed run see the same prompts. The split of a problem is a hash of the problem alone (not of
 * the seed), so train and eval streams are disjoint for every pair of seeds.
 */
import { Prng } from "../model/prng.js";
import { TaskParamError } from "./errors.js";

export type ArithOp = "+" | "-" | "*";
export const ARITH_OPS: readonly ArithOp[] = Object.freeze(["+", "-", "*"] as const);
export type Split = "train" | "eval";

export interface DigitRange {
  readonly min: number;
  readonly max: number;
}

export interface ArithParams {
  readonly digits: DigitRange;
  readonly split: Split;
  readonly ops: readonly ArithOp[];
  readonly seed: number;
}

export type ArithParamsInput = Partial<ArithParams>;

/** The defaults of `std.tasks.arith` (stdlib/tasks.rlp). */
export const ARITH_DEFAULTS: ArithParams = Object.freeze({
  digits: Object.freeze({ min: 1, max: 6 }),
  split: "train",
  ops: Object.freeze(["+"] as ArithOp[]),
  seed: 0,
});

/** Most operand digits (stdlib/schemas/tasks.json); 12-digit problems still fit 128 tokens. */
export const MAX_DIGITS = 12;

/** One problem in eight goes to the eval split. */
const EVAL_MODULUS = 8;
const SPLIT_STREAM: Readonly<Record<Split, number>> = { train: 1, eval: 2 };
/** Draws before giving up on finding a problem of the wanted split (never reached in practice). */
const MAX_DRAWS = 10_000;

export interface ArithProblem {
  /** The problem itself, e.g. `478+965`: a problem met twice keeps its per-prompt state. */
  readonly id: string;
  /** What the model reads after `<bos>`, e.g. `478+965=`. */
  readonly prompt: string;
  /** The exact answer text, e.g. `1443`, `-25`, `0`. */
  readonly target: string;
  /** Digit count of the first operand: the number of columns the scratchpad works through. */
  readonly difficulty: number;
  readonly op: ArithOp;
  readonly operands: readonly [string, string];
}

export interface ArithTask {
  readonly params: ArithParams;
  /** Problem `index` (≥ 0) of the stream. */
  problem(index: number): ArithProblem;
  /** Problems start .. start + count − 1. */
  take(count: number, start?: number): ArithProblem[];
  /** The infinite stream from `start`. */
  stream(start?: number): Generator<ArithProblem, never>;
}

/** Fills defaults and checks ranges (the compiler checks the schema; direct callers get this). */
export function resolveArithParams(input: ArithParamsInput = {}): ArithParams {
  const digits = input.digits ?? ARITH_DEFAULTS.digits;
  const ops = input.ops ?? ARITH_DEFAULTS.ops;
  const split = input.split ?? ARITH_DEFAULTS.split;
  const seed = input.seed ?? ARITH_DEFAULTS.seed;
  for (const [k, v] of [["min", digits.min], ["max", digits.max]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_DIGITS) throw new TaskParamError("digits", `${k} must be an integer in 1..${MAX_DIGITS}, got ${v}`);
  }
  if (digits.min > digits.max) throw new TaskParamError("digits", `empty range ${digits.min}..${digits.max}`);
  if (ops.length === 0) throw new TaskParamError("ops", "needs at least one operator");
  for (const op of ops) {
    if (!ARITH_OPS.includes(op)) throw new TaskParamError("ops", `unknown operator ${JSON.stringify(op)} (known: ${ARITH_OPS.join(" ")})`);
  }
  if (new Set(ops).size !== ops.length) throw new TaskParamError("ops", `repeated operator in [${ops.join(", ")}]`);
  if (split !== "train" && split !== "eval") throw new TaskParamError("split", `must be train or eval, got ${JSON.stringify(split)}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TaskParamError("seed", `must be a non-negative integer, got ${seed}`);
  return { digits: { min: digits.min, max: digits.max }, split, ops: [...ops], seed };
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The problem `left op right`; operands are canonical decimals, for `*` the right one is one digit. */
export function makeProblem(op: ArithOp, left: string, right: string): ArithProblem {
  if (!DECIMAL.test(left) || !DECIMAL.test(right)) throw new TaskParamError("operands", `not canonical decimals: ${left}, ${right}`);
  if (left.length > MAX_DIGITS) throw new TaskParamError("operands", `more than ${MAX_DIGITS} digits: ${left}`);
  const rightDigits = op === "*" ? 1 : left.length;
  if (right.length !== rightDigits) throw new TaskParamError("operands", `${op} needs a ${rightDigits}-digit right operand, got ${right}`);
  const a = BigInt(left);
  const b = BigInt(right);
  const value = op === "+" ? a + b : op === "-" ? a - b : a * b;
  const id = `${left}${op}${right}`;
  return { id, prompt: `${id}=`, target: value.toString(), difficulty: left.length, op, operands: [left, right] };
}

/** FNV-1a then a murmur3 finaliser: a fixed, platform-independent hash of the problem text. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Which split a problem belongs to (by its id only; changing this reshuffles every split). */
export function splitOf(problem: Pick<ArithProblem, "id">): Split {
  return hash32(problem.id) % EVAL_MODULUS === 0 ? "eval" : "train";
}

/** A uniformly random operand of exactly `digits` digits (0..9 for one digit). */
function randomOperand(rng: Prng, digits: number): string {
  let s = digits === 1 ? String(rng.int(10)) : String(1 + rng.int(9));
  for (let i = 1; i < digits; i++) s += String(rng.int(10));
  return s;
}

/** A random problem of this op and difficulty in `split`, by rejection on the split hash. */
export function drawProblem(rng: Prng, op: ArithOp, difficulty: number, split: Split): ArithProblem {
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const left = randomOperand(rng, difficulty);
    const right = randomOperand(rng, op === "*" ? 1 : difficulty);
    const p = makeProblem(op, left, right);
    if (splitOf(p) === split) return p;
  }
  throw new TaskParamError("split", `no ${split} problem of ${difficulty} digits for ${op} found in ${MAX_DRAWS} draws`);
}

/** The task: a seeded infinite stream with uniform operator and uniform difficulty. */
export function arithTask(input: ArithParamsInput = {}): ArithTask {
  const params = resolveArithParams(input);
  const span = params.digits.max - params.digits.min + 1;
  const problem = (index: number): ArithProblem => {
    if (!Number.isSafeInteger(index) || index < 0) throw new TaskParamError("index", `must be a non-negative integer, got ${index}`);
    const rng = new Prng(params.seed, SPLIT_STREAM[params.split], index);
    const op = params.ops[rng.int(params.ops.length)]!;
    const difficulty = params.digits.min + rng.int(span);
    return drawProblem(rng, op, difficulty, params.split);
  };
  return {
    params,
    problem,
    take(count, start = 0) {
      if (!Number.isSafeInteger(count) || count < 0) throw new TaskParamError("count", `must be a non-negative integer, got ${count}`);
      return Array.from({ length: count }, (_, i) => problem(start + i));
    },
    *stream(start = 0) {
      for (let i = start; ; i++) yield problem(i);
    },
  };
}
