import { describe, expect, it } from "vitest";
import {
  ARITH_OPS,
  arithTask,
  demoResponse,
  evalSet,
  responseTokens,
  splitOf,
  summarizeEval,
  TaskParamError,
  type EvalRecord,
} from "../../../src/runtime/tasks/index.js";

const params = { digits: { min: 1, max: 8 }, ops: ARITH_OPS, seed: 0 } as const;

describe("evalSet", () => {
  it("is fixed, held out, and balanced over difficulties and operators", () => {
    const set = evalSet(params, 960);
    expect(set).toHaveLength(960);
    expect(evalSet(params, 960)).toEqual(set);
    expect(set.every((p) => splitOf(p) === "eval")).toBe(true);
    for (let d = 1; d <= 8; d++) {
      const level = set.filter((p) => p.difficulty === d);
      expect(level).toHaveLength(120);
      for (const op of ARITH_OPS) expect(level.filter((p) => p.op === op)).toHaveLength(40);
    }
    expect(set.map((p) => p.difficulty)).toEqual([...set.map((p) => p.difficulty)].sort((a, b) => a - b));
  });

  it("ignores params.split and never meets the train stream", () => {
    expect(evalSet({ ...params, split: "train" }, 200)).toEqual(evalSet(params, 200));
    const held = new Set(evalSet(params, 2000).map((p) => p.id));
    for (const p of arithTask({ ...params, split: "train", seed: 5 }).take(20_000)) expect(held.has(p.id)).toBe(false);
  });

  it("is distinct where the split has room, and repeats 1-digit items when asked for more", () => {
    const set = evalSet({ ...params, digits: { min: 2, max: 8 } }, 1400);
    expect(new Set(set.map((p) => p.id)).size).toBe(1400);
    const one = evalSet({ digits: { min: 1, max: 1 }, ops: ["+"], seed: 0 }, 40);
    const distinct = new Set(one.map((p) => p.id));
    expect(distinct.size).toBeLessThan(40);
    expect(distinct.size).toBeGreaterThan(4);
  });

  it("keeps a difficulty's items when the range or the operator list grows", () => {
    const small = evalSet({ digits: { min: 3, max: 3 }, ops: ["+"], seed: 0 }, 30);
    const wide = evalSet({ digits: { min: 1, max: 6 }, ops: ["+"], seed: 0 }, 180).filter((p) => p.difficulty === 3);
    expect(wide).toEqual(small);
    expect(evalSet({ digits: { min: 3, max: 3 }, ops: ["+", "*"], seed: 0 }, 60).filter((p) => p.op === "+")).toEqual(small);
  });

  it("gives the remainder to the hardest difficulties", () => {
    const set = evalSet({ digits: { min: 1, max: 4 }, seed: 0 }, 10);
    expect([1, 2, 3, 4].map((d) => set.filter((p) => p.difficulty === d).length)).toEqual([2, 2, 3, 3]);
    expect(() => evalSet(params, -1)).toThrow(TaskParamError);
    expect(evalSet(params, 0)).toEqual([]);
  });
});

describe("summarizeEval", () => {
  it("reports accuracy, well-formedness and mean tokens overall and by difficulty", () => {
    const set = evalSet({ digits: { min: 1, max: 3 }, ops: ["+"], seed: 0 }, 6);
    const records: EvalRecord[] = set.map((problem, i) => {
      const response = i % 2 === 0 ? demoResponse(problem, { kind: "full" }) : "<think>12</think>";
      return { problem, response, tokens: i % 2 === 0 ? responseTokens(problem, { kind: "full" }) : 3 };
    });
    const s = summarizeEval(records);
    expect(s.count).toBe(6);
    expect(s.accuracy).toBe(0.5);
    expect(s.wellFormed).toBe(0.5);
    expect(s.byDifficulty.map((b) => b.difficulty)).toEqual([1, 2, 3]);
    expect(s.byDifficulty.map((b) => b.accuracy)).toEqual([0.5, 0.5, 0.5]);
    expect(s.byDifficulty[2]!.meanTokens).toBe((responseTokens(set[4]!, { kind: "full" }) + 3) / 2);
    expect(s.openings).toEqual({ none: 1 });
    expect(summarizeEval([])).toEqual({ count: 0, accuracy: 0, wellFormed: 0, meanTokens: 0, openings: {}, byDifficulty: [] });
  });

  it("counts the opening tag of each response: `none` for <think>, else the budget", () => {
    const [p] = evalSet({ digits: { min: 1, max: 1 }, ops: ["+"], seed: 0 }, 1);
    const rec = (response: string): EvalRecord => ({ problem: p!, response, tokens: 5 });
    const s = summarizeEval([rec("<think budget=8></think>1<eos>"), rec("<think></think>1<eos>"), rec("<think budget=32></think>1<eos>"), rec("<think budget=8></think>2<eos>")]);
    expect(s.openings).toEqual({ none: 0.25, "8": 0.5, "32": 0.25 });
    expect(Object.keys(s.openings)).toEqual(["8", "32", "none"]);
  });
});
