import { describe, expect, it } from "vitest";
import { roundHalfEven } from "../../../../src/runtime/primitives/index.js";

describe("roundHalfEven (Python round)", () => {
  it("rounds exact binary ties to even", () => {
    expect(roundHalfEven(3.125, 2)).toBe(3.12);
    expect(roundHalfEven(0.375, 2)).toBe(0.38);
    expect(roundHalfEven(-3.125, 2)).toBe(-3.12);
    expect(roundHalfEven(0.125, 2)).toBe(0.12);
  });

  it("rounds the exact binary value, not its shortest decimal", () => {
    // 2.675 and 1.005 are stored slightly below the tie
    expect(roundHalfEven(2.675, 2)).toBe(2.67);
    expect(roundHalfEven(1.005, 2)).toBe(1);
    expect(roundHalfEven(3.97355672105742, 2)).toBe(3.97);
    expect(roundHalfEven(-0.886, 2)).toBe(-0.89);
  });
});
