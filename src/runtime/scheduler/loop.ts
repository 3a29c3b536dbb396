/**
 * The training loop: steps from the loop state to `totalSteps`, one metrics record per step
 * (written before the step's checkpoint, so a checkpoint never covers a step whose line is
 * missing), a checkpoint every K steps and after the last one. A stop request (SIGINT) is honoured
 * between steps: the state is checkpointed and the loop fails with Interrupted. A failing step
 * writes nothing, so the last good checkpoint stays `latest`.
 */
import { Clock, Effect } from "effect";
import type { EvalEnv } from "../evaluate/index.js";
import { Checkpoints } from "../services/checkpoints.js";
import { CheckpointError, Interrupted } from "../services/errors.js";
import { Executor } from "../services/executor.js";
import { Metrics, type MetricRecord } from "../services/metrics.js";
import { fromCheckpoint, toCheckpoint, type RunIdentity } from "./checkpoint-state.js";
import type { RunPlan } from "./plan.js";
import { runStep, type LoopState } from "./step.js";

/** Set by a signal handler; read between steps. */
export interface StopSignal {
  requested: boolean;
}

export interface LoopOptions {
  readonly plan: RunPlan;
  readonly env: EvalEnv;
  readonly identity: RunIdentity;
  readonly totalSteps: number;
  readonly checkpointEvery: number;
  readonly stop: StopSignal;
}

const TAIL = 20;

/**
 * A step on the local executor is one long chain of promise continuations (the tfjs backends
 * resolve reads immediately), which starves the event loop: without a turn of it between steps,
 * a SIGINT handler would only run after the last step.
 */
const yieldToEventLoop = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)));

export interface LoopResult {
  readonly state: LoopState;
  readonly tail: readonly MetricRecord[];
  /** Directory of the last checkpoint written. */
  readonly checkpoint: string | undefined;
}

/** The state to start from: the latest checkpoint (restored into the executor), or step 0. */
export const restoreLatest = Effect.fn("Scheduler.restore")(function* (identity: RunIdentity) {
  const checkpoints = yield* Checkpoints;
  const executor = yield* Executor;
  const stored = yield* checkpoints.latest;
  if (stored === undefined) return { state: { step: 0, cursor: 0 } as LoopState, tail: [] as MetricRecord[], checkpoint: undefined };
  const restored = yield* Effect.try({
    try: () => fromCheckpoint(stored, identity),
    catch: (e) => (e instanceof CheckpointError ? e : new CheckpointError({ path: stored.path, message: String(e) })),
  });
  yield* executor.importState(restored.executor);
  return { state: restored.state, tail: restored.tail, checkpoint: stored.path as string | undefined };
});

export const runLoop = Effect.fn("Scheduler.loop")(function* (options: LoopOptions, start: LoopResult) {
  const metrics = yield* Metrics;
  const checkpoints = yield* Checkpoints;
  const executor = yield* Executor;
  let state = start.state;
  let saved = start.checkpoint;
  let savedStep = start.checkpoint === undefined ? -1 : state.step;
  const tail = [...start.tail];
  const save = Effect.fn("Scheduler.checkpoint")(function* () {
    if (savedStep === state.step) return saved;
    const exported = yield* executor.exportState;
    saved = yield* checkpoints.save(toCheckpoint(state, exported, options.identity, tail));
    savedStep = state.step;
    return saved;
  });
  while (state.step < options.totalSteps) {
    yield* yieldToEventLoop;
    if (options.stop.requested) {
      const path = yield* save();
      return yield* new Interrupted({ step: state.step, checkpoint: path ?? "" });
    }
    const outcome = yield* runStep(options.plan, options.env, state);
    state = outcome.state;
    const record: MetricRecord = { step: state.step, data: outcome.metrics, wall_time: (yield* Clock.currentTimeMillis) / 1000 };
    yield* metrics.emit(record);
    tail.push(record);
    if (tail.length > TAIL) tail.shift();
    if (state.step % options.checkpointEvery === 0 || state.step === options.totalSteps) yield* save();
  }
  return { state, tail, checkpoint: saved } satisfies LoopResult;
});
