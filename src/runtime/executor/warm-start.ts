/**
 * `tiny_lm(from: "...")`: policy weights from an earlier run's checkpoint (an SFT stage, or any
 * run). `from` may name a run directory, its `checkpoints/` directory or one `step_NNNNNN/`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readCheckpoint, readLatestCheckpoint, type StoredCheckpoint } from "../services/checkpoint-files.js";

export class WarmStartError extends Error {
  override readonly name = "WarmStartError";
}

export function findCheckpoint(from: string): StoredCheckpoint {
  if (existsSync(join(from, "state.json"))) return readCheckpoint(from);
  for (const root of [join(from, "checkpoints"), from]) {
    if (existsSync(join(root, "latest"))) {
      const found = readLatestCheckpoint(root);
      if (found !== undefined) return found;
    }
  }
  throw new WarmStartError(`\`${from}\` is not a run directory, a checkpoints directory or a checkpoint (no checkpoints/latest, latest or state.json there)`);
}

/** The policy weights of a checkpoint, by parameter name. */
export function policyWeights(ckpt: StoredCheckpoint): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(ckpt.tensors)) if (name.startsWith("policy/")) out[name.slice("policy/".length)] = t;
  if (Object.keys(out).length === 0) throw new WarmStartError(`the checkpoint ${ckpt.path} holds no policy weights`);
  return out;
}
