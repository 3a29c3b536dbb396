/**
 * Run settings: a command-line flag wins over the pipeline's field, which wins over the default.
 * Backend: `--backend`, else `tiny_lm(backend: ...)`, else `optimize.backend`, else wasm.
 */
import type { RunPlan } from "../scheduler/plan.js";
import { BACKEND_NAMES, type BackendName } from "../tfjs/backend.js";

export const RUN_BACKENDS: readonly string[] = BACKEND_NAMES;

export interface RunSettings {
  readonly seed: number;
  readonly backend: BackendName;
  readonly steps: number;
  readonly checkpointEvery: number;
  readonly keepCheckpoints: number;
  readonly workers: number;
}

export interface RunFlags {
  readonly steps?: number | undefined;
  readonly seed?: number | undefined;
  readonly backend?: string | undefined;
  readonly checkpointEvery?: number | undefined;
  readonly keepCheckpoints?: number | undefined;
  readonly workers?: number | undefined;
}

export class SettingError extends Error {
  override readonly name = "SettingError";
}

function isBackend(name: string | undefined): name is BackendName {
  return name !== undefined && (BACKEND_NAMES as readonly string[]).includes(name);
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new SettingError(`--${name} needs a positive integer, got ${v}`);
  return v;
}

export function runSettings(plan: RunPlan, flags: RunFlags): RunSettings {
  const backend = flags.backend ?? (plan.policy.backend !== "default" ? plan.policy.backend : plan.backend) ?? "wasm";
  if (!isBackend(backend)) throw new SettingError(`unknown backend \`${backend}\` (known: ${BACKEND_NAMES.join(", ")})`);
  const seed = flags.seed ?? plan.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new SettingError(`--seed needs a non-negative integer, got ${seed}`);
  const workers = flags.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) throw new SettingError(`--workers needs a non-negative integer, got ${workers}`);
  return {
    seed,
    backend,
    steps: positiveInt("steps", flags.steps ?? plan.steps),
    checkpointEvery: positiveInt("checkpoint-every", flags.checkpointEvery ?? plan.checkpointEvery ?? 10),
    keepCheckpoints: positiveInt("keep-checkpoints", flags.keepCheckpoints ?? 3),
    workers,
  };
}
