import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { valueLoss } from "../../../../src/runtime/primitives/index.js";
import { read, useCpu } from "./setup.js";

beforeAll(useCpu);

describe("valueLoss", () => {
  const values = tf.tensor2d([[0.8, 0.5]]);
  const returns = tf.tensor2d([[2.0, 0.4]]);
  const mask = tf.tensor2d([[1, 1]]);

  it("takes the larger of the plain and clipped squared errors, halved", () => {
    const r = tf.tidy(() => {
      const out = valueLoss({ vpreds: tf.tensor2d([[1.0, 0.5]]), returns, values, responseMask: mask }, { cliprangeValue: 0.1 });
      return [out.loss.arraySync(), out.metrics.vf_clipfrac.arraySync()] as [number, number];
    });
    // token 0: clip(1.0, 0.7, 0.9) = 0.9 → max(1, 1.21); token 1: 0.01
    expect(r[0]).toBeCloseTo(0.5 * (1.21 + 0.01) / 2, 6);
    expect(r[1]).toBeCloseTo(0.5, 6);
  });

  it("has no gradient where the clipped error wins", () => {
    const g = read<number[][]>(() =>
      tf.grad((v: tf.Tensor) => valueLoss({ vpreds: v as tf.Tensor2D, returns, values, responseMask: mask }, { cliprangeValue: 0.1 }).loss)(tf.tensor2d([[1.0, 0.5]])),
    );
    expect(g[0]![0]).toBeCloseTo(0, 12);
    expect(g[0]![1]).toBeCloseTo(0.05, 6);
  });
});
