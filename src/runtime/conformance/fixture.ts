/**
 * The fixture format (test/conformance/fixtures/README.md): one JSON object per file with
 * `function`, `params`, `inputs`, `expected` and `tolerance`. Parsing is strict so that a malformed
 * file is reported as an error with its reason, never as a numeric failure.
 */

export interface Tolerance {
  readonly abs: number;
  readonly rel: number;
}

export interface Fixture {
  readonly function: string;
  readonly case?: string;
  readonly source?: string;
  readonly tolerance: Tolerance;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly expected: Readonly<Record<string, unknown>>;
}

/** The fixture file cannot be used: bad JSON, a missing field, or an input of the wrong type/shape. */
export class MalformedFixtureError extends Error {
  readonly _tag = "MalformedFixtureError" as const;
  constructor(readonly reason: string) {
    super(reason);
    this.name = "MalformedFixtureError";
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The `function` field, read before anything else so unknown functions can be told apart. */
export function fixtureFunction(raw: unknown): string {
  if (!isRecord(raw)) throw new MalformedFixtureError("the file is not a JSON object");
  if (typeof raw["function"] !== "string" || raw["function"] === "") throw new MalformedFixtureError("missing or non-string `function`");
  return raw["function"];
}

/** Validates the envelope of a fixture (not its function-specific inputs). */
export function parseFixture(raw: unknown): Fixture {
  const fn = fixtureFunction(raw);
  const r = raw as Record<string, unknown>;
  const tol = r["tolerance"];
  if (!isRecord(tol)) throw new MalformedFixtureError("missing `tolerance` object");
  const abs = tol["abs"];
  const rel = tol["rel"];
  if (typeof abs !== "number" || !(abs >= 0) || typeof rel !== "number" || !(rel >= 0)) {
    throw new MalformedFixtureError("`tolerance` needs non-negative numbers `abs` and `rel`");
  }
  const params = r["params"] ?? {};
  if (!isRecord(params)) throw new MalformedFixtureError("`params` is not an object");
  if (!isRecord(r["inputs"])) throw new MalformedFixtureError("missing `inputs` object");
  if (!isRecord(r["expected"]) || Object.keys(r["expected"]).length === 0) throw new MalformedFixtureError("missing or empty `expected` object");
  const caseName = r["case"];
  const source = r["source"];
  return {
    function: fn,
    ...(typeof caseName === "string" ? { case: caseName } : {}),
    ...(typeof source === "string" ? { source } : {}),
    tolerance: { abs, rel },
    params,
    inputs: r["inputs"],
    expected: r["expected"],
  };
}

// ---- typed readers for handler inputs; each names the offending field in its error ----

function need(where: Readonly<Record<string, unknown>>, key: string, section: string): unknown {
  if (!(key in where)) throw new MalformedFixtureError(`missing ${section}.${key}`);
  return where[key];
}

const isNum = (v: unknown): v is number => typeof v === "number" && !Number.isNaN(v);

export function readNumber(where: Readonly<Record<string, unknown>>, key: string, section: string): number {
  const v = need(where, key, section);
  if (!isNum(v)) throw new MalformedFixtureError(`${section}.${key} is not a number`);
  return v;
}

export function readInteger(where: Readonly<Record<string, unknown>>, key: string, section: string): number {
  const v = readNumber(where, key, section);
  if (!Number.isInteger(v)) throw new MalformedFixtureError(`${section}.${key} is not an integer`);
  return v;
}

/** A numeric parameter with a default when absent (null counts as absent). */
export function optNumber(params: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  if (!isNum(v)) throw new MalformedFixtureError(`params.${key} is not a number`);
  return v;
}

export function optBoolean(params: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") throw new MalformedFixtureError(`params.${key} is not a boolean`);
  return v;
}

/** A string parameter restricted to `allowed`, with a default when absent. */
export function optChoice<T extends string>(params: Readonly<Record<string, unknown>>, key: string, allowed: readonly T[], fallback: T): T {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new MalformedFixtureError(`params.${key} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

export function readVector(where: Readonly<Record<string, unknown>>, key: string, section: string): number[] {
  const v = need(where, key, section);
  if (!Array.isArray(v) || !v.every(isNum)) throw new MalformedFixtureError(`${section}.${key} is not an array of numbers`);
  return v;
}

/** Array of numbers or nulls (e.g. HBPO budgets, null when no budget phrase). */
export function readNullableVector(where: Readonly<Record<string, unknown>>, key: string, section: string): (number | null)[] {
  const v = need(where, key, section);
  if (!Array.isArray(v) || !v.every((x) => x === null || isNum(x))) throw new MalformedFixtureError(`${section}.${key} is not an array of numbers or nulls`);
  return v;
}

export function readBooleans(where: Readonly<Record<string, unknown>>, key: string, section: string): boolean[] {
  const v = need(where, key, section);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "boolean")) throw new MalformedFixtureError(`${section}.${key} is not an array of booleans`);
  return v;
}

export function readGroups(where: Readonly<Record<string, unknown>>, key: string, section: string): (string | number)[] {
  const v = need(where, key, section);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" || isNum(x))) throw new MalformedFixtureError(`${section}.${key} is not an array of ids`);
  return v;
}

/** A rectangular [rows][cols] numeric matrix. */
export function readMatrix(where: Readonly<Record<string, unknown>>, key: string, section: string): number[][] {
  const v = need(where, key, section);
  if (!Array.isArray(v) || !v.every((row) => Array.isArray(row) && row.every(isNum))) {
    throw new MalformedFixtureError(`${section}.${key} is not a matrix of numbers`);
  }
  const rows = v as number[][];
  if (rows.some((row) => row.length !== rows[0]!.length)) throw new MalformedFixtureError(`${section}.${key} has rows of different lengths`);
  return rows;
}

/** A rectangular [a][b][c] numeric array (logits). */
export function readCube(where: Readonly<Record<string, unknown>>, key: string, section: string): number[][][] {
  const v = need(where, key, section);
  const ok = Array.isArray(v) && v.every((m) => Array.isArray(m) && m.every((row) => Array.isArray(row) && row.every(isNum)));
  if (!ok) throw new MalformedFixtureError(`${section}.${key} is not a 3-d array of numbers`);
  const cube = v as number[][][];
  const b = cube[0]?.length ?? 0;
  const c = cube[0]?.[0]?.length ?? 0;
  if (cube.some((m) => m.length !== b || m.some((row) => row.length !== c))) throw new MalformedFixtureError(`${section}.${key} is not rectangular`);
  return cube;
}

/** Checks that named matrices share one shape (the fixture is malformed otherwise). */
export function sameShapeOrThrow(named: Readonly<Record<string, readonly (readonly unknown[])[]>>): void {
  const entries = Object.entries(named);
  const [n0, m0] = entries[0]!;
  for (const [n, m] of entries.slice(1)) {
    if (m.length !== m0.length || (m.length > 0 && m[0]!.length !== m0[0]!.length)) {
      throw new MalformedFixtureError(`inputs.${n} and inputs.${n0} differ in shape`);
    }
  }
}

/** Checks that per-row inputs have one entry per row. */
export function lengthOrThrow(name: string, v: readonly unknown[], rows: number): void {
  if (v.length !== rows) throw new MalformedFixtureError(`inputs.${name} has ${v.length} entries, expected ${rows}`);
}
