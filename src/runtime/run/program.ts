/**
 * A training run as one Effect program: the plan from the IR, the service layers (LocalExecutor,
 * Tasks, Metrics, Checkpoints, Random), the state to start from (step 0 or the latest checkpoint)
 * and the loop. The CLI commands `run` and `resume` differ only in the config they pass.
 */
import { Effect, Layer } from "effect";
import type { IrDocument } from "../../compiler/ir/types.js";
import type { EvalEnv } from "../evaluate/index.js";
import { LocalExecutor } from "../executor/local.js";
import { restoreLatest, runLoop, type LoopResult, type StopSignal } from "../scheduler/loop.js";
import { planRun, type RunPlan } from "../scheduler/plan.js";
import { Checkpoints } from "../services/checkpoints.js";
import { PlanError } from "../services/errors.js";
import { Executor, type ExecutorInfo } from "../services/executor.js";
import { Metrics, type MetricsSink } from "../services/metrics.js";
import { Random } from "../services/random.js";
import { Tasks } from "../services/tasks.js";
import type { RunSettings } from "./settings.js";

export interface RunConfig extends RunSettings {
  readonly ir: IrDocument;
  readonly dir: string;
  readonly sinks: readonly MetricsSink[];
  readonly stop: StopSignal;
  /** Start from the latest checkpoint when there is one. */
  readonly resume: boolean;
  /** Called once the executor is up and the start state is known (manifest, progress bar). */
  readonly onReady?: (info: ExecutorInfo, startStep: number) => void;
}

export interface RunOutcome extends LoopResult {
  readonly info: ExecutorInfo;
  readonly startStep: number;
}

/** Checks the plan without starting anything (a PlanError names the offending node). */
export function checkPlan(ir: IrDocument): Effect.Effect<RunPlan, PlanError> {
  return Effect.try({ try: () => planRun(ir), catch: (e) => (e instanceof PlanError ? e : new PlanError({ message: String(e) })) });
}

export function layers(config: RunConfig, plan: RunPlan) {
  const data = config.ir.nodes.find((n) => n.id === config.ir.outputs.data)!;
  const executor = LocalExecutor.layer({
    backend: config.backend,
    preset: plan.policy.preset,
    modelSeed: plan.policy.seed,
    ...(plan.policy.from === "" ? {} : { from: plan.policy.from }),
    optimizer: plan.optimizer,
    ...(plan.gradClip === undefined ? {} : { gradClip: plan.gradClip }),
    workers: config.workers,
    reference: plan.usesReference,
  });
  return Layer.mergeAll(
    executor,
    Tasks.layer(data),
    Random.layer(config.seed),
    Metrics.layer(config.sinks),
    Checkpoints.layer({ dir: config.dir, keep: config.keepCheckpoints }),
  );
}

export function trainProgram(config: RunConfig) {
  return Effect.gen(function* () {
    const plan = yield* checkPlan(config.ir);
    const program = Effect.gen(function* () {
      const executor = yield* Executor;
      const tasks = yield* Tasks;
      const identity = { irHash: config.ir.hash, seed: config.seed };
      const start: LoopResult = config.resume ? yield* restoreLatest(identity) : { state: { step: 0, cursor: 0 }, tail: [], checkpoint: undefined };
      config.onReady?.(executor.info, start.state.step);
      const env: EvalEnv = { task: { wellFormed: tasks.wellFormed, extractAnswer: tasks.extractAnswer } };
      const result = yield* runLoop({ plan, env, identity, totalSteps: config.steps, checkpointEvery: config.checkpointEvery, stop: config.stop }, start);
      return { ...result, info: executor.info, startStep: start.state.step } satisfies RunOutcome;
    });
    return yield* Effect.scoped(program.pipe(Effect.provide(layers(config, plan))));
  });
}
