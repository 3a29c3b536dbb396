/**
 * The IR hash identifies what a pipeline computes, for checkpoints, caches and stale-file checks.
 * It covers the document except `hash` itself, `rlp_version` (a new rlp that compiles the same
 * graph keeps the hash) and node spans (moving code, editing comments or whitespace changes spans
 * only). It must not depend on the order of keys (a document read back from JSON has the file's
 * order), so nodes are hashed as fixed-order tuples and the small free-form maps with sorted keys:
 * hashing a graph of tens of thousands of nodes sits on the compiler's critical path, and sorting
 * every object's keys would triple its cost.
 *
 * A rollout setting added to the IR later stays out of the hash at the value that pipelines
 * written before it mean (`LATER_ROLLOUT_DEFAULTS`), so adding a setting keeps the hash, and the
 * checkpoints and caches keyed by it, of every pipeline that does not use the setting.
 */
import { createHash } from "node:crypto";
import type { IrDocument, IrNode } from "./types.js";

export function irHash(ir: Omit<IrDocument, "hash"> | IrDocument): string {
  const hashable = [
    ir.format_version,
    ir.pipeline,
    ir.source,
    ir.hierarchy,
    sorted(hashedRollout(ir.rollout)),
    sorted(ir.optimize),
    sorted(ir.outputs),
    ir.nodes.map(nodeTuple),
  ];
  return createHash("sha256").update(JSON.stringify(hashable)).digest("hex");
}

/** Rollout settings added after the hash was pinned, with the value that leaves them out of it. */
const LATER_ROLLOUT_DEFAULTS: Readonly<Record<string, unknown>> = { train_prefill: false };

function hashedRollout(rollout: IrDocument["rollout"]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rollout };
  for (const [key, value] of Object.entries(LATER_ROLLOUT_DEFAULTS)) if (out[key] === value) delete out[key];
  return out;
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
