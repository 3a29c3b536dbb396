/**
 * Knapsack-RL rollout allocation (liziniu/KnapsackRL exploration_utils.py, sampling_budget_by_knapsack
 * and solve_by_dp): a per-prompt base allocation, then the remaining budget goes to prompts with an
 * intermediate success rate through a 0/1-knapsack DP over "value of N rollouts at rate p".
 */
import { KnapsackBudgetError, PrimitiveInputError } from "../errors.js";

export type KnapsackCostEstimation = "probability" | "expectation";

export interface KnapsackParams {
  /** Rollouts of a prompt without enough history (and the uniform fallback). */
  readonly n: number;
  /** Base rollouts of an effective prompt (0 < p < 1). */
  readonly minN: number;
  /** Cap on an effective prompt's rollouts inside the DP. */
  readonly maxN: number;
  /** Base rollouts of a prompt with p = 0. */
  readonly negativeN: number;
  /** Base rollouts of a prompt with p = 1. */
  readonly positiveN: number;
  /** Confidence of the `probability` cost estimate (0.9). */
  readonly alpha: number;
  readonly costEstimation: KnapsackCostEstimation;
  /** Send budget the effective prompts are not expected to need to the rate-0 prompts. */
  readonly allowFallback: boolean;
  /**
   * What the DP maximises. `sum-of-values`: Σ value(minN + k, p) over effective prompts, k = 0
   * included (the fixture README's step 4, the paper's objective). `released`: solve_by_dp as
   * released, where a prompt left at k = 0 contributes 0 instead of value(minN, p); this favours
   * giving every prompt a first extra rollout when the budget is short.
   */
  readonly objective: KnapsackObjective;
}

export type KnapsackObjective = "sum-of-values" | "released";

/** The paper's setting: n 8, min 2, max 128, 2 rollouts for solved and never-solved prompts. */
export const KNAPSACK_DEFAULTS: KnapsackParams = {
  n: 8,
  minN: 2,
  maxN: 128,
  negativeN: 2,
  positiveN: 2,
  alpha: 0.9,
  costEstimation: "probability",
  allowFallback: true,
  objective: "sum-of-values",
};

/** What the allocator knows about one prompt (see PromptSuccessTracker). */
export interface KnapsackPrompt {
  /** The prompt has enough history for its success rate to be trusted. */
  readonly valid: boolean;
  /** Recorded success rate p in [0, 1]; ignored (treated as 0) when not valid. */
  readonly successRate: number;
}

export interface KnapsackAllocation {
  /** Rollouts per prompt, in prompt order; sums to the total budget. */
  readonly rollouts: number[];
  /** True when the cost estimate was below the remaining budget and the excess was diverted. */
  readonly fallback: boolean;
}

/**
 * value(N, p) = (1 − p^N − (1 − p)^N)·p·(1 − p)²: the chance that a group of N has a non-zero
 * GRPO gradient, times the information gain p(1 − p)².
 */
export function knapsackValue(rollouts: number, p: number): number {
  return (1 - p ** rollouts - (1 - p) ** rollouts) * p * (1 - p) ** 2;
}

/** Rollouts an effective prompt is expected to need: log(1−α)/log(max(p, 1−p)) or 1/(p(1−p)) − 1. */
export function knapsackCost(p: number, params: Pick<KnapsackParams, "alpha" | "costEstimation">): number {
  return params.costEstimation === "probability" ? Math.log(1 - params.alpha) / Math.log(Math.max(p, 1 - p)) : 1 / (p * (1 - p)) - 1;
}

/** Adds `amount` to the given prompts evenly: amount div m each, the first amount mod m one more. */
function spreadEvenly(target: number[], indices: readonly number[], amount: number): void {
  const per = Math.floor(amount / indices.length);
  const extra = amount % indices.length;
  indices.forEach((idx, k) => {
    target[idx]! += per + (k < extra ? 1 : 0);
  });
}

/**
 * The DP of solve_by_dp: items are the effective prompts in order; each takes k in 0..maxExtra at
 * cost k and earns value(minN + k, p) (k = 0 earns 0 under the `released` objective). For each
 * capacity the first best k wins (strict improvement only); backtracking starts from the largest
 * reachable capacity ≤ budget. Returns the extra rollouts per item and the capacity actually used.
 */
function solveKnapsack(
  rates: readonly number[],
  minN: number,
  maxExtra: number,
  budget: number,
  objective: KnapsackObjective,
): { extra: number[]; used: number } {
  const items = rates.length;
  const width = budget + 1;
  let prev = new Float64Array(width).fill(-Infinity);
  prev[0] = 0;
  const choice: Int32Array[] = [];
  for (let i = 0; i < items; i++) {
    const p = rates[i]!;
    const gain = Array.from({ length: maxExtra + 1 }, (_, k) => (k === 0 && objective === "released" ? 0 : knapsackValue(minN + k, p)));
    const cur = new Float64Array(width).fill(-Infinity);
    const pick = new Int32Array(width).fill(-1);
    for (let w = 0; w < width; w++) {
      const kMax = Math.min(maxExtra, w);
      for (let k = 0; k <= kMax; k++) {
        const base = prev[w - k]!;
        if (base === -Infinity) continue;
        const candidate = base + gain[k]!;
        if (candidate > cur[w]!) {
          cur[w] = candidate;
          pick[w] = k;
        }
      }
    }
    choice.push(pick);
    prev = cur;
  }
  let used = budget;
  while (used > 0 && prev[used] === -Infinity) used--;
  const extra = new Array<number>(items).fill(0);
  let w = used;
  for (let i = items - 1; i >= 0; i--) {
    const k = Math.max(choice[i]![w]!, 0);
    extra[i] = k;
    w -= k;
  }
  return { extra, used };
}

