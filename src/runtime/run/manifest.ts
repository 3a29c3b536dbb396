/**
 * The run manifest (`DIR/manifest.json`): what was run, with what, and how to run it again. `rlp
 * resume` reads it back: the source file, the pipeline name and the overrides rebuild the IR, whose
 * hash must equal `ir_hash`; seed, backend, steps, checkpoint interval and workers are reused.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getCurrentVersion } from "effect/Version";
import type { IrDocument } from "../../compiler/ir/types.js";
import type { ExecutorInfo } from "../services/executor.js";
import type { Override } from "./overrides.js";
import type { RunSettings } from "./settings.js";

export const MANIFEST_FORMAT = 1;

export interface RunManifest {
  readonly format_version: typeof MANIFEST_FORMAT;
  readonly created: string;
  readonly pipeline: string;
  /** The .rlp file as given on the command line, and resolved. */
  readonly source: string;
  readonly source_path: string;
  /** `--pipeline`, when the file declares several. */
  readonly pipeline_option?: string;
  readonly ir_hash: string;
  readonly overrides: readonly Override[];
  readonly seed: number;
  readonly backend: string;
  readonly steps: number;
  readonly checkpoint_every: number;
  readonly keep_checkpoints: number;
  readonly workers: number;
  readonly versions: Readonly<Record<string, string>>;
  readonly executor: { readonly kind: string; readonly device: string; readonly model: string; readonly parameters: number };
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly ir: IrDocument;
}

export interface ManifestInput {
  readonly ir: IrDocument;
  readonly file: string;
  readonly sourcePath: string;
  readonly pipelineOption: string | undefined;
  readonly overrides: readonly Override[];
  readonly settings: RunSettings;
  readonly info: ExecutorInfo;
  readonly argv: readonly string[];
  readonly cwd: string;
}

export function makeManifest(m: ManifestInput): RunManifest {
  const s = m.settings;
  return {
    format_version: MANIFEST_FORMAT,
    created: new Date().toISOString(),
    pipeline: m.ir.pipeline,
    source: m.file,
    source_path: m.sourcePath,
    ...(m.pipelineOption === undefined ? {} : { pipeline_option: m.pipelineOption }),
    ir_hash: m.ir.hash,
    overrides: m.overrides,
    seed: s.seed,
    backend: s.backend,
    steps: s.steps,
    checkpoint_every: s.checkpointEvery,
    keep_checkpoints: s.keepCheckpoints,
    workers: s.workers,
    versions: { ...m.info.versions, effect: getCurrentVersion() },
    executor: { kind: m.info.kind, device: m.info.device, model: m.info.model, parameters: m.info.parameters },
    argv: m.argv,
    cwd: m.cwd,
    ir: m.ir,
  };
}

export function manifestPath(dir: string): string {
  return join(dir, "manifest.json");
}

export function writeManifest(dir: string, manifest: RunManifest): void {
  const path = manifestPath(dir);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, path);
}

export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

export function readManifest(dir: string): RunManifest {
  const path = manifestPath(dir);
  if (!existsSync(path)) throw new ManifestError(`\`${dir}\` has no manifest.json: it is not an rlp run directory`);
  let m: Partial<RunManifest>;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as Partial<RunManifest>;
  } catch (e) {
    throw new ManifestError(`${path} is not valid JSON (${String(e)})`);
  }
  if (m.format_version !== MANIFEST_FORMAT) throw new ManifestError(`${path} has format_version ${String(m.format_version)}; this rlp reads ${MANIFEST_FORMAT}`);
  for (const key of ["source_path", "ir_hash", "seed", "backend", "steps", "checkpoint_every"] as const) {
    if (m[key] === undefined) throw new ManifestError(`${path} lacks \`${key}\``);
  }
  return m as RunManifest;
}
