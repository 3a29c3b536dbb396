/**
 * Typed errors of the RL primitives. Each carries a `_tag` so callers (runner, trainer, CLI) can
 * branch on the kind of failure without string matching.
 */

/** An argument has the wrong shape, length or value range for the primitive it was passed to. */
export class PrimitiveInputError extends Error {
  readonly _tag = "PrimitiveInputError" as const;
  constructor(
    readonly primitive: string,
    readonly detail: string,
  ) {
    super(`${primitive}: ${detail}`);
    this.name = "PrimitiveInputError";
  }
}

/** A statistic over masked entries needs more real entries than the mask selects (verl raises too). */
export class EmptyMaskError extends Error {
  readonly _tag = "EmptyMaskError" as const;
  constructor(
    readonly primitive: string,
    readonly selected: number,
    readonly required: number,
  ) {
    super(`${primitive}: the mask selects ${selected} entr${selected === 1 ? "y" : "ies"}, at least ${required} needed`);
    this.name = "EmptyMaskError";
  }
}

/** Why a Knapsack-RL allocation request cannot be met (inputs on which the released code fails). */
export type KnapsackBudgetReason =
  /** N_tot is below the sum of the base allocations. */
  | "budget-below-base"
  /** Spare budget after the cost estimate, and every prompt is effective: no prompt can take it. */
  | "no-fallback-recipient"
  /** No effective and no rate-0 prompt, and N_tot differs from prompts × n. */
  | "uniform-budget-mismatch";

export class KnapsackBudgetError extends Error {
  readonly _tag = "KnapsackBudgetError" as const;
  constructor(
    readonly reason: KnapsackBudgetReason,
    readonly detail: string,
  ) {
    super(`knapsack allocation: ${detail}`);
    this.name = "KnapsackBudgetError";
  }
}

export type PrimitiveError = PrimitiveInputError | EmptyMaskError | KnapsackBudgetError;
