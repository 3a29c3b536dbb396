import { describe, expect, it } from "vitest";
import {
  KnapsackBudgetError,
  knapsackAllocation,
  knapsackCost,
  knapsackValue,
  PrimitiveInputError,
  type KnapsackPrompt,
} from "../../../../src/runtime/primitives/index.js";

const valid = (successRate: number): KnapsackPrompt => ({ valid: true, successRate });
const fresh: KnapsackPrompt = { valid: false, successRate: 0.7 };
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

function budgetError(f: () => unknown): KnapsackBudgetError {
  try {
    f();
  } catch (e) {
    if (e instanceof KnapsackBudgetError) return e;
    throw e;
  }
  throw new Error("expected a KnapsackBudgetError");
}

describe("knapsack value and cost", () => {
  it("value(N, p) = (1 − p^N − (1 − p)^N)·p·(1 − p)²", () => {
    expect(knapsackValue(2, 0.5)).toBeCloseTo(0.0625, 15);
    expect(knapsackValue(4, 0.5)).toBeCloseTo(0.109375, 15);
    expect(knapsackValue(10, 0)).toBe(0);
    expect(knapsackValue(10, 1)).toBe(0);
  });

  it("estimates rollouts needed by probability or expectation", () => {
    expect(knapsackCost(0.5, { alpha: 0.9, costEstimation: "probability" })).toBeCloseTo(Math.log(0.1) / Math.log(0.5), 12);
    expect(knapsackCost(0.1, { alpha: 0.9, costEstimation: "probability" })).toBeCloseTo(Math.log(0.1) / Math.log(0.9), 12);
    expect(knapsackCost(0.5, { alpha: 0.9, costEstimation: "expectation" })).toBeCloseTo(3, 12);
  });
});

describe("knapsackAllocation", () => {
  it("gives the base allocation when nothing is left", () => {
    const r = knapsackAllocation([fresh, valid(0), valid(1), valid(0.5)], 14, { maxN: 4 });
    expect(r).toEqual({ rollouts: [8, 2, 2, 2], fallback: false });
  });

  it("shares spare budget over rate-0 prompts, not-yet-valid ones included, when none is effective", () => {
    const r = knapsackAllocation([fresh, valid(0), valid(1), valid(0)], 21);
    // R = 21 − 14 = 7 over prompts 0, 1, 3: 2 each, the first one 1 more
    expect(r).toEqual({ rollouts: [11, 4, 2, 4], fallback: false });
  });

  it("falls back to n for everyone when no prompt is effective or unsolved", () => {
    expect(knapsackAllocation([valid(1), valid(1), valid(1)], 24).rollouts).toEqual([8, 8, 8]);
    expect(budgetError(() => knapsackAllocation([valid(1), valid(1), valid(1)], 20)).reason).toBe("uniform-budget-mismatch");
  });

  it("diverts budget beyond the cost estimate to rate-0 prompts and runs the DP on the rest", () => {
    // R = 26, E = trunc(3.32) = 3: 23 go to the rate-0 prompt, the DP places 3
    const r = knapsackAllocation([valid(0.5), valid(0)], 30);
    expect(r).toEqual({ rollouts: [5, 25], fallback: true });
    expect(sum(r.rollouts)).toBe(30);
  });

  it("diverts to all non-effective prompts when none has rate 0", () => {
    const r = knapsackAllocation([valid(0.5), valid(1), valid(1)], 30);
    // base 6, R = 24, E = 3: 21 over the two solved prompts (11, 10)
    expect(r).toEqual({ rollouts: [5, 13, 12], fallback: true });
  });

  it("spreads what the DP cannot absorb over the effective prompts, past maxN", () => {
    const r = knapsackAllocation([valid(0.5), valid(0.3)], 14, { maxN: 4, allowFallback: false });
    // the DP fills both to maxN (extra 2 each); the 6 left go 3 and 3
    expect(r).toEqual({ rollouts: [7, 7], fallback: false });
  });

  it("maximises the sum of values; the released objective favours first extras", () => {
    const prompts = [valid(0.5), valid(0.1)];
    // R = 2: v(4, .5) + v(2, .1) = 0.1240 beats v(3, .5) + v(3, .1) = 0.1156
    expect(knapsackAllocation(prompts, 6).rollouts).toEqual([4, 2]);
    // the released DP scores k = 0 as 0, so (1, 1) wins there
    expect(knapsackAllocation(prompts, 6, { objective: "released" }).rollouts).toEqual([3, 3]);
  });

  it("always sums to the total budget", () => {
    const prompts = [valid(0.25), valid(0.6), fresh, valid(0), valid(0.9), valid(1), valid(0.05)];
    for (const total of [20, 40, 56, 100, 300]) {
      expect(sum(knapsackAllocation(prompts, total).rollouts)).toBe(total);
      expect(sum(knapsackAllocation(prompts, total, { allowFallback: false }).rollouts)).toBe(total);
    }
  });

  it("rejects inputs the released code ends in a budget assertion on", () => {
    expect(budgetError(() => knapsackAllocation([valid(0.5), valid(0)], 3)).reason).toBe("budget-below-base");
    expect(budgetError(() => knapsackAllocation([valid(0.5), valid(0.3)], 100)).reason).toBe("no-fallback-recipient");
    expect(sum(knapsackAllocation([valid(0.5), valid(0.3)], 100, { allowFallback: false }).rollouts)).toBe(100);
  });

  it("rejects malformed parameters", () => {
    expect(() => knapsackAllocation([valid(1.5)], 8)).toThrow(PrimitiveInputError);
    expect(() => knapsackAllocation([valid(0.5)], 8, { maxN: 1 })).toThrow(PrimitiveInputError);
    expect(() => knapsackAllocation([valid(0.5)], 8.5)).toThrow(PrimitiveInputError);
  });
});
