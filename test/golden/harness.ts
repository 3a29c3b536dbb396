/**
 * Golden tests in Pkl's layout: `DIR/input/**\/*.rlp` → `DIR/output/<same path>.out` when the run
 * succeeds or `.err` when it fails, never both. A missing expected file is written and the test
 * fails (review it, then commit it); `UPDATE_GOLDEN=1` rewrites expected files and removes stale
 * ones. Output is normalised: the repository root becomes `$ROOT`, the package version `x.y.z`.
 *
 * An input may open with structured expectations, checked against the run's diagnostics apart
 * from the rendered text, so that rewording a message does not hide a change in meaning:
 *
 *     // expect: error RLP0204
 *     // expect: warning RLP0501 at 12:7
 *     // expect: error RLP0301 at /nodes/rollout/params/temperature
 *     // expect: ok
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { describe, expect, test } from "vitest";
import type { Diagnostic, Severity } from "../../src/compiler/diagnostics/diagnostic.js";
import { packageRoot } from "../../src/compiler/paths.js";
import { SourceFile, type SourceMap, type Span } from "../../src/compiler/source.js";

/** What one run produced: `out` on success or `err` on failure, and optionally its diagnostics. */
export interface GoldenOutcome {
  readonly out?: string;
  readonly err?: string;
  /** Needed when the input has `// expect:` lines. */
  readonly diagnostics?: readonly Diagnostic[];
  /** Resolves spans for `at LINE:COL`; without it, spans are read against the input file. */
  readonly sources?: SourceMap;
}

export type GoldenRun = (inputPath: string) => Promise<GoldenOutcome>;

// ------------------------------------------------------------------ layout

/** Input files, as paths relative to `DIR/input`, sorted, with `/` separators. */
export function findInputs(dir: string): string[] {
  const root = join(dir, "input");
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true, withFileTypes: false }) as string[])
    .map((p) => p.split(sep).join("/"))
    .filter((p) => p.endsWith(".rlp"))
    .sort();
}

export function expectedPaths(dir: string, input: string): { out: string; err: string } {
  const base = join(dir, "output", input.replace(/\.rlp$/, ""));
  return { out: `${base}.out`, err: `${base}.err` };
}

/** Expected files under `DIR/output` that no input produces. */
export function staleOutputs(dir: string): string[] {
  const root = join(dir, "output");
  if (!existsSync(root)) return [];
  const wanted = new Set(findInputs(dir).flatMap((i) => Object.values(expectedPaths(dir, i))));
  return (readdirSync(root, { recursive: true }) as string[])
    .map((p) => join(root, p))
    .filter((p) => /\.(out|err)$/.test(p) && !wanted.has(p))
    .sort();
}

// ------------------------------------------------------------------ normalisation

export interface Normalisation {
  readonly root: string;
  readonly version: string;
}

export function defaultNormalisation(): Normalisation {
  const root = packageRoot();
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return { root, version };
}

export function normalise(text: string, n: Normalisation): string {
  const escaped = n.version.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(/\r\n/g, "\n")
    .split(n.root)
    .join("$ROOT")
    .replace(new RegExp(`(?<![\\d.])${escaped}(?!\\.?\\d)`, "g"), "x.y.z");
}

// ------------------------------------------------------------------ expectations

export type Expectation =
  | { readonly kind: "ok" }
  | {
      readonly kind: "diagnostic";
      readonly severity: Severity;
      readonly code: string;
      readonly at?: { readonly line: number; readonly column?: number } | { readonly pointer: string };
      /** The header line, for messages. */
      readonly source: string;
    };

const EXPECT_LINE = /^\/\/\s*expect:\s*(.*)$/;
const DIAGNOSTIC_EXPECTATION = /^(error|warning|note)\s+(RLP\d{4})(?:\s+at\s+(?:(\d+)(?::(\d+))?|(\/\S*)))?$/;

