/** Handler for HBPO's budget reward (per-rollout arrays in, per-rollout arrays out). */
import { hbpoBudgetReward, HBPO_REWARD_DEFAULTS } from "../../primitives/index.js";
import { lengthOrThrow, optChoice, optNumber, readBooleans, readNullableVector, readVector } from "../fixture.js";
import type { Handler } from "./types.js";

export const rewardHandlers: Readonly<Record<string, Handler>> = {
  hbpo_budget_reward: (fx) => {
    const lengths = readVector(fx.inputs, "response_length", "inputs");
    const budgets = readNullableVector(fx.inputs, "budget", "inputs");
    const correct = readBooleans(fx.inputs, "correct", "inputs");
    const hasThinkEnd = readBooleans(fx.inputs, "has_think_end", "inputs");
    const hasAnswer = readBooleans(fx.inputs, "has_answer", "inputs");
    for (const [name, v] of [["budget", budgets], ["correct", correct], ["has_think_end", hasThinkEnd], ["has_answer", hasAnswer]] as const) {
      lengthOrThrow(name, v, lengths.length);
    }
    const d = HBPO_REWARD_DEFAULTS;
    const params = {
      variant: optChoice(fx.params, "variant", ["code", "paper"] as const, d.variant),
      beta: optNumber(fx.params, "beta", d.beta),
      L: optNumber(fx.params, "L", d.L),
      alpha: optNumber(fx.params, "alpha", d.alpha),
      pi: optNumber(fx.params, "pi", d.pi),
      formatErrorReward: optNumber(fx.params, "format_error_reward", d.formatErrorReward),
      incorrectReward: optNumber(fx.params, "incorrect_reward", d.incorrectReward),
    };
    const results = lengths.map((n, i) =>
      hbpoBudgetReward({ responseLength: n, budget: budgets[i]!, correct: correct[i]!, hasThinkEnd: hasThinkEnd[i]!, hasAnswer: hasAnswer[i]! }, params),
    );
    return {
      values: { reward: results.map((r) => r.reward), budget: results.map((r) => r.budget), is_correct: results.map((r) => r.isCorrect) },
      exact: ["budget", "is_correct"],
    };
  },
};
