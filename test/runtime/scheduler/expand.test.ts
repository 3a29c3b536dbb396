import { describe, expect, it } from "vitest";
import { comboRanges, expandRows, groupSizes } from "../../../src/runtime/scheduler/expand.js";
import { planRun } from "../../../src/runtime/scheduler/plan.js";
import { PromptSuccessTracker } from "../../../src/runtime/primitives/index.js";
import { compilePipeline } from "./helpers.js";

describe("rollout expansion", () => {
  it("numbers rows combination-major so that each combination is one contiguous range", async () => {
    const plan = planRun(await compilePipeline("pipelines/hbpo.rlp", ["rollout.prompts=2", "rollout.samples=2"]));
    const rows = expandRows(plan, groupSizes(plan, ["a", "b"], undefined));
    expect(rows.slice(0, 5)).toEqual([
      { prompt: 0, combo: 0, sample: 0 },
      { prompt: 0, combo: 0, sample: 1 },
      { prompt: 1, combo: 0, sample: 0 },
      { prompt: 1, combo: 0, sample: 1 },
      { prompt: 0, combo: 1, sample: 0 },
    ]);
    expect(rows).toHaveLength(16);
    expect(comboRanges(rows)).toEqual([[0, 4], [4, 8], [8, 12], [12, 16]]);
    expect(comboRanges([])).toEqual([]);
  });

  it("allocates ragged groups by Knapsack-RL from the per-prompt success history", async () => {
    const plan = planRun(await compilePipeline("pipelines/knapsack.rlp", ["rollout.prompts=4"]));
    const fresh = groupSizes(plan, ["p0", "p1", "p2", "p3"], undefined);
    expect(fresh).toEqual([64, 64, 64, 64]);
    const tracker = new PromptSuccessTracker();
    tracker.update("p0", [1, 1, 1, 1, 1, 1, 1, 1]);
    tracker.update("p1", [0, 0, 0, 0, 0, 0, 0, 0]);
    tracker.update("p2", [1, 0, 1, 0, 1, 0, 1, 0]);
    tracker.update("p3", [1, 0, 0, 0, 0, 0, 0, 0]);
    const sizes = groupSizes(plan, ["p0", "p1", "p2", "p3"], tracker);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(256);
    expect(sizes[0]).toBe(2);
    expect(sizes[2]!).toBeGreaterThan(2);
    expect(expandRows(plan, sizes)).toHaveLength(256);
  });
});
