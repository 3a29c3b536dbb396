import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { TinyLM } from "../../../src/runtime/model/tiny-lm.js";
import { backward, scoreForward, trainForward } from "../../../src/runtime/model/network.js";
import { ConstCache } from "../../../src/runtime/tfjs/ops.js";
import { referenceStats } from "./reference.js";
import { maxAbsDiff, randomBatch, useTestBackend } from "./setup.js";

describe("hand-written forward and backward", () => {
  let model: TinyLM;
  const consts = new ConstCache();
  beforeAll(async () => {
    await useTestBackend();
    model = TinyLM.create("test", { seed: 3 });
  });
  afterAll(() => {
    model.dispose();
    consts.dispose();
  });

  for (const [label, temperature, pad] of [
    ["no padding", 1, undefined],
    ["temperature 0.7", 0.7, undefined],
    ["left padding", 1, Int32Array.from([0, 3, 1, 5])],
  ] as const) {
    it(`forward matches the reference (${label})`, () => {
      const batch = randomBatch(model.config.vocab, 4, 9, 11, pad);
      const ours = scoreForward(model.params(), model.config, batch, { consts, temperature });
      const ref = tf.tidy(() => referenceStats(model.params(), model.config, batch, temperature));
      expect(ours.logp.shape).toEqual([4, 9]);
      const mask = (x: Float32Array) => x.map((v, i) => (i % 9 >= (pad?.[Math.floor(i / 9)] ?? 0) ? v : 0));
      expect(maxAbsDiff(mask(ours.logp.dataSync() as Float32Array), mask(ref.logp.dataSync() as Float32Array))).toBeLessThan(1e-4);
      expect(maxAbsDiff(mask(ours.entropy.dataSync() as Float32Array), mask(ref.entropy.dataSync() as Float32Array))).toBeLessThan(1e-4);
      tf.dispose([ours.logp, ours.entropy, ref.logp, ref.entropy]);
    });

    it(`backward matches tf.grad of the reference (${label})`, () => {
      const batch = randomBatch(model.config.vocab, 4, 9, 12, pad);
      const cl = tf.randomNormal([4, 9], 0, 1, "float32", 5) as tf.Tensor2D;
      const ce = tf.randomNormal([4, 9], 0, 1, "float32", 6) as tf.Tensor2D;
      const params = model.params();
      const names = Object.keys(params);
      const refGrads = tf.grads((...ws: tf.Tensor[]) => {
        const p = Object.fromEntries(names.map((n, i) => [n, ws[i]!]));
        const r = referenceStats(p, model.config, batch, temperature);
        return tf.add(tf.sum(tf.mul(r.logp, cl)), tf.sum(tf.mul(r.entropy, ce)));
      })(names.map((n) => params[n]!));
      const fwd = trainForward(params, model.config, batch, { consts, temperature });
      const ours = backward(params, fwd.tape, cl, ce, consts);
      names.forEach((n, i) => {
        const a = ours.get(n)!.dataSync();
        const b = refGrads[i]!.dataSync();
        const scale = Math.max(1, ...Array.from(b, Math.abs));
        expect(maxAbsDiff(a, b) / scale, n).toBeLessThan(2e-4);
      });
      fwd.tape.dispose();
      tf.dispose([fwd.logp, fwd.entropy, cl, ce, ...refGrads, ...ours.values()]);
    });
  }
});
