import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hbpoAdvantage } from "../../../src/runtime/primitives/index.js";
import { evaluate, rolloutValues, type LossTerm } from "../../../src/runtime/evaluate/index.js";
import { compilePipeline, compileText, syntheticBatch, TASK_ENV } from "./helpers.js";

/** The RL pipelines; `sft.rlp` (the supervised warm start: no reward, no advantage) is checked on its own below. */
const FILES = readdirSync("pipelines")
  .filter((f) => f.endsWith(".rlp") && f !== "sft.rlp")
  .sort();

/** What each shipped pipeline's loss must flatten to: op, coefficient and the parameters that matter. */
const EXPECTED: Record<string, { op: LossTerm["op"]; coef: number; params: Record<string, unknown> }[]> = {
  "dapo.rlp": [{ op: "ppo_clip", coef: 1, params: { eps_low: 0.2, eps_high: 0.28, agg: "token_mean" } }],
  "dr_grpo.rlp": [{ op: "ppo_clip", coef: 1, params: { eps: 0.2, agg: "seq_mean_token_sum_norm", norm_length: 48 } }],
  "grpo.rlp": [
    { op: "ppo_clip", coef: 1, params: { eps: 0.2, agg: "seq_mean_token_mean" } },
    { op: "kl", coef: 0.04, params: { estimator: "k3" } },
  ],
  "hbpo.rlp": [{ op: "ppo_clip", coef: 1, params: { eps_low: 0.2, eps_high: 0.28, dual_clip: 3, agg: "token_mean" } }],
  "knapsack.rlp": [{ op: "ppo_clip", coef: 1, params: { eps_low: 0.2, eps_high: 0.28, agg: "token_mean" } }],
  "remax.rlp": [{ op: "reinforce", coef: 1, params: { agg: "token_mean" } }],
  "rloo.rlp": [
    { op: "ppo_clip", coef: 1, params: { eps: 0.2, agg: "token_mean" } },
    { op: "kl", coef: 0.01, params: { estimator: "k3" } },
  ],
};

describe("loss plans of the shipped pipelines", () => {
  it("covers every pipeline file", () => {
    expect(FILES).toEqual(Object.keys(EXPECTED).sort());
  });

  it("sft.rlp: the loss is one sft term", async () => {
    const ir = await compilePipeline("pipelines/sft.rlp");
    const loss = ir.nodes.filter((n) => n.op === "sft");
    expect(loss).toHaveLength(1);
  });

  for (const file of FILES) {
    it(`${file}: flattens the loss and broadcasts advantages and masks to tokens`, async () => {
      const ir = await compilePipeline(`pipelines/${file}`);
      const batch = syntheticBatch(ir, { seed: 7 });
      const result = evaluate(ir, batch, TASK_ENV);
      const terms = result.loss.terms;
      expect(terms.map((t) => ({ op: t.op, coef: t.coef }))).toEqual(EXPECTED[file]!.map(({ op, coef }) => ({ op, coef })));
      terms.forEach((t, k) => expect(t.params).toMatchObject(EXPECTED[file]![k]!.params));
      for (const t of terms) {
        expect(t.groups).toEqual(batch.rollouts.map((r) => r.prompt));
        expect(t.mask.map((m) => m.length)).toEqual(batch.rollouts.map((r) => r.logp.length));
        if (t.op === "ppo_clip" || t.op === "reinforce") {
          expect(t.advantages!.map((a) => a.length)).toEqual(batch.rollouts.map((r) => r.logp.length));
          expect(t.advantages!.every((a) => a.every(Number.isFinite))).toBe(true);
        } else {
          expect(t.advantages).toBeUndefined();
        }
      }
      // A per-rollout advantage is the same on every token of the rollout.
      const A = result.terms["A"]!;
      const main = terms[0]!;
      if (!A.set.token) {
        const perRollout = rolloutValues(result, A);
        batch.rollouts.forEach((_, i) => {
          const mask = main.mask[i]!;
          main.advantages![i]!.forEach((a, t) => expect(a).toBe(mask[t] === 1 ? Math.fround(perRollout[i]!) : 0));
        });
      }
      expect(result.metrics["reward/mean"]).toBe(result.metrics["reward/score/mean"]);
      expect(result.metrics["accuracy"]).toBeGreaterThanOrEqual(0);
      expect(result.metrics["response_length/mean"]).toBeGreaterThan(0);
      expect(Object.values(result.metrics).every(Number.isFinite)).toBe(true);
    });
  }

  it("remax: trains on the sampled rollouts only, with the per-token KL in the advantage", async () => {
    const ir = await compilePipeline("pipelines/remax.rlp");
    const batch = syntheticBatch(ir, { seed: 3 });
    const result = evaluate(ir, batch, TASK_ENV);
    const [term] = result.loss.terms;
    const score = rolloutValues(result, result.terms["score"]!);
    batch.rollouts.forEach((r, i) => {
      const sampled = r.levels["mode"] === "sample";
      expect([...term!.mask[i]!].every((m) => m === (sampled ? 1 : 0))).toBe(true);
      if (!sampled) return;
      const greedy = batch.rollouts.findIndex((g) => g.prompt === r.prompt && g.levels["mode"] === "greedy");
      const base = Math.min(Math.max(score[i]! - score[greedy]!, -5), 5);
      term!.advantages![i]!.forEach((a, t) => expect(a).toBe(Math.fround(base - 0.05 * (r.logp[t]! - r.refLogp![t]!))));
    });
  });

  it("knapsack: ragged prompt groups of 2 to 6 rollouts", async () => {
    const ir = await compilePipeline("pipelines/knapsack.rlp");
    const batch = syntheticBatch(ir, { seed: 5 });
    const sizes = new Set(batch.prompts.map((_, p) => batch.rollouts.filter((r) => r.prompt === p).length));
    expect(sizes.size).toBeGreaterThan(1);
    const result = evaluate(ir, batch, TASK_ENV);
    const A = rolloutValues(result, result.terms["A"]!);
    expect(A.every((a) => Math.abs(a) <= 5)).toBe(true);
  });
});

