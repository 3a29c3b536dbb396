import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailable, initBackend } from "../../../src/runtime/tfjs/backend.js";
import { ensureGradients } from "../../../src/runtime/tfjs/gradients.js";
import { useTestBackend } from "./setup.js";

describe("backends", () => {
  afterAll(useTestBackend);

  it("wasm is SIMD, single-threaded in Node", async () => {
    const info = await initBackend("wasm");
    expect(info).toMatchObject({ name: "wasm", simd: true, threads: 1, asyncReadsOnly: false });
    expect(tf.getBackend()).toBe("wasm");
  });

  it("cpu is the reference backend", async () => {
    expect((await initBackend("cpu")).name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
  });

  for (const name of ["tensorflow", "webgpu"] as const) {
    it(`${name} either loads or fails with a typed error and install help`, async () => {
      const before = tf.getBackend();
      try {
        const info = await initBackend(name);
        expect(info.name).toBe(name);
      } catch (e) {
        expect(e).toBeInstanceOf(BackendUnavailable);
        const err = e as BackendUnavailable;
        expect(err.backend).toBe(name);
        expect(err.help).toMatch(name === "tensorflow" ? /CUDA 11\.2.*cuDNN 8\.1/ : /webgpu@0\.6\.2/);
        expect(tf.getBackend()).toBe(before);
      }
    });
  }
});

describe("gradients registered for loss ops", () => {
  it("match central finite differences", async () => {
    await useTestBackend();
    ensureGradients();
    const x0 = [0.3, -0.7, 1.2, 0.05, -1.5, 0.9];
    const f = (x: tf.Tensor) => {
      const a = tf.reshape(x, [2, 3]);
      const r = tf.exp(tf.sub(a, tf.scalar(0.1)));
      const clipped = tf.clipByValue(r, 0.8, 1.2);
      const pg = tf.maximum(tf.mul(r, -1.3), tf.mul(clipped, -1.3));
      const k3 = tf.sub(tf.sub(tf.exp(tf.neg(a)), 1), tf.neg(a));
      const mix = tf.add(tf.mean(pg), tf.mul(0.1, tf.sum(k3)));
      const extra = tf.sum(tf.where(tf.greater(a, 0), tf.sqrt(tf.abs(a)), tf.square(a)));
      const pw = tf.sum(tf.pow(tf.add(tf.abs(a), 1), 1.5));
      const norm = tf.div(tf.sub(a, tf.mean(a, 1, true)), tf.add(tf.sqrt(tf.mean(tf.square(tf.sub(a, tf.mean(a, 1, true))), 1, true)), 1e-3));
      const mm = tf.sum(tf.matMul(a, tf.transpose(a)));
      const soft = tf.sum(tf.mul(tf.softmax(a), tf.logSoftmax(a)));
      const sl = tf.sum(tf.concat([tf.slice(a, [0, 1], [2, 2]), tf.tile(tf.min(a, 1, true), [1, 2])], 1));
      const mx = tf.sum(tf.max(a, 0));
      return tf.addN([mix, tf.mul(0.2, extra), tf.mul(0.01, pw), tf.mul(0.05, tf.sum(tf.tanh(norm))), tf.mul(0.01, mm), soft, sl, mx, tf.sum(tf.log1p(tf.sigmoid(a)))]);
    };
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x))(tf.tensor1d(x0)).arraySync() as number[]);
    const h = 1e-3;
    x0.forEach((_, i) => {
      const at = (d: number) => tf.tidy(() => f(tf.tensor1d(x0.map((v, j) => (j === i ? v + d : v)))).arraySync() as number);
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(g[i]! - numeric), `d/dx${i}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    });
  });
});
