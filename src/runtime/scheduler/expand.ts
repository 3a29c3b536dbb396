/**
 * Expanding a round's prompts into rollout rows: every combination of level values × its samples
 * (a fixed group size, or per-prompt counts from the allocation rule). Rows are numbered
 * combination-major, which is also the order they are sampled in: a combination's rows are one
 * contiguous range, so they can be sampled as one call while the sampling streams (seed, row number)
 * stay the same however the rows are split.
 */
import { knapsackAllocation, PromptSuccessTracker } from "../primitives/index.js";
import { describe, PlanError } from "../services/errors.js";
import type { RunPlan } from "./plan.js";

export interface RowSpec {
  /** Index of the prompt within the round. */
  readonly prompt: number;
  /** Index into plan.combos. */
  readonly combo: number;
  /** Index within its group (prompt × level values). */
  readonly sample: number;
}

/** Samples per combination for each prompt of the round. */
export function groupSizes(plan: RunPlan, promptIds: readonly string[], tracker: PromptSuccessTracker | undefined): number[] {
  const rule = plan.samples;
  if (rule.kind === "fixed") return promptIds.map(() => rule.n);
  const state = tracker ?? new PromptSuccessTracker();
  try {
    return knapsackAllocation(promptIds.map((id) => state.get(id)), rule.total, rule.params).rollouts;
  } catch (e) {
    throw new PlanError({ message: `knapsack allocation failed: ${describe(e)}`, help: "check `total`, `min`, `negative` and `positive` against `prompts`" });
  }
}

/** Rows in sampling order (combination-major, then prompt, then sample). */
export function expandRows(plan: RunPlan, sizes: readonly number[]): RowSpec[] {
  const rows: RowSpec[] = [];
  plan.combos.forEach((_, combo) => {
    sizes.forEach((n, prompt) => {
      for (let sample = 0; sample < n; sample++) rows.push({ prompt, combo, sample });
    });
  });
  return rows;
}

/** Contiguous [start, end) ranges of rows with the same combination. */
export function comboRanges(rows: readonly RowSpec[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || rows[i]!.combo !== rows[start]!.combo) {
      if (i > start) out.push([start, i]);
      start = i;
    }
  }
  return out;
}
