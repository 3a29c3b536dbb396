import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureLossGradients } from "../../../../src/runtime/primitives/index.js";
import { read, useCpu } from "./setup.js";

beforeAll(useCpu);

describe("ensureLossGradients", () => {
  it("makes tf.grad work through the kernels the losses use", () => {
    // d/dx Σ clip(exp(x)/2, 0, 10) · where([true, false], x, −x)
    const g = read<number[]>(() =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(tf.div(tf.exp(x), 2), 0, 10), tf.where(tf.tensor1d([true, false], "bool"), x, tf.neg(x)))))(tf.tensor1d([0.5, -1])),
    );
    const e = Math.exp;
    expect(g[0]).toBeCloseTo((e(0.5) / 2) * 0.5 + e(0.5) / 2, 5);
    expect(g[1]).toBeCloseTo((e(-1) / 2) * 1 - e(-1) / 2, 5);
  });

  it("keeps a rule someone else registered and is idempotent", () => {
    const mine = tf.getGradient(tf.Sign);
    const custom: tf.GradConfig = { kernelName: tf.Atan2, gradFunc: (dy) => ({ a: () => dy as tf.Tensor, b: () => dy as tf.Tensor }) };
    tf.registerGradient(custom);
    ensureLossGradients();
    ensureLossGradients();
    expect(tf.getGradient(tf.Atan2)).toBe(custom);
    expect(tf.getGradient(tf.Sign)).toBe(mine);
  });
});
