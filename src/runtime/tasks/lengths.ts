/**
 * Measured token counts by difficulty, printed into docs/tasks.md (a test keeps the two equal).
 */
import { ARITH_OPS, type ArithProblem } from "./arith.js";
import { evalSet } from "./eval.js";
import { fitReasoning, responseTokens } from "./response.js";
import { encodePrompt } from "./tokenizer.js";

export interface LengthRow {
  readonly difficulty: number;
  /** Longest prompt, `<bos>` included. */
  readonly prompt: number;
  /** Longest response of each style (opening tag to `<eos>`). */
  readonly checked: number;
  readonly full: number;
  readonly compact: number;
  readonly direct: number;
  /** Mean response tokens of budget-fitted demonstrations, by budget. */
  readonly budgeted: readonly { readonly budget: number; readonly mean: number }[];
}

/** The budgets of pipelines/hbpo.rlp. */
export const REPORT_BUDGETS: readonly number[] = Object.freeze([8, 16, 32, 48]);

function row(difficulty: number, problems: readonly ArithProblem[]): LengthRow {
  const max = (f: (p: ArithProblem) => number): number => Math.max(...problems.map(f));
  return {
    difficulty,
    prompt: max((p) => encodePrompt(p.prompt).length),
    checked: max((p) => responseTokens(p, { kind: "checked" })),
    full: max((p) => responseTokens(p, { kind: "full" })),
    compact: max((p) => responseTokens(p, { kind: "compact", columns: p.difficulty })),
    direct: max((p) => responseTokens(p, { kind: "direct" })),
    budgeted: REPORT_BUDGETS.map((budget) => ({
      budget,
      mean: problems.reduce((s, p) => s + responseTokens(p, fitReasoning(p, budget), budget), 0) / problems.length,
    })),
  };
}

/** Rows for difficulties min..max over `perDifficulty` eval problems of every operator. */
export function lengthTable(min = 1, max = 8, perDifficulty = 300): LengthRow[] {
  return Array.from({ length: max - min + 1 }, (_, i) => {
    const d = min + i;
    return row(d, evalSet({ digits: { min: d, max: d }, ops: ARITH_OPS, seed: 0 }, perDifficulty));
  });
}

/** The two markdown tables of docs/tasks.md. */
export function formatLengthTables(rows: readonly LengthRow[]): string {
  const lines = [
    "| digits | prompt | checked | full | compact | direct | prompt + full | prompt + checked |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.difficulty} | ${r.prompt} | ${r.checked} | ${r.full} | ${r.compact} | ${r.direct} | ${r.prompt + r.full} | ${r.prompt + r.checked} |`),
    "",
    `| digits | ${REPORT_BUDGETS.map((b) => `budget ${b}`).join(" | ")} |`,
    `|---:|${REPORT_BUDGETS.map(() => "---:").join("|")}|`,
    ...rows.map((r) => `| ${r.difficulty} | ${r.budgeted.map((b) => b.mean.toFixed(1)).join(" | ")} |`),
  ];
  return lines.join("\n");
}
