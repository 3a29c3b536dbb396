/** What `rlp eval` reads from a pipeline: model, task, and one condition per distinct prefill. */
import { describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/index.js";
import { evalTargetOf, formatResults } from "../../../src/runtime/eval/evaluate.js";

async function ir(path: string) {
  const out = await compileFile(path);
  if (out.ir === undefined) throw new Error(`${path} does not compile`);
  return out.ir;
}

describe("evalTargetOf", () => {
  it("hbpo: no prefill, then each budget level's prefill", async () => {
    const t = evalTargetOf(await ir("pipelines/hbpo.rlp"));
    expect(t.preset).toBe("arith_small");
    expect(t.conditions.map((c) => [c.prefill, c.budget])).toEqual([
      ["", undefined],
      ["<think budget=8>", 8],
      ["<think budget=16>", 16],
      ["<think budget=32>", 32],
      ["<think budget=48>", 48],
    ]);
  });

  it("grpo and sft: only the condition without a prefill", async () => {
    for (const p of ["pipelines/grpo.rlp", "pipelines/sft.rlp"]) {
      const t = evalTargetOf(await ir(p));
      expect(t.conditions).toHaveLength(1);
      expect(t.conditions[0]!.prefill).toBe("");
    }
  });

  it("formats one row per condition with accuracy/tokens by difficulty", () => {
    const stats = { count: 2, accuracy: 0.5, wellFormed: 1, meanTokens: 7, openings: { none: 1 } };
    const lines = formatResults([
      { ...stats, prefill: "", maxTokens: 48, byDifficulty: [{ difficulty: 1, ...stats }] },
      { ...stats, prefill: "<think budget=8>", budget: 8, maxTokens: 48, byDifficulty: [{ difficulty: 1, ...stats }] },
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain("no prefill");
    expect(lines[2]).toContain("budget 8");
    expect(lines[2]).toContain("0.50/7.0");
  });

  it("lists the opening tags a policy chose without a prefill, by difficulty", () => {
    const base = { count: 2, accuracy: 1, wellFormed: 1, meanTokens: 7 };
    const chose = { ...base, openings: { none: 0.25, "8": 0.75 } };
    const lines = formatResults([{ ...chose, prefill: "", maxTokens: 48, byDifficulty: [{ difficulty: 1, ...chose }, { difficulty: 2, ...base, openings: { "32": 1 } }] }]);
    expect(lines.slice(2)).toEqual(["", "opening tag chosen without a prefill (shares):", "  1d  budget 8 0.75, <think> 0.25", "  2d  budget 32 1.00"]);
  });
});
