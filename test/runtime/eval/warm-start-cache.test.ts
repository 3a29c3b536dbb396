/**
 * `tiny_lm(from: "cache:FILE")`: the cache entry is keyed by FILE's IR hash and seed; a missing
 * entry names the command that produces it; `prepareWarmStart` trains it once, then finds it cached.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../../src/compiler/index.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import { cacheRef, findCheckpoint, resolveCacheEntry, WarmStartError } from "../../../src/runtime/executor/warm-start.js";
import { prepareWarmStart } from "../../../src/runtime/eval/warm-start-cache.js";

const backend = process.env["RLP_TEST_BACKEND"] ?? "wasm";

const sft = (opts: { seed?: number; lr?: string; comment?: string } = {}) => `${opts.comment ?? ""}
use std.tasks.{arith}
pipeline tiny_sft {
  policy = tiny_lm(preset: "arith", backend: ${backend})
  data   = arith(digits: 1..2, ops: ["+"])
  rollout {
    prompts    = 2
    samples    = 1
    max_tokens = 12
  }
  loss = sft(policy)
  optimize {
    optimizer = adam(lr: ${opts.lr ?? "1e-3"})
    steps     = 2
    seed      = ${opts.seed ?? 5}
  }
}
`;

const RL = `use std.tasks.{arith}
use std.rewards.{exact_match, well_formed}
pipeline tiny_rl {
  policy = tiny_lm(preset: "arith", from: "cache:tiny_sft.rlp")
  data   = arith(digits: 1..2)
  rollout {
    prompts     = 2
    samples     = 2
    max_tokens  = 8
  }
  reward {
    correct = exact_match(answer, target)
    score   = if !well_formed(text) then -1 else correct
  }
  advantage {
    A = score - mean(score by prompt)
  }
  loss = ppo_clip(A)
  optimize {
    optimizer = adam(lr: 1e-3)
    steps     = 1
  }
}
`;

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "rlp-cache-"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function entryFor(text: string) {
  writeFileSync(join(cwd, "tiny_sft.rlp"), text);
  return resolveCacheEntry("cache:tiny_sft.rlp", cwd);
}

describe("cache: warm starts", () => {
  it("parses only `cache:` references", () => {
    expect(cacheRef("cache:pipelines/sft.rlp")).toBe("pipelines/sft.rlp");
    expect(cacheRef("runs/sft/x")).toBeUndefined();
  });

  it("keys the entry by IR hash and seed: comments do not change it, settings and seeds do", () => {
    const base = entryFor(sft());
    expect(base.dir.startsWith(join(cwd, ".rlp-cache", "tiny_sft"))).toBe(true);
    expect(base.dir).toMatch(/[0-9a-f]{16}-seed5$/);
    expect(base.complete).toBe(false);
    expect(entryFor(sft({ comment: "// a comment" })).dir).toBe(base.dir);
    expect(entryFor(sft({ seed: 6 })).dir).not.toBe(base.dir);
    expect(entryFor(sft({ seed: 6 })).dir).toMatch(/-seed6$/);
    expect(entryFor(sft({ lr: "2e-3" })).dir).not.toBe(base.dir);
    expect(entryFor(sft()).dir).toBe(base.dir);
  });

  it("a missing entry names the command that produces it; a missing file is an error", () => {
    entryFor(sft());
    expect(() => findCheckpoint("cache:tiny_sft.rlp", cwd)).toThrow(/no finished run of `tiny_sft.rlp`.*rlp run tiny_sft.rlp --out /);
    expect(() => findCheckpoint("cache:nope.rlp", cwd)).toThrow(WarmStartError);
  });

  it("prepareWarmStart trains a missing entry once, then finds it cached", async () => {
    entryFor(sft());
    const { ir } = compileSource(new SourceFile("tiny_rl.rlp", RL), new SourceMap());
    expect(ir).toBeDefined();
    let err = "";
    const io = { stderr: (t: string) => (err += t), color: false, isTTY: false };
    expect(await prepareWarmStart(ir!, { io, cwd })).toBe(0);
    expect(err).toContain("warm start: cache:tiny_sft.rlp is not cached; training it first");
    const entry = resolveCacheEntry("cache:tiny_sft.rlp", cwd);
    expect(entry.complete).toBe(true);
    expect(existsSync(join(entry.dir, "manifest.json"))).toBe(true);
    expect(findCheckpoint("cache:tiny_sft.rlp", cwd).step).toBe(2);
    err = "";
    expect(await prepareWarmStart(ir!, { io, cwd })).toBe(0);
    expect(err).toContain("(cached)");
    expect(err).not.toContain("training");
  }, 60_000);
});
