/**
 * One training step, in the order the planned graph allows:
 *
 *   prompts (Tasks) → rows (levels × samples, allocation) → sample (Executor) → filters, refill
 *   → score (reference; stale behaviour log-probs) → evaluate (rewards, advantages, loss plan)
 *   → train (mini-batches × epochs) → per-prompt state → metrics
 *
 * The step is a function of the loop state (step, data cursor, per-prompt state), the executor's
 * state and the root seed; nothing else is read, which is what makes resume exact.
 */
import { Effect } from "effect";
import { rolloutValues, type EvalEnv, type EvalResult } from "../evaluate/index.js";
import { PromptSuccessTracker } from "../primitives/index.js";
import { Executor, type TrainOutput } from "../services/executor.js";
import type { EvaluateError, ExecutorError, NonFiniteError, PlanError, RewardFunctionError, TaskError } from "../services/errors.js";
import { Metrics } from "../services/metrics.js";
import { Random } from "../services/random.js";
import { Tasks, type TaskPrompt } from "../services/tasks.js";
import { groupSizes } from "./expand.js";
import { evaluateStep, evaluateStepFilters } from "./evaluation.js";
import type { RunPlan } from "./plan.js";
import { sampleRound, scoreRollouts, toBatch, type StepRollout } from "./rollouts.js";
import { describeRewardError } from "./reward-errors.js";
import { stepMetrics, type BatchInfo } from "./step-metrics.js";
import { StepTimer } from "./timing.js";
import { buildTrainInput, miniBatches } from "./train-input.js";

export interface LoopState {
  /** Steps completed. */
  readonly step: number;
  /** Index of the next prompt of the task's stream. */
  readonly cursor: number;
  /** Per-prompt success history (Knapsack allocation). */
  readonly tracker?: PromptSuccessTracker;
}

export interface StepOutcome {
  readonly state: LoopState;
  readonly metrics: Record<string, number>;
}

export type StepError = ExecutorError | TaskError | NonFiniteError | RewardFunctionError | EvaluateError | PlanError;

interface Group {
  readonly prompt: TaskPrompt;
  readonly rollouts: StepRollout[];
}

/** Groups of one round, by prompt, in prompt order. */
function groupsOf(prompts: readonly TaskPrompt[], rollouts: readonly StepRollout[]): Group[] {
  const groups = prompts.map((prompt) => ({ prompt, rollouts: [] as StepRollout[] }));
  for (const r of rollouts) groups[r.prompt]!.rollouts.push(r);
  return groups;
}

/** Rounds of sampling until `prompts` groups pass the filters (or the refill budget is spent). */
const collect = Effect.fn("Scheduler.collect")(function* (plan: RunPlan, env: EvalEnv, state: LoopState, step: number, timer: StepTimer) {
  const tasks = yield* Tasks;
  const random = yield* Random;
  let cursor = state.cursor;
  const kept: Group[] = [];
  let rounds = 0;
  let sampled = 0;
  let sampledRollouts = 0;
  let sampledTokens = 0;
  for (let round = 0; round <= plan.refill; round++) {
    const prompts = yield* tasks.prompts(cursor, plan.prompts);
    cursor += plan.prompts;
    rounds++;
    sampled += prompts.length;
    const sizes = groupSizes(plan, prompts.map((p) => p.id), state.tracker);
    const rollouts = yield* sampleRound(plan, prompts, sizes, { seed: random.seed(`sample/round${round}`, step), step }, timer);
    sampledRollouts += rollouts.length;
    for (const r of rollouts) sampledTokens += r.tokens;
    const groups = groupsOf(prompts, rollouts);
    if (plan.filters.length === 0) {
      kept.push(...groups);
      break;
    }
    const scored = plan.usesReference ? yield* scoreRollouts(plan, rollouts, timer) : rollouts;
    const { keep } = yield* timer.time("evaluate", evaluateStepFilters(plan.ir, toBatch(groupsOf(prompts, scored)), env, step));
    groups.forEach((g, i) => {
      if (keep[i] === true) kept.push(g);
    });
    if (kept.length >= plan.prompts) break;
  }
  return { groups: kept.slice(0, plan.prompts), cursor, rounds, sampled, sampledRollouts, sampledTokens };
});

