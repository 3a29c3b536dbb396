import { describe, expect, it } from "vitest";
import { irToMermaid } from "../../../src/compiler/emit/mermaid.js";
import { withIrHash } from "../../../src/compiler/ir/hash.js";
import { grpoIr, hbpoIr, tinyIr } from "../ir/fixtures.js";
import { expectGolden } from "../ir/golden.js";

const golden = (name: string) => new URL(`golden/${name}`, import.meta.url).pathname;

describe("irToMermaid", () => {
  it("matches the golden files", () => {
    expectGolden(golden("grpo.mmd"), irToMermaid(grpoIr()));
    expectGolden(golden("hbpo.mmd"), irToMermaid(hbpoIr()));
    expectGolden(golden("tiny.mmd"), irToMermaid(tinyIr()));
  });

  it("draws one subgraph per section and labels multi-input edges with their port", () => {
    const text = irToMermaid(grpoIr());
    expect([...text.matchAll(/subgraph s_(\w+)/g)].map((m) => m[1])).toEqual(["model", "data", "rollout", "reward", "advantage", "loss", "optimize"]);
    expect(text).toContain('  n_a2 -->|"lhs"| n_A\n');
    expect(text).toContain("  n_r1 --> n_r2\n");
    expect(text).toContain('    n_score("score<br/>if · f32 @sample<br/>then=-1")\n');
  });

  it("is the same whatever the order of the document's nodes", () => {
    const ir = grpoIr();
    expect(irToMermaid({ ...ir, nodes: [...ir.nodes].reverse() })).toBe(irToMermaid(ir));
  });

  it("makes ids Mermaid-safe without collisions and escapes labels", () => {
    const ir = tinyIr();
    const rename = (id: string) => (id === "tokens" ? "a.b" : id === "sq" ? "a_b" : id);
    const doc = withIrHash({
      ...ir,
      nodes: ir.nodes.map((n) => ({ ...n, id: rename(n.id), inputs: n.inputs.map((i) => ({ ...i, node: rename(i.node) })), ...(n.id === "policy" ? { params: { prefill: '<think b="#1">' } } : {}) })),
      outputs: { ...ir.outputs, terms: { score: "a_b" } },
    });
    const text = irToMermaid(doc);
    expect(text).toContain("n_a_b([");
    expect(text).toContain("n_a_b_2(");
    expect(text).toContain('  n_a_b -->|"lhs"| n_a_b_2\n');
    expect(text).toContain('prefill=#quot;#lt;think b=\\#quot;#35;1\\#quot;#gt;#quot;"]]');
  });
});
