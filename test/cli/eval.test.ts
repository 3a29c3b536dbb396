/**
 * `rlp eval RUN_DIR`: a tiny SFT run trained here (2 steps), scored on the held-out split, as a
 * table and as versioned JSON; a directory that is not a run is a usage error (exit 2).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferedIO } from "../../src/cli/io.js";
import { evalCommand } from "../../src/cli/commands/eval.js";
import { runCommand } from "../../src/cli/commands/run.js";

const backend = process.env["RLP_TEST_BACKEND"] ?? "wasm";
let tmp: string;
let run: string;

const PIPELINE = `use std.tasks.{arith}
pipeline tiny_sft {
  policy = tiny_lm(preset: "arith")
  data   = arith(digits: 1..2, ops: ["+"])
  rollout {
    prompts    = 2
    samples    = 1
    max_tokens = 12
  }
  loss = sft(policy)
  optimize {
    optimizer = adam(lr: 1e-3)
    steps     = 2
    seed      = 3
  }
}
`;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "rlp-eval-"));
  writeFileSync(join(tmp, "tiny_sft.rlp"), PIPELINE);
  run = join(tmp, "run");
  const io = bufferedIO();
  const code = await runCommand.run([join(tmp, "tiny_sft.rlp"), "--out", run, "--backend", backend], io);
  expect(code, io.err).toBe(0);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("rlp eval", () => {
  it("prints a versioned JSON object: conditions, accuracy, tokens by difficulty", async () => {
    const io = bufferedIO();
    expect(await evalCommand.run([run, "--n", "8", "--json", "--budget", "8,16"], io), io.err).toBe(0);
    const out = JSON.parse(io.out);
    expect(out).toMatchObject({ format_version: 1, pipeline: "tiny_sft", step: 2, n: 8, decoding: "greedy" });
    expect(out.conditions.map((c: { prefill: string | null; budget: number | null }) => [c.prefill, c.budget])).toEqual([
      [null, null],
      ["<think budget=8>", 8],
      ["<think budget=16>", 16],
    ]);
    for (const c of out.conditions) {
      expect(c.count).toBe(8);
      expect(c.accuracy).toBeGreaterThanOrEqual(0);
      expect(c.accuracy).toBeLessThanOrEqual(1);
      expect(c.mean_tokens).toBeGreaterThan(0);
      expect(c.mean_tokens).toBeLessThanOrEqual(c.max_tokens);
      expect(c.by_difficulty.map((d: { difficulty: number; count: number }) => [d.difficulty, d.count])).toEqual([
        [1, 4],
        [2, 4],
      ]);
    }
    // a budget prefill is part of the response, so it is at least one token long
    expect(out.conditions[1].mean_tokens).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("is deterministic (greedy) and prints a table", async () => {
    const a = bufferedIO();
    const b = bufferedIO();
    expect(await evalCommand.run([run, "--n", "6", "--json"], a)).toBe(0);
    expect(await evalCommand.run([run, "--n", "6", "--json"], b)).toBe(0);
    expect(JSON.parse(a.out).conditions).toEqual(JSON.parse(b.out).conditions);
    const t = bufferedIO();
    expect(await evalCommand.run([run, "--n", "6"], t)).toBe(0);
    expect(t.out).toContain("eval tiny_sft step 2");
    expect(t.out).toMatch(/no prefill\s+\d\.\d{3}/);
    expect(t.out).toContain("1d acc/tok");
  }, 30_000);

  it("a missing or non-run directory is a usage error with a clear message", async () => {
    const io = bufferedIO();
    expect(await evalCommand.run([join(tmp, "nope")], io)).toBe(2);
    expect(io.err).toContain("no such run directory");
    const io2 = bufferedIO();
    expect(await evalCommand.run([tmp], io2)).toBe(2);
    expect(io2.err).toContain("not an rlp run directory");
  });
});
