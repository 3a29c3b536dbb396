import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { EvalEnv } from "../../../src/runtime/evaluate/index.js";
import { layers } from "../../../src/runtime/run/program.js";
import { restoreLatest, runLoop, type StopSignal } from "../../../src/runtime/scheduler/loop.js";
import { planRun } from "../../../src/runtime/scheduler/plan.js";
import { MemorySink, type MetricRecord, type MetricsSink } from "../../../src/runtime/services/metrics.js";
import { extractAnswer, wellFormed } from "../../../src/runtime/tasks/index.js";
import { backend, smallPipeline } from "./helpers.js";

const env: EvalEnv = { task: { wellFormed, extractAnswer: (t) => extractAnswer(t) ?? "" } };

function loop(options: { env?: EvalEnv; steps: number; every: number; stop?: StopSignal; sinks?: MetricsSink[]; dir?: string; resume?: boolean }) {
  const ir = smallPipeline({ reference: true, loss: "ppo_clip(A) + 0.04 * kl(policy, reference)" });
  const plan = planRun(ir);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "rlp-loop-"));
  const stop = options.stop ?? { requested: false };
  const config = { ir, dir, seed: 5, backend, steps: options.steps, checkpointEvery: options.every, keepCheckpoints: 5, workers: 0, sinks: options.sinks ?? [new MemorySink()], stop, resume: false };
  const identity = { irHash: ir.hash, seed: 5 };
  const program = Effect.gen(function* () {
    const start = options.resume === true ? yield* restoreLatest(identity) : { state: { step: 0, cursor: 0 }, tail: [], checkpoint: undefined };
    return yield* runLoop({ plan, env: options.env ?? env, identity, totalSteps: options.steps, checkpointEvery: options.every, stop }, start);
  });
  return { dir, run: () => Effect.runPromise(Effect.scoped(program.pipe(Effect.provide(layers(config, plan))))), exit: () => Effect.runPromise(Effect.flip(Effect.scoped(program.pipe(Effect.provide(layers(config, plan)))))) };
}

const untimed = (rs: readonly MetricRecord[]) => rs.map((r) => ({ step: r.step, data: Object.fromEntries(Object.entries(r.data).filter(([k]) => !k.startsWith("timing/") && !k.startsWith("perf/"))) }));

describe("runLoop", () => {
  it("checkpoints every K steps and after the last, and a restored run continues exactly", async () => {
    const full = new MemorySink();
    const a = loop({ steps: 4, every: 3, sinks: [full] });
    const done = await a.run();
    expect(done.state.step).toBe(4);
    expect(readFileSync(join(a.dir, "checkpoints", "latest"), "utf8")).toBe("step_000004\n");
    expect(full.records.map((r) => r.step)).toEqual([1, 2, 3, 4]);

    // The same run stopped after step 2 (a stop request checkpoints and fails with Interrupted) ...
    const stop: StopSignal = { requested: false };
    const part = new MemorySink();
    const stopper: MetricsSink = { name: "stopper", write: (r) => void (r.step === 2 && (stop.requested = true)), note: () => {}, close: () => {} };
    const b = loop({ steps: 4, every: 3, stop, sinks: [part, stopper] });
    const interrupted = await b.exit();
    expect(interrupted._tag).toBe("Interrupted");
    if (interrupted._tag === "Interrupted") expect(interrupted).toMatchObject({ step: 2, checkpoint: join(b.dir, "checkpoints", "step_000002") });
    // ... and resumed from its checkpoint ends with the same metrics.
    const rest = new MemorySink();
    const resumed = await loop({ steps: 4, every: 3, dir: b.dir, resume: true, sinks: [rest] }).run();
    expect(resumed.state).toEqual(done.state);
    expect(untimed([...part.records, ...rest.records])).toEqual(untimed(full.records));
  });

  it("keeps the last good checkpoint when a step fails", async () => {
    let calls = 0;
    // A reward function that starts failing on the third step's rollouts (4 per step).
    const flaky: EvalEnv = { task: { wellFormed: (t) => { if (++calls > 8) throw new Error("checker lost its model"); return wellFormed(t); }, extractAnswer: () => "" } };
    const c = loop({ steps: 4, every: 2, env: flaky });
    const error = await c.exit();
    expect(error._tag).toBe("RewardFunctionError");
    expect(readFileSync(join(c.dir, "checkpoints", "latest"), "utf8")).toBe("step_000002\n");
  });
});
