/**
 * Per-prompt success-rate history for Knapsack-RL (liziniu/KnapsackRL rl_dataset.py,
 * update_sample_state / get_sample_state): rewards −1/0/1 count as 0/0/1; the rate is the mean of
 * the latest update, or of the last `bufferLength` rewards when the update is smaller than that;
 * the rate is trusted ("valid") once `minBufferLength` rewards have been seen.
 */
import { PrimitiveInputError } from "../errors.js";
import type { KnapsackPrompt } from "./knapsack.js";

export interface SuccessTrackerOptions {
  /** Rewards kept per prompt for the rate of small updates (16). */
  readonly bufferLength: number;
  /** Rewards needed before the rate is valid (8). */
  readonly minBufferLength: number;
}

export const SUCCESS_TRACKER_DEFAULTS: SuccessTrackerOptions = { bufferLength: 16, minBufferLength: 8 };

/** One prompt's checkpointable state. */
export interface PromptSuccessEntry {
  /** The last ≤ bufferLength normalised rewards (0/1), oldest first. */
  readonly recent: number[];
  /** Rewards seen in total. */
  readonly count: number;
  /** Current success-rate estimate. */
  readonly successRate: number;
}

/** Plain-JSON checkpoint of the whole tracker. */
export interface SuccessTrackerJSON {
  readonly version: 1;
  readonly options: SuccessTrackerOptions;
  readonly prompts: Readonly<Record<string, PromptSuccessEntry>>;
}

/** What the allocator reads per prompt. */
export interface PromptSuccessState extends KnapsackPrompt {
  readonly count: number;
}

/** Maps a reward in {−1, 0, 1} to {0, 0, 1}; anything else is an input error (as the released assert). */
export function normaliseKnapsackReward(reward: number): 0 | 1 {
  if (reward === 1) return 1;
  if (reward === 0 || reward === -1) return 0;
  throw new PrimitiveInputError("PromptSuccessTracker", `reward must be -1, 0 or 1, got ${reward}`);
}

/** Success-rate state of all prompts seen so far; one instance per training run. */
export class PromptSuccessTracker {
  private readonly entries = new Map<string, PromptSuccessEntry>();

  constructor(readonly options: SuccessTrackerOptions = SUCCESS_TRACKER_DEFAULTS) {
    if (!Number.isInteger(options.bufferLength) || options.bufferLength < 1) {
      throw new PrimitiveInputError("PromptSuccessTracker", `bufferLength must be a positive integer, got ${options.bufferLength}`);
    }
    if (!Number.isInteger(options.minBufferLength) || options.minBufferLength < 0) {
      throw new PrimitiveInputError("PromptSuccessTracker", `minBufferLength must be a non-negative integer, got ${options.minBufferLength}`);
    }
  }

  /** Records the rewards of one prompt's rollouts from one step (an empty list changes nothing). */
  update(promptId: string | number, rewards: readonly number[]): void {
    if (rewards.length === 0) return;
    const key = String(promptId);
    const fresh = rewards.map(normaliseKnapsackReward);
    const before = this.entries.get(key);
    const recent = [...(before?.recent ?? []), ...fresh].slice(-this.options.bufferLength);
    const pool = fresh.length < this.options.bufferLength ? recent : fresh;
    const successRate = pool.reduce<number>((s, r) => s + r, 0) / pool.length;
    this.entries.set(key, { recent, count: (before?.count ?? 0) + fresh.length, successRate });
  }

  /** The allocator's view of a prompt; an unseen prompt is invalid with rate 0. */
  get(promptId: string | number): PromptSuccessState {
    const entry = this.entries.get(String(promptId));
    const count = entry?.count ?? 0;
    return { valid: count >= this.options.minBufferLength, successRate: entry?.successRate ?? 0, count };
  }

  /** A plain-JSON snapshot for checkpoints. */
  toJSON(): SuccessTrackerJSON {
    const prompts: Record<string, PromptSuccessEntry> = {};
    for (const [k, v] of this.entries) prompts[k] = { recent: [...v.recent], count: v.count, successRate: v.successRate };
    return { version: 1, options: { ...this.options }, prompts };
  }

  /** Restores a tracker from `toJSON()` output (checked, since checkpoints are read from disk). */
  static fromJSON(json: unknown): PromptSuccessTracker {
    const bad = (why: string): never => {
      throw new PrimitiveInputError("PromptSuccessTracker.fromJSON", why);
    };
    if (typeof json !== "object" || json === null) return bad("not an object");
    const j = json as Partial<SuccessTrackerJSON>;
    if (j.version !== 1) bad(`unsupported version ${String(j.version)}`);
    if (typeof j.options !== "object" || j.options === null) bad("missing options");
    const tracker = new PromptSuccessTracker({ bufferLength: Number(j.options!.bufferLength), minBufferLength: Number(j.options!.minBufferLength) });
    if (typeof j.prompts !== "object" || j.prompts === null) bad("missing prompts");
    for (const [key, entry] of Object.entries(j.prompts!)) {
      const e = entry as Partial<PromptSuccessEntry>;
      const okRecent = Array.isArray(e.recent) && e.recent.every((r) => r === 0 || r === 1) && e.recent.length <= tracker.options.bufferLength;
      const okCount = typeof e.count === "number" && Number.isInteger(e.count) && e.count >= (e.recent?.length ?? 0);
      const okRate = typeof e.successRate === "number" && e.successRate >= 0 && e.successRate <= 1;
      if (!okRecent || !okCount || !okRate) bad(`prompt ${key} has a malformed entry`);
      tracker.entries.set(key, { recent: [...e.recent!], count: e.count!, successRate: e.successRate! });
    }
    return tracker;
  }
}
