/**
 * What a checkpoint holds and how the loop state is read back from it. state.json fields:
 * `format_version`, `step`, `ir_hash`, `seed`, `rng` (the root seed and how stream seeds are
 * derived: there is no other random state), `data_cursor`, `tracker` (per-prompt success history
 * or null), `metrics_tail` (the last records, for progress and rates), `executor` (optimiser step
 * and learning rate); tensors: `policy/*`, `reference/*`, `optimizer/m`, `optimizer/v`.
 */
import { PromptSuccessTracker } from "../primitives/index.js";
import type { CheckpointContent, StoredCheckpoint } from "../services/checkpoints.js";
import { CheckpointError, describe } from "../services/errors.js";
import type { ExecutorState } from "../services/executor.js";
import type { MetricRecord } from "../services/metrics.js";
import type { LoopState } from "./step.js";

export const CHECKPOINT_FORMAT = 1;

export interface RunIdentity {
  readonly irHash: string;
  readonly seed: number;
}

export function toCheckpoint(state: LoopState, executor: ExecutorState, identity: RunIdentity, tail: readonly MetricRecord[]): CheckpointContent {
  return {
    step: state.step,
    state: {
      format_version: CHECKPOINT_FORMAT,
      ir_hash: identity.irHash,
      seed: identity.seed,
      rng: { root: identity.seed, derivation: "hash(root, path, step)" },
      data_cursor: state.cursor,
      tracker: state.tracker?.toJSON() ?? null,
      metrics_tail: tail,
      executor: executor.meta,
    },
    tensors: executor.tensors,
  };
}

export interface Restored {
  readonly state: LoopState;
  readonly executor: ExecutorState;
  readonly tail: MetricRecord[];
}

export function fromCheckpoint(stored: StoredCheckpoint, identity: RunIdentity): Restored {
  const s = stored.state as {
    format_version?: unknown;
    ir_hash?: unknown;
    seed?: unknown;
    data_cursor?: unknown;
    tracker?: unknown;
    metrics_tail?: unknown;
    executor?: unknown;
  };
  const bad = (message: string) => new CheckpointError({ path: stored.path, message });
  if (s.format_version !== CHECKPOINT_FORMAT) throw bad(`unsupported checkpoint format ${String(s.format_version)}`);
  if (s.ir_hash !== identity.irHash) throw bad(`the checkpoint was written by pipeline ${String(s.ir_hash).slice(0, 12)}…, not ${identity.irHash.slice(0, 12)}…`);
  if (s.seed !== identity.seed) throw bad(`the checkpoint was written with seed ${String(s.seed)}, not ${identity.seed}`);
  if (typeof s.data_cursor !== "number") throw bad("state.json lacks `data_cursor`");
  let tracker: PromptSuccessTracker | undefined;
  if (s.tracker !== null && s.tracker !== undefined) {
    try {
      tracker = PromptSuccessTracker.fromJSON(s.tracker);
    } catch (e) {
      throw bad(`the per-prompt state is damaged: ${describe(e)}`);
    }
  }
  const meta = typeof s.executor === "object" && s.executor !== null ? (s.executor as Record<string, unknown>) : {};
  return {
    state: { step: stored.step, cursor: s.data_cursor, ...(tracker === undefined ? {} : { tracker }) },
    executor: { tensors: stored.tensors, meta },
    tail: Array.isArray(s.metrics_tail) ? (s.metrics_tail as MetricRecord[]) : [],
  };
}
