/**
 * SFT demonstrations for warm-starting a policy before RL. Every demonstration is correct; what
 * varies is how much reasoning it writes, so that the warm-started model can both think long and
 * answer short, and RL (GRPO, HBPO) has lengths to choose between:
 *
 * - without a prefill (`1 − budgetShare` of them), a style drawn from `mix`: the full scratchpad
 *   written twice (`checked`: a verification pass, weight 0 by default), the full scratchpad,
 *   the complete compact one, a partial compact one (its lowest k of d columns, k uniform in
 *   1..d−1; a direct answer when d = 1) or the direct answer `<think></think>ANSWER`. The style does
 *   not depend on the difficulty: a model that imitates them solves hard items when it happens to
 *   think long and mostly only easy ones when it answers short, which is the gap RL exploits.
 * - with a budget prefill (`budgetShare` of them), `<think budget=N>` with N drawn from `budgets`,
 *   then the most reasoning whose whole response (prefill included) fits in N tokens, so the model
 *   learns to read its budget. This is never `checked`: a prefilled demonstration writes at most
 *   the full scratchpad, whatever the mix.
 *
 * `styleMix(style)` is the mix of the `demo_style` task parameter: `mixed` (the default mix) or one
 * style for every un-prefilled demonstration.
 */
import { Prng } from "../model/prng.js";
import { arithTask, type ArithProblem, type ArithTask } from "./arith.js";
import { TaskParamError } from "./errors.js";
import { openingTag } from "./format.js";
import { demoResponse, fitReasoning, responseTokens } from "./response.js";
import type { Reasoning } from "./scratchpad.js";
import { BUDGET_TOKEN_VALUES } from "./tokenizer.js";

/** Relative weights of the reasoning styles of demonstrations without a prefill. */
export interface StyleMix {
  /** The full scratchpad, then the same again as a verification pass (0 in the default mix). */
  readonly checked: number;
  readonly full: number;
  readonly compact: number;
  readonly partial: number;
  readonly direct: number;
}

export const DEFAULT_STYLE_MIX: StyleMix = Object.freeze({ checked: 0, full: 0.35, compact: 0.2, partial: 0.15, direct: 0.3 });
export const DEFAULT_BUDGET_SHARE = 0.5;

/** Values of the `demo_style` task parameter: the default mix, or one style throughout. */
export const DEMO_STYLES = Object.freeze(["mixed", "checked", "full", "compact", "partial", "direct"] as const);
export type DemoStyle = (typeof DEMO_STYLES)[number];

/** The mix of a `demo_style`: `mixed` is DEFAULT_STYLE_MIX, any other style gets every draw. */
export function styleMix(style: string): StyleMix {
  if (!(DEMO_STYLES as readonly string[]).includes(style)) {
    throw new TaskParamError("demo_style", `must be one of ${DEMO_STYLES.join(", ")}, got ${JSON.stringify(style)}`);
  }
  if (style === "mixed") return DEFAULT_STYLE_MIX;
  return Object.freeze({ checked: 0, full: 0, compact: 0, partial: 0, direct: 0, [style]: 1 }) as StyleMix;
}

export interface DemoOptions {
  readonly count: number;
  /** Seeds both the problems (the task's stream under this seed) and the style draws. */
  readonly seed: number;
  readonly mix?: Partial<StyleMix>;
  /** Share of demonstrations that start with a budget prefill (default 0.5). */
  readonly budgetShare?: number;
  /** Budgets the prefilled ones draw from (default: every single-token budget, 4, 8, …, 64). */
  readonly budgets?: readonly number[];
}

export interface Demonstration {
  readonly problem: ArithProblem;
  readonly prompt: string;
  /** The whole response, starting with the opening tag (the prefill when there is one). */
  readonly response: string;
  /** The forced part at the start of the response (mask it out of the SFT loss if wanted). */
  readonly prefill: string | undefined;
  readonly budget: number | undefined;
  readonly reasoning: Reasoning;
  /** Response length in tokens, prefill and `<eos>` included. */
  readonly tokens: number;
}

/** Stream id of the style draws, apart from the task's own streams. */
const DEMO_STREAM = 3;
const STYLES = ["checked", "full", "compact", "partial", "direct"] as const;

function resolveMix(partial: Partial<StyleMix> | undefined): StyleMix {
  const mix = { ...DEFAULT_STYLE_MIX, ...partial };
  for (const k of STYLES) {
    if (!(Number.isFinite(mix[k]) && mix[k] >= 0)) throw new TaskParamError("mix", `${k} must be a finite weight ≥ 0, got ${mix[k]}`);
  }
  if (STYLES.every((k) => mix[k] === 0)) throw new TaskParamError("mix", "every weight is 0");
  return mix;
}

function pickStyle(rng: Prng, mix: StyleMix, difficulty: number): Reasoning {
  const positive = STYLES.filter((k) => mix[k] > 0);
  const total = positive.reduce((s, k) => s + mix[k], 0);
  let u = rng.next() * total;
  let style = positive[positive.length - 1]!; // where rounding leaves u at the very top
  for (const k of positive) {
    if (u < mix[k]) {
      style = k;
      break;
    }
    u -= mix[k];
  }
  switch (style) {
    case "checked":
      return { kind: "checked" };
    case "full":
      return { kind: "full" };
    case "compact":
      return { kind: "compact", columns: difficulty };
    case "partial":
      return difficulty === 1 ? { kind: "direct" } : { kind: "compact", columns: 1 + rng.int(difficulty - 1) };
    case "direct":
      return { kind: "direct" };
  }
}

/** `count` correct demonstrations over the task's problems (its digits, ops and split). */
export function sftDemonstrations(task: ArithTask, options: DemoOptions): Demonstration[] {
  const { count, seed } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new TaskParamError("count", `must be a non-negative integer, got ${count}`);
  const budgetShare = options.budgetShare ?? DEFAULT_BUDGET_SHARE;
  if (!(budgetShare >= 0 && budgetShare <= 1)) throw new TaskParamError("budgetShare", `must be in [0, 1], got ${budgetShare}`);
  const budgets = options.budgets ?? BUDGET_TOKEN_VALUES;
  if (budgetShare > 0 && budgets.length === 0) throw new TaskParamError("budgets", "needs at least one budget");
  for (const b of budgets) openingTag(b); // validates each budget
  const mix = resolveMix(options.mix);
  const problems = arithTask({ ...task.params, seed });
  return Array.from({ length: count }, (_, i): Demonstration => {
    const problem = problems.problem(i);
    const rng = new Prng(seed, DEMO_STREAM, i);
    const budget = rng.next() < budgetShare ? budgets[rng.int(budgets.length)]! : undefined;
    const reasoning = budget === undefined ? pickStyle(rng, mix, problem.difficulty) : fitReasoning(problem, budget);
    return {
      problem,
      prompt: problem.prompt,
      response: demoResponse(problem, reasoning, budget),
      prefill: budget === undefined ? undefined : openingTag(budget),
      budget,
      reasoning,
      tokens: responseTokens(problem, reasoning, budget),
    };
  });
}
