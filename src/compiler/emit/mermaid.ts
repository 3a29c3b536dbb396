/**
 * A Mermaid flowchart of a pipeline's dataflow graph (`rlp compile --emit mermaid`), for READMEs
 * and pull requests: one subgraph per section, shapes by node kind, labels and edge rules as in
 * view.ts. Node ids are made Mermaid-safe (`n_` + the id with other characters as `_`; a numeric
 * suffix separates ids that would collide). Deterministic, like the DOT emitter.
 */
import type { IrDocument, NodeKind } from "../ir/types.js";
import { SECTION_COLORS } from "./palette.js";
import { irView } from "./view.js";

/** Opening and closing brackets of each kind's shape. */
const SHAPES: Record<NodeKind, readonly [string, string]> = {
  model: ["[[", "]]"],
  data: ["[(", ")]"],
  field: ["([", "])"],
  const: [">", "]"],
  op: ["(", ")"],
  call: ["[", "]"],
  reduce: ["[/", "\\]"],
  term: ["[", "]"],
  filter: ["{{", "}}"],
  loss: ["[", "]"],
  optimizer: ["[[", "]]"],
};

export function irToMermaid(ir: IrDocument): string {
  const view = irView(ir);
  const ids = mermaidIds(view.sections.flatMap((s) => s.nodes.map((n) => n.id)));
  const out: string[] = ["---", `title: ${JSON.stringify(view.title)}`, "---", "flowchart TB"];
  for (const { section, nodes } of view.sections) {
    out.push(`  subgraph s_${section}["${section}"]`);
    out.push("    direction TB");
    for (const node of nodes) {
      const [open, close] = SHAPES[node.kind];
      out.push(`    ${ids.get(node.id)!}${open}"${node.lines.map(escape).join("<br/>")}"${close}`);
    }
    out.push("  end");
  }
  for (const edge of view.edges) out.push(`  ${ids.get(edge.from)!} -->${edge.port === undefined ? "" : `|"${escape(edge.port)}"|`} ${ids.get(edge.to)!}`);
  for (const { section } of view.sections) {
    const color = SECTION_COLORS[section];
    out.push(`  style s_${section} fill:${color.fill},stroke:${color.stroke},color:${color.stroke}`);
  }
  return `${out.join("\n")}\n`;
}

/** Ids come sorted from the view, so collision suffixes are stable. */
function mermaidIds(ids: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    const base = `n_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let candidate = base;
    for (let k = 2; used.has(candidate); k++) candidate = `${base}_${k}`;
    used.add(candidate);
    result.set(id, candidate);
  }
  return result;
}

/** Mermaid labels are HTML: entity-escape what would end the string or open a tag. */
function escape(text: string): string {
  return text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/&/g, "#amp;");
}
