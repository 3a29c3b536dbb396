/**
 * Graphviz DOT for a pipeline's dataflow graph (`rlp compile --emit dot`, and the input of the
 * SVG/PNG renderers): one `cluster_<section>` per section, shapes by node kind, labels and edge
 * rules as in view.ts. Deterministic: the same IR always gives the same bytes.
 */
import type { IrDocument, NodeKind } from "../ir/types.js";
import { SECTION_COLORS } from "./palette.js";
import { irView } from "./view.js";

const FONT = "Helvetica,Arial,sans-serif";

/** Shapes say what a node is at a glance; colours (per cluster) say where it belongs. */
const SHAPES: Record<NodeKind, string> = {
  model: 'shape=box3d, style="filled"',
  data: 'shape=cylinder, style="filled"',
  field: 'shape=ellipse, style="filled"',
  const: 'shape=plaintext, style="filled"',
  op: 'shape=box, style="rounded,filled"',
  call: 'shape=box, style="filled"',
  reduce: 'shape=invtrapezium, style="filled"',
  term: 'shape=box, style="rounded,filled", peripheries=2',
  filter: 'shape=hexagon, style="filled"',
  loss: 'shape=box, style="filled,bold"',
  optimizer: 'shape=component, style="filled"',
};

export function irToDot(ir: IrDocument): string {
  const view = irView(ir);
  const out: string[] = [
    `digraph ${quote(view.title)} {`,
    `  graph [label=${quote(view.title)}, labelloc=t, fontname=${quote(FONT)}, fontsize=14, rankdir=TB, nodesep=0.3, ranksep=0.4];`,
    `  node [fontname=${quote(FONT)}, fontsize=10, fillcolor="#ffffff", margin="0.12,0.06"];`,
    `  edge [fontname=${quote(FONT)}, fontsize=9, color="#475569", fontcolor="#475569"];`,
  ];
  for (const { section, nodes } of view.sections) {
    const color = SECTION_COLORS[section];
    out.push(`  subgraph ${quote(`cluster_${section}`)} {`);
    out.push(`    label=${quote(section)}; style="rounded,filled"; fillcolor=${quote(color.fill)}; color=${quote(color.stroke)}; fontcolor=${quote(color.stroke)};`);
    for (const node of nodes) out.push(`    ${quote(node.id)} [label=${label(node.lines)}, ${SHAPES[node.kind]}];`);
    out.push("  }");
  }
  for (const edge of view.edges) out.push(`  ${quote(edge.from)} -> ${quote(edge.to)}${edge.port === undefined ? "" : ` [label=${quote(edge.port)}]`};`);
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** A DOT double-quoted string; backslashes are escaped so that Graphviz's `\l`, `\N`… never fire. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Label lines joined with centred line breaks. */
function label(lines: readonly string[]): string {
  return `"${lines.map((l) => quote(l).slice(1, -1)).join("\\n")}"`;
}
