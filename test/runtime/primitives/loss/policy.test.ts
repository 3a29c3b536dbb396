import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  cispoLoss,
  gspoLoss,
  policyLoss,
  ppoClipLoss,
  PrimitiveInputError,
  sapoLoss,
  type PolicyLossConfig,
  type PolicyLossMode,
} from "../../../../src/runtime/primitives/index.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

interface Case {
  readonly old: number[][];
  readonly logp: number[][];
  readonly adv: number[][];
  readonly mask: number[][];
}

/** Loss value, d loss / d log_prob, and the metrics, all as numbers. */
function evaluate(mode: PolicyLossMode, c: Case, config: PolicyLossConfig = {}) {
  return tf.tidy(() => {
    const oldLogProb = tf.tensor2d(c.old);
    const advantages = tf.tensor2d(c.adv);
    const responseMask = tf.tensor2d(c.mask);
    const run = (lp: tf.Tensor) => policyLoss(mode, { oldLogProb, logProb: lp as tf.Tensor2D, advantages, responseMask }, config);
    const { value, grad } = tf.valueAndGrad((lp: tf.Tensor) => run(lp).loss)(tf.tensor2d(c.logp));
    const m = run(tf.tensor2d(c.logp)).metrics;
    return {
      loss: value.arraySync() as number,
      grad: grad.arraySync() as number[][],
      clipfrac: m.pg_clipfrac.arraySync() as number,
      clipfracLower: m.pg_clipfrac_lower.arraySync() as number,
      ppoKl: m.ppo_kl.arraySync() as number,
    };
  });
}

const ln = Math.log;

describe("ppoClipLoss (vanilla)", () => {
  // ratios 1.1 (A=1, inside), 1.5 (A=1, clipped), 0.5 (A=−1, clipped), 4 (A=−1, dual clip), 0.9 (A=−1, inside)
  const c: Case = {
    old: [[0, 0, 0, 0, 0]],
    logp: [[ln(1.1), ln(1.5), ln(0.5), ln(4), ln(0.9)]],
    adv: [[1, 1, -1, -1, -1]],
    mask: [[1, 1, 1, 1, 1]],
  };

  it("clips, dual-clips, and passes gradient only through unclipped tokens", () => {
    const r = evaluate("vanilla", c);
    expect(r.loss).toBeCloseTo((-1.1 - 1.2 + 0.8 + 3 + 0.9) / 5, 5);
    const expected = [-1.1 / 5, 0, 0, 0, 0.9 / 5];
    r.grad[0]!.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 5));
    expect(r.clipfrac).toBeCloseTo(0.4, 5);
    expect(r.clipfracLower).toBeCloseTo(0.2, 5);
    expect(r.ppoKl).toBeCloseTo(-ln(1.1 * 1.5 * 0.5 * 4 * 0.9) / 5, 5);
  });

  it("uses ε_high for the upper bound (clip-higher)", () => {
    const r = evaluate("vanilla", c, { clipHigh: 0.6 });
    // 1.5 is now inside [0.8, 1.6]
    expect(r.grad[0]![1]).toBeCloseTo(-1.5 / 5, 5);
  });

  it("clamps the log-ratio to ±20", () => {
    const r = evaluate("vanilla", { old: [[0]], logp: [[30]], adv: [[-1]], mask: [[1]] }, { dualClipC: 1e12 });
    expect(r.loss).toBeCloseTo(Math.exp(20), -4);
    expect(r.grad[0]![0]).toBe(0);
  });

  it("requires c > 1", () => {
    const one = (): tf.Tensor2D => tf.ones([1, 1]);
    expect(() => tf.tidy(() => ppoClipLoss({ oldLogProb: one(), logProb: one(), advantages: one(), responseMask: one() }, { dualClipC: 1 }).loss)).toThrow(PrimitiveInputError);
  });

  it("leaves masked tokens out of loss and gradient", () => {
    const r = evaluate("vanilla", { ...c, mask: [[1, 0, 0, 0, 0]] });
    expect(r.loss).toBeCloseTo(-1.1, 5);
    expect(r.grad[0]!.slice(1)).toEqual([0, 0, 0, 0]);
  });
});

