import { describe, expect, it } from "vitest";
import { irLayers, irToGraph } from "../../../src/compiler/ir/graph.js";
import { grpoIr, hbpoIr, tinyIr } from "./fixtures.js";

describe("irToGraph", () => {
  it("has one node per IR node, in document order, with the node as its attributes", () => {
    const ir = grpoIr();
    const graph = irToGraph(ir);
    expect(graph.type).toBe("directed");
    expect(graph.nodes()).toEqual(ir.nodes.map((n) => n.id));
    for (const node of ir.nodes) expect(graph.getNodeAttributes(node.id)).toEqual(node);
  });

  it("has one producer → consumer edge per input, labelled with its port", () => {
    const ir = grpoIr();
    const graph = irToGraph(ir);
    expect(graph.size).toBe(ir.nodes.reduce((n, node) => n + node.inputs.length, 0));
    expect(graph.hasEdge("a2->A:lhs")).toBe(true);
    expect(graph.source("a2->A:lhs")).toBe("a2");
    expect(graph.target("a2->A:lhs")).toBe("A");
    expect(graph.getEdgeAttributes("a2->A:lhs")).toEqual({ port: "lhs" });
  });

  it("keeps both edges when one value feeds two ports of a node", () => {
    const graph = irToGraph(tinyIr());
    expect(graph.edges("tokens", "sq").sort()).toEqual(["tokens->sq:lhs", "tokens->sq:rhs"]);
  });
});

describe("irLayers", () => {
  it("puts every node in exactly one layer, after all of its inputs", () => {
    for (const ir of [grpoIr(), hbpoIr(), tinyIr()]) {
      const layers = irLayers(ir);
      const layerOf = new Map(layers.flatMap((layer, i) => layer.map((id) => [id, i] as const)));
      expect(layerOf.size).toBe(ir.nodes.length);
      expect(layers.flat()).toHaveLength(ir.nodes.length);
      for (const node of ir.nodes) for (const input of node.inputs) expect(layerOf.get(input.node)!).toBeLessThan(layerOf.get(node.id)!);
    }
  });

  it("gives the scheduler's waves for GRPO, each in document order", () => {
    expect(irLayers(grpoIr())).toEqual([
      ["policy", "data", "text", "answer", "target", "r3", "a4", "l3"],
      ["reference", "correct", "r1"],
      ["r2", "l2"],
      ["score", "l4"],
      ["a1", "a3"],
      ["a2", "a5"],
      ["A"],
      ["l1"],
      ["loss"],
      ["optimizer"],
    ]);
  });

  it("refuses a cyclic graph", () => {
    const ir = tinyIr();
    const cyclic = { ...ir, nodes: ir.nodes.map((n) => (n.id === "tokens" ? { ...n, inputs: [{ port: "x", node: "sq" }] } : n)) };
    expect(() => irLayers(cyclic)).toThrow();
  });
});
