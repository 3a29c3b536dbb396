import { describe, expect, it } from "vitest";
import type { LossPlan } from "../../../src/runtime/evaluate/index.js";
import type { StepRollout } from "../../../src/runtime/scheduler/rollouts.js";
import { buildTrainInput, miniBatches } from "../../../src/runtime/scheduler/train-input.js";

function rollout(prompt: number, response: number[], prefillLength = 0): StepRollout {
  return {
    prompt,
    levels: {},
    sample: 0,
    text: "",
    answer: "",
    tokens: response.length,
    finished: true,
    logp: Float32Array.from(response, (_, i) => -1 - i),
    entropy: new Float32Array(response.length),
    refLogp: new Float32Array(response.length),
    promptTokens: Int32Array.from([1, 3 + prompt]),
    response: Int32Array.from(response),
    prefillLength,
    logpTemperature: 1,
  };
}

const rollouts = [rollout(0, [20, 5, 6], 1), rollout(0, [7, 8]), rollout(1, [9]), rollout(1, [10, 11])];
const ones = (r: StepRollout) => new Uint8Array(r.response.length).fill(1);

describe("buildTrainInput", () => {
  it("masks forced prefill tokens, drops rows no term sees, and maps term parameters", () => {
    const plan: LossPlan = {
      terms: [
        {
          op: "ppo_clip",
          coef: 1,
          node: "n9",
          params: { eps: 0.2, eps_high: 0.28, dual_clip: 3, agg: "seq_mean_token_sum_norm", norm_length: 48, variant: "vanilla" },
          advantages: rollouts.map((r) => new Float32Array(r.response.length).fill(0.5)),
          // Rollout 2 (prompt 1) is masked out entirely, as a greedy baseline is.
          mask: rollouts.map((r, i) => (i === 2 ? new Uint8Array(r.response.length) : ones(r))),
          groups: rollouts.map((r) => r.prompt),
        },
        { op: "kl", coef: 0.04, node: "n15", params: { estimator: "k3_plus", agg: "token_mean" }, mask: rollouts.map(ones), groups: rollouts.map((r) => r.prompt) },
      ],
    };
    const input = buildTrainInput(plan, rollouts, [], 1, 5)!;
    expect(input.rows).toHaveLength(4);
    const pg = input.terms[0]!;
    expect(pg).toMatchObject({ kind: "policy", variant: "vanilla", clipLow: 0.2, clipHigh: 0.28, dualClip: 3, agg: "seq_mean_token_sum_norm", normLength: 48, coef: 1, node: "n9" });
    expect(Array.from(pg.mask[0]!)).toEqual([0, 1, 1]);
    expect(Array.from(pg.mask[2]!)).toEqual([0]);
    expect(input.terms[1]).toMatchObject({ kind: "kl", estimator: "k3+", coef: 0.04 });
    expect(input.step).toBe(5);

    const only = buildTrainInput({ terms: [plan.terms[0]!] }, rollouts, [], 1, 5)!;
    expect(only.rows.map((r) => r.response.length)).toEqual([3, 2, 2]);
    expect(only.rows.map((r) => r.group)).toEqual([0, 0, 1]);
  });

  it("adds demonstrations as rows only the SFT terms see", () => {
    const plan: LossPlan = {
      terms: [
        { op: "reinforce", coef: 1, node: "r", params: {}, advantages: rollouts.map((r) => new Float32Array(r.response.length)), mask: rollouts.map(ones), groups: rollouts.map((r) => r.prompt) },
        { op: "sft", coef: 0.1, node: "s", params: {}, mask: rollouts.map(ones), groups: rollouts.map((r) => r.prompt) },
      ],
    };
    const demos = [{ prompt: Int32Array.from([1, 4]), response: Int32Array.from([21, 6, 7, 2]), prefillLength: 1 }];
    const input = buildTrainInput(plan, rollouts, demos, 1, 1)!;
    expect(input.rows).toHaveLength(5);
    expect(input.rows[4]!.group).toBe(-1);
    const [rl, sft] = input.terms;
    expect(Array.from(rl!.mask[4]!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(sft!.mask[0]!)).toEqual([0, 0, 0]);
    expect(Array.from(sft!.mask[4]!)).toEqual([0, 1, 1, 1]);
    expect(sft).toMatchObject({ kind: "sft", coef: 0.1, agg: "token_mean" });
  });

  it("trains on forced prefill tokens only under train_prefill, for RL rows and SFT demonstrations", () => {
    const plan: LossPlan = {
      terms: [
        { op: "reinforce", coef: 1, node: "r", params: {}, advantages: rollouts.map((r) => new Float32Array(r.response.length).fill(1)), mask: rollouts.map(ones), groups: rollouts.map((r) => r.prompt) },
        { op: "sft", coef: 0.1, node: "s", params: {}, mask: rollouts.map(ones), groups: rollouts.map((r) => r.prompt) },
      ],
    };
    // Rollout 0 and the demonstration open with one forced token (a budget tag).
    const demos = [{ prompt: Int32Array.from([1, 4]), response: Int32Array.from([21, 6, 7, 2]), prefillLength: 1 }];
    const masked = buildTrainInput(plan, rollouts, demos, 1, 1)!;
    const explicit = buildTrainInput(plan, rollouts, demos, 1, 1, { trainPrefill: false })!;
    const trained = buildTrainInput(plan, rollouts, demos, 1, 1, { trainPrefill: true })!;
    expect(Array.from(masked.terms[0]!.mask[0]!)).toEqual([0, 1, 1]);
    expect(Array.from(masked.terms[1]!.mask[4]!)).toEqual([0, 1, 1, 1]);
    expect(explicit).toEqual(masked);
    expect(Array.from(trained.terms[0]!.mask[0]!)).toEqual([1, 1, 1]);
    expect(Array.from(trained.terms[1]!.mask[4]!)).toEqual([1, 1, 1, 1]);
    // The forced token's behaviour log-prob (the sampler scored it) is the row's, unchanged.
    expect(trained.rows[0]!.oldLogp).toBe(rollouts[0]!.logp);
    // Rows without a prefill, the plan's own zeros and the SFT rows' RL masks are untouched.
    expect(trained.terms[0]!.mask.slice(1)).toEqual(masked.terms[0]!.mask.slice(1));
    expect(trained.terms[1]!.mask.slice(0, 4)).toEqual(masked.terms[1]!.mask.slice(0, 4));
    const greedy: LossPlan = { terms: [{ ...plan.terms[0]!, mask: rollouts.map((r, i) => (i === 0 ? Uint8Array.from([0, 1, 1]) : ones(r))) }] };
    expect(Array.from(buildTrainInput(greedy, rollouts, [], 1, 1, { trainPrefill: true })!.terms[0]!.mask[0]!)).toEqual([0, 1, 1]);
  });

  it("returns nothing when no term sees a token", () => {
    const plan: LossPlan = { terms: [{ op: "ppo_clip", coef: 1, node: "n", params: {}, advantages: [], mask: rollouts.map((r) => new Uint8Array(r.response.length)), groups: [] }] };
    expect(buildTrainInput(plan, rollouts, [], 1, 1)).toBeUndefined();
  });
});

describe("miniBatches", () => {
  it("splits by whole prompt groups, in order", () => {
    const plan: LossPlan = {
      terms: [{ op: "reinforce", coef: 1, node: "r", params: {}, advantages: rollouts.map((r) => new Float32Array(r.response.length).fill(1)), mask: rollouts.map(ones), groups: rollouts.map((r) => r.prompt) }],
    };
    const input = buildTrainInput(plan, rollouts, [], 1, 1)!;
    const parts = miniBatches(input, 2);
    expect(parts.map((p) => p.rows.map((r) => r.group))).toEqual([[0, 0], [1, 1]]);
    expect(parts[1]!.terms[0]!.mask.map((m) => m.length)).toEqual([1, 2]);
    expect(miniBatches(input, 1)).toEqual([input]);
    expect(miniBatches(input, 9)).toHaveLength(2);
  });
});
