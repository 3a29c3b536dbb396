/**
 * Runs every `*.json` fixture found (recursively) under one or more directories through the
 * project's primitives and compares the results with the fixtures' expected values.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { compareOutputs } from "./compare.js";
import { fixtureFunction, MalformedFixtureError, parseFixture } from "./fixture.js";
import { HANDLERS } from "./handlers/registry.js";
import { summarise, type ConformanceReport, type FixtureOutcome } from "./report.js";

export interface ConformanceOptions {
  /** Keep only fixtures whose function equals this, or whose path or case contains it. */
  readonly filter?: string;
  /** Mismatches kept per failing fixture (default 5). */
  readonly maxMismatches?: number;
}

/** A directory given to the runner could not be read. */
export class FixtureDirectoryError extends Error {
  readonly _tag = "FixtureDirectoryError" as const;
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`cannot read fixture directory ${dir}: ${reason}`);
    this.name = "FixtureDirectoryError";
  }
}

async function listJsonFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (e) {
    throw new FixtureDirectoryError(dir, e instanceof Error ? e.message : String(e));
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const matches = (filter: string | undefined, file: string, fn?: string, caseName?: string): boolean =>
  filter === undefined || fn === filter || file.includes(filter) || (caseName?.includes(filter) ?? false);

/** Evaluates one fixture file; never throws (problems become `error` outcomes). */
async function runFile(file: string, options: ConformanceOptions): Promise<FixtureOutcome | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    if (!matches(options.filter, file)) return undefined;
    return { file, status: "error", reason: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  let fn: string;
  try {
    fn = fixtureFunction(raw);
  } catch (e) {
    if (!matches(options.filter, file)) return undefined;
    return { file, status: "error", reason: (e as Error).message };
  }
  const rawCase = (raw as Record<string, unknown>)["case"];
  const caseName = typeof rawCase === "string" ? rawCase : undefined;
  if (!matches(options.filter, file, fn, caseName)) return undefined;
  const base = { file, function: fn, ...(caseName !== undefined ? { case: caseName } : {}) };
  const handler = HANDLERS.get(fn);
  if (handler === undefined) return { ...base, status: "unsupported" };
  try {
    const fixture = parseFixture(raw);
    const out = handler(fixture);
    const cmp = compareOutputs(fixture.expected, out.values, fixture.tolerance, new Set(out.exact ?? []), options.maxMismatches ?? 5);
    return cmp.count === 0
      ? { ...base, status: "pass", compared: cmp.compared }
      : { ...base, status: "fail", compared: cmp.compared, mismatchCount: cmp.count, mismatches: cmp.first };
  } catch (e) {
    const reason = e instanceof MalformedFixtureError ? e.reason : errorText(e);
    return { ...base, status: "error", reason };
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const tag = (e as { _tag?: unknown })._tag;
    return typeof tag === "string" ? `${tag}: ${e.message}` : `${e.name}: ${e.message}`;
  }
  return String(e);
}

/**
 * Losses run on tfjs; the reference numbers were produced on CPU, so the cpu backend is used and
 * whatever backend was active before (if any; getBackend does not initialise one) is restored.
 */
async function withCpuBackend<T>(body: () => Promise<T>): Promise<T> {
  const previous: string | null | undefined = tf.getBackend();
  // The cpu backend's first use prints an advert for tfjs-node, which cannot be installed
  // offline; production mode silences tfjs warnings (rlp reports its own problems).
  tf.env().set("PROD", true);
  if (previous !== "cpu") await tf.setBackend("cpu");
  try {
    return await body();
  } finally {
    if (typeof previous === "string" && previous !== "cpu") await tf.setBackend(previous);
  }
}

/**
 * Runs all fixtures under `dirs` (a directory or a list), in sorted path order per directory.
 * Throws FixtureDirectoryError only when a directory cannot be read at all.
 */
export async function runConformance(dirs: string | readonly string[], options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const list = typeof dirs === "string" ? [dirs] : [...dirs];
  const files: string[] = [];
  for (const dir of list) files.push(...(await listJsonFiles(dir)));
  const outcomes = await withCpuBackend(async () => {
    const acc: FixtureOutcome[] = [];
    for (const file of files) {
      const outcome = await runFile(file, options);
      if (outcome !== undefined) acc.push(outcome);
    }
    return acc;
  });
  return summarise(list, options.filter, outcomes);
}

/** Path of a fixture relative to a base directory, for compact display. */
export function displayPath(file: string, base = process.cwd()): string {
  const rel = relative(base, file);
  return rel.startsWith("..") ? file : rel;
}
