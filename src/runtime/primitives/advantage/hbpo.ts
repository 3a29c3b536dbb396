/**
 * HBPO's hierarchical advantage (ZJU-REAL/HBPO compute_grpo_outcome_advantage; paper Algorithm 1):
 * a GRPO z-score over the whole prompt group plus an intra-subgroup term μ_b − f2(b), where the
 * subgroup is the prompt's rollouts sharing budget b. The intra term is in reward units (not
 * std-normalised) and constant within a subgroup.
 */
import { groupRows, meanOf } from "../groups.js";
import { lengthIs, type GroupId, type Vector } from "../shape.js";
import { hbpoF2 } from "../reward/hbpo-budget.js";
import { groupNormalize } from "./group-norm.js";

export interface HbpoAdvantageParams {
  /** c in z + c·intra: 2 reproduces the released code (it adds the term twice), 1 is the paper. */
  readonly intraCoef: number;
  /** ε added to the group std (1e-6). */
  readonly epsilon: number;
  readonly beta: number;
  readonly L: number;
  /** π as the authors write it (3.1416); Math.PI for the true constant. */
  readonly pi: number;
}

export const HBPO_ADVANTAGE_DEFAULTS: HbpoAdvantageParams = { intraCoef: 2, epsilon: 1e-6, beta: 4, L: 4096, pi: 3.1416 };

export interface HbpoAdvantageInputs {
  /** Scalar reward per rollout. */
  readonly rewards: Vector;
  /** Prompt id per rollout (rows interleaved). */
  readonly groups: readonly GroupId[];
  /** Budget each reward was computed under (the default budget when the rollout had no phrase). */
  readonly budgets: Vector;
}

/**
 * A = z + c·(μ_{prompt,b} − f2(b)) for prompts with ≥ 2 rollouts, z the unbiased-std GRPO score
 * (0 when all rewards are equal). A prompt with a single rollout gets r/(1 + ε): mean 0, std 1 and
 * no intra term (the released code instead reuses a previous row's intra term or fails).
 */
export function hbpoAdvantage(inputs: HbpoAdvantageInputs, params: Partial<HbpoAdvantageParams> = {}): number[] {
  const p: HbpoAdvantageParams = { ...HBPO_ADVANTAGE_DEFAULTS, ...params };
  const { rewards, groups, budgets } = inputs;
  lengthIs("hbpoAdvantage", "groups", groups, rewards.length);
  lengthIs("hbpoAdvantage", "budgets", budgets, rewards.length);
  const z = groupNormalize(rewards, groups, { centre: "mean", scale: "std", eps: p.epsilon });
  const out = z.slice();
  for (const rows of groupRows(groups).values()) {
    if (rows.length === 1) continue;
    const byBudget = new Map<number, number[]>();
    for (const i of rows) {
      const b = budgets[i]!;
      const sub = byBudget.get(b);
      if (sub === undefined) byBudget.set(b, [i]);
      else sub.push(i);
    }
    for (const [b, sub] of byBudget) {
      const intra = meanOf(rewards, sub) - hbpoF2(b, p);
      for (const i of sub) out[i] = z[i]! + p.intraCoef * intra;
    }
  }
  return out;
}