function checkParams(params: KnapsackParams, prompts: readonly KnapsackPrompt[], totalBudget: number): void {
  const ints: [string, number][] = [
    ["n", params.n], ["minN", params.minN], ["maxN", params.maxN], ["negativeN", params.negativeN], ["positiveN", params.positiveN], ["totalBudget", totalBudget],
  ];
  for (const [name, v] of ints) {
    if (!Number.isInteger(v) || v < 0) throw new PrimitiveInputError("knapsackAllocation", `${name} must be a non-negative integer, got ${v}`);
  }
  if (params.maxN < params.minN) throw new PrimitiveInputError("knapsackAllocation", `maxN (${params.maxN}) is below minN (${params.minN})`);
  if (!(params.alpha > 0 && params.alpha < 1)) throw new PrimitiveInputError("knapsackAllocation", `alpha must lie in (0, 1), got ${params.alpha}`);
  prompts.forEach((q, i) => {
    if (q.valid && !(q.successRate >= 0 && q.successRate <= 1)) {
      throw new PrimitiveInputError("knapsackAllocation", `prompt ${i} has success rate ${q.successRate}, outside [0, 1]`);
    }
  });
}

/**
 * Allocates `totalBudget` rollouts over the prompts (steps of the fixture README):
 * 1. base: not valid → n; p = 0 → negativeN; p = 1 → positiveN; else minN (effective). R = N_tot − Σ base.
 * 2. no effective prompt, R > 0: the rate-0 prompts (not-yet-valid ones included) share R evenly;
 *    with none, every prompt gets n.
 * 3. cost estimate E = Σ trunc(min(maxN, cost)); if E < R and fallback is allowed, R − E goes evenly
 *    to the rate-0 prompts (or all non-effective ones) and R becomes E.
 * 4. the knapsack DP shares R among effective prompts; 5. what it cannot place is spread evenly
 *    over the effective prompts (they may end above maxN).
 * Inputs on which the released code ends in its budget assertion throw KnapsackBudgetError.
 */
export function knapsackAllocation(prompts: readonly KnapsackPrompt[], totalBudget: number, params: Partial<KnapsackParams> = {}): KnapsackAllocation {
  const p: KnapsackParams = { ...KNAPSACK_DEFAULTS, ...params };
  checkParams(p, prompts, totalBudget);
  // Not-yet-valid prompts keep a recorded rate of 0, which is what steps 2 and 3 look at.
  const rates = prompts.map((q) => (q.valid ? q.successRate : 0));
  const effective: number[] = [];
  const rollouts = prompts.map((q, i) => {
    if (!q.valid) return p.n;
    const rate = rates[i]!;
    if (rate === 0) return p.negativeN;
    if (rate === 1) return p.positiveN;
    effective.push(i);
    return p.minN;
  });
  const base = rollouts.reduce((s, v) => s + v, 0);
  let remaining = totalBudget - base;
  if (remaining < 0) {
    throw new KnapsackBudgetError("budget-below-base", `total budget ${totalBudget} is below the base allocation ${base}`);
  }
  const rateZero = rates.flatMap((r, i) => (r === 0 ? [i] : []));

  if (effective.length === 0) {
    if (remaining === 0) return { rollouts, fallback: false };
    if (rateZero.length > 0) {
      spreadEvenly(rollouts, rateZero, remaining);
      return { rollouts, fallback: false };
    }
    if (prompts.length * p.n !== totalBudget) {
      throw new KnapsackBudgetError(
        "uniform-budget-mismatch",
        `no prompt is effective or unsolved, so each gets n = ${p.n}, which does not add up to the total budget ${totalBudget}`,
      );
    }
    return { rollouts: rollouts.map(() => p.n), fallback: false };
  }

  let fallback = false;
  const estimate = effective.reduce((s, i) => s + Math.trunc(Math.min(p.maxN, knapsackCost(rates[i]!, p))), 0);
  if (estimate < remaining && p.allowFallback) {
    fallback = true;
    const effectiveSet = new Set(effective);
    const recipients = rateZero.length > 0 ? rateZero : prompts.flatMap((_, i) => (effectiveSet.has(i) ? [] : [i]));
    if (recipients.length === 0) {
      throw new KnapsackBudgetError(
        "no-fallback-recipient",
        `every prompt is effective and their estimated cost ${estimate} is below the remaining budget ${remaining}: the excess has nowhere to go`,
      );
    }
    spreadEvenly(rollouts, recipients, remaining - estimate);
    remaining = estimate;
  }

  if (remaining > 0) {
    const { extra, used } = solveKnapsack(effective.map((i) => rates[i]!), p.minN, p.maxN - p.minN, remaining, p.objective);
    effective.forEach((idx, k) => {
      rollouts[idx]! += extra[k]!;
    });
    if (remaining > used) spreadEvenly(rollouts, effective, remaining - used);
  }
  return { rollouts, fallback };
}
