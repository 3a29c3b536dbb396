/**
 * The reproduction's results table: one row per algorithm with held-out accuracy and mean tokens,
 * and the change of each against the baseline row (GRPO): tokens as a relative change, accuracy in
 * points.
 */
import { mostFrequentOpening } from "../tasks/eval.js";
import type { EvalResult } from "./data.js";

export interface TableRow {
  readonly algorithm: string;
  readonly eval: EvalResult;
}

function signed(x: number, digits: number): string {
  const s = Math.abs(x).toFixed(digits);
  return Number(s) === 0 ? s : `${x < 0 ? "−" : "+"}${s}`;
}

/** A markdown table; `baseline` names the row the changes are taken against (default the first). */
export function resultsTable(rows: readonly TableRow[], baseline: string = rows[0]?.algorithm ?? ""): string {
  const base = rows.find((r) => r.algorithm === baseline)?.eval;
  const lines = [
    `| algorithm | accuracy | mean tokens | tokens vs ${baseline} | accuracy vs ${baseline} |`,
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const isBase = r.algorithm === baseline || base === undefined;
    const tokens = isBase ? "—" : base.meanTokens === 0 ? "n/a" : `${signed((100 * (r.eval.meanTokens - base.meanTokens)) / base.meanTokens, 1)} %`;
    const accuracy = isBase ? "—" : `${signed(100 * (r.eval.accuracy - base.accuracy), 1)} pts`;
    lines.push(`| ${r.algorithm} | ${r.eval.accuracy.toFixed(3)} | ${r.eval.meanTokens.toFixed(1)} | ${tokens} | ${accuracy} |`);
  }
  return `${lines.join("\n")}\n`;
}

/** Mean tokens and accuracy by difficulty, one column pair per algorithm. */
export function difficultyTable(rows: readonly TableRow[]): string {
  const levels = [...new Set(rows.flatMap((r) => r.eval.byDifficulty.map((d) => d.difficulty)))].sort((a, b) => a - b);
  if (levels.length === 0) return "";
  const head = `| digits | ${rows.map((r) => `${r.algorithm} tokens | ${r.algorithm} accuracy`).join(" | ")} |`;
  const rule = `|---:|${rows.map(() => "---:|---:").join("|")}|`;
  const body = levels.map((d) => {
    const cells = rows.map((r) => {
      const e = r.eval.byDifficulty.find((x) => x.difficulty === d);
      return e === undefined ? "— | —" : `${e.meanTokens.toFixed(1)} | ${e.accuracy.toFixed(2)}`;
    });
    return `| ${d} | ${cells.join(" | ")} |`;
  });
  return `${[head, rule, ...body].join("\n")}\n`;
}

/**
 * Which opening tag each algorithm's policy wrote by itself (no prefill), by difficulty: the most
 * frequent one and its share; empty when no row has openings.
 */
export function openingsTable(rows: readonly TableRow[]): string {
  const levels = [...new Set(rows.flatMap((r) => r.eval.byDifficulty.map((d) => d.difficulty)))].sort((a, b) => a - b);
  if (!rows.some((r) => r.eval.byDifficulty.some((d) => d.openings !== undefined))) return "";
  const head = `| digits | ${rows.map((r) => r.algorithm).join(" | ")} |`;
  const rule = `|---:|${rows.map(() => "---").join("|")}|`;
  const body = levels.map((d) => {
    const cells = rows.map((r) => {
      const o = r.eval.byDifficulty.find((x) => x.difficulty === d)?.openings;
      const tag = o === undefined ? undefined : mostFrequentOpening(o);
      return tag === undefined ? "—" : `\`${tag}\` ${Math.max(...Object.values(o!)).toFixed(2)}`;
    });
    return `| ${d} | ${cells.join(" | ")} |`;
  });
  return `${[head, rule, ...body].join("\n")}\n`;
}
