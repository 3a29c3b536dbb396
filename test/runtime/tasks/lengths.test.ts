import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ARITH_OPS,
  demoResponse,
  encodePrompt,
  evalSet,
  formatLengthTables,
  lengthTable,
  makeProblem,
  reasoningLadder,
  renderScratchpad,
  responseTokens,
} from "../../../src/runtime/tasks/index.js";
import { PRESETS } from "../../../src/runtime/model/config.js";

describe("sequence lengths", () => {
  it("fit 64 tokens for 1..8 digits and the largest HBPO budget with a full scratchpad", () => {
    for (const p of evalSet({ digits: { min: 1, max: 8 }, ops: ARITH_OPS, seed: 1 }, 2400)) {
      const prompt = encodePrompt(p.prompt).length;
      const longest = Math.max(...reasoningLadder(p.difficulty).map((r) => responseTokens(p, r)));
      expect(longest).toBe(responseTokens(p, { kind: "full" }));
      expect(longest).toBeLessThanOrEqual(48);
      expect(prompt + longest).toBeLessThanOrEqual(64);
      if (p.difficulty <= 6) expect(longest).toBeLessThanOrEqual(48 - 13);
    }
  });

  it("fit the arith preset's maxSeq up to 12 digits", () => {
    const worst = makeProblem("-", "100000000000", "999999999999");
    const total = encodePrompt(worst.prompt).length + responseTokens(worst, { kind: "full" });
    expect(total).toBe(92);
    expect(total).toBeLessThanOrEqual(PRESETS.arith.maxSeq);
  });

  it("count a checked response as the full one plus its scratchpad again", () => {
    const p = makeProblem("+", "7", "5");
    expect(demoResponse(p, { kind: "checked" })).toBe("<think>75127512</think>12<eos>");
    expect(responseTokens(p, { kind: "checked" })).toBe(13);
    for (const q of evalSet({ digits: { min: 1, max: 12 }, ops: ARITH_OPS, seed: 2 }, 600)) {
      const scratchpad = renderScratchpad(q, { kind: "full" }).length; // one token per character
      expect(responseTokens(q, { kind: "checked" })).toBe(responseTokens(q, { kind: "full" }) + scratchpad);
    }
  });

  it("fit checked responses in the arith preset's maxSeq up to 10 digits, not 11", () => {
    const total = (d: number) => {
      const worst = makeProblem("-", `1${"0".repeat(d - 1)}`, "9".repeat(d));
      return encodePrompt(worst.prompt).length + responseTokens(worst, { kind: "checked" });
    };
    expect(total(10)).toBe(119);
    expect(total(10)).toBeLessThanOrEqual(PRESETS.arith.maxSeq);
    expect(total(11)).toBeGreaterThan(PRESETS.arith.maxSeq);
  });

  it("grow with difficulty in every style but direct's fixed overhead", () => {
    const rows = lengthTable(1, 8, 60);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.checked - rows[i - 1]!.checked).toBe(9);
      expect(rows[i]!.full - rows[i - 1]!.full).toBe(5);
      expect(rows[i]!.compact - rows[i - 1]!.compact).toBe(3);
      expect(rows[i]!.direct - rows[i - 1]!.direct).toBe(1);
    }
  });
});

describe("docs/tasks.md", () => {
  it("shows the measured token tables", () => {
    const docs = readFileSync(new URL("../../../docs/tasks.md", import.meta.url), "utf8");
    const section = /<!-- length-tables:start -->\n([\s\S]*?)\n<!-- length-tables:end -->/.exec(docs)?.[1];
    // on a mismatch, paste the expected value between the markers
    expect(section).toBe(formatLengthTables(lengthTable()));
  });
});
