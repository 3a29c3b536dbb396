/**
 * Sampling one round of rollouts: prompts → rows (levels × samples) → executor calls (one per
 * level-value combination when the executor runs calls concurrently, else one for the round) →
 * rollouts with decoded text, answers and per-token log-probs; then reference scoring.
 */
import { Effect } from "effect";
import type { Rollout, RolloutBatch } from "../evaluate/index.js";
import { Executor, type SampleRow } from "../services/executor.js";
import { ExecutorError, NonFiniteError, TaskError } from "../services/errors.js";
import { Tasks, type TaskPrompt } from "../services/tasks.js";
import { comboRanges, expandRows } from "./expand.js";
import type { RunPlan } from "./plan.js";
import type { StepTimer } from "./timing.js";

/** A rollout as the evaluator reads it, plus the token ids the training step needs. */
export interface StepRollout extends Rollout {
  readonly promptTokens: Int32Array;
  readonly response: Int32Array;
  /** Forced prefill tokens at the start of the response: trained on only under `train_prefill`. */
  readonly prefillLength: number;
  /** The temperature the behaviour log-probs were computed at (1 for greedy rows). */
  readonly logpTemperature: number;
}

function stopIds(plan: RunPlan): Effect.Effect<number[], TaskError, Tasks> {
  return Effect.gen(function* () {
    const tasks = yield* Tasks;
    const ids = new Set(tasks.stopIds);
    for (const s of plan.stop) {
      const enc = yield* tasks.encode(s);
      if (enc.length !== 1) return yield* new TaskError({ task: tasks.name, message: `the stop string ${JSON.stringify(s)} is ${enc.length} tokens; stop strings must be single tokens` });
      ids.add(enc[0]!);
    }
    return [...ids];
  });
}

/** Samples every row of a round; rollouts come back in row order with prompt indices into `prompts`. */
export function sampleRound(
  plan: RunPlan,
  prompts: readonly TaskPrompt[],
  sizes: readonly number[],
  call: { readonly seed: number; readonly step: number },
  timer: StepTimer,
): Effect.Effect<StepRollout[], ExecutorError | TaskError | NonFiniteError, Executor | Tasks> {
  return Effect.gen(function* () {
    const executor = yield* Executor;
    const tasks = yield* Tasks;
    const stop = yield* stopIds(plan);
    const prefills = yield* Effect.forEach(plan.combos, (c) => tasks.encode(c.prefill));
    const rows = expandRows(plan, sizes);
    const requests: SampleRow[] = rows.map((r) => {
      const combo = plan.combos[r.combo]!;
      // The sampler applies the openings only to rows without a prefill.
      const open = tasks.openings === undefined ? {} : { openWith: tasks.openings };
      return { prompt: prompts[r.prompt]!.tokens, prefill: prefills[r.combo]!, maxTokens: combo.maxTokens, temperature: combo.temperature, topP: plan.topP, stop, ...open };
    });
    const concurrency = executor.info.concurrency;
    const ranges = concurrency > 1 ? comboRanges(rows) : rows.length > 0 ? [[0, rows.length] as [number, number]] : [];
    const parts = yield* timer.time(
      "sample",
      Effect.forEach(ranges, ([a, b]) => executor.sample(requests.slice(a, b), { seed: call.seed, rowOffset: a }), { concurrency }),
    );
    const sampled = parts.flat();
    return yield* Effect.forEach(rows, (r, i) =>
      Effect.gen(function* () {
        const s = sampled[i]!;
        for (let t = 0; t < s.logp.length; t++) {
          if (!Number.isFinite(s.logp[t]!)) {
            return yield* new NonFiniteError({ node: plan.policy.node, step: call.step, message: `the policy's log-prob of a sampled token is ${s.logp[t]} (row ${i}, token ${t})` });
          }
        }
        const combo = plan.combos[r.combo]!;
        const text = tasks.decode(s.tokens);
        const rollout: StepRollout = {
          prompt: r.prompt,
          levels: combo.values,
          sample: r.sample,
          text,
          answer: tasks.extractAnswer(text),
          tokens: s.tokens.length,
          finished: s.finished,
          logp: s.logp,
          entropy: s.entropy,
          promptTokens: prompts[r.prompt]!.tokens,
          response: s.tokens,
          prefillLength: s.prefillLength,
          logpTemperature: combo.temperature > 0 ? combo.temperature : 1,
        };
        return rollout;
      }),
    );
  });
}

/** The evaluator's view of groups: prompts and their rollouts, prompt indices renumbered in order. */
export function toBatch(groups: readonly { readonly prompt: TaskPrompt; readonly rollouts: readonly StepRollout[] }[]): RolloutBatch & { readonly rollouts: readonly StepRollout[] } {
  const prompts = groups.map((g) => ({ id: g.prompt.id, fields: g.prompt.fields }));
  const rollouts = groups.flatMap((g, p) => g.rollouts.map((r) => ({ ...r, prompt: p })));
  return { prompts, rollouts };
}

/**
 * Reference log-probs of every rollout (KL terms), and policy log-probs for rows whose behaviour
 * log-probs were computed at another temperature than training uses (greedy rows when training
 * runs at a temperature other than 1).
 */
export function scoreRollouts(
  plan: RunPlan,
  rollouts: readonly StepRollout[],
  timer: StepTimer,
): Effect.Effect<StepRollout[], ExecutorError, Executor> {
  return Effect.gen(function* () {
    const executor = yield* Executor;
    const seqs = rollouts.map((r) => ({ prompt: r.promptTokens, response: r.response }));
    let out = [...rollouts];
    const stale = rollouts.flatMap((r, i) => (r.logpTemperature !== plan.trainTemperature ? [i] : []));
    if (stale.length > 0) {
      const scored = yield* timer.time("score", executor.score(stale.map((i) => seqs[i]!), { model: "policy", temperature: plan.trainTemperature }));
      stale.forEach((i, k) => {
        out[i] = { ...out[i]!, logp: scored.logp[k]!, logpTemperature: plan.trainTemperature };
      });
    }
    if (plan.usesReference && rollouts.length > 0) {
      const ref = yield* timer.time("score", executor.score(seqs, { model: "reference", temperature: plan.trainTemperature }));
      out = out.map((r, i) => ({ ...r, refLogp: ref.logp[i]! }));
    }
    return out;
  });
}
