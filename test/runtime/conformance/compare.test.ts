import { describe, expect, it } from "vitest";
import { compareOutputs, formatLocation, withinTolerance } from "../../../src/runtime/conformance/index.js";

const tol = { abs: 1e-5, rel: 1e-4 };

describe("withinTolerance", () => {
  it("accepts |got − expected| ≤ abs + rel·|expected|", () => {
    expect(withinTolerance(1.0001, 1, tol)).toBe(true); // 1e-4 ≤ 1e-5 + 1e-4
    expect(withinTolerance(1.00012, 1, tol)).toBe(false);
    expect(withinTolerance(1e-5, 0, tol)).toBe(true);
    expect(withinTolerance(2e-5, 0, tol)).toBe(false);
    expect(withinTolerance(NaN, NaN, tol)).toBe(true);
    expect(withinTolerance(NaN, 0, tol)).toBe(false);
  });
});

describe("compareOutputs", () => {
  it("walks nested arrays and reports the first mismatches with their index", () => {
    const cmp = compareOutputs({ a: [[1, 2], [3, 4]] }, { a: [[1, 2.5], [3, 5]] }, tol, new Set());
    expect(cmp.count).toBe(2);
    expect(cmp.compared).toBe(4);
    expect(cmp.first.map(formatLocation)).toEqual(["a[0][1]", "a[1][1]"]);
    expect(cmp.first[0]).toMatchObject({ kind: "value", got: 2.5, expected: 2 });
  });

  it("compares booleans and declared integer outputs exactly", () => {
    expect(compareOutputs({ n: [3], b: true }, { n: [3.000001], b: true }, tol, new Set()).count).toBe(0);
    expect(compareOutputs({ n: [3] }, { n: [3.000001] }, tol, new Set(["n"])).count).toBe(1);
    expect(compareOutputs({ b: [true, false] }, { b: [true, true] }, tol, new Set()).first[0]).toMatchObject({ path: "b", index: [1] });
  });

  it("reports shape, type and missing outputs once", () => {
    const cmp = compareOutputs({ a: [1, 2, 3], b: 1, c: [1] }, { a: [1, 2], b: [1] }, tol, new Set());
    expect(cmp.first.map((m) => m.kind)).toEqual(["shape", "type", "missing"]);
    expect(cmp.count).toBe(3);
  });

  it("keeps only the first mismatches but counts all", () => {
    const cmp = compareOutputs({ a: new Array<number>(10).fill(0) }, { a: new Array<number>(10).fill(1) }, tol, new Set(), 3);
    expect(cmp.count).toBe(10);
    expect(cmp.first).toHaveLength(3);
  });
});
