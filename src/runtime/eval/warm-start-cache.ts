/**
 * `tiny_lm(from: "cache:FILE.rlp")` before a run: when the cache has no finished run of FILE, train
 * it (or resume it) into its cache entry, printing what it does, so that the executor then finds
 * its last checkpoint. Deterministic: the entry is keyed by FILE's IR hash and seed, and the run is
 * an ordinary `rlp run FILE --out ENTRY` at the pipeline's own settings.
 */
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { IrDocument } from "../../compiler/ir/types.js";
import { cacheRef, resolveCacheEntry, WarmStartError, type CacheEntry } from "../executor/warm-start.js";
import { makeManifest, manifestPath, writeManifest } from "../run/manifest.js";
import { executeRun, type SessionIO } from "../run/session.js";
import { runSettings } from "../run/settings.js";
import { planRun } from "../scheduler/plan.js";

export interface WarmStartOptions {
  readonly io: SessionIO;
  readonly cwd: string;
  /** The backend of the run that needs it (the cached run uses it too unless its pipeline says otherwise). */
  readonly backend?: string;
}

/** The `from` of the pipeline's policy, when it is a `cache:` reference. */
export function cachedWarmStart(ir: IrDocument): string | undefined {
  const from = planRun(ir).policy.from;
  return cacheRef(from) === undefined ? undefined : from;
}

/**
 * Makes sure the cache entry a pipeline's `cache:` warm start names is finished. Returns 0 when it
 * is (or when the pipeline has no `cache:` warm start), else the failed training's exit code.
 * Throws WarmStartError when the referenced pipeline is missing or does not compile.
 */
export async function prepareWarmStart(ir: IrDocument, options: WarmStartOptions): Promise<number> {
  const from = cachedWarmStart(ir);
  if (from === undefined) return 0;
  const entry: CacheEntry = resolveCacheEntry(from, options.cwd);
  if (entry.complete) {
    options.io.stderr(`warm start: ${from} → ${entry.dir} (cached)\n`);
    return 0;
  }
  if (cacheRef(planRun(entry.ir).policy.from) !== undefined) throw new WarmStartError(`\`${from}\`: \`${entry.file}\` itself warm-starts from a \`cache:\` pipeline; train it first with \`rlp run ${entry.file}\``);
  const resume = existsSync(manifestPath(entry.dir));
  options.io.stderr(
    `warm start: ${from} is not cached; ${resume ? `resuming its run from step ${entry.step}` : "training it first"} (\`rlp ${resume ? `resume ${entry.dir}` : `run ${entry.file} --out ${entry.dir}`}\`)\n`,
  );
  const plan = planRun(entry.ir);
  const settings = runSettings(plan, { backend: plan.policy.backend !== "default" || plan.backend !== undefined ? undefined : options.backend });
  mkdirSync(entry.dir, { recursive: true });
  const code = await executeRun({
    io: options.io,
    ir: entry.ir,
    dir: entry.dir,
    ...settings,
    resume,
    onReady: (info) => {
      if (!resume) {
        writeManifest(
          entry.dir,
          makeManifest({ ir: entry.ir, file: entry.file, sourcePath: resolve(options.cwd, entry.file), pipelineOption: undefined, overrides: [], settings, info, argv: ["run", entry.file, "--out", entry.dir], cwd: options.cwd }),
        );
      }
    },
  });
  if (code === 0) options.io.stderr(`warm start: cached ${entry.dir}\n`);
  return code;
}
