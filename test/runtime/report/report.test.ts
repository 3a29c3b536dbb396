import { describe, expect, it } from "vitest";
import {
  budgetLengthsSpec,
  difficultySpec,
  normalizeEval,
  evalConditions,
  parseMetrics,
  renderPlot,
  resultsTable,
  difficultyTable,
  trainingCurvesSpec,
  levelValues,
  levelOrder,
  openingsTable,
  type EvalResult,
  type MetricRecord,
} from "../../../src/runtime/report/index.js";

function synthetic(steps: number, hbpo: boolean): MetricRecord[] {
  return Array.from({ length: steps }, (_, i) => {
    const step = i + 1;
    const data: Record<string, number> = { accuracy: Math.min(1, step / steps), "response_length/mean": 30 - (hbpo ? step / 2 : 0) };
    if (hbpo) for (const b of [8, 16, 32, 48]) data[`response_length/budget=${b}/mean`] = b * 0.8 + Math.sin(step);
    return { step, data };
  });
}

const grpoEval: EvalResult = { accuracy: 0.8, meanTokens: 20, byDifficulty: [1, 2, 3, 4].map((d) => ({ difficulty: d, accuracy: 1 - d / 10, meanTokens: 5 * d + 8 })) };
const hbpoEval: EvalResult = { accuracy: 0.78, meanTokens: 14, byDifficulty: [1, 2, 3, 4].map((d) => ({ difficulty: d, accuracy: 1 - d / 9, meanTokens: 3 * d + 5 })) };

function pngOk(png: Buffer): void {
  expect(png.length).toBeGreaterThan(1000);
  expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
}

describe("report data", () => {
  it("parses metrics.jsonl, skipping a partial tail", () => {
    const text = `{"step":1,"data":{"accuracy":0.5},"wall_time":1}\n{"step":2,"data":{"accuracy":0.75},"wall_time":2}\n{"step":3,"da`;
    expect(parseMetrics(text)).toEqual([
      { step: 1, data: { accuracy: 0.5 } },
      { step: 2, data: { accuracy: 0.75 } },
    ]);
  });

  it("finds the budget levels", () => {
    expect(levelValues(synthetic(3, true), "budget")).toEqual([8, 16, 32, 48]);
  });

  it("counts the steps whose per-budget lengths are out of budget order", () => {
    const at = (step: number, lengths: number[]): MetricRecord => ({ step, data: Object.fromEntries([8, 16, 32].map((b, i) => [`response_length/budget=${b}/mean`, lengths[i]!])) });
    expect(levelOrder([at(1, [7, 12, 16]), at(2, [7, 16, 16]), at(3, [9, 8, 20]), at(4, [7, 16, 15.5]), { step: 5, data: {} }], "budget")).toEqual({
      steps: 4,
      unordered: [3, 4],
      largest: { step: 3, tokens: 1, lower: 8, upper: 16 },
    });
    expect(levelOrder(synthetic(5, false), "budget")).toEqual({ steps: 0, unordered: [] });
  });

  it("normalises snake_case and nested evaluations", () => {
    expect(normalizeEval({ overall: { accuracy: 0.5, mean_tokens: 12 }, by_difficulty: [{ difficulty: 2, accuracy: 1, mean_tokens: 9 }, { difficulty: 1, accuracy: 1, meanTokens: 5 }] })).toEqual({
      accuracy: 0.5,
      meanTokens: 12,
      byDifficulty: [
        { difficulty: 1, accuracy: 1, meanTokens: 5 },
        { difficulty: 2, accuracy: 1, meanTokens: 9 },
      ],
    });
    expect(() => normalizeEval({ accuracy: 1 })).toThrow(/meanTokens/);
  });

  it("reads `rlp eval --json` conditions", () => {
    const cond = (prefill: string | null, budget: number | null, accuracy: number) => ({
      prefill, budget, max_tokens: 64, count: 2, accuracy, well_formed: 1, mean_tokens: 10,
      by_difficulty: [{ difficulty: 1, count: 2, accuracy, well_formed: 1, mean_tokens: 10 }],
    });
    const json = { format_version: 1, conditions: [cond(null, null, 0.5), cond("<think budget=8>", 8, 0.25)] };
    expect(normalizeEval(json).accuracy).toBe(0.5);
    expect(evalConditions(json).map((c) => [c.budget, c.result.accuracy])).toEqual([[null, 0.5], [8, 0.25]]);
  });

  it("keeps the openings of each difficulty and tabulates the most frequent", () => {
    const e = normalizeEval({ accuracy: 1, mean_tokens: 8, by_difficulty: [{ difficulty: 1, accuracy: 1, mean_tokens: 7, openings: { "8": 0.75, none: 0.25 } }] });
    expect(e.byDifficulty[0]!.openings).toEqual({ "8": 0.75, none: 0.25 });
    const plain: EvalResult = { accuracy: 1, meanTokens: 20, byDifficulty: [{ difficulty: 1, accuracy: 1, meanTokens: 20, openings: { none: 1 } }] };
    expect(openingsTable([{ algorithm: "GRPO", eval: plain }, { algorithm: "HBPO", eval: e }])).toBe(
      ["| digits | GRPO | HBPO |", "|---:|---|---|", "| 1 | `<think>` 1.00 | `<think budget=8>` 0.75 |", ""].join("\n"),
    );
    expect(openingsTable([{ algorithm: "GRPO", eval: grpoEval }])).toBe("");
  });
});

describe("report tables", () => {
  it("writes changes against the baseline", () => {
    const md = resultsTable([
      { algorithm: "GRPO", eval: grpoEval },
      { algorithm: "HBPO", eval: hbpoEval },
    ]);
    expect(md).toBe(
      [
        "| algorithm | accuracy | mean tokens | tokens vs GRPO | accuracy vs GRPO |",
        "|---|---:|---:|---:|---:|",
        "| GRPO | 0.800 | 20.0 | — | — |",
        "| HBPO | 0.780 | 14.0 | −30.0 % | −2.0 pts |",
        "",
      ].join("\n"),
    );
    expect(difficultyTable([{ algorithm: "GRPO", eval: grpoEval }, { algorithm: "HBPO", eval: hbpoEval }])).toContain("| 1 | 13.0 | 0.90 | 8.0 | 0.89 |");
  });
});

describe("report plots", () => {
  it("renders the training curves, budget lengths and difficulty plots to SVG and PNG", async () => {
    const grpo = { name: "GRPO", metrics: synthetic(40, false) };
    const hbpo = { name: "HBPO", metrics: synthetic(40, true) };
    const a = await renderPlot(trainingCurvesSpec([grpo, hbpo]), { scale: 1, systemFonts: false });
    expect(a.svg).toMatch(/^<svg/);
    for (const t of ["step", "accuracy", "mean response tokens", "GRPO", "HBPO"]) expect(a.svg).toContain(t);
    pngOk(a.png);

    const b = await renderPlot(budgetLengthsSpec(hbpo), { scale: 1, systemFonts: false });
    for (const t of ["step", "mean response tokens", "budget", ">48<"]) expect(b.svg).toContain(t);
    pngOk(b.png);

    const c = await renderPlot(difficultySpec([{ name: "GRPO", eval: grpoEval }, { name: "HBPO", eval: hbpoEval }]), { scale: 1, systemFonts: false });
    for (const t of ["difficulty (digits)", "mean response tokens", "accuracy"]) expect(c.svg).toContain(t);
    pngOk(c.png);
  });
});
