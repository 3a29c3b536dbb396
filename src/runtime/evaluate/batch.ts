/**
 * The rollouts of one step, as the evaluator reads them. Groups may be ragged: sizes differ per prompt
 * and per level value (Knapsack allocation, DAPO refill, dropped rollouts), so nothing here assumes a
 * rectangular layout; the level index (levels.ts) derives the groups from the keys.
 */
import type { IrDocument } from "../../compiler/ir/types.js";
import { InvalidBatch } from "./errors.js";

export interface PromptRecord {
  readonly id: string;
  /** Task fields: `target`, `difficulty`, `prompt_tokens`, ... */
  readonly fields: Readonly<Record<string, string | number>>;
}

export interface Rollout {
  /** Index into `RolloutBatch.prompts`. */
  readonly prompt: number;
  /** The value of every declared level for this rollout, e.g. `{ budget: 16 }`. */
  readonly levels: Readonly<Record<string, number | string>>;
  /** Index within its innermost group (prompt × declared level values). */
  readonly sample: number;
  readonly text: string;
  readonly answer: string;
  /** Response length in tokens (the `tokens` field). */
  readonly tokens: number;
  readonly finished: boolean;
  /** Log-probability of each response token under the sampling policy; its length defines the rollout's tokens at the `token` level. */
  readonly logp: Float32Array;
  readonly entropy: Float32Array;
  /** Reference-model log-probabilities (needed by `kl_penalty`). */
  readonly refLogp?: Float32Array;
}

export interface RolloutBatch {
  readonly prompts: readonly PromptRecord[];
  readonly rollouts: readonly Rollout[];
}

/** Rollout fields the evaluator reads from the rollout itself; any other field name is a prompt field. */
export const ROLLOUT_FIELDS: ReadonlySet<string> = new Set(["text", "answer", "tokens", "finished", "logp", "entropy"]);

/** Tokens a rollout has at the `token` level. */
export function tokenCount(r: Rollout): number {
  return r.logp.length;
}

/**
 * Checks what the level index and the per-token code rely on: prompt indices in range, sample
 * indices non-negative integers, every declared level present, per-token arrays of one length, and
 * no two rollouts with the same key. Throws InvalidBatch.
 */
export function validateBatch(ir: IrDocument, batch: RolloutBatch): void {
  const declared = ir.rollout.levels.map((l) => l.name);
  const seen = new Set<string>();
  batch.rollouts.forEach((r, i) => {
    if (!Number.isInteger(r.prompt) || r.prompt < 0 || r.prompt >= batch.prompts.length) {
      throw new InvalidBatch(`prompt index ${r.prompt} is not in 0..${batch.prompts.length - 1}`, i);
    }
    if (!Number.isInteger(r.sample) || r.sample < 0) throw new InvalidBatch(`sample index ${r.sample} is not a non-negative integer`, i);
    for (const name of declared) {
      const v = r.levels[name];
      if (typeof v !== "number" && typeof v !== "string") throw new InvalidBatch(`no value for level \`${name}\``, i);
    }
    if (r.entropy.length !== r.logp.length) throw new InvalidBatch(`entropy has ${r.entropy.length} tokens, logp ${r.logp.length}`, i);
    if (r.refLogp !== undefined && r.refLogp.length !== r.logp.length) throw new InvalidBatch(`refLogp has ${r.refLogp.length} tokens, logp ${r.logp.length}`, i);
    const key = JSON.stringify([r.prompt, ...declared.map((n) => r.levels[n]), r.sample]);
    if (seen.has(key)) throw new InvalidBatch(`another rollout has the same prompt, level values and sample index`, i);
    seen.add(key);
  });
}
