import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { LocalExecutor } from "../../../src/runtime/executor/local.js";
import { planRun } from "../../../src/runtime/scheduler/plan.js";
import { sampleRound, scoreRollouts, type StepRollout } from "../../../src/runtime/scheduler/rollouts.js";
import { StepTimer } from "../../../src/runtime/scheduler/timing.js";
import { Executor } from "../../../src/runtime/services/executor.js";
import { Random } from "../../../src/runtime/services/random.js";
import { Tasks } from "../../../src/runtime/services/tasks.js";
import { compilePipeline } from "./helpers.js";

/** The local executor, claiming to run `concurrency` calls at once (so rows are split per level value). */
const concurrent = (concurrency: number) =>
  Layer.effect(
    Executor,
    Effect.gen(function* () {
      const inner = yield* Executor;
      return { ...inner, info: { ...inner.info, concurrency } };
    }),
  ).pipe(Layer.provide(LocalExecutor.layerTest()));

describe("sampleRound", () => {
  it("expands levels with their prefills and caps, and splitting by level value samples the same rollouts", async () => {
    const ir = await compilePipeline("pipelines/hbpo.rlp", ["rollout.prompts=2", "rollout.samples=2", "rollout.max_tokens=12"]);
    const plan = planRun(ir);
    const round = (layer: Layer.Layer<Executor, unknown>): Promise<{ rollouts: StepRollout[]; timing: Record<string, number> }> =>
      Effect.runPromise(
        Effect.gen(function* () {
          const tasks = yield* Tasks;
          const random = yield* Random;
          const prompts = yield* tasks.prompts(0, 2);
          const timer = new StepTimer();
          const rollouts = yield* sampleRound(plan, prompts, [2, 2], { seed: random.seed("sample/round0", 1), step: 1 }, timer);
          return { rollouts, timing: timer.report() };
        }).pipe(Effect.provide(Layer.mergeAll(layer, Tasks.layerTest, Random.layerTest))),
      );
    const one = await round(LocalExecutor.layerTest());
    const split = await round(concurrent(4));
    const view = (rs: readonly StepRollout[]) => rs.map((r) => [r.prompt, r.levels, r.sample, r.text]);
    expect(view(split.rollouts)).toEqual(view(one.rollouts));
    expect(one.rollouts).toHaveLength(16);
    for (const r of one.rollouts) {
      expect(r.text.startsWith(`<think budget=${r.levels["budget"]}>`)).toBe(true);
      expect(r.prefillLength).toBe(1);
      expect(r.tokens).toBeLessThanOrEqual(12);
      expect(r.logp).toHaveLength(r.tokens);
    }
    expect(one.timing["timing/sample"]).toBeGreaterThan(0);
  });

  it("scores reference log-probs equal to the policy's before any update", async () => {
    const ir = await compilePipeline("pipelines/grpo.rlp", ["rollout.prompts=2", "rollout.samples=2", "rollout.max_tokens=8"]);
    const plan = planRun(ir);
    const out = await Effect.runPromise(
      Effect.gen(function* () {
        const prompts = yield* (yield* Tasks).prompts(0, 2);
        const timer = new StepTimer();
        const rollouts = yield* sampleRound(plan, prompts, [2, 2], { seed: 5, step: 1 }, timer);
        return yield* scoreRollouts(plan, rollouts, timer);
      }).pipe(Effect.provide(Layer.mergeAll(LocalExecutor.layerTest(), Tasks.layerTest, Random.layerTest))),
    );
    for (const r of out) {
      expect(r.refLogp).toHaveLength(r.logp.length);
      for (let t = 0; t < r.logp.length; t++) expect(r.refLogp![t]!).toBeCloseTo(r.logp[t]!, 4);
    }
  });
});
