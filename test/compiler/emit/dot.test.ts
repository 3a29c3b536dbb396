import { describe, expect, it } from "vitest";
import { irToDot } from "../../../src/compiler/emit/dot.js";
import { withIrHash } from "../../../src/compiler/ir/hash.js";
import { grpoIr, hbpoIr, tinyIr } from "../ir/fixtures.js";
import { expectGolden } from "../ir/golden.js";

const golden = (name: string) => new URL(`golden/${name}`, import.meta.url).pathname;

describe("irToDot", () => {
  it("matches the golden files", () => {
    expectGolden(golden("grpo.dot"), irToDot(grpoIr()));
    expectGolden(golden("hbpo.dot"), irToDot(hbpoIr()));
    expectGolden(golden("tiny.dot"), irToDot(tinyIr()));
  });

  it("draws one cluster per section that has nodes, in pipeline order", () => {
    const clusters = [...irToDot(grpoIr()).matchAll(/subgraph "cluster_(\w+)"/g)].map((m) => m[1]);
    expect(clusters).toEqual(["model", "data", "rollout", "reward", "advantage", "loss", "optimize"]);
  });

  it("is the same whatever the order of the document's nodes", () => {
    const ir = hbpoIr();
    expect(irToDot({ ...ir, nodes: [...ir.nodes].reverse() })).toBe(irToDot(ir));
  });

  it("escapes quotes, backslashes and newlines so labels cannot break out", () => {
    const ir = tinyIr();
    const tricky = withIrHash({
      ...ir,
      pipeline: 'say "hi"',
      nodes: ir.nodes.map((n) => (n.id === "policy" ? { ...n, id: 'po"l\\icy', params: { prompt: 'a "b"\\n\nc' } } : n.id === "data" ? n : n)),
      outputs: { ...ir.outputs, policy: 'po"l\\icy' },
    });
    const dot = irToDot(tricky);
    expect(dot).toContain('digraph "say \\"hi\\"" {');
    // the value is JSON-quoted in the label (it has spaces), then DOT-escaped: no raw newline survives
    expect(dot).toContain('"po\\"l\\\\icy" [label="policy\\ntiny_lm · model @step\\nprompt=\\"a \\\\\\"b\\\\\\"\\\\\\\\n\\\\nc\\"", shape=box3d');
  });
});
