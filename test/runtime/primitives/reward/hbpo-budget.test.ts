import { describe, expect, it } from "vitest";
import { hbpoBudgetReward, type HbpoRolloutOutcome } from "../../../../src/runtime/primitives/index.js";

const right = (responseLength: number, budget: number | null): HbpoRolloutOutcome => ({
  responseLength,
  budget,
  correct: true,
  hasThinkEnd: true,
  hasAnswer: true,
});

describe("hbpoBudgetReward", () => {
  it("differs between code and paper only for short answers under the budget", () => {
    expect(hbpoBudgetReward(right(100, 512), { variant: "code" }).reward).toBeCloseTo(3.896473037893322, 12);
    expect(hbpoBudgetReward(right(100, 512), { variant: "paper" }).reward).toBeCloseTo(3.923140763309125, 12);
    // above the budget both pay f1
    expect(hbpoBudgetReward(right(1000, 512), { variant: "code" }).reward).toBeCloseTo(3.59030813543083, 12);
    expect(hbpoBudgetReward(right(1000, 512), { variant: "paper" }).reward).toBeCloseTo(3.59030813543083, 12);
  });

  it("defaults to the released code's variant and constants", () => {
    expect(hbpoBudgetReward(right(100, 512)).reward).toBeCloseTo(3.896473037893322, 12);
  });

  it("rounds the no-phrase reward to 2 decimals and reports budget 4096", () => {
    expect(hbpoBudgetReward(right(300, null))).toEqual({ reward: 3.97, budget: 4096, isCorrect: true });
  });

  it("checks the format first, then correctness and length", () => {
    expect(hbpoBudgetReward({ ...right(300, 512), hasThinkEnd: false })).toEqual({ reward: -1, budget: 512, isCorrect: false });
    expect(hbpoBudgetReward({ ...right(300, null), hasAnswer: false })).toEqual({ reward: -1, budget: 4096, isCorrect: false });
    expect(hbpoBudgetReward({ ...right(300, 512), correct: false })).toEqual({ reward: 0, budget: 512, isCorrect: false });
    expect(hbpoBudgetReward(right(4097, 512))).toEqual({ reward: 0, budget: 512, isCorrect: false });
    expect(hbpoBudgetReward(right(4096, 512)).isCorrect).toBe(true);
  });

  it("pays negative f2 for budgets beyond L", () => {
    expect(hbpoBudgetReward(right(4000, 5000), { variant: "code" }).reward).toBeCloseTo(-1.3591244061277965, 12);
    expect(hbpoBudgetReward(right(4000, 5000), { variant: "paper" }).reward).toBeCloseTo(-1.3591244061277965, 12);
  });

  it("lets π be the true constant", () => {
    expect(hbpoBudgetReward(right(4096, 4096)).reward).toBeCloseTo(-1.4692820413386296e-5, 15);
    expect(hbpoBudgetReward(right(4096, 4096), { pi: Math.PI }).reward).toBeCloseTo(0, 14);
  });

  it("uses the configured rewards for errors", () => {
    expect(hbpoBudgetReward({ ...right(10, 512), hasThinkEnd: false }, { formatErrorReward: -0.5 }).reward).toBe(-0.5);
    expect(hbpoBudgetReward({ ...right(10, 512), correct: false }, { incorrectReward: -0.25 }).reward).toBe(-0.25);
  });
});
