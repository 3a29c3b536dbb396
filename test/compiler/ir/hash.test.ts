import { describe, expect, it } from "vitest";
import { irHash, withIrHash } from "../../../src/compiler/ir/hash.js";
import type { IrDocument } from "../../../src/compiler/ir/types.js";
import { grpoIr, hbpoIr } from "./fixtures.js";

describe("irHash", () => {
  it("is a SHA-256 hex digest that withIrHash stores in the document", () => {
    const ir = grpoIr();
    expect(ir.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(irHash(ir)).toBe(ir.hash);
  });

  it("is pinned: a change here invalidates every checkpoint and resolved file", () => {
    expect(grpoIr().hash).toBe("9dca76ac3dab985059da97ab6dec4c9ff2a8c6fcb30946a5aab49656ffcecb77");
    expect(hbpoIr().hash).toBe("3564e90bb0de3859a62e9daca6ac1abd97b7fdc5b003f52648a79b4f6e0662be");
  });

  it("ignores the rlp version, the stored hash and node spans", () => {
    const ir = grpoIr();
    const moved: IrDocument = {
      ...ir,
      rlp_version: "9.9.9",
      hash: "0".repeat(64),
      nodes: ir.nodes.map((n, i) => ({ ...n, span: { file: "elsewhere.rlp", start: i, end: i + 1, line: i + 1, column: 1 } })),
    };
    expect(irHash(moved)).toBe(ir.hash);
    expect(irHash({ ...ir, nodes: ir.nodes.map(({ span: _span, ...n }) => n) })).toBe(ir.hash);
  });

  it("ignores key order", () => {
    const ir = grpoIr();
    const reordered = Object.fromEntries(Object.entries(ir).reverse()) as unknown as IrDocument;
    expect(irHash(reordered)).toBe(ir.hash);
  });

  it("changes with anything the pipeline computes", () => {
    const ir = grpoIr();
    const variants: IrDocument[] = [
      { ...ir, rollout: { ...ir.rollout, samples: 16 } },
      { ...ir, rollout: { ...ir.rollout, train_prefill: true } },
      { ...ir, optimize: { ...ir.optimize, seed: 2 } },
      { ...ir, nodes: ir.nodes.map((n) => (n.id === "l1" ? { ...n, params: { ...n.params, eps: 0.3 } } : n)) },
      { ...ir, nodes: ir.nodes.map((n) => (n.id === "a2" ? { ...n, inputs: [...n.inputs].reverse() } : n)) },
      { ...ir, outputs: { ...ir.outputs, terms: { ...ir.outputs.terms, extra: "a1" } } },
      { ...ir, pipeline: "grpo2" },
    ];
    const hashes = new Set(variants.map(irHash));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(ir.hash)).toBe(false);
  });

  it("withIrHash does not mutate its argument", () => {
    const { hash: _hash, ...draft } = grpoIr();
    const sealed = withIrHash(draft);
    expect("hash" in draft).toBe(false);
    expect(sealed.hash).toBe(grpoIr().hash);
  });
});
