/**
 * What a drawing of the IR shows, independent of the drawing language: the nodes per section in a
 * fixed order, their label lines, and the edges. DOT and Mermaid emitters only format this, so the
 * two always agree.
 *
 * Conventions (the same in every emitter):
 * - a node's first line is its name, or its op when it has none; the second is
 *   `op · dtype @level` (`dtype @level` when the first line is already the op); then one line per
 *   parameter, `key=value`, sorted by key;
 * - `@level` is the finest level the value varies over when it also varies over every coarser
 *   level (`@sample` for a value per rollout), `@step` for one value per step, and the exact set in
 *   braces otherwise (`@{budget}`: one value per budget, the same for every prompt);
 * - a constant that feeds other nodes is not drawn: it becomes a `port=value` line in each consumer
 *   (`port=NAME (value)` for a named constant); constants that nothing consumes stay nodes;
 * - an edge is labelled with its port unless that is obvious: the consumer has a single input,
 *   or the port is the producer's title (`policy` → `policy`);
 * - nodes are sorted by id and edges by (from, to, port), so output is byte-for-byte stable.
 */
import type { IrDocument, IrNode, JsonValue } from "../ir/types.js";

export const SECTION_ORDER = ["model", "data", "rollout", "reward", "advantage", "loss", "optimize"] as const;
export type SectionName = (typeof SECTION_ORDER)[number];

export interface ViewNode {
  readonly id: string;
  readonly kind: IrNode["kind"];
  readonly lines: readonly string[];
}

export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  /** Absent when the port is obvious (the consumer has one input). */
  readonly port?: string;
}

export interface GraphView {
  readonly title: string;
  readonly sections: readonly { readonly section: SectionName; readonly nodes: readonly ViewNode[] }[];
  readonly edges: readonly ViewEdge[];
}

const MAX_VALUE_CHARS = 32;

export function irView(ir: IrDocument): GraphView {
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  const referenced = new Set<string>([...Object.values(ir.outputs).filter((v): v is string => typeof v === "string"), ...Object.values(ir.outputs.terms), ...ir.rollout.filters.map((f) => f.node)]);
  const consumed = new Set(ir.nodes.flatMap((n) => n.inputs.map((i) => i.node)));
  const inlined = (id: string): boolean => {
    const node = byId.get(id);
    return node !== undefined && node.kind === "const" && consumed.has(id) && !referenced.has(id);
  };

  const drawn = ir.nodes.filter((n) => !inlined(n.id)).sort((a, b) => compare(a.id, b.id));
  const sections = SECTION_ORDER.map((section) => ({
    section,
    nodes: drawn.filter((n) => n.section === section).map((n) => viewNode(n, ir.hierarchy, byId, inlined)),
  })).filter((s) => s.nodes.length > 0);

  const obvious = (consumer: IrNode, port: string, producer: string): boolean => consumer.inputs.length === 1 || port === titleOf(byId.get(producer)!);
  const edges = drawn
    .flatMap((n) => n.inputs.filter((i) => !inlined(i.node)).map((i): ViewEdge => (obvious(n, i.port, i.node) ? { from: i.node, to: n.id } : { from: i.node, to: n.id, port: i.port })))
    .sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.port ?? "", b.port ?? ""));
  return { title: ir.pipeline, sections, edges };
}

function viewNode(node: IrNode, hierarchy: readonly string[], byId: ReadonlyMap<string, IrNode>, inlined: (id: string) => boolean): ViewNode {
  const title = titleOf(node);
  const op = node.kind === "const" ? "const" : node.op;
  const detail = `${title === op ? "" : `${op} · `}${node.dtype} ${levelText(node.level, hierarchy)}`;
  const params = Object.keys(node.params)
    .filter((k) => !(node.kind === "const" && node.name === undefined && k === "value")) // the title shows it
    .sort(compare)
    .map((k) => `${k}=${valueText(node.params[k]!)}`);
  const constants = node.inputs
    .filter((i) => inlined(i.node))
    .map((i) => {
      const c = byId.get(i.node)!;
      return `${i.port}=${c.name === undefined ? constText(c) : `${c.name} (${constText(c)})`}`;
    });
  return { id: node.id, kind: node.kind, lines: [title, detail, ...[...constants, ...params].sort(compare)] };
}

function titleOf(node: IrNode): string {
  return node.name ?? (node.kind === "const" ? constText(node) : node.op);
}

export function levelText(level: readonly string[], hierarchy: readonly string[]): string {
  if (level.length === 0) return "@step";
  const deepest = Math.max(...level.map((l) => hierarchy.indexOf(l)));
  const prefix = hierarchy.slice(0, deepest + 1);
  const closed = deepest >= 0 && prefix.length === level.length && prefix.every((l) => level.includes(l));
  return closed ? `@${hierarchy[deepest]!}` : `@{${[...level].sort((a, b) => hierarchy.indexOf(a) - hierarchy.indexOf(b)).join(",")}}`;
}

/** A constant's value is its `value` parameter; without one, its op names it. */
function constText(node: IrNode): string {
  const value = node.params["value"];
  return value === undefined ? node.op : valueText(value);
}

/**
 * Labels are for reading: numbers to 6 significant digits (the IR keeps them exact), plain words
 * bare and other strings quoted, objects as `{key: value}` with sorted keys.
 */
function valueText(value: JsonValue): string {
  const text = valueWords(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function valueWords(value: JsonValue): string {
  if (typeof value === "number") return String(Number(value.toPrecision(6)));
  if (typeof value === "string") return /^[\w.+\-/:]+$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(valueWords).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort(compare).map((k) => `${k}: ${valueWords(value[k]!)}`).join(", ")}}`;
  }
  return String(value);
}

/** Code-unit order, never locale order: output must not depend on the machine. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
