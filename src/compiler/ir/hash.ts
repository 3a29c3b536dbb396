/**
 * The IR hash identifies what a pipeline computes, for checkpoints, caches and stale-file checks.
 * It covers the document except `hash` itself, `rlp_version` (a new rlp that compiles the same
 * graph keeps the hash) and node spans (moving code, editing comments or whitespace changes spans
 * only). It must not depend on the order of keys (a document read back from JSON has the file's
 * order), so nodes are hashed as fixed-order tuples and the small free-form maps with sorted keys:
 * hashing a graph of tens of thousands of nodes sits on the compiler's critical path, and sorting
 * every object's keys would triple its cost.
 */
import { createHash } from "node:crypto";
import type { IrDocument, IrNode } from "./types.js";

export function irHash(ir: Omit<IrDocument, "hash"> | IrDocument): string {
  const hashable = [
    ir.format_version,
    ir.pipeline,
    ir.source,
    ir.hierarchy,
    sorted(ir.rollout),
    sorted(ir.optimize),
    sorted(ir.outputs),
    ir.nodes.map(nodeTuple),
  ];
  return createHash("sha256").update(JSON.stringify(hashable)).digest("hex");
}

/** Completes a document built without its hash (what IR lowering produces last). */
export function withIrHash(ir: Omit<IrDocument, "hash">): IrDocument {
  return { ...ir, hash: irHash(ir) };
}

function nodeTuple(n: IrNode): unknown[] {
  return [n.id, n.kind, n.op, n.name ?? null, n.section, n.dtype, n.level, sorted(n.params), n.inputs.map((i) => [i.port, i.node])];
}

/** A copy with every object's keys in sorted order (for the small free-form parts). */
function sorted(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sorted);
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) if (record[k] !== undefined) out[k] = sorted(record[k]);
  return out;
}
