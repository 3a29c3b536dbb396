/**
 * The scratchpad: schoolbook column arithmetic, least significant column first, one fixed-width
 * step per column and no separators.
 *
 *     full     per column: top digit, bottom digit, carry out, result digit   (4 tokens)
 *     compact  per column: carry out, result digit                           (2 tokens)
 *
 * so a step reads as the column's sum: `8513` is 8 + 5 = 13, `2418` is 2 − 4 = 8 borrowing 10,
 * `6742` is 6 × 7 = 42. Why this shape: each step is a function of the few tokens just before it
 * (the copied digits and the previous step's carry), so a 2-layer model needs no long-range
 * arithmetic; the carry comes first because it is a threshold of the column sum (a monotone, easy
 * function) and, once written, leaves the digit as sum − 10·carry instead of a bare mod 10;
 * the only long-range moves are copies whose positions are fixed for a difficulty (every problem of
 * one difficulty has the same layout). The `full` form even turns the operand look-up into a copy of
 * its own; `compact` fuses look-up and addition, halving the tokens. Steps have a fixed width, so a
 * separator would add tokens and no information. `-` first writes a sign (`+` when top ≥ bottom,
 * else `-`, after which the operands swap places) so every column subtracts the smaller from the
 * larger. A compact scratchpad may stop after its lowest k columns (partial reasoning): the answer's
 * low digits are then copies and the rest must be worked out directly.
 *
 *     checked  the full scratchpad, sign included, written twice: the second pass re-verifies the
 *              first, as a long-CoT model re-checks work it has already done (8 tokens a column)
 *
 * `checked` is a style of un-prefilled demonstrations only: it models the "overthinking" of an
 * R1-Distill-like warm start, the redundant reasoning HBPO should learn to drop.
 */
import type { ArithOp, ArithProblem } from "./arith.js";
import { TaskParamError } from "./errors.js";

export interface Column {
  readonly top: number;
  readonly bottom: number;
  readonly digit: number;
  /** Carry (or borrow) out of this column into the next one. */
  readonly carry: number;
}

export interface Procedure {
  readonly op: ArithOp;
  /** `-` only: `+` when the left operand is at least the right one. */
  readonly sign: "+" | "-" | undefined;
  /** Columns from the least significant one. */
  readonly columns: readonly Column[];
}

/** How much reasoning a response writes. */
export type Reasoning =
  /** The full scratchpad, then the same again as a verification pass. */
  | { readonly kind: "checked" }
  | { readonly kind: "full" }
  /** The lowest `columns` columns (1..difficulty); fewer than all of them is partial reasoning. */
  | { readonly kind: "compact"; readonly columns: number }
  | { readonly kind: "direct" };

/** The local rule of one column: (top, bottom, carry in) → (result digit, carry out). */
export function columnStep(op: ArithOp, top: number, bottom: number, carryIn: number): { digit: number; carry: number } {
  if (op === "+") {
    const t = top + bottom + carryIn;
    return { digit: t % 10, carry: t >= 10 ? 1 : 0 };
  }
  if (op === "-") {
    const t = top - bottom - carryIn;
    return { digit: (t + 10) % 10, carry: t < 0 ? 1 : 0 };
  }
  const t = top * bottom + carryIn;
  return { digit: t % 10, carry: Math.floor(t / 10) };
}

/** Digit of `operand` in column `i` from the right (0 past its length). */
function digitAt(operand: string, i: number): number {
  const k = operand.length - 1 - i;
  return k < 0 ? 0 : operand.charCodeAt(k) - 48;
}

/** The sign `-` writes first, and the operands in top/bottom order. */
function orient(problem: ArithProblem): { sign: "+" | "-" | undefined; top: string; bottom: string } {
  const [left, right] = problem.operands;
  if (problem.op !== "-") return { sign: undefined, top: left, bottom: right };
  // same length, so string order is numeric order
  return left >= right ? { sign: "+", top: left, bottom: right } : { sign: "-", top: right, bottom: left };
}

/** Bottom digit of column i: the multiplier for `*`, else the bottom operand's digit. */
function bottomDigit(op: ArithOp, bottom: string, i: number): number {
  return op === "*" ? Number(bottom) : digitAt(bottom, i);
}

/** The column procedure of a problem. */
export function procedure(problem: ArithProblem): Procedure {
  const { sign, top, bottom } = orient(problem);
  const columns: Column[] = [];
  let carry = 0;
  for (let i = 0; i < problem.difficulty; i++) {
    const t = digitAt(top, i);
    const b = bottomDigit(problem.op, bottom, i);
    const step = columnStep(problem.op, t, b, carry);
    columns.push({ top: t, bottom: b, digit: step.digit, carry: step.carry });
    carry = step.carry;
  }
  return { op: problem.op, sign, columns };
}

/** The answer a complete procedure spells: the final carry, the digits from the top, the sign. */
export function procedureAnswer(proc: Procedure): string {
  const last = proc.columns[proc.columns.length - 1];
  const lead = last !== undefined && last.carry > 0 && proc.op !== "-" ? String(last.carry) : "";
  const digits = (lead + proc.columns.map((c) => c.digit).reverse().join("")).replace(/^0+(?=[0-9])/, "");
  return proc.sign === "-" && digits !== "0" ? `-${digits}` : digits;
}

