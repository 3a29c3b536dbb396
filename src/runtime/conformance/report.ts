/**
 * The conformance report: one outcome per fixture file plus counts, overall and per function.
 * `format_version` is bumped whenever the JSON shape changes incompatibly.
 */
import type { Mismatch } from "./compare.js";

export const CONFORMANCE_REPORT_FORMAT_VERSION = 1;

export type FixtureStatus = "pass" | "fail" | "unsupported" | "error";
export const FIXTURE_STATUSES: readonly FixtureStatus[] = ["pass", "fail", "unsupported", "error"];

interface OutcomeBase {
  /** Path of the fixture file, as found under the directory given to the runner. */
  readonly file: string;
  /** The fixture's `function`, when it could be read. */
  readonly function?: string;
  readonly case?: string;
}

export type FixtureOutcome =
  | (OutcomeBase & { readonly status: "pass"; readonly compared: number })
  | (OutcomeBase & { readonly status: "fail"; readonly compared: number; readonly mismatchCount: number; readonly mismatches: readonly Mismatch[] })
  | (OutcomeBase & { readonly status: "unsupported" })
  | (OutcomeBase & { readonly status: "error"; readonly reason: string });

export type StatusCounts = Record<FixtureStatus, number>;

export interface ConformanceReport {
  readonly format_version: typeof CONFORMANCE_REPORT_FORMAT_VERSION;
  /** The directories that were scanned. */
  readonly dirs: readonly string[];
  readonly filter?: string;
  readonly totals: StatusCounts & { readonly fixtures: number };
  /** Counts per fixture function ("(unreadable)" for files whose function could not be read). */
  readonly byFunction: Readonly<Record<string, StatusCounts>>;
  readonly fixtures: readonly FixtureOutcome[];
}

export const emptyCounts = (): StatusCounts => ({ pass: 0, fail: 0, unsupported: 0, error: 0 });

/** Key used in byFunction for fixtures whose function name could not be read. */
export const UNREADABLE_FUNCTION = "(unreadable)";

export function summarise(dirs: readonly string[], filter: string | undefined, fixtures: readonly FixtureOutcome[]): ConformanceReport {
  const totals = emptyCounts();
  const byFunction: Record<string, StatusCounts> = {};
  for (const f of fixtures) {
    totals[f.status]++;
    const key = f.function ?? UNREADABLE_FUNCTION;
    (byFunction[key] ??= emptyCounts())[f.status]++;
  }
  const sortedByFunction = Object.fromEntries(Object.entries(byFunction).sort(([a], [b]) => a.localeCompare(b)));
  return {
    format_version: CONFORMANCE_REPORT_FORMAT_VERSION,
    dirs: [...dirs],
    ...(filter !== undefined ? { filter } : {}),
    totals: { ...totals, fixtures: fixtures.length },
    byFunction: sortedByFunction,
    fixtures,
  };
}

/** A run conforms when nothing failed and nothing errored (unsupported functions are allowed). */
export function conforms(report: ConformanceReport): boolean {
  return report.totals.fail === 0 && report.totals.error === 0;
}