/** `// expect:` lines from the leading comment block (comments and blank lines before any code). */
export function parseExpectations(text: string): { expectations: Expectation[]; problems: string[] } {
  const expectations: Expectation[] = [];
  const problems: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("//")) break;
    const header = EXPECT_LINE.exec(line);
    if (header === null) continue;
    const body = header[1]!.trim();
    if (body === "ok") {
      expectations.push({ kind: "ok" });
      continue;
    }
    const m = DIAGNOSTIC_EXPECTATION.exec(body);
    if (m === null) {
      problems.push(`cannot read \`${line}\`: write \`// expect: error RLP0204\`, \`... at LINE:COL\`, \`... at /json/pointer\` or \`// expect: ok\``);
      continue;
    }
    const [, severity, code, lineNo, column, pointer] = m;
    const at = pointer !== undefined ? { pointer } : lineNo !== undefined ? { line: Number(lineNo), ...(column !== undefined ? { column: Number(column) } : {}) } : undefined;
    expectations.push({ kind: "diagnostic", severity: severity as Severity, code: code!, source: line, ...(at ? { at } : {}) });
  }
  if (expectations.some((e) => e.kind === "ok") && expectations.length > 1) problems.push("`// expect: ok` cannot be combined with expected diagnostics");
  return { expectations, problems };
}

/** Line and column (in code points, as rendered) of a diagnostic's primary span. */
export type Locate = (span: Span) => { line: number; column: number } | undefined;

export function locator(sources: SourceMap | undefined, inputPath: string, inputText: string): Locate {
  const fallback = new SourceFile(inputPath, inputText);
  return (span) => {
    const file = sources?.get(span.file) ?? (sources === undefined ? fallback : undefined);
    if (file === undefined) return undefined;
    const p = file.position(span.start);
    return { line: p.line, column: [...file.lineText(p.line).slice(0, p.column - 1)].length + 1 };
  };
}

function describeDiagnostic(d: Diagnostic, locate: Locate): string {
  const span = (d.labels.find((l) => l.primary) ?? d.labels[0])?.span;
  const where = span === undefined ? undefined : locate(span);
  return `${d.severity} ${d.code}${where === undefined ? "" : ` at ${where.line}:${where.column}`}${d.path === undefined ? "" : ` (${d.path})`}: ${d.message}`;
}

function matches(e: Extract<Expectation, { kind: "diagnostic" }>, d: Diagnostic, locate: Locate): boolean {
  if (e.severity !== d.severity || e.code !== d.code) return false;
  if (e.at === undefined) return true;
  if ("pointer" in e.at) return d.path === e.at.pointer;
  const span = (d.labels.find((l) => l.primary) ?? d.labels[0])?.span;
  const where = span === undefined ? undefined : locate(span);
  return where !== undefined && where.line === e.at.line && (e.at.column === undefined || where.column === e.at.column);
}

/**
 * The expectations must match the diagnostics one to one, in any order. Positioned expectations
 * are matched first, so that an unpositioned one cannot take a diagnostic another one needs.
 */
export function checkExpectations(expectations: readonly Expectation[], diagnostics: readonly Diagnostic[], locate: Locate): string[] {
  const left = [...diagnostics];
  const problems: string[] = [];
  const wanted = expectations.filter((e): e is Extract<Expectation, { kind: "diagnostic" }> => e.kind === "diagnostic");
  const ordered = [...wanted.filter((e) => e.at !== undefined), ...wanted.filter((e) => e.at === undefined)];
  for (const e of ordered) {
    const i = left.findIndex((d) => matches(e, d, locate));
    if (i < 0) problems.push(`expected but not reported: ${e.source.replace(/^\/\/\s*expect:\s*/, "")}`);
    else left.splice(i, 1);
  }
  for (const d of left) problems.push(`reported but not expected: ${describeDiagnostic(d, locate)}`);
  return problems;
}

// ------------------------------------------------------------------ comparing with expected files

export type GoldenVerdict =
  | { readonly kind: "pass" }
  | { readonly kind: "fail"; readonly message: string }
  | { readonly kind: "mismatch"; readonly path: string; readonly expected: string; readonly actual: string };

export interface CheckOptions {
  readonly update: boolean;
  readonly normalisation: Normalisation;
}

