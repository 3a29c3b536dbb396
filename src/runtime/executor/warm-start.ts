/**
 * `tiny_lm(from: "...")`: policy weights from an earlier run's checkpoint (an SFT stage, or any
 * run). `from` may name a run directory, its `checkpoints/` directory or one `step_NNNNNN/`, or
 * `cache:FILE.rlp`: the finished run of that pipeline kept under `.rlp-cache/` of the working
 * directory, keyed by its IR hash and seed (`rlp run` trains it first when it is missing; see
 * docs/eval.md). Paths are relative to the working directory.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compileSource } from "../../compiler/index.js";
import type { IrDocument } from "../../compiler/ir/types.js";
import { SourceFile, SourceMap } from "../../compiler/source.js";
import { planRun } from "../scheduler/plan.js";
import { readCheckpoint, readLatestCheckpoint, readLatestName, type StoredCheckpoint } from "../services/checkpoint-files.js";

export class WarmStartError extends Error {
  override readonly name = "WarmStartError";
}

/** Prefix of a `from` that names a cached pipeline run. */
export const CACHE_PREFIX = "cache:";
/** The cache's directory in the working directory (git-ignored). */
export const CACHE_DIR = ".rlp-cache";

/** The pipeline file a `cache:FILE` names, or undefined for any other `from`. */
export function cacheRef(from: string): string | undefined {
  return from.startsWith(CACHE_PREFIX) ? from.slice(CACHE_PREFIX.length) : undefined;
}

/** Where the run of a pipeline is cached: `.rlp-cache/<pipeline>/<first 16 of the IR hash>-seed<seed>`. */
export function cacheEntryDir(cwd: string, ir: Pick<IrDocument, "pipeline" | "hash">, seed: number): string {
  return join(cwd, CACHE_DIR, ir.pipeline, `${ir.hash.slice(0, 16)}-seed${seed}`);
}

export interface CacheEntry {
  /** The pipeline file as written after `cache:`. */
  readonly file: string;
  readonly ir: IrDocument;
  /** The pipeline's `optimize.seed`: the seed the cached run uses. */
  readonly seed: number;
  readonly dir: string;
  /** Its last checkpoint is the pipeline's final step. */
  readonly complete: boolean;
  /** Steps the run has checkpointed (0 when it has not started). */
  readonly step: number;
}

/** Compiles the pipeline a `cache:FILE` names and finds its cache entry (it may not exist yet). */
export function resolveCacheEntry(from: string, cwd: string = process.cwd()): CacheEntry {
  const file = cacheRef(from);
  if (file === undefined) throw new WarmStartError(`\`${from}\` is not a \`${CACHE_PREFIX}FILE\` reference`);
  const path = resolve(cwd, file);
  if (file === "" || !existsSync(path)) throw new WarmStartError(`\`${from}\`: no pipeline file \`${file}\` (the path after \`${CACHE_PREFIX}\` is relative to the working directory, ${cwd})`);
  const { ir, diagnostics } = compileSource(new SourceFile(file, readFileSync(path, "utf8")), new SourceMap());
  if (ir === undefined) {
    const first = diagnostics.find((d) => d.severity === "error") ?? diagnostics[0];
    throw new WarmStartError(`\`${from}\`: \`${file}\` does not compile${first === undefined ? "" : ` (${first.code}: ${first.message})`}; run \`rlp check ${file}\``);
  }
  const plan = planRun(ir);
  const dir = cacheEntryDir(cwd, ir, plan.seed);
  const latest = readLatestName(join(dir, "checkpoints"));
  const step = latest === undefined ? 0 : Number(latest.slice("step_".length));
  return { file, ir, seed: plan.seed, dir, complete: latest !== undefined && step >= plan.steps, step };
}

export function findCheckpoint(from: string, cwd: string = process.cwd()): StoredCheckpoint {
  if (cacheRef(from) !== undefined) {
    const entry = resolveCacheEntry(from, cwd);
    if (!entry.complete) {
      throw new WarmStartError(
        `\`${from}\`: no finished run of \`${entry.file}\` in ${entry.dir}${entry.step > 0 ? ` (it stopped at step ${entry.step})` : ""}; \`rlp run\` trains it first, or run \`rlp ${entry.step > 0 ? `resume ${entry.dir}` : `run ${entry.file} --out ${entry.dir}`}\``,
      );
    }
    return findCheckpoint(entry.dir);
  }
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
