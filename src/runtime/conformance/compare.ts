/**
 * Element-wise comparison of a handler's outputs with a fixture's `expected` values:
 * reals pass when |got − expected| ≤ abs + rel·|expected|; booleans and declared integer outputs
 * must match exactly. Arrays are walked in parallel and shape differences are reported once.
 */
import type { Tolerance } from "./fixture.js";

export type MismatchKind = "value" | "shape" | "type" | "missing";

export interface Mismatch {
  readonly kind: MismatchKind;
  /** The expected key, e.g. "advantages". */
  readonly path: string;
  /** Index inside the array ([] for scalars, or the array prefix whose shape differs). */
  readonly index: readonly number[];
  readonly got: unknown;
  readonly expected: unknown;
}

export interface Comparison {
  /** Total number of mismatching elements (shape/type problems count once). */
  readonly count: number;
  /** The first `limit` mismatches in key and index order. */
  readonly first: readonly Mismatch[];
  /** Elements compared. */
  readonly compared: number;
}

/** Whether one real value is within tolerance (NaN only matches NaN). */
export function withinTolerance(got: number, expected: number, tol: Tolerance): boolean {
  if (Number.isNaN(expected) || Number.isNaN(got)) return Number.isNaN(expected) && Number.isNaN(got);
  if (got === expected) return true;
  return Math.abs(got - expected) <= tol.abs + tol.rel * Math.abs(expected);
}

/** Human-readable location, e.g. `advantages[3][5]`. */
export function formatLocation(m: Pick<Mismatch, "path" | "index">): string {
  return m.path + m.index.map((i) => `[${i}]`).join("");
}

export function compareOutputs(
  expected: Readonly<Record<string, unknown>>,
  got: Readonly<Record<string, unknown>>,
  tol: Tolerance,
  exactKeys: ReadonlySet<string>,
  limit = 5,
): Comparison {
  const first: Mismatch[] = [];
  let count = 0;
  let compared = 0;
  const record = (m: Mismatch): void => {
    count++;
    if (first.length < limit) first.push(m);
  };
  const walk = (path: string, index: number[], g: unknown, e: unknown, exact: boolean): void => {
    if (Array.isArray(e)) {
      if (!Array.isArray(g)) return record({ kind: "type", path, index, got: describe(g), expected: `array[${e.length}]` });
      if (g.length !== e.length) return record({ kind: "shape", path, index, got: g.length, expected: e.length });
      e.forEach((ei, i) => walk(path, [...index, i], g[i], ei, exact));
      return;
    }
    compared++;
    if (typeof e === "boolean") {
      if (g !== e) record({ kind: typeof g === "boolean" ? "value" : "type", path, index, got: g, expected: e });
      return;
    }
    if (typeof e === "number") {
      if (typeof g !== "number") return record({ kind: "type", path, index, got: describe(g), expected: e });
      const ok = exact ? g === e : withinTolerance(g, e, tol);
      if (!ok) record({ kind: "value", path, index, got: g, expected: e });
      return;
    }
    if (g !== e) record({ kind: "value", path, index, got: g, expected: e });
  };
  for (const key of Object.keys(expected)) {
    if (!(key in got)) {
      record({ kind: "missing", path: key, index: [], got: "not produced", expected: describe(expected[key]) });
      continue;
    }
    walk(key, [], got[key], expected[key], exactKeys.has(key));
  }
  return { count, first, compared };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `array[${v.length}]`;
  if (v === null) return "null";
  return typeof v === "object" ? "object" : typeof v === "string" ? JSON.stringify(v) : String(v);
}
