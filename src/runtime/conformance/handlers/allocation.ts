/** Handler for Knapsack-RL's rollout allocation. */
import { knapsackAllocation, KNAPSACK_DEFAULTS } from "../../primitives/index.js";
import { lengthOrThrow, MalformedFixtureError, optBoolean, optChoice, optNumber, readInteger, readVector } from "../fixture.js";
import type { Handler } from "./types.js";

export const allocationHandlers: Readonly<Record<string, Handler>> = {
  knapsack_allocation: (fx) => {
    const rates = readVector(fx.inputs, "success_rate", "inputs");
    const valid = readVector(fx.inputs, "valid", "inputs");
    lengthOrThrow("valid", valid, rates.length);
    if (valid.some((v) => v !== 0 && v !== 1)) throw new MalformedFixtureError("inputs.valid must hold 0 or 1");
    const totalBudget = readInteger(fx.inputs, "total_budget", "inputs");
    const d = KNAPSACK_DEFAULTS;
    const minN = optNumber(fx.params, "min_n", d.minN);
    const result = knapsackAllocation(
      rates.map((p, i) => ({ valid: valid[i] === 1, successRate: p })),
      totalBudget,
      {
        n: optNumber(fx.params, "n", d.n),
        minN,
        maxN: optNumber(fx.params, "max_n", d.maxN),
        // The released code defaults both to min_n.
        negativeN: optNumber(fx.params, "negative_n", minN),
        positiveN: optNumber(fx.params, "positive_n", minN),
        alpha: optNumber(fx.params, "alpha", d.alpha),
        costEstimation: optChoice(fx.params, "cost_estimation", ["probability", "expectation"] as const, d.costEstimation),
        allowFallback: optBoolean(fx.params, "allow_fallback", d.allowFallback),
        objective: optChoice(fx.params, "objective", ["sum-of-values", "released"] as const, d.objective),
      },
    );
    return { values: { rollouts: result.rollouts, fallback: result.fallback }, exact: ["rollouts", "fallback"] };
  },
};
