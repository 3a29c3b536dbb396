import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { klPenalty, PrimitiveInputError, type KlEstimator } from "../../../../src/runtime/primitives/index.js";
import { read, useCpu } from "./setup.js";

beforeAll(useCpu);

const kl = (lp: number[], ref: number[], e: KlEstimator): number[] => read<number[]>(() => klPenalty(tf.tensor1d(lp), tf.tensor1d(ref), e));
const gradOf = (lp: number[], ref: number[], e: KlEstimator): number[] =>
  read<number[]>(() => tf.grad((x: tf.Tensor) => tf.sum(klPenalty(x, tf.tensor1d(ref), e)))(tf.tensor1d(lp)));

describe("klPenalty", () => {
  it("computes k1, abs, k2 and k3 of Δ = log π − log π_ref", () => {
    const lp = [0.5, -0.25];
    const ref = [0, 0];
    expect(kl(lp, ref, "k1")).toEqual([0.5, -0.25]);
    expect(kl(lp, ref, "abs")).toEqual([0.5, 0.25]);
    expect(kl(lp, ref, "k2")).toEqual([0.125, 0.03125]);
    const k3 = kl(lp, ref, "k3");
    expect(k3[0]).toBeCloseTo(Math.exp(-0.5) + 0.5 - 1, 6);
    expect(k3[1]).toBeCloseTo(Math.exp(0.25) - 0.25 - 1, 6);
    expect(kl(lp, ref, "low_var_kl")).toEqual(k3);
  });

  it("clamps k3's input to ±20 and its output to ±10", () => {
    expect(kl([-30, 30], [0, 0], "k3")).toEqual([10, 10]);
  });

  it("keeps k3 accurate for small Δ in float32", () => {
    const d = Math.fround(1e-3);
    const exact = Math.expm1(-d) + d;
    expect(Math.abs(kl([d], [0], "k3")[0]! - exact) / exact).toBeLessThan(1e-3);
  });

  it("straight-through variants keep the value and take k2's gradient", () => {
    expect(kl([0.5], [0], "k3+")).toEqual(kl([0.5], [0], "k3"));
    expect(kl([0.5], [0], "abs+")).toEqual([0.5]);
    expect(gradOf([0.5, -0.25], [0, 0], "k3+")).toEqual([0.5, -0.25]);
    expect(gradOf([0.5, -0.25], [0, 0], "k1+")).toEqual([0.5, -0.25]);
    expect(gradOf([0.5, -0.25], [0, 0], "k1")).toEqual([1, 1]);
    const gRef = read<number[]>(() => tf.grad((r: tf.Tensor) => tf.sum(klPenalty(tf.tensor1d([0.5]), r, "k3+")))(tf.tensor1d([0])));
    expect(gRef).toEqual([-0.5]);
  });

  it("differentiates |Δ| as sign Δ, 0 at 0", () => {
    expect(gradOf([0.5, 0, -1], [0, 0, 0], "abs")).toEqual([1, 0, -1]);
  });

  it("rejects unknown estimators", () => {
    expect(() => tf.tidy(() => klPenalty(tf.zeros([1]), tf.zeros([1]), "k4" as KlEstimator))).toThrow(PrimitiveInputError);
  });
});
