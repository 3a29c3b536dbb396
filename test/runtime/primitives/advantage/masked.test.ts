import { describe, expect, it } from "vitest";
import { EmptyMaskError, maskCount, maskedMean, maskedSum, maskedVar, maskedWhiten } from "../../../../src/runtime/primitives/index.js";

const values = [
  [1, 2, 0],
  [3, 0, 9],
];
const mask = [
  [1, 1, 0],
  [1, 0, 0],
];

describe("masked statistics", () => {
  it("sum, count and mean only see masked-in entries", () => {
    expect(maskedSum(values, mask)).toBe(6);
    expect(maskCount(mask)).toBe(3);
    // verl divides by count + 1e-8
    expect(maskedMean(values, mask)).toBeCloseTo(2, 7);
  });

  it("variance is unbiased by default", () => {
    expect(maskedVar(values, mask)).toBeCloseTo(1, 7);
    expect(maskedVar(values, mask, false)).toBeCloseTo(2 / 3, 7);
  });

  it("whitens every entry with batch statistics, masked-out ones included", () => {
    const w = maskedWhiten(values, mask);
    expect(w[0]![0]).toBeCloseTo(-1, 6);
    expect(w[0]![1]).toBeCloseTo(0, 6);
    expect(w[1]![0]).toBeCloseTo(1, 6);
    // masked-out entries are transformed too (verl multiplies by the mask afterwards where needed)
    expect(w[0]![2]).toBeCloseTo(-2, 6);
    expect(w[1]![2]).toBeCloseTo(7, 6);
  });

  it("can keep the mean (shift_mean=False)", () => {
    const w = maskedWhiten(values, mask, { shiftMean: false });
    expect(w[1]![0]).toBeCloseTo(3, 6);
  });

  it("empty masks give a 0 mean but cannot be whitened", () => {
    const none = [
      [0, 0],
      [0, 0],
    ];
    expect(maskedMean([[5, 6], [7, 8]], none)).toBe(0);
    expect(() => maskedWhiten([[5, 6], [7, 8]], none)).toThrow(EmptyMaskError);
    expect(() => maskedVar([[5, 6]], [[1, 0]])).toThrow(EmptyMaskError);
  });
});
