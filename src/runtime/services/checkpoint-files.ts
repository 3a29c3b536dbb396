/**
 * The on-disk checkpoint layout and its atomic writes:
 *
 *   DIR/checkpoints/step_000120/state.json   step, IR hash, cursors, RNG, per-prompt state, tensor index
 *   DIR/checkpoints/step_000120/tensors.bin  float32 tensors back to back (weights, optimiser, reference)
 *   DIR/checkpoints/latest                   "step_000120", written last
 *
 * A checkpoint is written into `step_000120.tmp/`, flushed, renamed into place, and only then is
 * `latest` replaced (through its own temporary file and a rename). A process killed at any moment
 * leaves `latest` naming a complete checkpoint, or no `latest` at all.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export type JsonObject = { readonly [key: string]: unknown };

export interface CheckpointContent {
  readonly step: number;
  /** Everything but the tensors, as JSON (see docs/runtime.md for the fields). */
  readonly state: JsonObject;
  readonly tensors: Readonly<Record<string, Float32Array>>;
}

export interface StoredCheckpoint extends CheckpointContent {
  readonly path: string;
}

interface TensorIndexEntry {
  readonly offset: number;
  readonly length: number;
}

export class CheckpointFileError extends Error {
  override readonly name = "CheckpointFileError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const LATEST = "latest";
const STEP_DIR = /^step_(\d{6,})$/;

export function stepDirName(step: number): string {
  return `step_${String(step).padStart(6, "0")}`;
}

function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename durable (best effort: not every file system lets a directory be fsynced). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Directory fsync is unsupported on some platforms; the rename itself is still atomic.
  }
}

function packTensors(tensors: Readonly<Record<string, Float32Array>>): { bytes: Uint8Array; index: Record<string, TensorIndexEntry> } {
  const names = Object.keys(tensors).sort();
  const total = names.reduce((s, n) => s + tensors[n]!.length, 0);
  const flat = new Float32Array(total);
  const index: Record<string, TensorIndexEntry> = {};
  let at = 0;
  for (const n of names) {
    const t = tensors[n]!;
    flat.set(t, at);
    index[n] = { offset: at, length: t.length };
    at += t.length;
  }
  return { bytes: new Uint8Array(flat.buffer), index };
}

export function readLatestName(root: string): string | undefined {
  const path = join(root, LATEST);
  if (!existsSync(path)) return undefined;
  const name = readFileSync(path, "utf8").trim();
  return STEP_DIR.test(name) ? name : undefined;
}

/** Step numbers of the complete checkpoints under `root`, ascending. */
export function listSteps(root: string): number[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => STEP_DIR.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Writes one checkpoint atomically and points `latest` at it; returns its directory. */
export function writeCheckpoint(root: string, content: CheckpointContent): string {
  mkdirSync(root, { recursive: true });
  const name = stepDirName(content.step);
  const final = join(root, name);
  // Saving the step `latest` already names (an interrupt right after a periodic save) would write the same state again.
  if (readLatestName(root) === name && existsSync(final)) return final;
  const tmp = join(root, `${name}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const { bytes, index } = packTensors(content.tensors);
  writeDurable(join(tmp, "tensors.bin"), bytes);
  const state = { ...content.state, step: content.step, tensors: index, tensors_sha256: createHash("sha256").update(bytes).digest("hex") };
  writeDurable(join(tmp, "state.json"), `${JSON.stringify(state, null, 1)}\n`);
  syncDir(tmp);
  if (existsSync(final)) {
    // A leftover of a killed run that `latest` never named: replace it.
    const stale = join(root, `${name}.stale`);
    rmSync(stale, { recursive: true, force: true });
    renameSync(final, stale);
    renameSync(tmp, final);
    rmSync(stale, { recursive: true, force: true });
  } else renameSync(tmp, final);
  syncDir(root);
  const latestTmp = join(root, `${LATEST}.tmp`);
  writeDurable(latestTmp, `${name}\n`);
  renameSync(latestTmp, join(root, LATEST));
  syncDir(root);
  return final;
}

/** Removes all but the newest `keep` checkpoints (never the one `latest` names) and stray temporaries. */
export function pruneCheckpoints(root: string, keep: number): void {
  if (!existsSync(root)) return;
  const latest = readLatestName(root);
  const steps = listSteps(root);
  const drop = steps.slice(0, Math.max(0, steps.length - keep)).map(stepDirName).filter((n) => n !== latest);
  for (const n of drop) rmSync(join(root, n), { recursive: true, force: true });
  for (const n of readdirSync(root)) if (n.endsWith(".tmp") || n.endsWith(".stale")) rmSync(join(root, n), { recursive: true, force: true });
}

/** Reads and verifies the checkpoint in `dir`. */
export function readCheckpoint(dir: string): StoredCheckpoint {
  const statePath = join(dir, "state.json");
  const binPath = join(dir, "tensors.bin");
  if (!existsSync(statePath) || !existsSync(binPath)) throw new CheckpointFileError(dir, "the checkpoint is incomplete (state.json or tensors.bin is missing)");
  let state: JsonObject & { step?: unknown; tensors?: unknown; tensors_sha256?: unknown };
  try {
    state = JSON.parse(readFileSync(statePath, "utf8")) as typeof state;
  } catch (cause) {
    throw new CheckpointFileError(statePath, `state.json is not valid JSON (${String(cause)})`);
  }
  const bin = readFileSync(binPath);
  const sha = createHash("sha256").update(bin).digest("hex");
  if (sha !== state.tensors_sha256) throw new CheckpointFileError(binPath, "tensors.bin does not match the checksum in state.json (the file is damaged)");
  if (typeof state.step !== "number" || typeof state.tensors !== "object" || state.tensors === null) {
    throw new CheckpointFileError(statePath, "state.json lacks `step` or `tensors`");
  }
  // Copy into an aligned buffer: Buffer slices of small files may start at any byte offset.
  const flat = new Float32Array(new Uint8Array(bin).buffer, 0, bin.length / 4);
  const tensors: Record<string, Float32Array> = {};
  for (const [name, e] of Object.entries(state.tensors as Record<string, TensorIndexEntry>)) {
    if (e.offset + e.length > flat.length) throw new CheckpointFileError(binPath, `tensor ${name} lies outside tensors.bin`);
    tensors[name] = flat.slice(e.offset, e.offset + e.length);
  }
  return { step: state.step, state, tensors, path: dir };
}

/** The checkpoint `latest` names, if any. */
export function readLatestCheckpoint(root: string): StoredCheckpoint | undefined {
  const name = readLatestName(root);
  if (name === undefined) return undefined;
  const dir = join(root, name);
  if (!existsSync(dir)) throw new CheckpointFileError(join(root, LATEST), `\`latest\` names ${name}, which does not exist`);
  return readCheckpoint(dir);
}
