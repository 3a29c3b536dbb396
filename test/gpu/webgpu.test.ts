/**
 * The WebGPU code path, checked against wasm. A separate suite (`npm run test:webgpu`, not part of
 * `npm test`): it needs the optional packages `webgpu@0.6.2` and `@tensorflow/tfjs-backend-webgpu`
 * and an adapter. CI runs it on Mesa's llvmpipe through Dawn's OpenGL ES backend
 * (EGL_PLATFORM=surfaceless); see docs/backends.md. Here a missing backend is an error, not a skip.
 *
 * tfjs backends are process-global, so the webgpu run goes first and the wasm reference second,
 * on fresh models with the same seed; every read on webgpu is asynchronous.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/tfjs/backend.js";
import { TinyLM } from "../../src/runtime/model/tiny-lm.js";
import { adam } from "../../src/runtime/model/optim.js";
import { sftStep, type TrainBatch } from "../../src/runtime/model/train.js";
import { logProbsArrays, type TokenBatch } from "../../src/runtime/model/score.js";
import { sample, type SampleRequest, type SampleResult } from "../../src/runtime/model/sampler.js";
import { Prng } from "../../src/runtime/model/prng.js";
import { maxAbsDiff } from "../runtime/model/setup.js";

const PRESET = "bench";
const SEED = 5;
const B = 8;
const L = 32;
const STEPS = 4;

function batchOf(vocab: number, seed: number): TrainBatch {
  const rng = new Prng(seed);
  const tokens = Int32Array.from({ length: B * L }, () => rng.int(vocab));
  const mask = Float32Array.from({ length: B * (L - 1) }, (_, i) => (i % (L - 1) >= 4 ? 1 : 0));
  return { tokens, batch: B, length: L, mask };
}

const requests: SampleRequest[] = [
  { prompt: [1, 2, 3], maxTokens: 12 },
  { prompt: [4], prefill: [5, 6], maxTokens: 10 },
  { prompt: [7, 8, 9, 10, 11], maxTokens: 8, temperature: 0.7 },
];

interface Run {
  readonly logp: Float32Array;
  readonly entropy: Float32Array;
  readonly losses: number[];
  readonly gradNorms: number[];
  readonly weights: Float32Array;
  readonly samples: SampleResult[];
}

/** Forward pass + log-probs, STEPS Adam steps on one batch, then a KV-cache sample, on the active backend. */
async function workload(): Promise<Run> {
  const model = TinyLM.create(PRESET, { seed: SEED });
  try {
    const scoreBatch = batchOf(model.config.vocab, 1);
    const { logp, entropy } = await logProbsArrays(model, scoreBatch);
    const trainBatch = batchOf(model.config.vocab, 10);
    const opt = adam(model.numParams, { lr: 3e-3 });
    const losses: number[] = [];
    const gradNorms: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const r = await sftStep(model, opt, trainBatch, { maxGradNorm: 1 });
      losses.push(r.loss);
      gradNorms.push(r.gradNorm);
    }
    const weights = await model.readFlat();
    const samples = await sample(model, requests, { seed: 3 });
    return { logp, entropy, losses, gradNorms, weights, samples };
  } finally {
    model.dispose();
  }
}

/** Scores each row's prompt + sampled response (left-padded) with `model` on the active backend. */
async function rescore(model: TinyLM, res: readonly SampleResult[]) {
  const seqs = requests.map((r, i) => [...Array.from(r.prompt), ...res[i]!.tokens]);
  const len = Math.max(...seqs.map((s) => s.length));
  return Promise.all(
    requests.map(async (r, b) => {
      const seq = seqs[b]!;
      const pad = Int32Array.of(len - seq.length);
      const tokens = new Int32Array(len);
      tokens.set(seq, pad[0]!);
      const batch: TokenBatch = { tokens, batch: 1, length: len, pad };
      const s = await logProbsArrays(model, batch, { temperature: r.temperature ?? 1 });
      const start = pad[0]! + r.prompt.length - 1;
      const n = res[b]!.tokens.length;
      return { logp: s.logp.slice(start, start + n), entropy: s.entropy.slice(start, start + n) };
    }),
  );
}

describe("webgpu backend", () => {
  let gpu: Run;

  it("initialises and runs scoring, training and sampling", async () => {
    const info = await initBackend("webgpu"); // rejects with BackendUnavailable (and install help) when missing
    expect(info).toMatchObject({ name: "webgpu", asyncReadsOnly: true });
    expect(tf.getBackend()).toBe("webgpu");
    console.log(`webgpu adapter: ${info.device}`);
    gpu = await workload();
    expect(tf.getBackend()).toBe("webgpu");
    expect(gpu.losses.every(Number.isFinite)).toBe(true);
    expect(gpu.losses[STEPS - 1]).toBeLessThan(gpu.losses[0]!);
    gpu.samples.forEach((s, b) => expect(s.tokens.length).toBe(requests[b]!.maxTokens));
  });

  it("agrees with wasm within float tolerance", async () => {
    expect(gpu, "the webgpu run failed").toBeDefined();
    await initBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const cpu = await workload();
    const lossDiff = Math.max(...cpu.losses.map((l, i) => Math.abs(l - gpu.losses[i]!)));
    console.log(
      `webgpu vs wasm, max |diff|: log-probs ${maxAbsDiff(gpu.logp, cpu.logp).toExponential(2)}, ` +
        `losses ${lossDiff.toExponential(2)}, weights after ${STEPS} steps ${maxAbsDiff(gpu.weights, cpu.weights).toExponential(2)}`,
    );

    expect(maxAbsDiff(gpu.logp, cpu.logp)).toBeLessThan(1e-4);
    expect(maxAbsDiff(gpu.entropy, cpu.entropy)).toBeLessThan(1e-4);
    for (let i = 0; i < STEPS; i++) {
      expect(Math.abs(gpu.losses[i]! - cpu.losses[i]!), `loss ${i}`).toBeLessThan(1e-4);
      expect(Math.abs(gpu.gradNorms[i]! - cpu.gradNorms[i]!), `grad norm ${i}`).toBeLessThan(1e-4 * Math.max(1, cpu.gradNorms[i]!));
    }
    // Adam normalises each gradient coordinate, so near-zero coordinates may drift apart by more than rounding
    expect(maxAbsDiff(gpu.weights, cpu.weights)).toBeLessThan(1e-3);

    // KV-cache sampling on webgpu: its behaviour log-probs equal a full wasm forward pass over the
    // sampled tokens with the weights webgpu sampled from.
    const model = TinyLM.create(PRESET, { seed: SEED });
    try {
      model.setFlat(gpu.weights);
      const again = await rescore(model, gpu.samples);
      gpu.samples.forEach((s, b) => {
        expect(maxAbsDiff(s.logp, again[b]!.logp), `row ${b} logp`).toBeLessThan(1e-4);
        expect(maxAbsDiff(s.entropy, again[b]!.entropy), `row ${b} entropy`).toBeLessThan(1e-4);
      });
    } finally {
      model.dispose();
    }
  });
});
