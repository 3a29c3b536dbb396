import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { groupNormalize, hbpoBudgetReward, maskedWhiten } from "../../../src/runtime/primitives/index.js";
import { evaluate, klEstimate, rolloutValues, type EvalResult, type RolloutBatch } from "../../../src/runtime/evaluate/index.js";
import { BUDGET, CORRECT, HAND, PROMPT, TOKENS, WELL_FORMED } from "./fixtures.js";
import { compileText, pipeline, TASK_ENV } from "./helpers.js";

const USES = "exact_match, well_formed, overlong, hbpo_budget, hbpo_f2";
const run = (reward: string, advantage?: string, batch: RolloutBatch = HAND): EvalResult =>
  evaluate(pipeline({ reward: `${reward}\n score = tokens`, uses: USES, ...(advantage ? { advantage: `${advantage}\n A = score` } : {}) }), batch, TASK_ENV);
const per = (r: EvalResult, name: string) => [...rolloutValues(r, r.terms[name]!)];
const each = (f: (n: number, b: number, i: number) => number) => TOKENS.map((n, i) => f(n, BUDGET[i]!, i));

describe("std.math", () => {
  it("applies each function element by element", () => {
    const r = run(`
      c  = cos(tokens)
      s  = sin(tokens)
      e  = exp(-tokens)
      l  = log(tokens)
      q  = sqrt(tokens)
      a  = abs(budget - tokens)
      p  = pow(tokens, 2)
      cl = clip(tokens, 2, 4)
      mi = minimum(tokens, budget)
      ma = maximum(tokens, budget)
      ind = indicator(tokens > 2)`);
    expect(per(r, "c")).toEqual(each((n) => Math.cos(n)));
    expect(per(r, "s")).toEqual(each((n) => Math.sin(n)));
    expect(per(r, "e")).toEqual(each((n) => Math.exp(-n)));
    expect(per(r, "l")).toEqual(each((n) => Math.log(n)));
    expect(per(r, "q")).toEqual(each((n) => Math.sqrt(n)));
    expect(per(r, "a")).toEqual(each((n, b) => Math.abs(b - n)));
    expect(per(r, "p")).toEqual(each((n) => n * n));
    expect(per(r, "cl")).toEqual(each((n) => Math.min(Math.max(n, 2), 4)));
    expect(per(r, "mi")).toEqual(each((n, b) => Math.min(n, b)));
    expect(per(r, "ma")).toEqual(each((n, b) => Math.max(n, b)));
    expect(per(r, "ind")).toEqual(each((n) => (n > 2 ? 1 : 0)));
  });
});

describe("std.rewards", () => {
  it("exact_match compares the answer with the target; well_formed asks the task", () => {
    const r = run(`
      correct = exact_match(answer, target)
      format = well_formed(text)`);
    expect(per(r, "correct")).toEqual(CORRECT);
    expect(per(r, "format")).toEqual(WELL_FORMED);
  });

  it("overlong is DAPO's linear penalty in the last `buffer` tokens", () => {
    const r = run(`
      ov = overlong(tokens, max: 6, buffer: 2)
      ov2 = overlong(tokens, max: 6, buffer: 4, factor: 0.5)`);
    // 0 up to 4 tokens, then −(n − 4)/2: tokens 5 → −0.5, 6 → −1.
    expect(per(r, "ov")).toEqual(each((n) => (n <= 4 ? 0 : -(n - 4) / 2)));
    expect(per(r, "ov2")).toEqual(each((n) => (n <= 2 ? 0 : (-(n - 2) / 4) * 0.5)));
  });

  it("hbpo_budget pays f2 within the budget and f1 beyond it (paper), min(f1, f2) for `code`", () => {
    const r = run(`
      hp = hbpo_budget(tokens, budget, max: 8)
      hc = hbpo_budget(tokens, budget, max: 8, beta: 2, alpha: 0.5, variant: code, pi_approx: true)
      f2 = hbpo_f2(budget, max: 8)
      f2a = hbpo_f2(budget, max: 8, beta: 2, pi_approx: true)`);
    const f1 = (n: number, b: number, beta: number, alpha: number, pi: number) => beta * Math.cos((pi * n) / 16) - alpha * Math.abs(n - b);
    const f2 = (b: number, beta: number, pi: number) => beta * Math.cos((pi * b) / 16);
    expect(per(r, "hp")).toEqual(each((n, b) => (n <= b ? f2(b, 4, Math.PI) : f1(n, b, 4, 1 / 8, Math.PI))));
    expect(per(r, "hc")).toEqual(each((n, b) => Math.min(f1(n, b, 2, 0.5, 3.1416), f2(b, 2, 3.1416))));
    // The same numbers as the primitive for a correct, well-formed response.
    expect(per(r, "hc")).toEqual(
      each(
        (n, b) =>
          hbpoBudgetReward({ responseLength: n, budget: b, correct: true, hasThinkEnd: true, hasAnswer: true }, { variant: "code", beta: 2, alpha: 0.5, L: 8, pi: 3.1416 })
            .reward,
      ),
    );
    expect(r.terms["f2"]!.set.levels).toEqual(["budget"]);
    expect([...r.terms["f2"]!.data]).toEqual([f2(2, 4, Math.PI), f2(4, 4, Math.PI)]);
    expect([...r.terms["f2a"]!.data]).toEqual([f2(2, 2, 3.1416), f2(4, 2, 3.1416)]);
  });
});

