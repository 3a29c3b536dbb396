import { describe, expect, it } from "vitest";
import { evaluate, evaluateFilters, MissingInput, type RolloutBatch } from "../../../src/runtime/evaluate/index.js";
import { compilePipeline, pipeline, syntheticBatch, TASK_ENV } from "./helpers.js";

/** Prompt 0 always right, prompt 1 always wrong, prompt 2 mixed, prompt 3 mixed but with a single rollout. */
function dapoBatch(base: RolloutBatch): RolloutBatch {
  const rollouts = base.rollouts
    .filter((r) => r.prompt !== 3 || r.sample === 0)
    .map((r) => {
      const target = String(base.prompts[r.prompt]!.fields["target"]);
      const right = r.prompt === 0 || (r.prompt >= 2 && r.sample % 2 === 0);
      return { ...r, answer: right ? target : "nope" };
    });
  return { prompts: base.prompts, rollouts };
}

describe("filters", () => {
  it("DAPO keeps only groups whose correctness varies", async () => {
    const ir = await compilePipeline("pipelines/dapo.rlp");
    const batch = dapoBatch(syntheticBatch(ir, { prompts: 5, seed: 2 }));
    const { keep } = evaluateFilters(ir, batch, TASK_ENV);
    // Prompt 3 has one rollout: std is NaN (unbiased), and NaN > 0 is false.
    expect(keep).toEqual([false, false, true, false, true]);
    expect(evaluate(ir, batch, TASK_ENV).keep).toEqual(keep);
  });

  it("evaluates only what the filters depend on", async () => {
    const ir = await compilePipeline("pipelines/dapo.rlp");
    const batch = dapoBatch(syntheticBatch(ir, { prompts: 3, seed: 2 }));
    // The filter reads `correct` only, so no task functions are needed for it; the full evaluation needs well_formed.
    expect(evaluateFilters(ir, batch, {}).keep).toEqual([false, false, true]);
    expect(() => evaluate(ir, batch, {})).toThrow(MissingInput);
  });

  it("keeps a prompt only if every filter keeps it; a prompt without rollouts is not kept", () => {
    const ir = pipeline({
      rollout: `prompts = 4  max_tokens = 8  samples = 2
        keep groups where max(tokens by prompt) > 2
        keep groups where min(tokens by prompt) > 1`,
    });
    const base = syntheticBatch(ir, { prompts: 4, seed: 1 });
    const tokens = [[1, 5], [2, 2], [3, 4]];
    const rollouts = base.rollouts.filter((r) => r.prompt < 3).map((r) => ({ ...r, tokens: tokens[r.prompt]![r.sample]! }));
    expect(evaluateFilters(ir, { prompts: base.prompts, rollouts }, TASK_ENV).keep).toEqual([false, false, true, false]);
  });

  it("keeps every prompt when there are no filters", async () => {
    const ir = await compilePipeline("pipelines/grpo.rlp");
    const batch = syntheticBatch(ir, { prompts: 3 });
    expect(evaluateFilters(ir, batch, TASK_ENV).keep).toEqual([true, true, true]);
  });
});