describe("gspoLoss", () => {
  it("uses one sequence ratio per row and the token's own gradient path", () => {
    const logp = [[0.05, -0.05, 0.1]];
    const s = Math.exp(0.1 / 3);
    const r = evaluate("gspo", { old: [[0, 0, 0]], logp, adv: [[1, 1, 1]], mask: [[1, 1, 1]] });
    expect(r.loss).toBeCloseTo(-s, 5);
    r.grad[0]!.forEach((g) => expect(g).toBeCloseTo(-s / 3, 5));
  });

  it("clips the sequence ratio", () => {
    const r = evaluate("gspo", { old: [[0, 0]], logp: [[0.5, 0.5]], adv: [[1, 1]], mask: [[1, 1]] });
    expect(r.loss).toBeCloseTo(-1.2, 5);
    expect(r.grad[0]).toEqual([0, 0]);
    expect(r.clipfrac).toBeCloseTo(1, 5);
  });

  it("always aggregates with seq-mean-token-mean", () => {
    const c = { old: [[0, 0], [0, 0]], logp: [[0, 0], [0, 0]], adv: [[1, 1], [3, 0]], mask: [[1, 1], [1, 0]] };
    const r = evaluate("gspo", c, { agg: { mode: "token-mean" } });
    // row means −1 and −3
    expect(r.loss).toBeCloseTo(-2, 5);
    expect(tf.tidy(() => gspoLoss({ oldLogProb: tf.tensor2d(c.old), logProb: tf.tensor2d(c.logp), advantages: tf.tensor2d(c.adv), responseMask: tf.tensor2d(c.mask) }).loss.arraySync())).toBeCloseTo(-2, 5);
  });
});

describe("cispoLoss", () => {
  it("weights the REINFORCE gradient by the stopped, clipped ratio", () => {
    const r = evaluate("cispo", { old: [[0, 0]], logp: [[ln(1.5), ln(0.9)]], adv: [[1, -2]], mask: [[1, 1]] });
    // loss = −(1.2·1·ln 1.5 + 0.9·(−2)·ln 0.9)/2; gradient = −clip(ρ)·A / 2
    expect(r.loss).toBeCloseTo(-(1.2 * ln(1.5) - 1.8 * ln(0.9)) / 2, 5);
    expect(r.grad[0]![0]).toBeCloseTo(-0.6, 5);
    expect(r.grad[0]![1]).toBeCloseTo(0.9, 5);
    expect(r.clipfrac).toBeCloseTo(0.5, 5);
    expect(tf.tidy(() => cispoLoss({ oldLogProb: tf.zeros([1, 1]), logProb: tf.zeros([1, 1]), advantages: tf.ones([1, 1]), responseMask: tf.ones([1, 1]) }).loss.arraySync())).toBeCloseTo(0, 6);
  });
});

describe("sapoLoss", () => {
  it("gates smoothly with τ_pos / τ_neg", () => {
    const r = evaluate("sapo", { old: [[0, 0]], logp: [[0, 0]], adv: [[1, -1]], mask: [[1, 1]] });
    // ρ = 1: gate = 0.5·4/τ; d/dlogπ = −A·4·σ'(0)·ρ = −A
    expect(r.loss).toBeCloseTo((-2 + 2 / 1.05) / 2, 5);
    expect(r.grad[0]![0]).toBeCloseTo(-0.5, 5);
    expect(r.grad[0]![1]).toBeCloseTo(0.5, 5);
    expect(r.clipfrac).toBe(0);
    expect(tf.tidy(() => sapoLoss({ oldLogProb: tf.zeros([1, 1]), logProb: tf.zeros([1, 1]), advantages: tf.ones([1, 1]), responseMask: tf.ones([1, 1]) }, { tauPos: 2 }).loss.arraySync())).toBeCloseTo(-1, 6);
  });
});
