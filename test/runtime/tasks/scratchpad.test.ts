import { describe, expect, it } from "vitest";
import {
  ARITH_OPS,
  arithTask,
  makeProblem,
  procedure,
  procedureAnswer,
  reasoningLadder,
  renderScratchpad,
  replayScratchpad,
  type ArithProblem,
  type Reasoning,
} from "../../../src/runtime/tasks/index.js";

/** The answer's lowest k digits as the columns write them (zeros the answer drops included). */
const lowDigits = (p: ArithProblem, k: number) => p.target.replace("-", "").padStart(p.difficulty, "0").slice(-k);

/** Every style: `checked`, then the ladder a budget may be filled with. */
const allStyles = (difficulty: number): Reasoning[] => [{ kind: "checked" }, ...reasoningLadder(difficulty)];

function checkAllStyles(p: ArithProblem): void {
  for (const r of allStyles(p.difficulty)) {
    const replay = replayScratchpad(p, renderScratchpad(p, r));
    if (!replay.ok) throw new Error(`${p.prompt} ${JSON.stringify(r)}: ${replay.reason}`);
    expect(replay.reasoning).toEqual(r);
    if (r.kind === "checked") {
      const full = renderScratchpad(p, { kind: "full" });
      expect(renderScratchpad(p, r)).toBe(full + full);
      expect(replay.lowDigits).toBe(lowDigits(p, p.difficulty));
    }
    if (r.kind === "checked" || r.kind === "full" || (r.kind === "compact" && r.columns === p.difficulty)) {
      expect(replay.answer).toBe(p.target);
    } else {
      expect(replay.answer).toBeUndefined();
    }
    if (r.kind === "compact") expect(replay.lowDigits).toBe(lowDigits(p, r.columns));
  }
}

describe("the column procedure", () => {
  it("shows the worked examples of docs/tasks.md", () => {
    const p = makeProblem("+", "478", "965");
    expect(renderScratchpad(p, { kind: "full" })).toBe("851376144914");
    expect(renderScratchpad(p, { kind: "compact", columns: 3 })).toBe("131414");
    expect(renderScratchpad(p, { kind: "compact", columns: 1 })).toBe("13");
    expect(renderScratchpad(p, { kind: "direct" })).toBe("");
    expect(renderScratchpad(p, { kind: "checked" })).toBe("851376144914851376144914");
    expect(renderScratchpad(makeProblem("+", "7", "5"), { kind: "checked" })).toBe("75127512");
    const q = makeProblem("-", "120", "345");
    expect(renderScratchpad(q, { kind: "full" })).toBe("-500542023102");
    expect(renderScratchpad(q, { kind: "checked" })).toBe("-500542023102-500542023102");
    expect(q.target).toBe("-225");
    const m = makeProblem("*", "4096", "7");
    expect(renderScratchpad(m, { kind: "full" })).toBe("6742976707064728");
    expect(m.target).toBe("28672");
  });

  it("reaches the target for every 1- and 2-digit problem of every operator", () => {
    for (const op of ARITH_OPS) {
      for (const d of [1, 2]) {
        const lo = d === 1 ? 0 : 10;
        for (let a = lo; a < 10 ** d; a++) {
          for (let b = op === "*" ? 0 : lo; b < (op === "*" ? 10 : 10 ** d); b++) {
            const p = makeProblem(op, String(a), String(b));
            expect(procedureAnswer(procedure(p))).toBe(p.target);
          }
        }
      }
    }
  });

  it("replays to the target for random problems of every operator and digit count, every style", () => {
    for (const op of ARITH_OPS) {
      for (let d = 1; d <= 12; d++) {
        for (const p of arithTask({ digits: { min: d, max: d }, ops: [op], seed: 17 * d }).take(60)) checkAllStyles(p);
      }
    }
  });

  it("handles the carry and borrow corner cases", () => {
    for (const [op, a, b] of [
      ["+", "99999999", "99999999"],
      ["+", "50000000", "50000000"],
      ["+", "0", "0"],
      ["-", "10000000", "99999999"],
      ["-", "10000000", "10000000"],
      ["-", "51230000", "51230003"],
      ["-", "100", "199"],
      ["*", "99999999", "9"],
      ["*", "12345678", "0"],
      ["*", "0", "0"],
    ] as const) {
      checkAllStyles(makeProblem(op, a, b));
    }
  });
});

