import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { TinyLM } from "../../../src/runtime/model/tiny-lm.js";
import { sample, SequenceTooLong, InvalidSampleRequest, type SampleRequest, type SampleResult } from "../../../src/runtime/model/sampler.js";
import { logProbsArrays } from "../../../src/runtime/model/score.js";
import { maxAbsDiff, useTestBackend } from "./setup.js";

/** Scores prompt+response of every row in one (left-padded) forward pass. */
async function rescore(model: TinyLM, reqs: readonly SampleRequest[], res: readonly SampleResult[], temperature: number) {
  const seqs = reqs.map((r, i) => [...Array.from(r.prompt), ...res[i]!.tokens]);
  const L = Math.max(...seqs.map((s) => s.length));
  const tokens = new Int32Array(reqs.length * L);
  const pad = new Int32Array(reqs.length);
  seqs.forEach((s, b) => {
    pad[b] = L - s.length;
    tokens.set(s, b * L + pad[b]!);
  });
  const scored = await logProbsArrays(model, { tokens, batch: reqs.length, length: L, pad }, { temperature });
  return res.map((r, b) => {
    const start = pad[b]! + reqs[b]!.prompt.length - 1;
    const at = (a: Float32Array) => a.slice(b * (L - 1) + start, b * (L - 1) + start + r.tokens.length);
    return { logp: at(scored.logp), entropy: at(scored.entropy) };
  });
}

