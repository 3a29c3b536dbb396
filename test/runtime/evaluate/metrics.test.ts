import { describe, expect, it } from "vitest";
import { evaluate, type RolloutBatch } from "../../../src/runtime/evaluate/index.js";
import { HAND } from "./fixtures.js";
import { compilePipeline, pipeline, syntheticBatch, TASK_ENV } from "./helpers.js";

const reward = "correct = exact_match(answer, target)\n score = if !well_formed(text) then -1 else correct";
const advantage = "A = score - mean(score by prompt)";
// Scores of HAND: [1, −1, 0 | 1, 1, 0, −1]; correct: [1, 1, 0 | 1, 1, 0, 1].
const SCORES = [1, -1, 0, 1, 1, 0, -1];

function std(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

describe("metrics", () => {
  it("reports every term, the reward, accuracy and response lengths per level value", () => {
    const m = evaluate(pipeline({ reward, advantage }), HAND, TASK_ENV).metrics;
    expect(m["reward/score/mean"]).toBeCloseTo(1 / 7, 15);
    expect(m["reward/score/std"]).toBeCloseTo(std(SCORES), 15);
    expect(m["reward/score/min"]).toBe(-1);
    expect(m["reward/score/max"]).toBe(1);
    expect(m["reward/mean"]).toBe(m["reward/score/mean"]);
    expect(m["reward/correct/mean"]).toBe(5 / 7);
    expect(m["accuracy"]).toBe(5 / 7);
    expect(m["advantage/A/mean"]).toBeCloseTo(0, 15);
    expect(m["advantage/A/max"]).toBe(1);
    expect(m["response_length/mean"]).toBe(23 / 7);
    expect(m["response_length/max"]).toBe(6);
    expect(m["response_length/min"]).toBe(1);
    expect(m["response_length/budget=2/mean"]).toBe(5 / 3);
    expect(m["response_length/budget=4/mean"]).toBe(4.5);
    expect(m["frac_reward_zero_std"]).toBe(0);
  });

  it("counts prompt groups whose score does not vary; a group of one does not count", () => {
    const rollouts = HAND.rollouts.map((r) => (r.prompt === 1 ? { ...r, text: "d</think>", answer: "5" } : r));
    expect(evaluate(pipeline({ reward, advantage }), { prompts: HAND.prompts, rollouts }, TASK_ENV).metrics["frac_reward_zero_std"]).toBe(0.5);
    const single: RolloutBatch = { prompts: HAND.prompts, rollouts: [HAND.rollouts[0]!, ...rollouts.slice(3)] };
    expect(evaluate(pipeline({ reward, advantage }), single, TASK_ENV).metrics["frac_reward_zero_std"]).toBe(0.5);
  });

  it("leaves out what a pipeline does not define and statistics that are undefined", () => {
    const m = evaluate(pipeline({ reward: "score = tokens\n d = difficulty" }), { prompts: HAND.prompts, rollouts: HAND.rollouts.slice(0, 3) }, TASK_ENV).metrics;
    expect(m["accuracy"]).toBeUndefined();
    // One prompt: `d` has a single value, so no std.
    expect(m["reward/d/mean"]).toBe(1);
    expect(m["reward/d/std"]).toBeUndefined();
    expect(Object.keys(m).filter((k) => k.startsWith("response_length/budget"))).toEqual(["response_length/budget=2/mean", "response_length/budget=4/mean"]);
  });

  it("names text level values as written (remax: mode=sample, mode=greedy)", async () => {
    const ir = await compilePipeline("pipelines/remax.rlp");
    const m = evaluate(ir, syntheticBatch(ir), TASK_ENV).metrics;
    expect(m["response_length/mode=sample/mean"]).toBeGreaterThan(0);
    expect(m["response_length/mode=greedy/mean"]).toBeGreaterThan(0);
    expect(m["advantage/A/mean"]).toBeDefined();
  });
});