/** Compares one outcome with its expected file, writing it when missing or when updating. */
export function checkGolden(dir: string, input: string, outcome: GoldenOutcome, options: CheckOptions): GoldenVerdict {
  if (outcome.out !== undefined && outcome.err !== undefined) {
    return { kind: "fail", message: `the run returned both \`out\` and \`err\` for ${input}; a run either succeeds or fails` };
  }
  const paths = expectedPaths(dir, input);
  const failed = outcome.err !== undefined;
  const path = failed ? paths.err : paths.out;
  const other = failed ? paths.out : paths.err;
  const actual = normalise(outcome.err ?? outcome.out ?? "", options.normalisation);
  if (options.update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    if (existsSync(other)) rmSync(other);
    return { kind: "pass" };
  }
  const hasOut = existsSync(paths.out);
  const hasErr = existsSync(paths.err);
  if (hasOut && hasErr) return { kind: "fail", message: `both ${relative(dir, paths.out)} and ${relative(dir, paths.err)} exist; delete the wrong one` };
  if (existsSync(other)) {
    const says = failed ? "the run to succeed, but it failed" : "the run to fail, but it succeeded";
    return { kind: "fail", message: `${relative(dir, other)} expects ${says}:\n${actual}` };
  }
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return { kind: "fail", message: `wrote missing expected file ${relative(dir, path)}; review it and commit it` };
  }
  const expected = readFileSync(path, "utf8").replace(/\r\n/g, "\n");
  return expected === actual ? { kind: "pass" } : { kind: "mismatch", path, expected, actual };
}

// ------------------------------------------------------------------ the suite

/** Runs one input: the `// expect:` problems (empty when none) and the verdict on the output. */
export async function goldenCase(dir: string, input: string, run: GoldenRun, options: CheckOptions): Promise<{ problems: string[]; verdict: GoldenVerdict }> {
  const inputPath = join(dir, "input", input);
  const text = readFileSync(inputPath, "utf8");
  const outcome = await run(inputPath);
  const { expectations, problems } = parseExpectations(text);
  if (expectations.length > 0) {
    if (outcome.diagnostics === undefined) problems.push("the input has `// expect:` lines but the suite's run returned no `diagnostics`");
    else if (expectations.some((e) => e.kind === "ok")) {
      for (const d of outcome.diagnostics) if (d.severity !== "note") problems.push(`expected no errors or warnings, got ${d.severity} ${d.code}: ${d.message}`);
    } else problems.push(...checkExpectations(expectations, outcome.diagnostics, locator(outcome.sources, inputPath, text)));
  }
  return { problems, verdict: checkGolden(dir, input, outcome, options) };
}

/** Registers one vitest test per input file of `dir`, plus one for stale expected files. */
export function goldenSuite(name: string, dir: string, run: GoldenRun): void {
  const update = process.env["UPDATE_GOLDEN"] === "1";
  const normalisation = defaultNormalisation();
  const inputs = findInputs(dir);
  describe(name, () => {
    if (inputs.length === 0) {
      test("has inputs", () => {
        expect.fail(`no *.rlp files under ${join(dir, "input")}`);
      });
      return;
    }
    for (const input of inputs) {
      test(input, async () => {
        const { problems, verdict } = await goldenCase(dir, input, run, { update, normalisation });
        if (problems.length > 0) expect.fail(`${input}: the \`// expect:\` header does not match:\n  ${problems.join("\n  ")}`);
        if (verdict.kind === "fail") expect.fail(verdict.message);
        if (verdict.kind === "mismatch") {
          expect(verdict.actual, `${relative(dir, verdict.path)} differs (run with UPDATE_GOLDEN=1 to accept the new output)`).toBe(verdict.expected);
        }
      });
    }
    test("no stale expected files", () => {
      const stale = staleOutputs(dir);
      if (update) for (const path of stale) rmSync(path);
      else expect(stale.map((p) => relative(dir, p)), "expected files without an input (UPDATE_GOLDEN=1 removes them)").toEqual([]);
    });
  });
}
