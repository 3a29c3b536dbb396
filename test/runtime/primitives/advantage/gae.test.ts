import { describe, expect, it } from "vitest";
import { gaeAdvantageReturn, PrimitiveInputError } from "../../../../src/runtime/primitives/index.js";

describe("gaeAdvantageReturn", () => {
  // The middle token is an observation (mask 0): its value and TD error are skipped.
  const inputs = {
    tokenLevelRewards: [[0, 0, 1]],
    values: [[0.5, 0.2, 0.8]],
    responseMask: [[1, 0, 1]],
  };

  it("chains TD errors across masked positions (γ = λ = 1)", () => {
    const { advantages, returns } = gaeAdvantageReturn(inputs);
    // raw A = [0.5, 0.2 (carried), 0.2]; returns = A + V
    expect(returns[0]![0]).toBeCloseTo(1.0, 12);
    expect(returns[0]![1]).toBeCloseTo(0.4, 12);
    expect(returns[0]![2]).toBeCloseTo(1.0, 12);
    // whitened over the two real tokens: mean 0.35, unbiased std 0.15·√2
    const sd = 0.15 * Math.SQRT2;
    expect(advantages[0]![0]).toBeCloseTo(0.15 / sd, 6);
    expect(advantages[0]![2]).toBeCloseTo(-0.15 / sd, 6);
    expect(advantages[0]![1]).toBeCloseTo(-0.15 / sd, 6);
  });

  it("applies γ and λ", () => {
    const { returns } = gaeAdvantageReturn(inputs, { gamma: 0.9, lam: 0.5 });
    // t=2: δ = 1 − 0.8 = 0.2; t=0: δ = 0.9·0.8 − 0.5 = 0.22, A = 0.22 + 0.45·0.2 = 0.31
    expect(returns[0]![0]).toBeCloseTo(0.31 + 0.5, 12);
    expect(returns[0]![2]).toBeCloseTo(0.2 + 0.8, 12);
  });

  it("rejects values of another shape", () => {
    expect(() => gaeAdvantageReturn({ ...inputs, values: [[0.5, 0.2]] })).toThrow(PrimitiveInputError);
  });
});
