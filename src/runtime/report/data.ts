/**
 * The inputs of a reproduction report: a run's `metrics.jsonl` (one `{step, data, wall_time}` line
 * per step, docs/runtime.md) and an evaluation summary (`rlp eval --json`). Both are read
 * leniently: a metrics line that does not parse (a killed run's partial tail) is skipped, and an
 * evaluation is accepted with camelCase or snake_case keys.
 */
import { readFileSync } from "node:fs";

export interface MetricRecord {
  readonly step: number;
  readonly data: Readonly<Record<string, number>>;
}

export function parseMetrics(text: string): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const r = JSON.parse(line) as { step?: unknown; data?: unknown };
      if (typeof r.step === "number" && typeof r.data === "object" && r.data !== null) out.push({ step: r.step, data: r.data as Record<string, number> });
    } catch {
      // a partial last line
    }
  }
  return out;
}

export function readMetrics(path: string): MetricRecord[] {
  return parseMetrics(readFileSync(path, "utf8"));
}

/** The values of one metric, by step (steps without it are left out). */
export function series(records: readonly MetricRecord[], key: string): { step: number; value: number }[] {
  const out: { step: number; value: number }[] = [];
  for (const r of records) {
    const v = r.data[key];
    if (typeof v === "number" && Number.isFinite(v)) out.push({ step: r.step, value: v });
  }
  return out;
}

/**
 * Whether the per-level mean response lengths are in the order of the level's values at each step
 * (non-decreasing: a larger budget never gets shorter answers): the steps that report every value,
 * those of them with an inversion, and the largest inversion (how many tokens a larger value's
 * mean fell below a smaller one's, at which step and between which values).
 */
export function levelOrder(
  records: readonly MetricRecord[],
  level: string,
): { steps: number; unordered: number[]; largest?: { step: number; tokens: number; lower: number; upper: number } } {
  const values = levelValues(records, level);
  let steps = 0;
  const unordered: number[] = [];
  let largest: { step: number; tokens: number; lower: number; upper: number } | undefined;
  for (const r of records) {
    const lengths = values.map((v) => r.data[`response_length/${level}=${v}/mean`]);
    if (values.length < 2 || lengths.some((x) => typeof x !== "number" || !Number.isFinite(x))) continue;
    steps++;
    let inverted = false;
    for (let i = 0; i < values.length; i++) {
      for (let j = i + 1; j < values.length; j++) {
        const gap = lengths[i]! - lengths[j]!;
        if (gap <= 0) continue;
        inverted = true;
        if (largest === undefined || gap > largest.tokens) largest = { step: r.step, tokens: gap, lower: values[i]!, upper: values[j]! };
      }
    }
    if (inverted) unordered.push(r.step);
  }
  return { steps, unordered, ...(largest === undefined ? {} : { largest }) };
}

/** The values of a level in `response_length/<level>=<value>/mean` keys, ascending. */
export function levelValues(records: readonly MetricRecord[], level: string): number[] {
  const re = new RegExp(`^response_length/${level}=(-?[0-9.]+)/mean$`);
  const values = new Set<number>();
  for (const r of records) for (const k of Object.keys(r.data)) {
    const m = re.exec(k);
    if (m !== null) values.add(Number(m[1]));
  }
  return [...values].sort((a, b) => a - b);
}

export interface DifficultyResult {
  readonly difficulty: number;
  readonly accuracy: number;
  readonly meanTokens: number;
  /** Shares of the opening tags (`none` = `<think>`, else the budget), when the evaluation has them. */
  readonly openings?: Readonly<Record<string, number>>;
}

/** What the report needs of an evaluation: held-out accuracy and mean tokens, overall and by difficulty. */
export interface EvalResult {
  readonly accuracy: number;
  readonly meanTokens: number;
  readonly byDifficulty: readonly DifficultyResult[];
}

function pick(o: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const k of keys) if (typeof o[k] === "number") return o[k] as number;
  return undefined;
}

export class EvalFormatError extends Error {
  readonly _tag = "EvalFormatError";
}

/** One decoding condition of `rlp eval --json`: no prefill (`budget` null) or a budget prefill. */
export interface EvalCondition {
  readonly budget: number | null;
  readonly prefill: string | null;
  readonly result: EvalResult;
}

/** The conditions of an `rlp eval --json` object (`conditions[]`), in its order. */
export function evalConditions(json: unknown): EvalCondition[] {
  const conditions = (json as { conditions?: unknown } | null)?.conditions;
  if (!Array.isArray(conditions)) throw new EvalFormatError("an `rlp eval --json` object needs `conditions`");
  return conditions.map((c: Record<string, unknown>) => ({
    budget: typeof c["budget"] === "number" ? c["budget"] : null,
    prefill: typeof c["prefill"] === "string" && c["prefill"] !== "" ? c["prefill"] : null,
    result: normalizeEval(c),
  }));
}

/**
 * An evaluation summary in the shape of `summarizeEval` (`accuracy`, `meanTokens`, `byDifficulty`)
 * or `rlp eval --json` (its condition without a prefill); snake_case (`mean_tokens`,
 * `by_difficulty`) is accepted, and a top-level `overall` or `summary` object is looked into.
 */
export function normalizeEval(json: unknown): EvalResult {
  if (typeof json !== "object" || json === null) throw new EvalFormatError("an evaluation must be a JSON object");
  let o = json as Record<string, unknown>;
  if (Array.isArray(o["conditions"])) {
    const plain = evalConditions(o).find((c) => c.prefill === null && c.budget === null);
    if (plain === undefined) throw new EvalFormatError("the evaluation has no condition without a prefill (was it run with budgets only?)");
    return plain.result;
  }
  for (const inner of ["overall", "summary"]) {
    const v = o[inner];
    if (pick(o, "accuracy") === undefined && typeof v === "object" && v !== null) o = { ...o, ...(v as Record<string, unknown>) };
  }
  const accuracy = pick(o, "accuracy");
  const meanTokens = pick(o, "meanTokens", "mean_tokens");
  if (accuracy === undefined || meanTokens === undefined) throw new EvalFormatError("an evaluation needs `accuracy` and `meanTokens` (or `mean_tokens`)");
  const rows = (o["byDifficulty"] ?? o["by_difficulty"] ?? []) as unknown;
  const byDifficulty: DifficultyResult[] = [];
  if (Array.isArray(rows)) {
    for (const r of rows as Record<string, unknown>[]) {
      const difficulty = pick(r, "difficulty");
      const a = pick(r, "accuracy");
      const t = pick(r, "meanTokens", "mean_tokens");
      const o = r["openings"];
      const openings = typeof o === "object" && o !== null ? (o as Record<string, number>) : undefined;
      if (difficulty !== undefined && a !== undefined && t !== undefined) byDifficulty.push({ difficulty, accuracy: a, meanTokens: t, ...(openings === undefined ? {} : { openings }) });
    }
  }
  byDifficulty.sort((a, b) => a.difficulty - b.difficulty);
  return { accuracy, meanTokens, byDifficulty };
}
