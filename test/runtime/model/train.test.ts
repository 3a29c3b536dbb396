import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { TinyLM } from "../../../src/runtime/model/tiny-lm.js";
import { adam, adamw } from "../../../src/runtime/model/optim.js";
import { applyGradients, computeGradients, sftLoss, sftStep, trainStep, type LossFn, type TrainBatch } from "../../../src/runtime/model/train.js";
import { logProbs } from "../../../src/runtime/model/score.js";
import { Prng } from "../../../src/runtime/model/prng.js";
import { maxAbsDiff, useTestBackend } from "./setup.js";

function demoBatch(vocab: number, B: number, L: number, seed: number): TrainBatch {
  const rng = new Prng(seed);
  const tokens = Int32Array.from({ length: B * L }, () => rng.int(vocab));
  // response = second half of each row
  const mask = Float32Array.from({ length: B * (L - 1) }, (_, i) => (i % (L - 1) >= (L - 1) / 2 ? 1 : 0));
  return { tokens, batch: B, length: L, mask };
}

/** A PPO-style clipped loss with an entropy bonus: uses logp, entropy and the mask. */
function ppoLoss(adv: Float32Array, old: Float32Array, B: number, T: number): LossFn {
  return ({ logp, entropy, mask }) => {
    const a = tf.tensor2d(adv, [B, T]);
    const ratio = tf.exp(tf.sub(logp, tf.tensor2d(old, [B, T])));
    const pg = tf.maximum(tf.neg(tf.mul(ratio, a)), tf.neg(tf.mul(tf.clipByValue(ratio, 0.8, 1.2), a)));
    const per = tf.sub(pg, tf.mul(0.01, entropy));
    return tf.div(tf.sum(tf.mul(per, mask)), tf.sum(mask));
  };
}

describe("optimisers", () => {
  it("Adam matches a hand-computed update (torch.optim.Adam formulas)", () => {
    const opt = adam(2, { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 });
    const p = Float32Array.from([1, -2]);
    opt.apply(p, Float32Array.from([0.5, 0.25]));
    // step 1, L2: g' = g + 0.5 p = [1, -0.75]; m = 0.1 g'; v = 0.01 g'^2; mhat = g', vhat = g'^2
    // p -= 0.1 * g' / (|g'| + eps)
    expect(p[0]).toBeCloseTo(1 - 0.1 * (1 / (1 + 1e-8)), 6);
    expect(p[1]).toBeCloseTo(-2 + 0.1 * (0.75 / (0.75 + 1e-8)), 6);
    const p1 = Array.from(p);
    opt.apply(p, Float32Array.from([0.5, 0.25]));
    const g2 = [0.5 + 0.5 * p1[0]!, 0.25 + 0.5 * p1[1]!];
    const g1 = [1, -0.75];
    for (let i = 0; i < 2; i++) {
      const m = 0.9 * (0.1 * g1[i]!) + 0.1 * g2[i]!;
      const v = 0.99 * (0.01 * g1[i]! ** 2) + 0.01 * g2[i]! ** 2;
      const expected = p1[i]! - (0.1 / (1 - 0.9 ** 2)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.99 ** 2) + 1e-8);
      expect(p[i]).toBeCloseTo(expected, 6);
    }
    expect(opt.step).toBe(2);
  });

  it("AdamW decays the weights before the Adam update (torch.optim.AdamW)", () => {
    const opt = adamw(1, { lr: 0.1, weightDecay: 0.2 });
    const p = Float32Array.from([2]);
    opt.apply(p, Float32Array.from([-0.3]));
    expect(p[0]).toBeCloseTo(2 * (1 - 0.1 * 0.2) + 0.1 * (0.3 / (0.3 + 1e-8)), 6);
  });

  it("state round-trips through getState/setState", () => {
    const a = adam(3, { lr: 0.01 });
    const p = Float32Array.from([1, 2, 3]);
    a.apply(p, Float32Array.from([0.1, -0.2, 0.3]));
    const b = adam(3, { lr: 0.01 });
    b.setState(a.getState());
    const pa = Float32Array.from(p);
    const pb = Float32Array.from(p);
    a.apply(pa, Float32Array.from([0.3, 0.1, -0.1]));
    b.apply(pb, Float32Array.from([0.3, 0.1, -0.1]));
    expect(Array.from(pb)).toEqual(Array.from(pa));
    expect(() => b.setState({ ...a.getState(), m: new Float32Array(2) })).toThrow(/moments/);
    expect(() => adamw(3, { lr: 0.01 }).setState(a.getState())).toThrow(/adam/);
  });
});

