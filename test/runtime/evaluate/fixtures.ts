/**
 * A small hand-made batch over the `budget` level of helpers.pipeline(), ragged on purpose:
 * prompt 0 has 2 rollouts at budget 2 and 1 at budget 4; prompt 1 has 1 at budget 2 and 3 at budget 4.
 */
import type { RolloutBatch } from "../../../src/runtime/evaluate/index.js";
import { prompts, rollout } from "./helpers.js";

const R = (prompt: number, budget: number, sample: number, tokens: number, text: string, answer: string) =>
  rollout({ prompt, levels: { budget }, sample, tokens, text, answer });

export const HAND: RolloutBatch = {
  prompts: prompts("3", "5"),
  rollouts: [
    R(0, 2, 0, 1, "a</think>", "3"),
    R(0, 2, 1, 2, "b", "3"),
    R(0, 4, 0, 5, "c</think>", "4"),
    R(1, 2, 0, 2, "d</think>", "5"),
    R(1, 4, 0, 4, "e</think>", "5"),
    R(1, 4, 1, 6, "f</think>", "1"),
    R(1, 4, 2, 3, "g", "5"),
  ],
};

export const TOKENS = [1, 2, 5, 2, 4, 6, 3];
export const BUDGET = [2, 2, 4, 2, 4, 4, 4];
export const PROMPT = [0, 0, 0, 1, 1, 1, 1];
/** `difficulty` is prompt index + 1. */
export const DIFFICULTY = PROMPT.map((p) => p + 1);
export const CORRECT = [1, 1, 0, 1, 1, 0, 1];
export const WELL_FORMED = [1, 0, 1, 1, 1, 1, 0];
