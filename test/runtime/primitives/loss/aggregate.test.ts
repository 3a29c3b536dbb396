import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { aggLoss, PrimitiveInputError, type AggSpec } from "../../../../src/runtime/primitives/index.js";
import { read, useCpu } from "./setup.js";

beforeAll(useCpu);

const L = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];
// The third row has no real token: seq-mean modes must not count it.
const M = [
  [1, 1, 0],
  [1, 0, 0],
  [0, 0, 0],
];
const agg = (spec: AggSpec, loss = L, mask = M): number => read<number>(() => aggLoss(tf.tensor2d(loss), tf.tensor2d(mask), spec));

describe("aggLoss", () => {
  it("token-mean: Σ L·m / Σ m", () => {
    expect(agg({ mode: "token-mean" })).toBeCloseTo(7 / 3, 6);
  });

  it("seq-mean-token-sum: mean over non-empty rows of the row sums", () => {
    expect(agg({ mode: "seq-mean-token-sum" })).toBeCloseTo(3.5, 6);
  });

  it("seq-mean-token-sum-norm: divided by T = columns, or the given constant", () => {
    expect(agg({ mode: "seq-mean-token-sum-norm" })).toBeCloseTo(3.5 / 3, 6);
    expect(agg({ mode: "seq-mean-token-sum-norm", lossScaleFactor: 7 })).toBeCloseTo(0.5, 6);
  });

  it("seq-mean-token-mean: mean over non-empty rows of the row means", () => {
    expect(agg({ mode: "seq-mean-token-mean" })).toBeCloseTo(2.75, 6);
  });

  it("prompt-mean: token mean inside each prompt group, then the mean over prompts", () => {
    const mask = [
      [1, 1, 0],
      [1, 0, 0],
      [1, 1, 1],
    ];
    // a = rows 0 and 2: (1 + 2 + 7 + 8 + 9)/5 = 5.4; b = row 1: 4
    expect(agg({ mode: "prompt-mean", groups: ["a", "b", "a"] }, L, mask)).toBeCloseTo(4.7, 5);
    // a prompt without real tokens is left out
    expect(agg({ mode: "prompt-mean", groups: ["a", "a", "b"] })).toBeCloseTo(7 / 3, 6);
    expect(() => agg({ mode: "prompt-mean" })).toThrow(PrimitiveInputError);
  });

  it("gives 0, not NaN, for an empty mask", () => {
    const none = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (const mode of ["token-mean", "seq-mean-token-sum", "seq-mean-token-sum-norm", "seq-mean-token-mean"] as const) {
      expect(agg({ mode }, L, none)).toBe(0);
    }
    expect(agg({ mode: "prompt-mean", groups: ["a", "b", "a"] }, L, none)).toBe(0);
  });

  it("ignores NaN outside the mask", () => {
    expect(agg({ mode: "token-mean" }, [[1, NaN], [3, NaN], [NaN, NaN]], [[1, 0], [1, 0], [0, 0]])).toBeCloseTo(2, 6);
  });

  it("is differentiable: token-mean spreads the gradient as mask / count", () => {
    const g = read<number[][]>(() => tf.grad((x: tf.Tensor) => aggLoss(x as tf.Tensor2D, tf.tensor2d(M), { mode: "token-mean" }))(tf.tensor2d(L)));
    expect(g[0]![0]).toBeCloseTo(1 / 3, 6);
    expect(g[0]![2]).toBe(0);
    expect(g[2]![0]).toBe(0);
  });
});
