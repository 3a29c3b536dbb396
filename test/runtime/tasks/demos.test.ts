import { describe, expect, it } from "vitest";
import {
  ARITH_OPS,
  arithTask,
  budgetPrefill,
  DEFAULT_STYLE_MIX,
  demoResponse,
  extractAnswer,
  fitReasoning,
  makeProblem,
  parseBudget,
  reasoningLadder,
  replayScratchpad,
  responseTokens,
  sftDemonstrations,
  splitOf,
  styleMix,
  TaskParamError,
  tokenCount,
  verify,
  wellFormed,
  type Demonstration,
} from "../../../src/runtime/tasks/index.js";

const task = arithTask({ digits: { min: 1, max: 8 }, ops: ARITH_OPS, seed: 0 });
const demos = sftDemonstrations(task, { count: 12_000, seed: 9 });

function scratchpadOf(d: Demonstration): string {
  const open = d.prefill ?? "<think>";
  return d.response.slice(open.length, d.response.indexOf("</think>"));
}

describe("sftDemonstrations", () => {
  it("are deterministic in their seed", () => {
    expect(sftDemonstrations(task, { count: 300, seed: 9 })).toEqual(demos.slice(0, 300));
    expect(sftDemonstrations(task, { count: 300, seed: 10 })).not.toEqual(demos.slice(0, 300));
  });

  it("are all correct, well-formed, and their scratchpads replay", () => {
    for (const d of demos) {
      expect(wellFormed(d.response)).toBe(true);
      expect(verify(extractAnswer(d.response), d.problem.target)).toBe(true);
      expect(d.tokens).toBe(tokenCount(d.response));
      expect(d.prompt).toBe(d.problem.prompt);
      const replay = replayScratchpad(d.problem, scratchpadOf(d));
      if (!replay.ok) throw new Error(`${d.prompt}${d.response}: ${replay.reason}`);
      expect(replay.reasoning).toEqual(d.reasoning);
      if (replay.answer !== undefined) expect(replay.answer).toBe(d.problem.target);
    }
  });

  it("draw problems from the task's digits, operators and split", () => {
    const evalTask = arithTask({ digits: { min: 3, max: 5 }, ops: ["-"], split: "eval", seed: 0 });
    for (const d of sftDemonstrations(evalTask, { count: 500, seed: 1 })) {
      expect(d.problem.op).toBe("-");
      expect(d.problem.difficulty).toBeGreaterThanOrEqual(3);
      expect(d.problem.difficulty).toBeLessThanOrEqual(5);
      expect(splitOf(d.problem)).toBe("eval");
    }
  });

  it("follow the documented mixture", () => {
    const plain = demos.filter((d) => d.budget === undefined);
    expect(plain.length / demos.length).toBeCloseTo(0.5, 1);
    const multi = plain.filter((d) => d.problem.difficulty > 1);
    const share = (pred: (d: Demonstration) => boolean) => multi.filter(pred).length / multi.length;
    expect(share((d) => d.reasoning.kind === "full")).toBeCloseTo(DEFAULT_STYLE_MIX.full, 1);
    expect(share((d) => d.reasoning.kind === "compact" && d.reasoning.columns === d.problem.difficulty)).toBeCloseTo(DEFAULT_STYLE_MIX.compact, 1);
    expect(share((d) => d.reasoning.kind === "compact" && d.reasoning.columns < d.problem.difficulty)).toBeCloseTo(DEFAULT_STYLE_MIX.partial, 1);
    expect(share((d) => d.reasoning.kind === "direct")).toBeCloseTo(DEFAULT_STYLE_MIX.direct, 1);
    for (const d of plain) expect(d.response.startsWith("<think>")).toBe(true);
  });

  it("start prefilled ones with the budget prefill and fit the most reasoning into the budget", () => {
    const budgeted = demos.filter((d) => d.budget !== undefined);
    expect(new Set(budgeted.map((d) => d.budget)).size).toBe(16);
    for (const d of budgeted) {
      const budget = d.budget!;
      expect(d.prefill).toBe(budgetPrefill(budget));
      expect(d.response.startsWith(d.prefill!)).toBe(true);
      expect(parseBudget(d.response)).toBe(budget);
      if (d.tokens > budget) {
        // nothing fits: the direct answer is the shortest response there is
        expect(d.reasoning).toEqual({ kind: "direct" });
      }
      const ladder = reasoningLadder(d.problem.difficulty);
      const at = ladder.findIndex((r) => JSON.stringify(r) === JSON.stringify(d.reasoning));
      for (const richer of ladder.slice(0, at)) expect(responseTokens(d.problem, richer, budget)).toBeGreaterThan(budget);
    }
  });

  it("give longer reasoning to harder items and to larger budgets", () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const full = (d: number) => mean(demos.filter((x) => x.reasoning.kind === "full" && x.problem.difficulty === d).map((x) => x.tokens));
    for (let d = 2; d <= 8; d++) expect(full(d)).toBeGreaterThan(full(d - 1));
    const hard = makeProblem("+", "12345678", "87654321");
    const lengths = [8, 16, 32, 48].map((b) => responseTokens(hard, fitReasoning(hard, b), b));
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    expect(lengths[3]).toBeGreaterThan(lengths[0]! * 3);
  });

  it("accept budgets off the one-token grid, counting the longer prefill", () => {
    const p = makeProblem("+", "123", "456");
    const r = fitReasoning(p, 10);
    expect(responseTokens(p, r, 10)).toBeLessThanOrEqual(10);
    expect(demoResponse(p, r, 10).startsWith("<think budget=10>")).toBe(true);
    const ds = sftDemonstrations(task, { count: 50, seed: 2, budgetShare: 1, budgets: [10, 30] });
    for (const d of ds) expect([10, 30]).toContain(d.budget);
  });

  it("honour budgetShare and the mix", () => {
    expect(sftDemonstrations(task, { count: 200, seed: 1, budgetShare: 0 }).every((d) => d.budget === undefined)).toBe(true);
    const direct = sftDemonstrations(task, { count: 200, seed: 1, budgetShare: 0, mix: { full: 0, compact: 0, partial: 0, direct: 1 } });
    expect(direct.every((d) => d.reasoning.kind === "direct")).toBe(true);
    expect(sftDemonstrations(task, { count: 0, seed: 1 })).toEqual([]);
  });

  it("never write checked reasoning in the default mix", () => {
    expect(DEFAULT_STYLE_MIX.checked).toBe(0);
    expect(demos.some((d) => d.reasoning.kind === "checked")).toBe(false);
  });

  it("write checked reasoning unprefilled only: a prefilled one writes at most the full scratchpad", () => {
    const checked = sftDemonstrations(task, { count: 3000, seed: 9, mix: styleMix("checked") });
    const plain = checked.filter((d) => d.budget === undefined);
    expect(plain.length).toBeGreaterThan(1000);
    for (const d of plain) {
      expect(d.reasoning).toEqual({ kind: "checked" });
      expect(d.response).toBe(demoResponse(d.problem, { kind: "checked" }));
      const replay = replayScratchpad(d.problem, scratchpadOf(d));
      expect(replay).toMatchObject({ ok: true, reasoning: { kind: "checked" }, answer: d.problem.target });
      expect(verify(extractAnswer(d.response), d.problem.target)).toBe(true);
      expect(d.tokens).toBe(tokenCount(d.response));
    }
    // the prefilled ones are those of the default mix: the same draws, fitted to the same budgets
    expect(checked.filter((d) => d.budget !== undefined)).toEqual(demos.slice(0, 3000).filter((d) => d.budget !== undefined));
    for (const d of checked) if (d.budget !== undefined) expect(d.reasoning.kind).not.toBe("checked");
    // even a budget far above the checked length
    const p = makeProblem("+", "7", "5");
    expect(responseTokens(p, { kind: "checked" }, 64)).toBeLessThan(64);
    expect(fitReasoning(p, 64)).toEqual({ kind: "full" });
  });

  it("give every demo_style its mix", () => {
    expect(styleMix("mixed")).toEqual(DEFAULT_STYLE_MIX);
    for (const style of ["checked", "full", "compact", "partial", "direct"] as const) {
      const ds = sftDemonstrations(task, { count: 400, seed: 4, budgetShare: 0, mix: styleMix(style) });
      const kinds = new Set(
        ds.map((d) => {
          const r = d.reasoning;
          if (r.kind !== "compact") return r.kind;
          return r.columns === d.problem.difficulty ? "compact" : "partial";
        }),
      );
      // a one-digit partial demonstration is a direct answer
      expect([...kinds].sort()).toEqual(style === "partial" ? ["direct", "partial"] : [style]);
    }
    expect(() => styleMix("overthink")).toThrow(/demo_style/);
  });

  it("check their options", () => {
    expect(() => sftDemonstrations(task, { count: -1, seed: 0 })).toThrow(TaskParamError);
    expect(() => sftDemonstrations(task, { count: 1, seed: 0, budgetShare: 1.5 })).toThrow(/budgetShare/);
    expect(() => sftDemonstrations(task, { count: 1, seed: 0, budgets: [] })).toThrow(/budgets/);
    expect(() => sftDemonstrations(task, { count: 1, seed: 0, budgets: [0] })).toThrow(/budget/);
    expect(() => sftDemonstrations(task, { count: 1, seed: 0, mix: { full: -1 } })).toThrow(/mix/);
    expect(() => sftDemonstrations(task, { count: 1, seed: 0, mix: { full: 0, compact: 0, partial: 0, direct: 0 } })).toThrow(/every weight/);
  });
});