describe("equivalences", () => {
  const groupNormGrpo = compileText(`
use std.tasks.{arith}
use std.rewards.{exact_match, well_formed}
pipeline g {
  policy = tiny_lm(preset: "arith")
  data   = arith(digits: 1..6)
  rollout { prompts = 32  samples = 8  max_tokens = 48 }
  reward {
    correct = exact_match(answer, target)
    score   = if !well_formed(text) then -1 else correct
  }
  advantage { A = group_norm(score, by: prompt) }
  loss = ppo_clip(A)
  optimize { optimizer = adam(lr: 3e-4) }
}`);

  for (const ragged of [false, true]) {
    it(`grpo.rlp's hand-written advantage equals group_norm${ragged ? " on ragged groups" : ""}`, async () => {
      const ir = await compilePipeline("pipelines/grpo.rlp");
      const batch = syntheticBatch(ir, { seed: 11, ...(ragged ? { groupSize: (p: number) => 2 + (p % 5) } : {}) });
      const hand = evaluate(ir, batch, TASK_ENV);
      const viaPrimitive = evaluate(groupNormGrpo, batch, TASK_ENV);
      const a = rolloutValues(hand, hand.terms["A"]!);
      expect(a.some((x) => x !== 0)).toBe(true);
      expect(a).toEqual(rolloutValues(viaPrimitive, viaPrimitive.terms["A"]!));
    });
  }

  for (const ragged of [false, true]) {
    it(`hbpo.rlp's advantage equals hbpoAdvantage with intra_coef 1 and its beta 2${ragged ? " on ragged subgroups" : ""}`, async () => {
      const ir = await compilePipeline("pipelines/hbpo.rlp");
      const batch = syntheticBatch(ir, { seed: 13, pCorrect: 0.7, ...(ragged ? { groupSize: (p: number, l: Record<string, unknown>) => 1 + ((p + Number(l["budget"])) % 4) } : {}) });
      const result = evaluate(ir, batch, TASK_ENV);
      const rewards = [...rolloutValues(result, result.terms["score"]!)];
      expect(new Set(rewards).size).toBeGreaterThan(2);
      const expected = hbpoAdvantage(
        { rewards, groups: batch.rollouts.map((r) => r.prompt), budgets: batch.rollouts.map((r) => Number(r.levels["budget"])) },
        { intraCoef: 1, epsilon: 1e-6, beta: 2, L: 64, pi: Math.PI },
      );
      const got = rolloutValues(result, result.terms["A"]!);
      got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
    });
  }
});

describe("degenerate batches", () => {
  it("evaluates a batch without rollouts to an empty plan", async () => {
    const ir = await compilePipeline("pipelines/grpo.rlp");
    const result = evaluate(ir, { prompts: [{ id: "p", fields: { target: "1", difficulty: 1 } }], rollouts: [] }, TASK_ENV);
    expect(result.loss.terms.map((t) => [t.op, t.mask.length])).toEqual([["ppo_clip", 0], ["kl", 0]]);
    expect(result.keep).toEqual([true]);
    expect(result.metrics).toEqual({});
  });
});
