/**
 * HBPO's budget-aware reward (ZJU-REAL/HBPO rllm/rewards/math_reward.py; paper eqs. f1, f2).
 * f1(n, b) = β·cos(πn/(2L)) − α·|n − b| and f2(b) = β·cos(πb/(2L)); the released code pays
 * min(f1, f2) for every correct length, the paper pays f2 up to the budget and f1 beyond it.
 */
import { roundHalfEven } from "./round.js";

/** `code` = min(f1, f2) as released; `paper` = piecewise (f2 when n ≤ b, f1 when n > b). */
export type HbpoRewardVariant = "code" | "paper";

export interface HbpoRewardParams {
  readonly variant: HbpoRewardVariant;
  /** β, the reward scale (4). */
  readonly beta: number;
  /** L, the maximum response length (4096). */
  readonly L: number;
  /** α, the per-token deviation penalty (1/4096). */
  readonly alpha: number;
  /** π as the authors write it (3.1416); pass Math.PI for the true constant. */
  readonly pi: number;
  /** Reward of a response without `</think>` or without a boxed answer after it (−1). */
  readonly formatErrorReward: number;
  /** Reward of a wrong answer, or a right one longer than L (0). */
  readonly incorrectReward: number;
  /** Budget assumed when the response carries no budget phrase (4096). */
  readonly defaultBudget: number;
}

/** The released code's constants: variant `code`, β 4, L 4096, α 1/4096, π 3.1416. */
export const HBPO_REWARD_DEFAULTS: HbpoRewardParams = {
  variant: "code",
  beta: 4,
  L: 4096,
  alpha: 1 / 4096,
  pi: 3.1416,
  formatErrorReward: -1,
  incorrectReward: 0,
  defaultBudget: 4096,
};

/** What the reward needs to know about one rollout. */
export interface HbpoRolloutOutcome {
  /** n, in tokens; HBPO's prefilled budget phrase is part of the response and counts. */
  readonly responseLength: number;
  /** b from "I will answer the question with b tokens"; null when the phrase is absent. */
  readonly budget: number | null;
  /** The boxed answer matches the ground truth. */
  readonly correct: boolean;
  /** The response contains `</think>`. */
  readonly hasThinkEnd: boolean;
  /** A `\boxed{…}` answer follows the first `</think>`. */
  readonly hasAnswer: boolean;
}

export interface HbpoRewardResult {
  readonly reward: number;
  /** The budget used: b, or the default when there was no phrase. */
  readonly budget: number;
  /** True only when the answer was rewarded as correct (format fine, right, n ≤ L). */
  readonly isCorrect: boolean;
}

/** β·cos(πx/(2L)), the cosine length shape shared by f1 and f2. */
export function hbpoCosine(x: number, p: Pick<HbpoRewardParams, "beta" | "L" | "pi">): number {
  return p.beta * Math.cos((p.pi * x) / (2 * p.L));
}

/** f2(b) = β·cos(πb/(2L)): the flat reward inside budget b (negative for b > L). */
export function hbpoF2(budget: number, p: Pick<HbpoRewardParams, "beta" | "L" | "pi">): number {
  return hbpoCosine(budget, p);
}

/** f1(n, b) = β·cos(πn/(2L)) − α·|n − b|. */
export function hbpoF1(n: number, budget: number, p: Pick<HbpoRewardParams, "beta" | "L" | "pi" | "alpha">): number {
  return hbpoCosine(n, p) - p.alpha * Math.abs(n - budget);
}

/**
 * Rules, first match wins: format error → formatErrorReward; wrong, or n > L → incorrectReward;
 * no budget phrase → round(β·cos(πn/(2L)), 2); otherwise the variant's combination of f1 and f2.
 */
export function hbpoBudgetReward(outcome: HbpoRolloutOutcome, params: Partial<HbpoRewardParams> = {}): HbpoRewardResult {
  const p: HbpoRewardParams = { ...HBPO_REWARD_DEFAULTS, ...params };
  const n = outcome.responseLength;
  const budget = outcome.budget ?? p.defaultBudget;
  if (!outcome.hasThinkEnd || !outcome.hasAnswer) return { reward: p.formatErrorReward, budget, isCorrect: false };
  if (!outcome.correct || n > p.L) return { reward: p.incorrectReward, budget, isCorrect: false };
  if (outcome.budget === null) return { reward: roundHalfEven(hbpoCosine(n, p), 2), budget, isCorrect: true };
  const f1 = hbpoF1(n, budget, p);
  const f2 = hbpoF2(budget, p);
  const reward = p.variant === "code" ? Math.min(f1, f2) : n > budget ? f1 : f2;
  return { reward, budget, isCorrect: true };
}
