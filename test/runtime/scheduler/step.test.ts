import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { EvalEnv } from "../../../src/runtime/evaluate/index.js";
import { runStep, type LoopState } from "../../../src/runtime/scheduler/step.js";
import { MemorySink } from "../../../src/runtime/services/metrics.js";
import { extractAnswer, wellFormed } from "../../../src/runtime/tasks/index.js";
import { compileColdStart, compilePipeline, smallPipeline, withServices } from "./helpers.js";

const env: EvalEnv = { task: { wellFormed, extractAnswer: (t) => extractAnswer(t) ?? "" } };
const start: LoopState = { step: 0, cursor: 0 };
const untimed = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("timing/") && !k.startsWith("perf/")));

describe("runStep", () => {
  it("samples, scores, evaluates and trains one GRPO step, naming metrics as verl does", async () => {
    const ir = await compilePipeline("pipelines/grpo.rlp", ["rollout.prompts=2", "rollout.samples=3", "rollout.max_tokens=8", "data.digits=1..2"]);
    const out = await withServices(ir, (plan) => runStep(plan, env, start));
    expect(out.state).toEqual({ step: 1, cursor: 2 });
    const m = out.metrics;
    expect(m["batch/prompts"]).toBe(2);
    expect(m["batch/rollouts"]).toBe(6);
    for (const key of ["reward/mean", "accuracy", "response_length/mean", "actor/pg_loss", "actor/pg_clipfrac", "actor/ppo_kl", "actor/kl", "actor/entropy", "actor/grad_norm", "actor/lr"]) {
      expect(m[key], key).toBeTypeOf("number");
    }
    for (const key of ["timing/sample", "timing/score", "timing/train", "timing/step", "timing/overhead", "perf/throughput"]) expect(m[key], key).toBeGreaterThanOrEqual(0);
    expect(m["timing/overhead"]!).toBeLessThan(m["timing/step"]!);
    expect(m["actor/lr"]).toBe(3e-4);
    expect(m["response_length/max"]!).toBeLessThanOrEqual(8);
  });

  it("is a function of the loop state and the seed", async () => {
    const ir = compileColdStart("pipelines/hbpo.rlp", ["rollout.prompts=2", "rollout.samples=1", "rollout.max_tokens=16", "data.digits=1..1"]);
    const once = () => withServices(ir, (plan) => Effect.gen(function* () {
      const a = yield* runStep(plan, env, start);
      const b = yield* runStep(plan, env, a.state);
      return [untimed(a.metrics), untimed(b.metrics)];
    }));
    const [x, y] = [await once(), await once()];
    expect(y).toEqual(x);
    expect(x[0]!["response_length/budget=8/mean"]).toBeTypeOf("number");
    const other = await withServices(ir, (plan) => runStep(plan, env, start), { seed: 2 });
    expect(untimed(other.metrics)).not.toEqual(x[0]);
  });

  it("refills filtered groups for up to `refill` extra rounds, then trains on what was kept", async () => {
    const ir = smallPipeline({ rollout: "prompts = 2  samples = 4  max_tokens = 12  keep groups where std(tokens by prompt) > 0 refill up to 2" });
    const out = await withServices(ir, (plan) => runStep(plan, env, start));
    const kept = out.metrics["batch/prompts"]!;
    const rounds = out.metrics["batch/refill_rounds"]!;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(2);
    if (kept < 2) expect(rounds).toBe(2);
    expect(out.metrics["batch/rollouts"]).toBe(4 * kept);
    expect(out.metrics["batch/prompts_sampled"]).toBe(2 * (1 + rounds));
    expect(out.state.cursor).toBe(2 * (1 + rounds));
    // No group of a random policy has identical scores here: a filter that keeps none spends every refill round.
    const none = smallPipeline({ rollout: "prompts = 2  samples = 2  max_tokens = 8  keep groups where std(tokens by prompt) > 100 refill up to 3" });
    const empty = await withServices(none, (plan) => runStep(plan, env, start));
    expect(empty.metrics).toMatchObject({ "batch/prompts": 0, "batch/refill_rounds": 3, "batch/prompts_sampled": 8 });
    expect(empty.metrics["actor/loss"]).toBeUndefined();
    expect(empty.state.cursor).toBe(8);
  });

  it("keeps per-prompt success rates for Knapsack-RL", async () => {
    const ir = await compilePipeline("pipelines/knapsack.rlp", ["rollout.prompts=2", "rollout.max_tokens=8", "data.digits=3..3"]);
    const out = await withServices(ir, (plan) => runStep(plan, env, start));
    const tracker = out.state.tracker!.toJSON();
    expect(Object.keys(tracker.prompts)).toHaveLength(2);
    for (const entry of Object.values(tracker.prompts)) expect(entry.count).toBe(128);
  });

  it("trains an SFT stage on demonstrations without sampling", async () => {
    const ir = smallPipeline({ loss: "sft(policy)" });
    const out = await withServices(ir, (plan) => Effect.gen(function* () {
      const a = yield* runStep(plan, env, start);
      let s = a.state;
      for (let i = 0; i < 4; i++) s = (yield* runStep(plan, env, s)).state;
      const b = yield* runStep(plan, env, s);
      return [a.metrics, b.metrics];
    }));
    expect(out[0]!["batch/rollouts"]).toBeUndefined();
    expect(out[0]!["actor/sft_loss"]).toBeGreaterThan(0);
    expect(out[1]!["actor/sft_loss"]!).toBeLessThan(out[0]!["actor/sft_loss"]!);
  });

  it("handles a throwing reward function as the pipeline declares: zero and report, or stop with its location", async () => {
    const throwing: EvalEnv = { task: { wellFormed: () => { throw new Error("format checker crashed"); }, extractAnswer: () => "" } };
    const sink = new MemorySink();
    const zero = smallPipeline({ rollout: "prompts = 2  samples = 2  max_tokens = 8  on_reward_error = zero" });
    const out = await withServices(zero, (plan) => runStep(plan, throwing, start), { sink });
    expect(out.metrics["reward/errors"]).toBe(4);
    expect(sink.notes[0]).toMatch(/^warning: reward function `well_formed` \(node n\d+ at inline\.rlp:\d+:\d+\) failed on rollout 0 of step 1: .*format checker crashed; scored 0/);

    const fail = smallPipeline();
    const error = await withServices(fail, (plan) => Effect.flip(runStep(plan, throwing, start)));
    expect(error._tag).toBe("RewardFunctionError");
    if (error._tag === "RewardFunctionError") expect(error.message).toContain("format checker crashed");
  });

  it("stops on a non-finite advantage, naming the node where it went bad", async () => {
    const ir = smallPipeline({ advantage: "A = (score - mean(score by prompt)) / std(score by prompt)" });
    const error = await withServices(ir, (plan) => Effect.flip(runStep(plan, env, start)));
    expect(error._tag).toBe("NonFiniteError");
    if (error._tag === "NonFiniteError") {
      const node = ir.nodes.find((n) => n.id === error.node)!;
      expect(node.op).toBe("div");
      expect(error.step).toBe(1);
    }
  });
});
