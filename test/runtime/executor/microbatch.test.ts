/**
 * Micro-batched training gradients equal the single-batch ones: for every aggregation mode, loss
 * kind and policy variant, a tiny token budget (several micro-batches, prompt groups split across
 * them, ragged rows) gives the gradient, loss and statistics of the original full-batch loss (the
 * primitives' aggLoss / policyLoss over the whole packed batch) to float32 rounding.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { packSequences, toMatrix } from "../../../src/runtime/executor/layout.js";
import { microBatchGradients, planMicroBatches } from "../../../src/runtime/executor/microbatch.js";
import { TinyLM } from "../../../src/runtime/model/tiny-lm.js";
import { computeGradients, type LossFn } from "../../../src/runtime/model/train.js";
import { aggLoss, klPenalty, policyLoss, type AggMode, type AggSpec } from "../../../src/runtime/primitives/index.js";
import type { AggName, TrainInput, TrainRow, TrainTerm } from "../../../src/runtime/services/executor.js";
import { initBackend } from "../../../src/runtime/tfjs/backend.js";

beforeAll(async () => {
  await initBackend("cpu");
});

const AGGS: readonly AggName[] = ["token_mean", "seq_mean_token_mean", "seq_mean_token_sum", "seq_mean_token_sum_norm", "prompt_mean"];
const MODE: Record<AggName, AggMode> = {
  token_mean: "token-mean",
  seq_mean_token_mean: "seq-mean-token-mean",
  seq_mean_token_sum: "seq-mean-token-sum",
  seq_mean_token_sum_norm: "seq-mean-token-sum-norm",
  prompt_mean: "prompt-mean",
};

/** A deterministic pseudo-random stream. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 12 rows in 3 prompt groups (interleaved, so every plan splits groups), ragged lengths, one fully masked row. */
function makeRows(seed: number): { rows: TrainRow[]; masks: Float32Array[]; advantages: Float32Array[] } {
  const rnd = lcg(seed);
  const rows: TrainRow[] = [];
  const masks: Float32Array[] = [];
  const advantages: Float32Array[] = [];
  for (let i = 0; i < 12; i++) {
    const P = 1 + (i % 4);
    const R = 1 + Math.floor(rnd() * 12);
    const prompt = Array.from({ length: P }, () => 1 + Math.floor(rnd() * 15));
    const response = Array.from({ length: R }, () => Math.floor(rnd() * 16));
    rows.push({
      prompt,
      response,
      oldLogp: Float32Array.from({ length: R }, () => -0.5 - 3 * rnd()),
      refLogp: Float32Array.from({ length: R }, () => -0.5 - 3 * rnd()),
      group: i % 3,
    });
    masks.push(Float32Array.from({ length: R }, (_, j) => (i === 5 ? 0 : j === 0 && i % 2 === 0 ? 0 : 1)));
    const a = 2 * rnd() - 1;
    advantages.push(Float32Array.from({ length: R }, () => a));
  }
  return { rows, masks, advantages };
}

type Kind = TrainTerm["kind"];

function makeTerm(kind: Kind, agg: AggName, masks: Float32Array[], advantages: Float32Array[], variant: "vanilla" | "gspo" | "cispo" | "sapo" = "vanilla", coef = 1): TrainTerm {
  const base = { node: `n.${kind}`, coef, agg, mask: masks, ...(agg === "seq_mean_token_sum_norm" ? { normLength: 7 } : {}) };
  switch (kind) {
    case "policy":
      return { ...base, kind, variant, clipLow: 0.2, clipHigh: 0.28, dualClip: 3, advantages };
    case "reinforce":
      return { ...base, kind, advantages };
    case "kl":
      return { ...base, kind, estimator: "k3" };
    case "entropy":
    case "sft":
      return { ...base, kind };
  }
}

