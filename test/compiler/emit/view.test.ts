import { describe, expect, it } from "vitest";
import { withIrHash } from "../../../src/compiler/ir/hash.js";
import { irView, levelText } from "../../../src/compiler/emit/view.js";
import { grpoIr, hbpoIr, tinyIr } from "../ir/fixtures.js";

const HIERARCHY = ["prompt", "budget", "sample", "token"];

describe("levelText", () => {
  it("names the finest level when the value varies over every coarser one", () => {
    expect(levelText(["prompt", "budget", "sample"], HIERARCHY)).toBe("@sample");
    expect(levelText(["budget", "prompt"], HIERARCHY)).toBe("@budget");
    expect(levelText(["prompt"], HIERARCHY)).toBe("@prompt");
  });

  it("says @step for one value per step and lists other sets exactly", () => {
    expect(levelText([], HIERARCHY)).toBe("@step");
    expect(levelText(["budget"], HIERARCHY)).toBe("@{budget}");
    expect(levelText(["sample", "prompt"], HIERARCHY)).toBe("@{prompt,sample}");
  });
});

describe("irView", () => {
  it("orders sections as the pipeline runs and nodes by id", () => {
    const view = irView(grpoIr());
    expect(view.title).toBe("grpo");
    expect(view.sections.map((s) => s.section)).toEqual(["model", "data", "rollout", "reward", "advantage", "loss", "optimize"]);
    for (const s of view.sections) expect(s.nodes.map((n) => n.id)).toEqual(s.nodes.map((n) => n.id).sort());
  });

  it("labels a node with name, op · dtype @level, then parameters", () => {
    const nodes = irView(grpoIr()).sections.flatMap((s) => s.nodes);
    const byId = new Map(nodes.map((n) => [n.id, n.lines]));
    expect(byId.get("score")).toEqual(["score", "if · f32 @sample", "then=-1"]);
    expect(byId.get("a2")).toEqual(["sub", "f32 @sample"]);
    expect(byId.get("l1")).toEqual(["ppo_clip", "loss @step", "agg=seq_mean_token_mean", "eps=0.2"]);
    expect(byId.get("a1")).toEqual(["mean", "f32 @prompt", "by=[prompt]"]);
    expect(byId.get("data")).toEqual(["data", "arith · dataset @step", "digits=[1, 6]", "split=train"]);
  });

  it("inlines consumed constants into their consumers, naming named ones", () => {
    const view = irView(hbpoIr());
    const nodes = view.sections.flatMap((s) => s.nodes);
    expect(nodes.some((n) => n.kind === "const")).toBe(false);
    const byId = new Map(nodes.map((n) => [n.id, n.lines]));
    expect(byId.get("f1b")).toEqual(["mul", "i32 @step", "lhs=2", "rhs=L (64)"]);
    expect(byId.get("f1a")).toEqual(["mul", "f32 @sample", "lhs=pi (3.14159)"]);
    expect(view.edges.some((e) => e.from === "L" || e.from === "c4")).toBe(false);
  });

  it("keeps constants that nothing consumes, or that are outputs, as nodes", () => {
    const ir = tinyIr();
    const doc = withIrHash({
      ...ir,
      nodes: [...ir.nodes, { id: "k", kind: "const", op: "const", name: "K", section: "reward", dtype: "f32", level: [], params: { value: 0.5 }, inputs: [] }],
      outputs: { ...ir.outputs, terms: { ...ir.outputs.terms, K: "k" } },
    });
    const k = irView(doc).sections.flatMap((s) => s.nodes).find((n) => n.id === "k");
    expect(k?.lines).toEqual(["K", "const · f32 @step", "value=0.5"]);
  });

  it("labels edges with ports only where the consumer has several inputs", () => {
    const edges = irView(grpoIr()).edges;
    expect(edges.find((e) => e.to === "r2")).toEqual({ from: "r1", to: "r2" });
    expect(edges.filter((e) => e.to === "A")).toEqual([
      { from: "a2", to: "A", port: "lhs" },
      { from: "a5", to: "A", port: "rhs" },
    ]);
    // the inlined constant still counts: `a5 = a3 + 1e-6` has two inputs
    expect(edges.find((e) => e.to === "a5")).toEqual({ from: "a3", to: "a5", port: "lhs" });
  });

  it("does not depend on the order of nodes in the document", () => {
    const ir = hbpoIr();
    expect(irView({ ...ir, nodes: [...ir.nodes].reverse() })).toEqual(irView(ir));
  });
});
