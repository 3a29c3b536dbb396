/**
 * What changed between two IR documents, in a few lines: why `rlp resume` refuses a run whose
 * pipeline was edited (the checkpoint belongs to the old graph).
 */
import type { IrDocument, IrNode } from "../../compiler/ir/types.js";

/** JSON with object keys sorted, so that equal values compare equal whatever their key order. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

const same = (a: unknown, b: unknown) => stable(a) === stable(b);

function where(n: IrNode): string {
  return n.span === undefined ? "" : ` (${n.span.file}:${n.span.line}:${n.span.column})`;
}

export function irDifferences(before: IrDocument, after: IrDocument, limit = 8): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before.rollout), ...Object.keys(after.rollout)])) {
    const a = (before.rollout as unknown as Record<string, unknown>)[key];
    const b = (after.rollout as unknown as Record<string, unknown>)[key];
    if (!same(a ?? null, b ?? null)) out.push(`rollout.${key}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
  for (const key of new Set([...Object.keys(before.optimize), ...Object.keys(after.optimize)])) {
    if (!same(before.optimize[key] ?? null, after.optimize[key] ?? null)) out.push(`optimize.${key}: ${JSON.stringify(before.optimize[key])} → ${JSON.stringify(after.optimize[key])}`);
  }
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  for (const [id, n] of now) {
    const o = old.get(id);
    const label = `${id} (${n.op}${n.name === undefined ? "" : ` \`${n.name}\``})`;
    if (o === undefined) out.push(`new node ${label}${where(n)}`);
    else if (o.op !== n.op) out.push(`node ${id}: ${o.op} → ${n.op}${where(n)}`);
    else if (!same(o.params, n.params)) out.push(`node ${label}: params ${JSON.stringify(o.params)} → ${JSON.stringify(n.params)}${where(n)}`);
    else if (!same(o.inputs, n.inputs) || !same(o.level, n.level) || o.dtype !== n.dtype) out.push(`node ${label}: inputs or type changed${where(n)}`);
  }
  for (const [id, o] of old) if (!now.has(id)) out.push(`removed node ${id} (${o.op})`);
  if (out.length === 0 && before.pipeline !== after.pipeline) out.push(`pipeline ${before.pipeline} → ${after.pipeline}`);
  return out.length > limit ? [...out.slice(0, limit), `… and ${out.length - limit} more`] : out;
}
