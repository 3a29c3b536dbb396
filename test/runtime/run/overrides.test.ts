import { describe, expect, it } from "vitest";
import { applyOverrides, OverrideError, parseOverrides } from "../../../src/runtime/run/overrides.js";
import { compilePipeline, smallPipeline } from "../scheduler/helpers.js";

describe("--set overrides", () => {
  it("applies rollout, optimize, optimizer and data settings to a new IR with its own hash", async () => {
    const ir = await compilePipeline("pipelines/grpo.rlp");
    const out = applyOverrides(ir, parseOverrides(["rollout.prompts=4", "rollout.temperature=0.7", "optimize.grad_clip=1", "optimizer.lr=1e-3", "data.digits=1..2"]));
    expect(out.rollout.prompts).toBe(4);
    expect(out.rollout.temperature).toBe(0.7);
    expect(out.optimize["grad_clip"]).toBe(1);
    expect(out.nodes.find((n) => n.id === "optimizer")!.params["lr"]).toBe(1e-3);
    expect(out.nodes.find((n) => n.id === "data")!.params["digits"]).toEqual({ min: 1, max: 2 });
    expect(out.hash).not.toBe(ir.hash);
    expect(ir.rollout.prompts).toBe(32);
    expect(applyOverrides(ir, [])).toBe(ir);
    expect(applyOverrides(ir, parseOverrides(["rollout.prompts=4"])).hash).toBe(applyOverrides(ir, parseOverrides(["rollout.prompts=4"])).hash);
  });

  it("sets train_prefill from `true` or `false`", () => {
    const ir = smallPipeline();
    expect(ir.rollout.train_prefill).toBe(false);
    const on = applyOverrides(ir, parseOverrides(["rollout.train_prefill=true"]));
    expect(on.rollout.train_prefill).toBe(true);
    expect(on.hash).not.toBe(ir.hash);
    expect(applyOverrides(on, parseOverrides(["rollout.train_prefill=false"])).hash).toBe(ir.hash);
  });

  it("sets the innermost level's group size when the pipeline declares levels", async () => {
    const ir = await compilePipeline("pipelines/hbpo.rlp");
    const out = applyOverrides(ir, parseOverrides(["rollout.samples=2"]));
    expect(out.rollout.levels[0]!.samples).toBe(2);
  });

  it("rejects unknown keys with a suggestion, and values outside the stdlib schema", () => {
    expect(() => parseOverrides(["rollout.promts=4"])).toThrow(OverrideError);
    try {
      parseOverrides(["rollout.promts=4"]);
    } catch (e) {
      expect((e as OverrideError).help).toContain("rollout.prompts");
    }
    expect(() => parseOverrides(["rollout.temperature=7"])).toThrow(/invalid value for `rollout.temperature`: value must be <= 2/);
    expect(() => parseOverrides(["rollout.prompts"])).toThrow(/is not KEY=VALUE/);
    expect(() => parseOverrides(["data.digits=3..1"])).toThrow(/digit range/);
    expect(() => parseOverrides(["rollout.on_reward_error=skip"])).toThrow(OverrideError);
    expect(parseOverrides(["rollout.on_reward_error=drop"])).toEqual([{ key: "rollout.on_reward_error", value: "drop" }]);
    expect(() => parseOverrides(["rollout.train_prefill=yes"])).toThrow(/invalid value for `rollout.train_prefill`: value must be boolean/);
  });
});