/** The entropy statistic's tokens, as LocalEngine.train reports them. */
function reportedTokens(input: TrainInput): Float32Array[] {
  const policyTerms = input.terms.filter((t) => t.kind !== "sft");
  const reported = policyTerms.length > 0 ? policyTerms : input.terms;
  return input.rows.map((r, i) => {
    const m = new Float32Array(r.response.length);
    for (const t of reported) for (let j = 0; j < m.length; j++) if (t.mask[i]![j] !== 0) m[j] = 1;
    return m;
  });
}

/** The single-batch reference: the primitives' aggLoss / policyLoss over the whole packed batch. */
async function reference(model: TinyLM, input: TrainInput, reported: Float32Array[]) {
  const batch = packSequences(input.rows);
  const B = batch.batch;
  const T = batch.columns;
  const groups = input.rows.map((r) => r.group);
  const stats: Record<string, tf.Scalar> = {};
  const keep = (k: string, t: tf.Scalar) => {
    if (stats[k] === undefined) stats[k] = tf.keep(t);
  };
  const lossFn: LossFn = ({ logp, entropy }) => {
    const m2 = (rows: readonly ArrayLike<number>[]) => tf.tensor2d(toMatrix(batch, rows), [B, T]);
    let total: tf.Scalar = tf.scalar(0);
    let pg: tf.Scalar | undefined;
    for (const term of input.terms) {
      const mode = MODE[term.agg];
      const spec: AggSpec = mode === "seq-mean-token-sum-norm" ? { mode, lossScaleFactor: term.normLength ?? 1 } : mode === "prompt-mean" ? { mode, groups } : { mode };
      const mask = m2(term.mask);
      let value: tf.Scalar;
      switch (term.kind) {
        case "policy": {
          const r = policyLoss(term.variant, { oldLogProb: m2(input.rows.map((x) => x.oldLogp)), logProb: logp, advantages: m2(term.advantages), responseMask: mask }, {
            clipLow: term.clipLow,
            clipHigh: term.clipHigh,
            dualClipC: term.dualClip,
            agg: spec,
          });
          value = r.loss;
          keep("pg_clipfrac", r.metrics.pg_clipfrac);
          keep("ppo_kl", r.metrics.ppo_kl);
          keep("pg_clipfrac_lower", r.metrics.pg_clipfrac_lower);
          pg = pg === undefined ? value : tf.add(pg, value);
          break;
        }
        case "reinforce":
          value = aggLoss(tf.neg(tf.mul(m2(term.advantages), logp)) as tf.Tensor2D, mask, spec);
          pg = pg === undefined ? value : tf.add(pg, value);
          break;
        case "kl":
          value = aggLoss(klPenalty(logp, m2(input.rows.map((x) => x.refLogp!)), term.estimator) as tf.Tensor2D, mask, spec);
          keep("kl_loss", value);
          break;
        case "entropy":
          value = aggLoss(entropy, mask, spec);
          break;
        case "sft":
          value = aggLoss(tf.neg(logp) as tf.Tensor2D, mask, spec);
          keep("sft_loss", value);
          break;
      }
      keep(`term/${term.node}`, value);
      total = tf.add(total, tf.mul(value, term.coef));
    }
    if (pg !== undefined) keep("pg_loss", pg);
    const resp = m2(reported);
    keep("entropy", tf.div(tf.sum(tf.mul(entropy, resp)), tf.maximum(tf.sum(resp), 1)) as tf.Scalar);
    return total;
  };
  const g = await computeGradients(model, { ...batch, mask: toMatrix(batch, reported) }, lossFn);
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(stats)) out[k] = t.dataSync()[0]!;
  tf.dispose([...new Set(Object.values(stats))]);
  return { loss: g.loss, grads: g.grads, stats: out };
}

function expectClose(actual: Float32Array, expected: Float32Array, rel = 1e-5) {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let diff = 0;
  for (let j = 0; j < expected.length; j++) {
    scale = Math.max(scale, Math.abs(expected[j]!));
    diff = Math.max(diff, Math.abs(actual[j]! - expected[j]!));
  }
  expect(scale).toBeGreaterThan(0);
  expect(diff / scale).toBeLessThan(rel);
}