/** Runs the updates of one step: mini-batches × PPO epochs, statistics averaged over them. */
const train = Effect.fn("Scheduler.train")(function* (plan: RunPlan, input: NonNullable<ReturnType<typeof buildTrainInput>>, timer: StepTimer) {
  const executor = yield* Executor;
  const outputs: TrainOutput[] = [];
  for (let epoch = 0; epoch < plan.ppoEpochs; epoch++) {
    for (const part of miniBatches(input, plan.miniBatches)) outputs.push(yield* timer.time("train", executor.train(part)));
  }
  return outputs;
});

export const runStep = Effect.fn("Scheduler.step")(function* (plan: RunPlan, env: EvalEnv, state: LoopState) {
  const metrics = yield* Metrics;
  const tasks = yield* Tasks;
  const random = yield* Random;
  const step = state.step + 1;
  const timer = new StepTimer();

  let cursor = state.cursor;
  let result: EvalResult | undefined;
  let rollouts: StepRollout[] = [];
  let batchInfo: BatchInfo = { rounds: 0, sampled: 0, kept: 0, sampledRollouts: 0, sampledTokens: 0 };
  if (!plan.sftOnly) {
    const got = yield* collect(plan, env, state, step, timer);
    cursor = got.cursor;
    batchInfo = { rounds: got.rounds, sampled: got.sampled, kept: got.groups.length, sampledRollouts: got.sampledRollouts, sampledTokens: got.sampledTokens };
    const batch = toBatch(got.groups);
    rollouts = yield* scoreRollouts(plan, batch.rollouts, timer);
    if (rollouts.length > 0) {
      result = yield* timer.time("evaluate", evaluateStep(plan.ir, { prompts: batch.prompts, rollouts }, env, step));
      for (const e of result.rewardErrors) yield* metrics.note(describeRewardError(e, step));
    }
  }

  const demos = plan.lossOps.has("sft") ? yield* tasks.demonstrations(random.seed("sft/demonstrations", step), plan.prompts) : [];
  // An SFT stage samples nothing: its loss plan comes from an empty batch.
  const lossPlan = plan.sftOnly ? (yield* timer.time("evaluate", evaluateStep(plan.ir, { prompts: [], rollouts: [] }, env, step))).loss : result?.loss;
  const input = lossPlan === undefined ? undefined : buildTrainInput(lossPlan, rollouts, demos, plan.trainTemperature, step, { trainPrefill: plan.trainPrefill });
  const outputs = input === undefined ? [] : yield* train(plan, input, timer);

  let tracker = state.tracker;
  if (plan.samples.kind === "knapsack" && result !== undefined) tracker = updateTracker(result, rollouts, tracker);

  const data = stepMetrics({ plan, result, rollouts, outputs, batch: batchInfo, rewardErrors: result?.rewardErrors.length ?? 0, timing: timer.report() });
  return { state: { step, cursor, ...(tracker === undefined ? {} : { tracker }) }, metrics: data } satisfies StepOutcome;
});

/** Knapsack-RL's per-prompt success rates: the `correct` term (or `score`) of each rollout kept. */
function updateTracker(result: EvalResult, rollouts: readonly StepRollout[], before: PromptSuccessTracker | undefined): PromptSuccessTracker {
  const tracker = before === undefined ? new PromptSuccessTracker() : PromptSuccessTracker.fromJSON(before.toJSON());
  const term = result.terms["correct"] ?? result.terms["score"];
  if (term === undefined || term.kind !== "num" || term.set.token) return tracker;
  const values = rolloutValues(result, term);
  const byPrompt = new Map<number, number[]>();
  rollouts.forEach((r, i) => {
    const v = values[i]!;
    if (Number.isNaN(v)) return;
    const list = byPrompt.get(r.prompt) ?? [];
    list.push(v > 0 ? 1 : v < 0 ? -1 : 0);
    byPrompt.set(r.prompt, list);
  });
  const ids = result.index.batch.prompts;
  for (const [p, rewards] of byPrompt) tracker.update(ids[p]!.id, rewards);
  return tracker;
}
