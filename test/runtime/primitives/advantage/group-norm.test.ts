import { describe, expect, it } from "vitest";
import {
  groupNormalize,
  grpoOutcomeAdvantage,
  PrimitiveInputError,
  rlooOutcomeAdvantage,
} from "../../../../src/runtime/primitives/index.js";

// Groups interleaved and ragged: a = rows 0, 2, 3; b = rows 1, 4; c = row 5 (a singleton).
const groups = ["a", "b", "a", "a", "b", "c"];
const scores = [1, 0, 0, 1, 1, 0.5];

describe("groupNormalize", () => {
  it("z-scores within each group with the unbiased std and eps", () => {
    const out = groupNormalize(scores, groups, { centre: "mean", scale: "std", eps: 1e-6 });
    // group a: mean 2/3, std sqrt(1/3); group b: mean 1/2, std sqrt(1/2)
    expect(out[0]).toBeCloseTo(0.5773492691913578, 12);
    expect(out[2]).toBeCloseTo(-1.1546985383827155, 12);
    expect(out[3]).toBeCloseTo(0.5773492691913578, 12);
    expect(out[1]).toBeCloseTo(-0.7071057811879616, 12);
    expect(out[4]).toBeCloseTo(0.7071057811879616, 12);
  });

  it("treats a group of one as mean 0, std 1 (verl's singleton rule)", () => {
    expect(groupNormalize([0.5], ["x"], { eps: 1e-6 })[0]).toBeCloseTo(0.49999950000050003, 14);
    expect(groupNormalize([0.5], ["x"], { scale: "none" })[0]).toBe(0.5);
    expect(groupNormalize([0.5], ["x"], { centre: "leave-one-out", scale: "none" })[0]).toBe(0.5);
  });

  it("gives 0 when all rewards of a group are equal", () => {
    expect(groupNormalize([1, 1, 1], ["g", "g", "g"])).toEqual([0, 0, 0]);
    expect(groupNormalize([0, 0], ["g", "g"], { scale: "none" })).toEqual([0, 0]);
  });

  it("centres on the mean of the other members for leave-one-out", () => {
    // group a: 1 − (0+1)/2, 0 − (1+1)/2, 1 − (1+0)/2; group b: 0 − 1, 1 − 0
    const out = groupNormalize(scores, groups, { centre: "leave-one-out", scale: "none" });
    expect(out).toEqual([0.5, -1, -1, 0.5, 1, 0.5]);
  });

  it("only scales with centre none", () => {
    const out = groupNormalize([2, 4], ["g", "g"], { centre: "none", scale: "std", eps: 0 });
    expect(out[0]).toBeCloseTo(2 / Math.SQRT2, 12);
    expect(out[1]).toBeCloseTo(4 / Math.SQRT2, 12);
  });

  it("rejects a group list of the wrong length", () => {
    expect(() => groupNormalize([1, 2], ["a"])).toThrow(PrimitiveInputError);
  });
});

describe("verl outcome estimators", () => {
  const tokenLevelRewards = [
    [0, 1, 0],
    [0, 0, 0],
    [1, 0, 0],
    [0, 0, 2],
  ];
  const responseMask = [
    [1, 1, 0],
    [1, 1, 1],
    [1, 0, 0],
    [1, 1, 1],
  ];
  const g = ["p", "p", "q", "p"];

  it("GRPO reads the row sum as the score and broadcasts onto real tokens", () => {
    const { advantages, returns } = grpoOutcomeAdvantage({ tokenLevelRewards, responseMask, groups: g }, { epsilon: 0 });
    // group p scores 1, 0, 2: mean 1, std 1 → 0, −1, 1; q is a singleton → 1
    expect(advantages).toEqual([
      [0, 0, 0],
      [-1, -1, -1],
      [1, 0, 0],
      [1, 1, 1],
    ]);
    expect(returns).toBe(advantages);
  });

  it("Dr.GRPO drops the std division", () => {
    const { advantages } = grpoOutcomeAdvantage({ tokenLevelRewards: [[2], [0], [4]], responseMask: [[1], [1], [1]], groups: ["p", "p", "p"] }, { normAdvByStd: false });
    expect(advantages).toEqual([[0], [-2], [2]]);
  });

  it("RLOO subtracts the mean of the others and keeps singletons", () => {
    const { advantages } = rlooOutcomeAdvantage({ tokenLevelRewards, responseMask, groups: g });
    // p: 1 − (0+2)/2 = 0, 0 − 3/2 = −1.5, 2 − 1/2 = 1.5; q: 1
    expect(advantages).toEqual([
      [0, 0, 0],
      [-1.5, -1.5, -1.5],
      [1, 0, 0],
      [1.5, 1.5, 1.5],
    ]);
  });

  it("rejects ragged token matrices", () => {
    expect(() => grpoOutcomeAdvantage({ tokenLevelRewards: [[1, 0], [1]], responseMask: [[1, 1], [1]], groups: ["a", "a"] })).toThrow(PrimitiveInputError);
  });
});
