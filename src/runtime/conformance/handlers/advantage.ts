/** Handlers for the advantage estimators (verl outcome/GAE estimators and HBPO's hierarchical one). */
import {
  gaeAdvantageReturn,
  grpoOutcomeAdvantage,
  hbpoAdvantage,
  HBPO_ADVANTAGE_DEFAULTS,
  reinforcePlusPlusBaselineOutcomeAdvantage,
  reinforcePlusPlusOutcomeAdvantage,
  remaxOutcomeAdvantage,
  rlooOutcomeAdvantage,
} from "../../primitives/index.js";
import {
  lengthOrThrow,
  optBoolean,
  optNumber,
  readGroups,
  readMatrix,
  readVector,
  sameShapeOrThrow,
  type Fixture,
} from "../fixture.js";
import type { Handler } from "./types.js";

function outcomeInputs(fx: Fixture): { tokenLevelRewards: number[][]; responseMask: number[][] } {
  const tokenLevelRewards = readMatrix(fx.inputs, "token_level_rewards", "inputs");
  const responseMask = readMatrix(fx.inputs, "response_mask", "inputs");
  sameShapeOrThrow({ token_level_rewards: tokenLevelRewards, response_mask: responseMask });
  return { tokenLevelRewards, responseMask };
}

function withGroups(fx: Fixture): { tokenLevelRewards: number[][]; responseMask: number[][]; groups: (string | number)[] } {
  const base = outcomeInputs(fx);
  const groups = readGroups(fx.inputs, "group", "inputs");
  lengthOrThrow("group", groups, base.tokenLevelRewards.length);
  return { ...base, groups };
}

export const advantageHandlers: Readonly<Record<string, Handler>> = {
  grpo_outcome_advantage: (fx) => ({
    values: {
      ...grpoOutcomeAdvantage(withGroups(fx), {
        epsilon: optNumber(fx.params, "epsilon", 1e-6),
        normAdvByStd: optBoolean(fx.params, "norm_adv_by_std", true),
      }),
    },
  }),
  rloo_outcome_advantage: (fx) => ({ values: { ...rlooOutcomeAdvantage(withGroups(fx)) } }),
  reinforce_plus_plus_outcome_advantage: (fx) => ({
    values: { ...reinforcePlusPlusOutcomeAdvantage(outcomeInputs(fx), { gamma: optNumber(fx.params, "gamma", 1) }) },
  }),
  reinforce_plus_plus_baseline_outcome_advantage: (fx) => ({ values: { ...reinforcePlusPlusBaselineOutcomeAdvantage(withGroups(fx)) } }),
  remax_outcome_advantage: (fx) => {
    const base = outcomeInputs(fx);
    const rewardBaselines = readVector(fx.inputs, "reward_baselines", "inputs");
    lengthOrThrow("reward_baselines", rewardBaselines, base.tokenLevelRewards.length);
    return { values: { ...remaxOutcomeAdvantage({ ...base, rewardBaselines }) } };
  },
  gae_advantage_return: (fx) => {
    const base = outcomeInputs(fx);
    const values = readMatrix(fx.inputs, "values", "inputs");
    sameShapeOrThrow({ token_level_rewards: base.tokenLevelRewards, values });
    return {
      values: {
        ...gaeAdvantageReturn({ ...base, values }, { gamma: optNumber(fx.params, "gamma", 1), lam: optNumber(fx.params, "lam", 1) }),
      },
    };
  },
  hbpo_advantage: (fx) => {
    const rewards = readVector(fx.inputs, "rewards", "inputs");
    const groups = readGroups(fx.inputs, "group", "inputs");
    const budgets = readVector(fx.inputs, "budget", "inputs");
    lengthOrThrow("group", groups, rewards.length);
    lengthOrThrow("budget", budgets, rewards.length);
    const d = HBPO_ADVANTAGE_DEFAULTS;
    const advantages = hbpoAdvantage(
      { rewards, groups, budgets },
      {
        intraCoef: optNumber(fx.params, "intra_coef", d.intraCoef),
        epsilon: optNumber(fx.params, "epsilon", d.epsilon),
        beta: optNumber(fx.params, "beta", d.beta),
        L: optNumber(fx.params, "L", d.L),
        pi: optNumber(fx.params, "pi", d.pi),
      },
    );
    return { values: { advantages } };
  },
};
