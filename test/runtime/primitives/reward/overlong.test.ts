import { describe, expect, it } from "vitest";
import { dapoOverlongPenalty, PrimitiveInputError } from "../../../../src/runtime/primitives/index.js";

describe("dapoOverlongPenalty", () => {
  const p = { maxLength: 20480, bufferLength: 4096 };

  it("is 0 before the buffer and linear inside it", () => {
    expect(dapoOverlongPenalty(10000, p)).toBe(0);
    expect(dapoOverlongPenalty(16384, p)).toBe(0);
    expect(dapoOverlongPenalty(18432, p)).toBe(-0.5);
    expect(dapoOverlongPenalty(20480, p)).toBe(-1);
    expect(dapoOverlongPenalty(18432, { ...p, penaltyFactor: 2 })).toBe(-1);
  });

  it("rejects an empty buffer", () => {
    expect(() => dapoOverlongPenalty(10, { maxLength: 10, bufferLength: 0 })).toThrow(PrimitiveInputError);
  });
});