function expectStats(actual: Record<string, number>, expected: Record<string, number>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(Math.abs(actual[k]! - v), k).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)));
}

let model: TinyLM;
beforeAll(() => {
  model = TinyLM.create("test", { seed: 4 });
});

/** Budget 40 tokens: pieces of 2–6 rows out of 12, rows up to 16 tokens long. */
const TINY = 40;

async function check(terms: (masks: Float32Array[], advantages: Float32Array[]) => TrainTerm[], seed = 1) {
  const { rows, masks, advantages } = makeRows(seed);
  const input: TrainInput = { rows, terms: terms(masks, advantages), temperature: 1, step: 1 };
  const reported = reportedTokens(input);
  expect(planMicroBatches(rows, TINY).length).toBeGreaterThan(2);
  const want = await reference(model, input, reported);
  const one = await microBatchGradients(model, input, reported, 1e9);
  const many = await microBatchGradients(model, input, reported, TINY);
  for (const got of [one, many]) {
    expectClose(got.grads, want.grads);
    expect(Math.abs(got.loss - want.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want.loss)));
    expectStats(got.stats, want.stats);
  }
}

describe("planMicroBatches", () => {
  it("covers every row once, within the budget, the same way every time", () => {
    const { rows } = makeRows(2);
    const plan = planMicroBatches(rows, TINY);
    expect(plan.flat().sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
    for (const piece of plan) {
      const L = Math.max(...piece.map((i) => rows[i]!.prompt.length + rows[i]!.response.length));
      expect(piece.length === 1 || piece.length * L <= TINY).toBe(true);
    }
    expect(planMicroBatches(rows, TINY)).toEqual(plan);
    // A row longer than the budget is a piece of its own.
    expect(planMicroBatches(rows, 1)).toHaveLength(rows.length);
    expect(planMicroBatches(rows, 1e9)).toHaveLength(1);
  });
});

describe("micro-batched gradients equal the single-batch gradient", () => {
  for (const agg of AGGS) {
    for (const variant of ["vanilla", "gspo", "cispo", "sapo"] as const) {
      it(`policy ${variant}, ${agg}`, () => check((m, a) => [makeTerm("policy", agg, m, a, variant)]));
    }
    it(`reinforce + kl + entropy, ${agg}`, () =>
      check((m, a) => [makeTerm("reinforce", agg, m, a), makeTerm("kl", agg, m, a, "vanilla", 0.1), makeTerm("entropy", agg, m, a, "vanilla", -0.01)]));
    it(`sft, ${agg}`, () => check((m) => [makeTerm("sft", agg, m, [])], 3));
  }

  it("policy + kl under different masks and aggregations, sft alongside", () =>
    check((m, a) => {
      const klMask = m.map((r) => Float32Array.from(r, (_, j) => (j % 3 === 0 ? 0 : 1)));
      return [makeTerm("policy", "prompt_mean", m, a), makeTerm("kl", "seq_mean_token_mean", klMask, a, "vanilla", 0.05), makeTerm("sft", "token_mean", klMask, [], "vanilla", 0.5)];
    }, 5));

  it("is bitwise reproducible", async () => {
    const { rows, masks, advantages } = makeRows(7);
    const input: TrainInput = { rows, terms: [makeTerm("policy", "token_mean", masks, advantages), makeTerm("kl", "token_mean", masks, advantages, "vanilla", 0.1)], temperature: 1, step: 1 };
    const reported = reportedTokens(input);
    const a = await microBatchGradients(model, input, reported, TINY);
    const b = await microBatchGradients(model, input, reported, TINY);
    expect(Buffer.from(b.grads.buffer).equals(Buffer.from(a.grads.buffer))).toBe(true);
    expect(b.loss).toBe(a.loss);
    expect(b.stats).toEqual(a.stats);
  });
});