describe("training steps", () => {
  beforeAll(useTestBackend);

  it("a few SFT steps reduce the loss on a fixed batch", async () => {
    const model = TinyLM.create("test", { seed: 1 });
    const opt = adam(model.numParams, { lr: 3e-3 });
    const batch = demoBatch(model.config.vocab, 8, 12, 2);
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) losses.push((await sftStep(model, opt, batch)).loss);
    expect(losses[7]).toBeLessThan(losses[0]! * 0.9);
    model.dispose();
  });

  it("applies exactly the gradient of the loss (entropy term included)", async () => {
    const model = TinyLM.create("test", { seed: 4 });
    const batch = demoBatch(model.config.vocab, 4, 10, 5);
    const T = 9;
    const rng = new Prng(9);
    const adv = Float32Array.from({ length: 4 * T }, () => rng.normal());
    const old = Float32Array.from({ length: 4 * T }, () => -2 - rng.next());
    const loss = ppoLoss(adv, old, 4, T);
    // expected: tf.variableGrads through logProbs (the customGrad path), then the same Adam
    const before = model.getFlat();
    const { value, grads } = tf.variableGrads(() => {
      const s = logProbs(model, batch);
      return loss({ logp: s.logp, entropy: s.entropy, mask: tf.tensor2d(batch.mask, [4, T]) }) as tf.Scalar;
    }, [...model.variables.values()]);
    const flat = new Float32Array(model.numParams);
    for (const spec of model.layout.specs) flat.set(grads[model.variables.get(spec.name)!.name]!.dataSync(), spec.offset);
    const expectedLoss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    // eps >> |g| makes the update ~ (lr/eps) * g, so rounding differences between the two paths
    // (tfjs unfuses matmul+bias+relu inside gradient scopes) stay rounding-sized.
    const opt = () => adam(model.numParams, { lr: 10, eps: 1e3 });
    const expected = Float32Array.from(before);
    opt().apply(expected, flat);

    const res = await trainStep(model, opt(), batch, loss);
    expect(res.loss).toBeCloseTo(expectedLoss, 5);
    const norm = Math.sqrt(flat.reduce((s, g) => s + g * g, 0));
    expect(res.gradNorm).toBeCloseTo(norm, 4);
    expect(maxAbsDiff(model.getFlat(), expected)).toBeLessThan(1e-5);
    model.dispose();
  });

  it("clips the global gradient norm and reports the norm before clipping", async () => {
    const model = TinyLM.create("test", { seed: 2 });
    const opt = adam(model.numParams, { lr: 1e-3 });
    const res = await sftStep(model, opt, demoBatch(model.config.vocab, 4, 10, 3), { maxGradNorm: 0.01 });
    expect(res.clipped).toBe(true);
    expect(res.gradNorm).toBeGreaterThan(0.01);
    // first Adam step: m = (1 - beta1) * clipped gradient, whose norm is maxGradNorm
    const m = opt.getState().m;
    expect(Math.sqrt(m.reduce((s, x) => s + x * x, 0)) / 0.1).toBeCloseTo(0.01, 5);
    model.dispose();
  });

  it("same seed gives identical weights after N steps", async () => {
    const run = async () => {
      const model = TinyLM.create("test", { seed: 11 });
      const opt = adamw(model.numParams, { lr: 1e-3 });
      for (let i = 0; i < 3; i++) await sftStep(model, opt, demoBatch(model.config.vocab, 6, 10, 20 + i), { maxGradNorm: 1 });
      const w = model.getFlat();
      model.dispose();
      return w;
    };
    const [a, b] = [await run(), await run()];
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it("does not leak tensors across steps", async () => {
    const model = TinyLM.create("test", { seed: 3 });
    const opt = adam(model.numParams, { lr: 1e-3 });
    const batch = demoBatch(model.config.vocab, 4, 10, 3);
    const loss = ppoLoss(new Float32Array(4 * 9).fill(1), new Float32Array(4 * 9).fill(-2), 4, 9);
    await trainStep(model, opt, batch, loss);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await trainStep(model, opt, batch, loss);
    expect(tf.memory().numTensors).toBe(before);
    // scoring inside and outside a gradient scope does not leak either
    tf.tidy(() => {
      logProbs(model, batch);
    });
    const g = tf.variableGrads(() => tf.sum(logProbs(model, batch).entropy) as tf.Scalar);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("computeGradients leaves the model alone; applying its result equals trainStep", async () => {
    const a = TinyLM.create("test", { seed: 8 });
    const b = TinyLM.create("test", { seed: 8 });
    const batch = demoBatch(a.config.vocab, 4, 10, 8);
    const before = a.getFlat();
    const g = await computeGradients(a, batch, sftLoss);
    expect(Array.from(a.getFlat())).toEqual(Array.from(before));
    const ra = await applyGradients(a, adam(a.numParams, { lr: 1e-3 }), g.grads, { maxGradNorm: 0.5 });
    const rb = await trainStep(b, adam(b.numParams, { lr: 1e-3 }), batch, sftLoss, { maxGradNorm: 0.5 });
    expect(rb.loss).toBe(g.loss);
    expect(rb.gradNorm).toBe(ra.gradNorm);
    expect(Array.from(b.getFlat())).toEqual(Array.from(a.getFlat()));
    a.dispose();
    b.dispose();
  });

  it("rejects a non-scalar loss and a mis-sized mask", async () => {
    const model = TinyLM.create("test", { seed: 3 });
    const opt = adam(model.numParams, { lr: 1e-3 });
    const batch = demoBatch(model.config.vocab, 2, 6, 3);
    await expect(trainStep(model, opt, batch, ({ logp }) => logp)).rejects.toThrow(/scalar/);
    await expect(sftStep(model, opt, { ...batch, mask: new Float32Array(3) })).rejects.toThrow(/mask/);
    model.dispose();
  });
});
