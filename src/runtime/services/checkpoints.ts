/**
 * The Checkpoints service: atomic saves of a run's full state every K steps, the last `keep` of
 * them kept, and the latest one read back on resume. The layout is in checkpoint-files.ts.
 */
import { join } from "node:path";
import { Context, Effect, Layer } from "effect";
import {
  CheckpointFileError,
  listSteps,
  pruneCheckpoints,
  readCheckpoint,
  readLatestCheckpoint,
  stepDirName,
  writeCheckpoint,
  type CheckpointContent,
  type StoredCheckpoint,
} from "./checkpoint-files.js";
import { CheckpointError, describe } from "./errors.js";

export type { CheckpointContent, StoredCheckpoint } from "./checkpoint-files.js";

export interface CheckpointsConfig {
  /** The run directory; checkpoints go to DIR/checkpoints. */
  readonly dir: string;
  /** How many checkpoints to keep (default 3). */
  readonly keep?: number;
}

export class Checkpoints extends Context.Service<
  Checkpoints,
  {
    readonly root: string;
    /** Writes a checkpoint, moves `latest` to it, prunes old ones; resolves to its directory. */
    readonly save: (content: CheckpointContent) => Effect.Effect<string, CheckpointError>;
    /** The checkpoint `latest` names, or undefined when the run has none yet. */
    readonly latest: Effect.Effect<StoredCheckpoint | undefined, CheckpointError>;
    readonly load: (step: number) => Effect.Effect<StoredCheckpoint, CheckpointError>;
    readonly steps: Effect.Effect<readonly number[]>;
  }
>()("rlp/Checkpoints") {
  static layer(config: CheckpointsConfig): Layer.Layer<Checkpoints> {
    const root = join(config.dir, "checkpoints");
    const keep = config.keep ?? 3;
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, got ${keep}`);
    const fail = (path: string) => (cause: unknown) =>
      new CheckpointError({ path: cause instanceof CheckpointFileError ? cause.path : path, message: describe(cause) });
    return Layer.succeed(Checkpoints, {
      root,
      save: Effect.fn("Checkpoints.save")(function* (content: CheckpointContent) {
        return yield* Effect.try({
          try: () => {
            const path = writeCheckpoint(root, content);
            pruneCheckpoints(root, keep);
            return path;
          },
          catch: fail(join(root, stepDirName(content.step))),
        });
      }),
      latest: Effect.try({ try: () => readLatestCheckpoint(root), catch: fail(root) }),
      load: (step: number) => Effect.try({ try: () => readCheckpoint(join(root, stepDirName(step))), catch: fail(join(root, stepDirName(step))) }),
      steps: Effect.sync(() => listSteps(root)),
    });
  }

  /** Checkpoints kept in memory (copies, so later changes to the saved arrays do not leak in), for tests. */
  static layerTest(keep = 3): Layer.Layer<Checkpoints> {
    return Layer.sync(Checkpoints, () => {
      const saved = new Map<number, StoredCheckpoint>();
      let latest: number | undefined;
      const copy = (c: CheckpointContent, path: string): StoredCheckpoint => ({
        step: c.step,
        state: structuredClone(c.state),
        tensors: Object.fromEntries(Object.entries(c.tensors).map(([k, v]) => [k, Float32Array.from(v)])),
        path,
      });
      const path = (step: number) => `memory:${stepDirName(step)}`;
      const missing = (step: number) => new CheckpointError({ path: path(step), message: "no such checkpoint" });
      return {
        root: "memory:",
        save: (content: CheckpointContent) =>
          Effect.sync(() => {
            saved.set(content.step, copy(content, path(content.step)));
            latest = content.step;
            const steps = [...saved.keys()].sort((a, b) => a - b);
            for (const s of steps.slice(0, Math.max(0, steps.length - keep))) if (s !== latest) saved.delete(s);
            return path(content.step);
          }),
        latest: Effect.sync(() => (latest === undefined ? undefined : saved.get(latest))),
        load: (step: number) => {
          const found = saved.get(step);
          return found === undefined ? Effect.fail(missing(step)) : Effect.succeed(found);
        },
        steps: Effect.sync(() => [...saved.keys()].sort((a, b) => a - b)),
      };
    });
  }
}
