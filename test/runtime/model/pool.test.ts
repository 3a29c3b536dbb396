import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { TinyLM } from "../../../src/runtime/model/tiny-lm.js";
import { adam } from "../../../src/runtime/model/optim.js";
import { PoolUnavailable, ShardPool } from "../../../src/runtime/model/pool.js";
import { sample, type SampleRequest } from "../../../src/runtime/model/sampler.js";
import { logProbsArrays } from "../../../src/runtime/model/score.js";
import { computeGradients, sftLoss, sftStep, type TrainBatch } from "../../../src/runtime/model/train.js";
import { Prng } from "../../../src/runtime/model/prng.js";
import { maxAbsDiff, useTestBackend } from "./setup.js";
import { buildShardWorker } from "./worker-build.js";

function batch(vocab: number, B: number, L: number, seed: number): TrainBatch {
  const rng = new Prng(seed);
  return {
    tokens: Int32Array.from({ length: B * L }, () => rng.int(vocab)),
    batch: B,
    length: L,
    mask: new Float32Array(B * (L - 1)).fill(1),
  };
}

describe("data-parallel shards (main thread + worker threads)", () => {
  let workerUrl: URL;
  let removeBuild = () => {};
  beforeAll(async () => {
    await useTestBackend();
    const built = buildShardWorker();
    workerUrl = built.url;
    removeBuild = built.remove;
  });
  afterAll(() => removeBuild());

  async function train(workers: number, steps: number): Promise<Float32Array> {
    const model = TinyLM.create("test", { seed: 5 });
    const pool = await ShardPool.create(model, { workers, workerUrl });
    // eps >> |g|: the update is ~ lr/eps * gradient, so rounding differences stay rounding-sized
    // (plain Adam's g/|g| would turn them into sign flips on near-zero gradients).
    const opt = adam(model.numParams, { lr: 10, eps: 1e3 });
    try {
      for (let i = 0; i < steps; i++) await sftStep(model, opt, batch(model.config.vocab, 7, 12, 40 + i), { pool, maxGradNorm: 1 });
      return model.getFlat();
    } finally {
      await pool.close();
      model.dispose();
    }
  }

  it("is bitwise reproducible and matches single-thread training", async () => {
    const a = await train(2, 3);
    const b = await train(2, 3);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const single = await train(0, 3);
    expect(maxAbsDiff(a, single)).toBeLessThan(1e-5);
  });

  it("samples and scores the same as a single thread", async () => {
    const model = TinyLM.create("test", { seed: 6 });
    const pool = await ShardPool.create(model, { workers: 1, workerUrl });
    try {
      const rng = new Prng(3);
      const reqs: SampleRequest[] = Array.from({ length: 9 }, (_, i) => ({
        prompt: Array.from({ length: 1 + (i % 4) }, () => rng.int(model.config.vocab)),
        maxTokens: 6 + (i % 3),
        ...(i % 2 === 0 ? { prefill: [1] } : {}),
      }));
      const one = await sample(model, reqs, { seed: 12 });
      const two = await sample(model, reqs, { seed: 12, pool });
      expect(two.map((r) => Array.from(r.tokens))).toEqual(one.map((r) => Array.from(r.tokens)));
      two.forEach((r, i) => expect(maxAbsDiff(r.logp, one[i]!.logp)).toBeLessThan(1e-4));
      const b = batch(model.config.vocab, 5, 9, 1);
      const s1 = await logProbsArrays(model, b);
      const s2 = await logProbsArrays(model, b, { pool });
      expect(maxAbsDiff(s1.logp, s2.logp)).toBeLessThan(1e-4);
      expect(maxAbsDiff(s1.entropy, s2.entropy)).toBeLessThan(1e-4);
      // the replica resynchronises after an update
      await sftStep(model, adam(model.numParams, { lr: 1e-2 }), b, { pool });
      const s3 = await logProbsArrays(model, b, { pool });
      const s4 = await logProbsArrays(model, b);
      expect(maxAbsDiff(s3.logp, s4.logp)).toBeLessThan(1e-4);
    } finally {
      await pool.close();
      model.dispose();
    }
  });

  it("serialises concurrent calls on one pool", async () => {
    const model = TinyLM.create("test", { seed: 8 });
    const pool = await ShardPool.create(model, { workers: 1, workerUrl });
    try {
      const b1 = batch(model.config.vocab, 4, 9, 1);
      const b2 = batch(model.config.vocab, 6, 7, 2);
      const seq1 = await computeGradients(model, b1, sftLoss, { pool });
      const seq2 = await computeGradients(model, b2, sftLoss, { pool });
      const [c1, c2, s] = await Promise.all([
        computeGradients(model, b1, sftLoss, { pool }),
        computeGradients(model, b2, sftLoss, { pool }),
        sample(model, [{ prompt: [1], maxTokens: 3 }, { prompt: [2], maxTokens: 3 }], { seed: 1, pool }),
      ]);
      expect(Array.from(c1.grads)).toEqual(Array.from(seq1.grads));
      expect(Array.from(c2.grads)).toEqual(Array.from(seq2.grads));
      expect(s).toHaveLength(2);
    } finally {
      await pool.close();
      model.dispose();
    }
  });

  it("does not leak tensors in the main thread and reports worker errors", async () => {
    const model = TinyLM.create("test", { seed: 7 });
    const pool = await ShardPool.create(model, { workers: 1, workerUrl });
    const opt = adam(model.numParams, { lr: 1e-3 });
    try {
      await sftStep(model, opt, batch(model.config.vocab, 4, 8, 1), { pool });
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await sftStep(model, opt, batch(model.config.vocab, 4, 8, 1), { pool });
      expect(tf.memory().numTensors).toBe(before);
      const bad = { batch: 1, steps: 2, inputs: Int32Array.from([1, 999]), targets: Int32Array.from([1, 2]) };
      await expect(pool.shards[1]!.forward(bad, 1)).rejects.toThrow(/outside the vocabulary/);
    } finally {
      await pool.close();
      model.dispose();
    }
  });

  it("explains how to get the compiled worker when it is missing", async () => {
    const model = TinyLM.create("test");
    await expect(ShardPool.create(model, { workers: 1, workerUrl: new URL("file:///nonexistent/shard-worker.js") })).rejects.toThrow(PoolUnavailable);
    model.dispose();
  });
});
