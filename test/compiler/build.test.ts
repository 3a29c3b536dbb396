import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/compiler/index.js";
import { irToJson, jsonToIr } from "../../src/compiler/ir/json.js";
import type { IrDocument } from "../../src/compiler/ir/types.js";
import { SourceFile, SourceMap } from "../../src/compiler/source.js";

/** An HBPO-shaped pipeline (a budget level with a prefill) with `extra` added to its rollout block. */
function compileWith(extra: string): IrDocument {
  const text = `
use std.tasks.{arith}
use std.rewards.{exact_match, well_formed}
pipeline t {
  policy = tiny_lm(preset: "arith")
  data   = arith(digits: 1..2)
  rollout {
    prompts    = 2
    max_tokens = 16
    ${extra}
    level budget in [8, 16] {
      samples = 2
      prefill = "<think budget={budget}>"
    }
  }
  reward { score = if !well_formed(text) then -1 else exact_match(answer, target) }
  advantage { A = score - mean(score by prompt) }
  loss = ppo_clip(A)
  optimize { optimizer = adam(lr: 1e-3) }
}`;
  const { ir, diagnostics } = compileSource(new SourceFile("inline.rlp", text), new SourceMap());
  if (ir === undefined) throw new Error(`did not compile: ${diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return ir;
}

describe("rollout settings in the IR", () => {
  it("carries train_prefill: false by default, and as written", () => {
    const absent = compileWith("");
    const off = compileWith("train_prefill = false");
    const on = compileWith("train_prefill = true");
    expect(absent.rollout.train_prefill).toBe(false);
    expect(off.rollout.train_prefill).toBe(false);
    expect(on.rollout.train_prefill).toBe(true);
    // The default and an explicit `false` compile to the same graph; `true` is another pipeline.
    expect(off.hash).toBe(absent.hash);
    expect(on.hash).not.toBe(absent.hash);
  });

  it("reads train_prefill back from IR JSON", () => {
    const on = compileWith("train_prefill = true");
    const back = jsonToIr(irToJson(on), "t.ir.json");
    if (!("ir" in back)) throw new Error(back.diagnostics.map((d) => d.message).join("; "));
    expect(back.ir.rollout.train_prefill).toBe(true);
    expect(back.ir.hash).toBe(on.hash);
  });
});