/** The scratchpad text (between the opening tag and `</think>`) for a reasoning style. */
export function renderScratchpad(problem: ArithProblem, reasoning: Reasoning): string {
  if (reasoning.kind === "direct") return "";
  const proc = procedure(problem);
  const sign = proc.sign ?? "";
  const full = sign + proc.columns.map((c) => `${c.top}${c.bottom}${c.carry}${c.digit}`).join("");
  if (reasoning.kind === "full") return full;
  if (reasoning.kind === "checked") return full + full;
  const k = reasoning.columns;
  if (!Number.isInteger(k) || k < 1 || k > problem.difficulty) {
    throw new TaskParamError("reasoning", `compact columns must be in 1..${problem.difficulty}, got ${k}`);
  }
  return sign + proc.columns.slice(0, k).map((c) => `${c.carry}${c.digit}`).join("");
}

export type ScratchpadReplay =
  | {
      readonly ok: true;
      readonly reasoning: Reasoning;
      /** The answer the scratchpad determines when it covers every column. */
      readonly answer: string | undefined;
      /** The answer's lowest digits that the written columns fix (most significant first). */
      readonly lowDigits: string;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly column?: number;
      /** Of a `checked` scratchpad: 1 for the first pass, 2 for the verification pass. */
      readonly pass?: 1 | 2;
    };

/**
 * Executes a scratchpad as written: reads the sign, then each step, checks the copied digits against
 * the prompt and every result digit and carry against the local rule applied to the *written* carry
 * in, and assembles the answer from the written digits. Works on model output too (faithfulness).
 *
 * The style is read from the length: after the sign, 2k ≤ 2d digits are compact, 4d full, and a
 * scratchpad of twice the full length (sign and steps, twice) is `checked`: each pass is replayed as
 * a full scratchpad, and the second must repeat the first.
 */
export function replayScratchpad(problem: ArithProblem, scratchpad: string): ScratchpadReplay {
  if (scratchpad === "") return { ok: true, reasoning: { kind: "direct" }, answer: undefined, lowDigits: "" };
  const passLength = (orient(problem).sign === undefined ? 0 : 1) + 4 * problem.difficulty;
  if (scratchpad.length !== 2 * passLength) return replayPass(problem, scratchpad);
  const first = scratchpad.slice(0, passLength);
  const second = scratchpad.slice(passLength);
  const one = replayPass(problem, first);
  if (!one.ok) return { ...one, reason: `first pass: ${one.reason}`, pass: 1 };
  const two = replayPass(problem, second);
  if (!two.ok) return { ...two, reason: `verification pass: ${two.reason}`, pass: 2 };
  // Two valid full passes of one problem are equal (the rule fixes every step); compared all the same.
  if (second !== first) return { ok: false, reason: "the verification pass differs from the first", pass: 2 };
  return { ...one, reasoning: { kind: "checked" } };
}

/** One pass: a full or compact scratchpad. */
function replayPass(problem: ArithProblem, scratchpad: string): ScratchpadReplay {
  const d = problem.difficulty;
  const { sign, top, bottom } = orient(problem);
  let body = scratchpad;
  if (sign !== undefined) {
    if (body[0] !== sign) return { ok: false, reason: `sign ${JSON.stringify(body[0])}, expected ${sign}` };
    body = body.slice(1);
    if (body === "") return { ok: false, reason: "a sign and no steps" };
  }
  if (!/^[0-9]+$/.test(body)) return { ok: false, reason: "steps must be digits only" };
  const full = body.length === 4 * d;
  const width = full ? 4 : 2;
  if (!full && (body.length % 2 !== 0 || body.length > 2 * d)) {
    return { ok: false, reason: `length ${body.length} is neither ${4 * d} (full), 2k ≤ ${2 * d} (compact) nor twice the full scratchpad (checked)` };
  }
  const columns: Column[] = [];
  let carryIn = 0;
  for (let i = 0; i * width < body.length; i++) {
    const step = body.slice(i * width, (i + 1) * width);
    const t = digitAt(top, i);
    const b = bottomDigit(problem.op, bottom, i);
    if (full && (Number(step[0]) !== t || Number(step[1]) !== b)) {
      return { ok: false, reason: `copied ${step[0]}${step[1]}, the operands have ${t}${b}`, column: i };
    }
    const carry = Number(step[width - 2]);
    const digit = Number(step[width - 1]);
    const want = columnStep(problem.op, t, b, carryIn);
    if (digit !== want.digit || carry !== want.carry) {
      return { ok: false, reason: `wrote carry ${carry} digit ${digit}, the rule gives carry ${want.carry} digit ${want.digit}`, column: i };
    }
    columns.push({ top: t, bottom: b, digit, carry });
    carryIn = carry;
  }
  const reasoning: Reasoning = full ? { kind: "full" } : { kind: "compact", columns: columns.length };
  const lowDigits = columns.map((c) => c.digit).reverse().join("");
  const complete = columns.length === d;
  return { ok: true, reasoning, answer: complete ? procedureAnswer({ op: problem.op, sign, columns }) : undefined, lowDigits };
}
