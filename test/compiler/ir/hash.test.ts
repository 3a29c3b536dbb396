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
    expect(grpoIr().hash).toBe("0bfe66a78dff014c19ab7e7ce80723938952a1a2e23db9ef5dbac391c5354691");
    expect(hbpoIr().hash).toBe("c41225c7cfd5906b1230486b50fad347d8b3071e6a2b3856ed3deb22f045993f");
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

  it("leaves a later rollout setting out at its old meaning, so existing hashes stay", () => {
    const ir = grpoIr();
    expect(ir.rollout.train_prefill).toBe(false);
    const { train_prefill: _absent, ...before } = ir.rollout;
    expect(irHash({ ...ir, rollout: before as IrDocument["rollout"] })).toBe(ir.hash);
    expect(irHash({ ...ir, rollout: { ...ir.rollout, train_prefill: true } })).not.toBe(ir.hash);
  });

  it("withIrHash does not mutate its argument", () => {
    const { hash: _hash, ...draft } = grpoIr();
    const sealed = withIrHash(draft);
    expect("hash" in draft).toBe(false);
    expect(sealed.hash).toBe(grpoIr().hash);
  });
});
