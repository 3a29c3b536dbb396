import { describe, expect, it } from "vitest";
import {
  reinforcePlusPlusBaselineOutcomeAdvantage,
  reinforcePlusPlusOutcomeAdvantage,
  remaxOutcomeAdvantage,
  returnToGo,
  PrimitiveInputError,
} from "../../../../src/runtime/primitives/index.js";

describe("returnToGo", () => {
  it("discounts and restarts after the last real token", () => {
    const tokenLevelRewards = [
      [0, 0, 1],
      [0, 1, 5],
    ];
    const responseMask = [
      [1, 1, 1],
      [1, 1, 0],
    ];
    // row 1: the 5 sits past the last real token and must not leak into earlier returns
    expect(returnToGo({ tokenLevelRewards, responseMask }, 0.5)).toEqual([
      [0.25, 0.5, 1],
      [0.5, 1, 5],
    ]);
  });
});

describe("REINFORCE++", () => {
  it("whitens the returns over the batch and zeroes padding", () => {
    const tokenLevelRewards = [
      [0, 0, 1],
      [0, 0, 0],
    ];
    const responseMask = [
      [1, 1, 1],
      [1, 1, 0],
    ];
    const { advantages, returns } = reinforcePlusPlusOutcomeAdvantage({ tokenLevelRewards, responseMask });
    expect(returns).toEqual([
      [1, 1, 1],
      [0, 0, 0],
    ]);
    // 5 real tokens, values 1,1,1,0,0: mean 0.6, unbiased var 0.3
    const s = Math.sqrt(0.3);
    expect(advantages[0]![0]).toBeCloseTo(0.4 / s, 6);
    expect(advantages[1]![0]).toBeCloseTo(-0.6 / s, 6);
    expect(Math.abs(advantages[1]![2]!)).toBe(0);
  });

  it("REINFORCE++-baseline subtracts the group mean before whitening (singletons keep r)", () => {
    const tokenLevelRewards = [[1, 0], [0, 0], [0, 3]];
    const responseMask = [[1, 0], [1, 1], [1, 1]];
    const { advantages } = reinforcePlusPlusBaselineOutcomeAdvantage({ tokenLevelRewards, responseMask, groups: ["a", "a", "b"] });
    // centred: a → 0.5, −0.5; b singleton → 3. Tokens: 0.5 | −0.5, −0.5 | 3, 3 → mean 1.1
    const vals = [0.5, -0.5, -0.5, 3, 3];
    const mean = 1.1;
    const sd = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / 4);
    expect(advantages[0]![0]).toBeCloseTo((0.5 - mean) / sd, 6);
    expect(Math.abs(advantages[0]![1]!)).toBe(0);
    expect(advantages[2]![1]).toBeCloseTo((3 - mean) / sd, 6);
  });
});

describe("ReMax", () => {
  it("subtracts the greedy baseline from the return-to-go on real tokens", () => {
    const { advantages, returns } = remaxOutcomeAdvantage({
      tokenLevelRewards: [[0, 1, 0], [2, 0, 0]],
      responseMask: [[1, 1, 0], [1, 0, 0]],
      rewardBaselines: [0.25, 3],
    });
    expect(returns).toEqual([[1, 1, 0], [2, 0, 0]]);
    expect(advantages).toEqual([[0.75, 0.75, 0], [-1, 0, 0]]);
  });

  it("needs one baseline per row", () => {
    expect(() => remaxOutcomeAdvantage({ tokenLevelRewards: [[1]], responseMask: [[1]], rewardBaselines: [] })).toThrow(PrimitiveInputError);
  });
});
