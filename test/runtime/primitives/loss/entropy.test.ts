import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { entropyFromLogits, entropyLoss } from "../../../../src/runtime/primitives/index.js";
import { read, useCpu } from "./setup.js";

beforeAll(useCpu);

describe("entropy", () => {
  it("is log V for uniform logits and ~0 for a peaked distribution, without NaN for large logits", () => {
    const h = read<number[][]>(() => entropyFromLogits(tf.tensor3d([[[0, 0, 0, 0], [1000, 1000, -1000, -1000], [1000, 0, 0, 0]]])));
    expect(h[0]![0]).toBeCloseTo(Math.log(4), 6);
    expect(h[0]![1]).toBeCloseTo(Math.log(2), 6);
    expect(h[0]![2]).toBeCloseTo(0, 6);
  });

  it("aggregates with token-mean over real tokens", () => {
    const logits = tf.tensor3d([[[0, 0], [5, 0]], [[0, 0], [0, 0]]]);
    const mask = tf.tensor2d([[1, 0], [1, 1]]);
    expect(read<number>(() => entropyLoss(logits, mask))).toBeCloseTo(Math.log(2), 6);
  });

  it("is differentiable in the logits", () => {
    const g = read<number[][][]>(() => tf.grad((x: tf.Tensor) => entropyLoss(x as tf.Tensor3D, tf.tensor2d([[1]])))(tf.tensor3d([[[0, 0]]])));
    // uniform is a maximum: zero gradient
    expect(Math.abs(g[0]![0]![0]!)).toBeLessThan(1e-6);
  });
});
