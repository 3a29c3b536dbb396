import { describe, expect, it } from "vitest";
import { runConformance, formatLocation, type ConformanceReport } from "../../../src/runtime/conformance/index.js";

const VERL = "test/conformance/fixtures/verl";
const AUTHORS = "test/conformance/fixtures/authors";

function problems(report: ConformanceReport): string[] {
  return report.fixtures.flatMap((f) => {
    if (f.status === "fail") return [`${f.file}: ${f.mismatches.map((m) => `${formatLocation(m)} got ${String(m.got)} expected ${String(m.expected)}`).join("; ")}`];
    if (f.status === "error") return [`${f.file}: ${f.reason}`];
    return [];
  });
}

describe("reference fixture directories", () => {
  it("passes every verl fixture", async () => {
    const report = await runConformance(VERL);
    expect(problems(report)).toEqual([]);
    expect(report.totals.unsupported).toBe(0);
    expect(report.totals.pass).toBe(report.totals.fixtures);
    expect(report.totals.fixtures).toBe(642);
  });

  it("passes the HBPO and Knapsack author fixtures and reports GiGPO and BRPO as unsupported", async () => {
    const report = await runConformance(AUTHORS);
    expect(problems(report)).toEqual([]);
    const unsupported = new Set(report.fixtures.filter((f) => f.status === "unsupported").map((f) => f.function));
    expect([...unsupported].sort()).toEqual(["brpo_advantage", "gigpo_advantage"]);
    for (const fn of ["hbpo_budget_reward", "hbpo_advantage", "knapsack_allocation"]) {
      expect(report.byFunction[fn]).toEqual({ pass: 8, fail: 0, unsupported: 0, error: 0 });
    }
    expect(report.totals).toEqual({ pass: 24, fail: 0, unsupported: 16, error: 0, fixtures: 40 });
  });
});