describe("std.advantages", () => {
  it("group_norm is groupNormalize over the groups of `by`", () => {
    const r = run(
      "",
      `
      g   = group_norm(score, by: prompt)
      lo  = group_norm(score, by: prompt, center: loo, scale: false)
      raw = group_norm(score, by: prompt, center: none, eps: 0.5)
      dr  = group_norm(score, by: prompt, scale: false)
      b   = group_norm(score, by: budget)`,
    );
    expect(per(r, "g")).toEqual(groupNormalize(TOKENS, PROMPT));
    expect(per(r, "lo")).toEqual(groupNormalize(TOKENS, PROMPT, { centre: "leave-one-out", scale: "none" }));
    expect(per(r, "raw")).toEqual(groupNormalize(TOKENS, PROMPT, { centre: "none", eps: 0.5 }));
    expect(per(r, "dr")).toEqual(groupNormalize(TOKENS, PROMPT, { scale: "none" }));
    expect(per(r, "b")).toEqual(groupNormalize(TOKENS, BUDGET));
  });

  it("group_norm passes a group of one through as verl does", () => {
    const batch: RolloutBatch = { prompts: HAND.prompts, rollouts: HAND.rollouts.slice(0, 4) };
    const r = run("", "g = group_norm(score, by: prompt)", batch);
    expect(per(r, "g")[3]).toBe(2 / (1 + 1e-6));
  });

  it("whiten is verl's masked_whiten over the whole batch; clip_adv clips to ±limit", () => {
    const r = run("", `W = whiten(score)\n C = clip_adv(score - 3, limit: 1.5)\n D = clip_adv(score * 10)`);
    expect(per(r, "W")).toEqual(maskedWhiten([TOKENS], [TOKENS.map(() => 1)])[0]);
    expect(per(r, "C")).toEqual(each((n) => Math.min(Math.max(n - 3, -1.5), 1.5)));
    expect(per(r, "D")).toEqual(each((n) => Math.min(n * 10, 5)));
  });
});

describe("kl_penalty", () => {
  const withRef: RolloutBatch = {
    prompts: HAND.prompts,
    rollouts: HAND.rollouts.map((r, i) => ({ ...r, refLogp: Float32Array.from(r.logp, (l, t) => l + (t % 2 === 0 ? 0.3 : -0.7) * (i + 1) * 0.1) })),
  };

  it("is verl's per-token estimator on the batch's log-probs, at the token level", () => {
    const ir = pipeline({ advantage: "K1 = kl_penalty(policy, reference)\n K3 = kl_penalty(policy, reference, estimator: k3)\n A = score", uses: USES });
    const r = evaluate(ir, withRef, TASK_ENV);
    const k1 = r.terms["K1"]!;
    expect(k1.set.levels).toEqual(["prompt", "budget", "sample", "token"]);
    const deltas = withRef.rollouts.flatMap((ro) => [...ro.logp].map((l, t) => l - ro.refLogp![t]!));
    expect([...k1.data]).toEqual(deltas);
    const k3 = r.terms["K3"]!.data;
    deltas.forEach((d, i) => expect(k3[i]).toBeCloseTo(Math.exp(-d) + d - 1, 15));
  });

  it("matches verl's kl_penalty fixtures for k1, k2, k3 and abs", () => {
    const dir = "test/conformance/fixtures/verl";
    const files = readdirSync(dir).filter((f) => f.startsWith("kl_penalty"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const fx = JSON.parse(readFileSync(`${dir}/${file}`, "utf8")) as {
        params: { estimator: "k1" | "k2" | "k3" | "abs" };
        inputs: { log_prob: number[][]; ref_log_prob: number[][] };
        expected: { kl: number[][] };
        tolerance: { abs: number; rel: number };
      };
      fx.inputs.log_prob.forEach((row, i) =>
        row.forEach((lp, j) => {
          const want = fx.expected.kl[i]![j]!;
          const got = klEstimate(lp, fx.inputs.ref_log_prob[i]![j]!, fx.params.estimator);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(fx.tolerance.abs + fx.tolerance.rel * Math.abs(want));
        }),
      );
    }
  });

  it("clamps k3 like verl", () => {
    expect(klEstimate(0, 30, "k3")).toBe(10);
    // Small Δ: the series Δ²/2 − Δ³/6 + Δ⁴/24 to ~1e-11 relative, where exp(−Δ) − 1 + Δ would lose ~1e-8.
    expect(klEstimate(1e-4, 0, "k3") / (1e-8 / 2 - 1e-12 / 6 + 1e-16 / 24)).toBeCloseTo(1, 10);
    expect(klEstimate(0.5, 1, "k2")).toBe(0.125);
    expect(klEstimate(0.5, 1, "abs")).toBe(0.5);
  });
});

describe("extern functions from the environment", () => {
  it("applies EvalEnv.functions per element with the call's constant parameters", () => {
    const ir = compileText(`
use std.tasks.{arith}
extern fn shout(text: text, n: i32, times: const i32 = 2) -> f32
pipeline t {
  policy = tiny_lm(preset: "arith")
  data   = arith(digits: 1..2)
  rollout { prompts = 2  max_tokens = 8  samples = 2 }
  reward { score = shout(text, tokens, times: 3) }
  advantage { A = score }
  loss = ppo_clip(A)
  optimize { optimizer = adam(lr: 1e-3) }
}`);
    const batch: RolloutBatch = { prompts: HAND.prompts, rollouts: HAND.rollouts.slice(0, 4).map((r, i) => ({ ...r, levels: {}, prompt: i >> 1, sample: i & 1 })) };
    const r = evaluate(ir, batch, { functions: { shout: (args, params) => (args["text"] as string).length * (params["times"] as number) + (args["n"] as number) } });
    expect(per(r, "score")).toEqual(batch.rollouts.map((ro) => ro.text.length * 3 + ro.tokens));
  });
});
