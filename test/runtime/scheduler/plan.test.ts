import { describe, expect, it } from "vitest";
import { planRun } from "../../../src/runtime/scheduler/plan.js";
import { PlanError } from "../../../src/runtime/services/errors.js";
import { compilePipeline, compileText, smallPipeline } from "./helpers.js";

describe("planRun", () => {
  it("reads GRPO: one combination, groups of 8, a reference for the KL term", async () => {
    const plan = planRun(await compilePipeline("pipelines/grpo.rlp"));
    expect(plan.combos).toEqual([{ values: {}, prefill: "", maxTokens: 48, temperature: 1 }]);
    expect(plan.samples).toEqual({ kind: "fixed", n: 8 });
    expect(plan.usesReference).toBe(true);
    expect([...plan.lossOps].sort()).toEqual(["kl", "ppo_clip"]);
    expect(plan.optimizer).toEqual({ kind: "adam", lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    expect(plan.steps).toBe(200);
    expect(plan.seed).toBe(1);
    expect(plan.policy).toMatchObject({ node: "model.policy", preset: "arith", seed: 0, from: "" });
  });

  it("reads HBPO: one combination per budget with its filled-in prefill", async () => {
    const plan = planRun(await compilePipeline("pipelines/hbpo.rlp"));
    expect(plan.combos.map((c) => [c.values["budget"], c.prefill, c.maxTokens])).toEqual([
      [8, "<think budget=8>", 64],
      [16, "<think budget=16>", 64],
      [32, "<think budget=32>", 64],
      [48, "<think budget=48>", 64],
    ]);
    expect(plan.samples).toEqual({ kind: "fixed", n: 4 });
    expect(plan.usesReference).toBe(false);
  });

  it("carries train_prefill (false unless the rollout block sets it)", () => {
    expect(planRun(smallPipeline()).trainPrefill).toBe(false);
    expect(planRun(smallPipeline({ rollout: "prompts = 2  samples = 2  max_tokens = 8  train_prefill = true" })).trainPrefill).toBe(true);
  });

  it("reads ReMax: a greedy level scores at the training temperature, KL in the reward needs the reference", async () => {
    const plan = planRun(await compilePipeline("pipelines/remax.rlp"));
    expect(plan.combos.map((c) => c.temperature)).toEqual([1, 0]);
    expect(plan.trainTemperature).toBe(1);
    expect(plan.usesReference).toBe(true);
    expect([...plan.lossOps]).toEqual(["reinforce"]);
  });

  it("reads Knapsack-RL's allocation and DAPO's filter", async () => {
    const knapsack = planRun(await compilePipeline("pipelines/knapsack.rlp"));
    expect(knapsack.samples).toEqual({ kind: "knapsack", total: 256, params: { n: 8, minN: 2, maxN: 32, negativeN: 2, positiveN: 2, costEstimation: "probability", allowFallback: true } });
    const dapo = planRun(await compilePipeline("pipelines/dapo.rlp"));
    expect(dapo.filters).toEqual([{ node: "filter.0", refill: 4 }]);
    expect(dapo.refill).toBe(4);
  });

  it("recognises an SFT stage and reads the optimize block's settings", () => {
    const plan = planRun(smallPipeline({ loss: "sft(policy)", optimize: "grad_clip = 1.0  ppo_epochs = 2  mini_batches = 4  checkpoint_every = 5  steps = 7  seed = 3" }));
    expect(plan.sftOnly).toBe(true);
    expect(plan).toMatchObject({ gradClip: 1, ppoEpochs: 2, miniBatches: 4, checkpointEvery: 5, steps: 7, seed: 3 });
  });

  it("refuses levels sampled at different non-zero temperatures", () => {
    const ir = compileText(`
use std.tasks.{arith}
use std.rewards.{exact_match}
pipeline t {
  policy = tiny_lm(preset: "arith")
  data = arith(digits: 1..2)
  rollout { prompts = 2  max_tokens = 8  level t in [1, 2] { samples = 2  temperature = if t == 1 then 0.5 else 1.0 } }
  reward { score = exact_match(answer, target) }
  advantage { A = score }
  loss = ppo_clip(A)
  optimize { optimizer = adam(lr: 1e-3) }
}`);
    expect(() => planRun(ir)).toThrow(PlanError);
    expect(() => planRun(ir)).toThrow(/different temperatures \(0.5, 1\)/);
  });
});
