/**
 * A step's metrics under verl/TRL names: the evaluator's reward, advantage and length statistics,
 * `actor/*` from the updates (averaged over mini-batches and epochs; `actor/lr` is the last),
 * `batch/*` sizes, `timing/*` in seconds and `perf/*` rates. Non-finite values are left out so
 * every line of metrics.jsonl is valid JSON.
 */
import type { EvalResult } from "../evaluate/index.js";
import type { TrainOutput } from "../services/executor.js";
import type { RunPlan } from "./plan.js";
import type { StepRollout } from "./rollouts.js";

export interface BatchInfo {
  readonly rounds: number;
  readonly sampled: number;
  readonly kept: number;
  readonly sampledRollouts: number;
  readonly sampledTokens: number;
}

export interface StepMetricsInput {
  readonly plan: RunPlan;
  readonly result: EvalResult | undefined;
  readonly rollouts: readonly StepRollout[];
  readonly outputs: readonly TrainOutput[];
  readonly batch: BatchInfo;
  readonly rewardErrors: number;
  readonly timing: Readonly<Record<string, number>>;
}

const ACTOR: Readonly<Record<string, string>> = {
  pg_loss: "actor/pg_loss",
  pg_clipfrac: "actor/pg_clipfrac",
  pg_clipfrac_lower: "actor/pg_clipfrac_lower",
  ppo_kl: "actor/ppo_kl",
  kl_loss: "actor/kl",
  entropy: "actor/entropy",
  sft_loss: "actor/sft_loss",
};

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Token-mean of log π − log π_ref (k1) over sampled tokens: the KL when it is not a loss term. */
function sampledKl(rollouts: readonly StepRollout[], dropped: readonly boolean[]): number | undefined {
  let sum = 0;
  let n = 0;
  rollouts.forEach((r, i) => {
    if (r.refLogp === undefined || dropped[i] === true) return;
    for (let t = r.prefillLength; t < r.logp.length; t++) {
      sum += r.logp[t]! - r.refLogp[t]!;
      n++;
    }
  });
  return n === 0 ? undefined : sum / n;
}

export function stepMetrics(input: StepMetricsInput): Record<string, number> {
  const { plan, result, rollouts, outputs, batch } = input;
  const out: Record<string, number> = { ...(result?.metrics ?? {}) };
  if (!plan.sftOnly) {
    out["batch/prompts"] = batch.kept;
    out["batch/rollouts"] = rollouts.length;
    out["batch/prompts_sampled"] = batch.sampled;
    if (plan.filters.length > 0) out["batch/refill_rounds"] = batch.rounds - 1;
    out["reward/errors"] = input.rewardErrors;
    if (rollouts.length > 0) out["response_length/clip_ratio"] = rollouts.filter((r) => !r.finished).length / rollouts.length;
  }
  if (outputs.length > 0) {
    out["actor/loss"] = mean(outputs.map((o) => o.loss));
    out["actor/grad_norm"] = mean(outputs.map((o) => o.gradNorm));
    out["actor/lr"] = outputs.at(-1)!.lr;
    out["actor/updates"] = outputs.length;
    for (const [stat, name] of Object.entries(ACTOR)) {
      const xs = outputs.map((o) => o.stats[stat]).filter((x): x is number => x !== undefined);
      if (xs.length > 0) out[name] = mean(xs);
    }
  }
  if (out["actor/kl"] === undefined && plan.usesReference) {
    const kl = sampledKl(rollouts, result?.dropped ?? []);
    if (kl !== undefined) out["actor/kl"] = kl;
  }
  Object.assign(out, input.timing);
  const seconds = input.timing["timing/step"] ?? 0;
  out["perf/total_num_tokens"] = batch.sampledTokens;
  if (seconds > 0 && batch.sampledRollouts > 0) {
    out["perf/throughput"] = batch.sampledTokens / seconds;
    out["perf/rollouts_per_s"] = batch.sampledRollouts / seconds;
  }
  for (const [k, v] of Object.entries(out)) if (!Number.isFinite(v)) delete out[k];
  return out;
}