describe("replayScratchpad", () => {
  const p = makeProblem("+", "478", "965");
  const q = makeProblem("-", "120", "345");

  it("recognises each style by its length", () => {
    expect(replayScratchpad(p, "851376144914")).toMatchObject({ ok: true, reasoning: { kind: "full" }, answer: "1443" });
    expect(replayScratchpad(p, "1314")).toMatchObject({ ok: true, reasoning: { kind: "compact", columns: 2 }, answer: undefined, lowDigits: "43" });
    expect(replayScratchpad(p, "")).toMatchObject({ ok: true, reasoning: { kind: "direct" } });
    expect(replayScratchpad(q, "-050202")).toMatchObject({ ok: true, answer: "-225" });
  });

  it("reads a scratchpad of twice the full length as checked, answering from the written digits", () => {
    expect(replayScratchpad(p, "851376144914851376144914")).toMatchObject({ ok: true, reasoning: { kind: "checked" }, answer: "1443", lowDigits: "443" });
    expect(replayScratchpad(q, "-500542023102-500542023102")).toMatchObject({ ok: true, reasoning: { kind: "checked" }, answer: "-225" });
    expect(replayScratchpad(makeProblem("+", "7", "5"), "75127512")).toMatchObject({ ok: true, reasoning: { kind: "checked" }, answer: "12" });
  });

  it("checks both passes of a checked scratchpad against the rule, naming the pass", () => {
    // a wrong digit in the first pass, the second right
    expect(replayScratchpad(p, "851376144915851376144914")).toMatchObject({ ok: false, pass: 1, column: 2, reason: expect.stringContaining("first pass") });
    // the first pass right, the verification pass with a wrong carry, a wrong copy, a wrong digit
    expect(replayScratchpad(p, "851376144914850376144914")).toMatchObject({ ok: false, pass: 2, column: 0, reason: expect.stringContaining("verification pass") });
    expect(replayScratchpad(p, "851376144914851386144914")).toMatchObject({ ok: false, pass: 2, column: 1, reason: expect.stringContaining("copied") });
    expect(replayScratchpad(p, "851376144914851376144915")).toMatchObject({ ok: false, pass: 2, column: 2 });
    // the same wrong step twice is still wrong: passes agreeing is not enough
    expect(replayScratchpad(p, "851376144915851376144915")).toMatchObject({ ok: false, pass: 1 });
    // the sign of each pass
    expect(replayScratchpad(q, "-500542023102+500542023102")).toMatchObject({ ok: false, pass: 2, reason: expect.stringContaining("sign") });
    expect(replayScratchpad(q, "-500542023102500542023102")).toMatchObject({ ok: false });
    expect(replayScratchpad(q, "-500542023102-5005420231020")).toMatchObject({ ok: false });
    // a full scratchpad and a compact one, or a full one and a half, are no checked scratchpad
    expect(replayScratchpad(p, "851376144914131414")).toMatchObject({ ok: false, reason: expect.stringContaining("length") });
    expect(replayScratchpad(p, "851376144914851376")).toMatchObject({ ok: false });
  });

  it("points at the first wrong step", () => {
    expect(replayScratchpad(p, "851376144915")).toMatchObject({ ok: false, column: 2 });
    expect(replayScratchpad(p, "851476144914")).toMatchObject({ ok: false, column: 0 });
    expect(replayScratchpad(p, "851386144914")).toMatchObject({ ok: false, column: 1, reason: expect.stringContaining("copied") });
    expect(replayScratchpad(p, "131404")).toMatchObject({ ok: false, column: 2 });
  });

  it("rejects a wrong sign, a lone sign, stray characters and odd lengths", () => {
    expect(replayScratchpad(q, "+050202")).toMatchObject({ ok: false, reason: expect.stringContaining("sign") });
    expect(replayScratchpad(q, "-")).toMatchObject({ ok: false });
    expect(replayScratchpad(p, "13+14")).toMatchObject({ ok: false });
    expect(replayScratchpad(p, "131")).toMatchObject({ ok: false, reason: expect.stringContaining("length") });
    expect(replayScratchpad(p, "13141414")).toMatchObject({ ok: false });
  });
});
