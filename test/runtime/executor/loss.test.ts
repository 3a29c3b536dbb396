import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { fromMatrix, packSequences, toMatrix } from "../../../src/runtime/executor/layout.js";
import { buildLoss } from "../../../src/runtime/executor/loss.js";
import { aggLoss, klPenalty, policyLoss } from "../../../src/runtime/primitives/index.js";
import type { TrainInput } from "../../../src/runtime/services/executor.js";
import { initBackend } from "../../../src/runtime/tfjs/backend.js";

beforeAll(async () => {
  await initBackend("cpu");
});

const seqs = [
  { prompt: [1, 2, 3], response: [4, 5] },
  { prompt: [1], response: [6, 7, 8] },
];

describe("sequence layout", () => {
  it("left-pads rows so every response ends in the last column", () => {
    const b = packSequences(seqs);
    expect(b.length).toBe(5);
    expect(Array.from(b.pad!)).toEqual([0, 1]);
    expect(Array.from(b.tokens)).toEqual([1, 2, 3, 4, 5, 0, 1, 6, 7, 8]);
    const m = toMatrix(b, [Float32Array.from([10, 11]), Float32Array.from([20, 21, 22])]);
    // Column t scores token t+1: row 0's response tokens are targets of columns 2 and 3.
    expect(Array.from(m)).toEqual([0, 0, 10, 11, 0, 20, 21, 22]);
    expect(fromMatrix(b, m).map((r) => Array.from(r))).toEqual([[10, 11], [20, 21, 22]]);
  });
});

describe("buildLoss", () => {
  it("is the coefficient-weighted sum of the primitives, each under its own mask and aggregation", () => {
    const b = packSequences(seqs);
    const oldLogp = [Float32Array.from([-1, -2]), Float32Array.from([-0.5, -1.5, -2.5])];
    const refLogp = [Float32Array.from([-1.2, -1.9]), Float32Array.from([-0.4, -1.6, -2.2])];
    const adv = [Float32Array.from([1, 1]), Float32Array.from([-2, -2, -2])];
    const pgMask = [Float32Array.from([1, 1]), Float32Array.from([0, 1, 1])];
    const klMask = [Float32Array.from([1, 1]), Float32Array.from([1, 1, 1])];
    const input: TrainInput = {
      rows: seqs.map((s, i) => ({ ...s, oldLogp: oldLogp[i]!, refLogp: refLogp[i]!, group: i })),
      terms: [
        { kind: "policy", node: "pg", coef: 1, agg: "seq_mean_token_mean", mask: pgMask, variant: "vanilla", clipLow: 0.2, clipHigh: 0.28, dualClip: 3, advantages: adv },
        { kind: "kl", node: "kl", coef: 0.04, agg: "token_mean", mask: klMask, estimator: "k3" },
        { kind: "entropy", node: "ent", coef: -0.01, agg: "token_mean", mask: klMask },
      ],
      temperature: 1,
      step: 1,
    };
    const T = b.columns;
    const logpNow = toMatrix(b, [Float32Array.from([-0.9, -2.3]), Float32Array.from([-0.6, -1.0, -3.0])]);
    const entropy = toMatrix(b, [Float32Array.from([1, 2]), Float32Array.from([3, 4, 5])]);
    const m2 = (d: Float32Array) => tf.tensor2d(d, [2, T]);
    const built = buildLoss(input, b, toMatrix(b, klMask));
    const value = tf.tidy(() => built.lossFn({ logp: m2(logpNow), entropy: m2(entropy), mask: m2(toMatrix(b, klMask)) }).dataSync()[0]!);
    const expected = tf.tidy(() => {
      const pg = policyLoss("vanilla", { oldLogProb: m2(toMatrix(b, oldLogp)), logProb: m2(logpNow), advantages: m2(toMatrix(b, adv)), responseMask: m2(toMatrix(b, pgMask)) }, { clipLow: 0.2, clipHigh: 0.28, dualClipC: 3, agg: { mode: "seq-mean-token-mean" } });
      const kl = aggLoss(klPenalty(m2(logpNow), m2(toMatrix(b, refLogp)), "k3") as tf.Tensor2D, m2(toMatrix(b, klMask)), { mode: "token-mean" });
      const ent = aggLoss(m2(entropy), m2(toMatrix(b, klMask)), { mode: "token-mean" });
      return tf.add(tf.add(pg.loss, tf.mul(kl, 0.04)), tf.mul(ent, -0.01)).dataSync()[0]!;
    });
    expect(value).toBeCloseTo(expected, 6);
    built.dispose();
  });

  it("keeps its statistics alive past the tidy scope until read", async () => {
    const b = packSequences(seqs);
    const mask = [Float32Array.from([1, 1]), Float32Array.from([1, 1, 1])];
    const input: TrainInput = {
      rows: seqs.map((s, i) => ({ ...s, oldLogp: new Float32Array(s.response.length), group: i })),
      terms: [{ kind: "sft", node: "s", coef: 1, agg: "token_mean", mask }],
      temperature: 1,
      step: 1,
    };
    const built = buildLoss(input, b, toMatrix(b, mask));
    const before = tf.memory().numTensors;
    const logp = toMatrix(b, [Float32Array.from([-1, -3]), Float32Array.from([-2, -2, -2])]);
    tf.dispose(tf.tidy(() => built.lossFn({ logp: tf.tensor2d(logp, [2, b.columns]), entropy: tf.zeros([2, b.columns]), mask: tf.zeros([2, b.columns]) })));
    const stats = await built.readStats();
    expect(stats["sft_loss"]).toBeCloseTo(2, 6);
    expect(stats["term/s"]).toBeCloseTo(2, 6);
    expect(tf.memory().numTensors).toBe(before);
  });
});