describe("sampler", () => {
  let model: TinyLM;
  beforeAll(async () => {
    await useTestBackend();
    model = TinyLM.create("test", { seed: 7 });
  });
  afterAll(() => model.dispose());

  const ragged: SampleRequest[] = [
    { prompt: [1, 2, 3], maxTokens: 9 },
    { prompt: [4], prefill: [5, 6], maxTokens: 12 },
    { prompt: [7, 8, 9, 10, 11, 12], prefill: [2], maxTokens: 5 },
    { prompt: [3, 3], maxTokens: 1 },
  ];

  for (const temperature of [1, 0.7]) {
    it(`KV-cache log-probs and entropies equal a full forward pass (temperature ${temperature})`, async () => {
      const reqs = ragged.map((r) => ({ ...r, temperature }));
      const res = await sample(model, reqs, { seed: 1 });
      const again = await rescore(model, reqs, res, temperature);
      res.forEach((r, b) => {
        expect(r.tokens.length).toBe(reqs[b]!.maxTokens);
        expect(maxAbsDiff(r.logp, again[b]!.logp)).toBeLessThan(1e-4);
        expect(maxAbsDiff(r.entropy, again[b]!.entropy)).toBeLessThan(1e-4);
      });
    });
  }

  it("long generations stay exact", async () => {
    const S = model.config.maxSeq;
    const reqs: SampleRequest[] = [
      { prompt: [1], maxTokens: S - 1 },
      { prompt: [2, 3, 4, 5, 6], prefill: [7, 8, 9], maxTokens: S - 5 },
    ];
    const res = await sample(model, reqs, { seed: 21 });
    const again = await rescore(model, reqs, res, 1);
    res.forEach((r, b) => {
      expect(r.tokens.length).toBe(reqs[b]!.maxTokens);
      expect(maxAbsDiff(r.logp, again[b]!.logp)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.entropy, again[b]!.entropy)).toBeLessThan(1e-4);
    });
  });

  it("places prefills first, marks them, and never exceeds maxTokens", async () => {
    const res = await sample(model, ragged, { seed: 2 });
    expect(Array.from(res[1]!.tokens.subarray(0, 2))).toEqual([5, 6]);
    expect(res[1]!.prefillLength).toBe(2);
    expect(res[2]!.tokens[0]).toBe(2);
    expect(res[2]!.prefillLength).toBe(1);
    expect(res[0]!.prefillLength).toBe(0);
    res.forEach((r, b) => {
      expect(r.tokens.length).toBeLessThanOrEqual(ragged[b]!.maxTokens);
      expect(r.finish).toBe("length");
    });
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const reqs = ragged.map((r) => ({ ...r, maxTokens: r.maxTokens }));
    const a = await sample(model, reqs, { seed: 3 });
    const b = await sample(model, reqs, { seed: 3 });
    const c = await sample(model, reqs, { seed: 4 });
    expect(a.map((r) => Array.from(r.tokens))).toEqual(b.map((r) => Array.from(r.tokens)));
    expect(a.map((r) => Array.from(r.logp))).toEqual(b.map((r) => Array.from(r.logp)));
    expect(a.map((r) => Array.from(r.tokens))).not.toEqual(c.map((r) => Array.from(r.tokens)));
  });

  it("greedy is deterministic, seed-independent, and independent of the other rows", async () => {
    const reqs = ragged.map((r) => ({ ...r, temperature: 0 }));
    const a = await sample(model, reqs, { seed: 5 });
    const b = await sample(model, reqs, { seed: 99 });
    expect(a.map((r) => Array.from(r.tokens))).toEqual(b.map((r) => Array.from(r.tokens)));
    for (let i = 0; i < reqs.length; i++) {
      const [alone] = await sample(model, [reqs[i]!], { seed: 5 });
      expect(Array.from(alone!.tokens)).toEqual(Array.from(a[i]!.tokens));
      expect(maxAbsDiff(alone!.logp, a[i]!.logp)).toBeLessThan(1e-4);
    }
    // greedy picks the argmax: its log-prob is the largest at every step
    const again = await rescore(model, reqs, a, 1);
    a.forEach((r, i) => expect(maxAbsDiff(r.logp, again[i]!.logp)).toBeLessThan(1e-4));
  });

  it("stop tokens end rows (but not inside the prefill)", async () => {
    const all = Array.from({ length: model.config.vocab }, (_, i) => i);
    const reqs: SampleRequest[] = [
      { prompt: [1], maxTokens: 8, stop: all },
      { prompt: [2, 3], prefill: [4, 5], maxTokens: 8, stop: all },
      { prompt: [2, 3], maxTokens: 8 },
    ];
    const res = await sample(model, reqs, { seed: 6 });
    expect(res[0]!.tokens.length).toBe(1);
    expect(res[0]!.finish).toBe("stop");
    expect(res[1]!.tokens.length).toBe(3);
    expect(Array.from(res[1]!.tokens.subarray(0, 2))).toEqual([4, 5]);
    expect(res[1]!.finish).toBe("stop");
    expect(res[2]!.tokens.length).toBe(8);
    expect(res[2]!.finish).toBe("length");
  });

  it("openWith restricts the first sampled token (not a prefilled row's), keeping the model's log-probs", async () => {
    const open = [5, 9];
    const reqs: SampleRequest[] = [
      ...Array.from({ length: 24 }, (_, i): SampleRequest => ({ prompt: [1, 2 + (i % 5)], maxTokens: 4, openWith: open })),
      { prompt: [1, 2], maxTokens: 4, temperature: 0, openWith: open },
      { prompt: [1, 2], prefill: [3], maxTokens: 4, openWith: open },
    ];
    const res = await sample(model, reqs, { seed: 4 });
    for (const r of res.slice(0, 25)) expect(open).toContain(r.tokens[0]);
    expect(res[25]!.tokens[0]).toBe(3);
    expect(new Set(res.slice(0, 24).map((r) => r.tokens[0])).size).toBe(2);
    const again = await rescore(model, reqs, res, 1);
    res.slice(0, 24).forEach((r, b) => expect(maxAbsDiff(r.logp, again[b]!.logp)).toBeLessThan(1e-4));
    await expect(sample(model, [{ prompt: [1], maxTokens: 2, openWith: [] }], { seed: 0 })).rejects.toThrow(/openWith is empty/);
    await expect(sample(model, [{ prompt: [1], maxTokens: 2, openWith: [1e6] }], { seed: 0 })).rejects.toThrow(InvalidSampleRequest);
  });

  it("top-p keeps only the nucleus", async () => {
    const reqs: SampleRequest[] = Array.from({ length: 16 }, () => ({ prompt: [1, 2], maxTokens: 6, topP: 1e-6 }));
    const greedy = await sample(model, reqs.map((r) => ({ ...r, temperature: 0 })), { seed: 0 });
    const nucleus = await sample(model, reqs, { seed: 8 });
    expect(nucleus.map((r) => Array.from(r.tokens))).toEqual(greedy.map((r) => Array.from(r.tokens)));
  });

  it("rejects requests that do not fit in maxSeq, with a clear message", async () => {
    const S = model.config.maxSeq;
    await expect(sample(model, [{ prompt: [1, 2, 3], maxTokens: S - 2 }], { seed: 0 })).rejects.toThrow(SequenceTooLong);
    await expect(sample(model, [{ prompt: [1, 2, 3], maxTokens: S - 2 }], { seed: 0 })).rejects.toThrow(/exceeds the model's maxSeq/);
    await expect(sample(model, [{ prompt: [1], maxTokens: S - 1 }], { seed: 0 })).resolves.toHaveLength(1);
    await expect(sample(model, [{ prompt: [], maxTokens: 2 }], { seed: 0 })).rejects.toThrow(InvalidSampleRequest);
    await expect(sample(model, [{ prompt: [1], prefill: [1, 2, 3], maxTokens: 2 }], { seed: 0 })).rejects.toThrow(InvalidSampleRequest);
  });

  it("does not leak tensors", async () => {
    await sample(model, ragged, { seed: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await sample(model, ragged, { seed: i });
    expect(tf.memory().numTensors).toBe(before);
  });
});
