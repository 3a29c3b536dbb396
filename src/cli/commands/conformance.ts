/**
 * `rlp conformance DIR... [--json] [--filter NAME] [--verbose]`: runs numeric fixtures against the
 * project's primitives and prints a per-function table. Exit 0 when nothing fails or errors
 * (unsupported functions are listed, not counted against), 1 otherwise, 2 on usage errors.
 */
import { stat } from "node:fs/promises";
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import {
  conforms,
  displayPath,
  formatLocation,
  runConformance,
  type ConformanceReport,
  type FixtureOutcome,
  type Mismatch,
} from "../../runtime/conformance/index.js";

export interface ConformanceIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const FLAGS: Record<string, FlagSpec> = {
  json: { kind: "boolean", description: "print the full report as versioned JSON" },
  filter: { kind: "string", description: "only fixtures whose function is NAME, or whose path or case contains it" },
  verbose: { kind: "boolean", short: "v", description: "list every fixture, not only failures and errors" },
  help: { kind: "boolean", short: "h", description: "show this help" },
};

export const CONFORMANCE_USAGE = [
  "usage: rlp conformance DIR... [--json] [--filter NAME] [--verbose]",
  "",
  "Runs every *.json fixture under each DIR (recursively) through rlp's primitives and compares",
  "the results with the fixture's expected values (|got - expected| <= abs + rel*|expected|).",
  "",
  "options:",
  formatFlags(FLAGS),
  "",
  "exit status: 0 no failures or errors, 1 some fixture failed or errored, 2 usage error",
].join("\n");

const STATUS_COLUMNS = ["pass", "fail", "unsupported", "error"] as const;

function table(report: ConformanceReport): string {
  const names = Object.keys(report.byFunction);
  const width = Math.max("function".length, "total".length, ...names.map((n) => n.length));
  const row = (name: string, cells: readonly (string | number)[]): string =>
    `${name.padEnd(width)}  ${cells.map((c, i) => String(c).padStart(STATUS_COLUMNS[i]!.length)).join("  ")}`;
  const lines = [row("function", STATUS_COLUMNS), ...names.map((n) => row(n, STATUS_COLUMNS.map((s) => report.byFunction[n]![s])))];
  lines.push(row("total", STATUS_COLUMNS.map((s) => report.totals[s])));
  return lines.join("\n");
}

function mismatchLine(m: Mismatch): string {
  const where = formatLocation(m);
  switch (m.kind) {
    case "shape":
      return `${where}: length ${String(m.got)}, expected ${String(m.expected)}`;
    case "missing":
      return `${where}: not produced (expected ${String(m.expected)})`;
    case "type":
      return `${where}: got ${String(m.got)}, expected ${JSON.stringify(m.expected)}`;
    case "value":
      return `${where}: got ${String(m.got)}, expected ${String(m.expected)}`;
  }
}

function outcomeLines(f: FixtureOutcome): string[] {
  const label = `${displayPath(f.file)}${f.function !== undefined ? ` (${f.function}${f.case !== undefined ? `, ${f.case}` : ""})` : ""}`;
  switch (f.status) {
    case "pass":
      return [`PASS  ${label}`];
    case "unsupported":
      return [`SKIP  ${label}: no handler for this function`];
    case "error":
      return [`ERROR ${label}: ${f.reason}`];
    case "fail": {
      const more = f.mismatchCount > f.mismatches.length ? [`      … ${f.mismatchCount - f.mismatches.length} more mismatches`] : [];
      return [`FAIL  ${label}: ${f.mismatchCount} of ${f.compared} values differ`, ...f.mismatches.map((m) => `      ${mismatchLine(m)}`), ...more];
    }
  }
}

function textReport(report: ConformanceReport, verbose: boolean): string {
  const listed = report.fixtures.filter((f) => verbose || f.status === "fail" || f.status === "error");
  const t = report.totals;
  const summary = `${t.fixtures} fixtures: ${t.pass} pass, ${t.fail} fail, ${t.unsupported} unsupported, ${t.error} error`;
  const body = listed.flatMap(outcomeLines);
  return [table(report), "", ...(body.length > 0 ? [...body, ""] : []), summary, ""].join("\n");
}

export async function conformanceCommand(argv: string[], io: ConformanceIO): Promise<number> {
  let flags;
  let dirs: string[];
  try {
    const parsed = parseArgs(argv, FLAGS);
    flags = parsed.flags;
    dirs = parsed.positionals;
    if (flags["help"] === true) {
      io.stdout(`${CONFORMANCE_USAGE}\n`);
      return 0;
    }
    if (dirs.length === 0) throw new UsageError("no fixture directory given");
    for (const dir of dirs) {
      const info = await stat(dir).catch(() => undefined);
      if (info === undefined || !info.isDirectory()) throw new UsageError(`\`${dir}\` is not a directory`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`error: ${e.message}\n${e.help !== undefined ? `help: ${e.help}\n` : ""}\n${CONFORMANCE_USAGE}\n`);
    return 2;
  }
  const filter = typeof flags["filter"] === "string" ? flags["filter"] : undefined;
  const report = await runConformance(dirs, filter !== undefined ? { filter } : {});
  if (report.totals.fixtures === 0) io.stderr(`warning: no fixture found${filter !== undefined ? ` matching \`${filter}\`` : ""} under ${dirs.join(", ")}\n`);
  io.stdout(flags["json"] === true ? `${JSON.stringify(report, null, 2)}\n` : textReport(report, flags["verbose"] === true));
  return conforms(report) ? 0 : 1;
}
