/**
 * The IR hash identifies what a pipeline computes, for checkpoints, caches and stale-file checks.
 * It covers the canonical JSON of the document except `hash` itself, `rlp_version` (a new rlp
 * that compiles the same graph keeps the hash) and node spans (moving code, editing comments or
 * whitespace changes spans only).
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical.js";
import type { IrDocument } from "./types.js";

export function irHash(ir: Omit<IrDocument, "hash"> | IrDocument): string {
  const { hash: _hash, rlp_version: _version, ...rest } = ir as IrDocument;
  const nodes = ir.nodes.map(({ span: _span, ...node }) => node);
  return createHash("sha256").update(canonicalJson({ ...rest, nodes }, { indent: 0 })).digest("hex");
}

/** Completes a document built without its hash (what IR lowering produces last). */
export function withIrHash(ir: Omit<IrDocument, "hash">): IrDocument {
  return { ...ir, hash: irHash(ir) };
}
