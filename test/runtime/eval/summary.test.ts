/** The end-of-run summary's per-level lengths (mean of the last 10 steps) and held-out line. */
import { describe, expect, it } from "vitest";
import { SummarySink } from "../../../src/runtime/run/summary.js";

describe("end-of-run summary", () => {
  it("averages response_length/<level>=<v>/mean over the last 10 steps and prints the held-out numbers", () => {
    const s = new SummarySink();
    for (let step = 1; step <= 12; step++) {
      s.write({ step, data: { "response_length/budget=8/mean": step, "response_length/budget=16/mean": 20, accuracy: 0.5 }, wall_time: 0 });
    }
    expect(s.levelLengths()).toEqual([
      { level: "budget", value: "8", mean: 7.5 },
      { level: "budget", value: "16", mean: 20 },
    ]);
    const lines = s.lines({ total: 12, dir: "d", checkpoint: "d/c", seconds: 1, heldOut: { n: 48, rows: [{ label: "no prefill", accuracy: 0.25, meanTokens: 9.5 }] } });
    expect(lines.join("\n")).toContain("response length by level (mean of the last 10 steps): budget=8: 7.5, budget=16: 20.0");
    expect(lines.join("\n")).toContain("held-out (48 problems, greedy): no prefill accuracy 0.250, 9.5 tokens");
    expect(lines.join("\n")).not.toContain("by digits");
    const byDifficulty = [
      { difficulty: 1, accuracy: 1, meanTokens: 7.8, opening: "<think budget=8>" },
      { difficulty: 4, accuracy: 0.98, meanTokens: 23.7, opening: "<think budget=32>" },
    ];
    const more = s.lines({ total: 12, dir: "d", checkpoint: "d/c", seconds: 1, heldOut: { n: 48, rows: [], byDifficulty } });
    expect(more.join("\n")).not.toContain("held-out");
    const full = s.lines({ total: 12, dir: "d", checkpoint: "d/c", seconds: 1, heldOut: { n: 48, rows: [{ label: "no prefill", accuracy: 0.99, meanTokens: 15.8 }], byDifficulty } });
    expect(full.join("\n")).toContain(
      "held-out without a prefill, by digits: 1: 7.8 tokens, accuracy 1.00, opens <think budget=8>; 4: 23.7 tokens, accuracy 0.98, opens <think budget=32>",
    );
  });
});
