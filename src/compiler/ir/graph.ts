/**
 * The IR as a graphology graph (`irToGraph`) and its topological generations (`irLayers`): the
 * waves in which the runtime's scheduler may run nodes, each wave depending only on earlier ones.
 * Edges run producer → consumer. The graph is a multigraph because one value may feed two ports
 * of the same node (`x * x`).
 */
import { MultiDirectedGraph } from "graphology";
import { topologicalGenerations } from "graphology-dag";
import type { IrDocument, IrNode } from "./types.js";

export type IrNodeAttributes = IrNode;
export interface IrEdgeAttributes {
  readonly port: string;
}
export type IrGraph = MultiDirectedGraph<IrNodeAttributes, IrEdgeAttributes>;

/** Nodes are added in document order; edge keys are `producer->consumer:port`. The IR must be valid (see jsonToIr). */
export function irToGraph(ir: IrDocument): IrGraph {
  const graph: IrGraph = new MultiDirectedGraph<IrNodeAttributes, IrEdgeAttributes>();
  for (const node of ir.nodes) graph.addNode(node.id, node);
  for (const node of ir.nodes) {
    for (const input of node.inputs) graph.addDirectedEdgeWithKey(`${input.node}->${node.id}:${input.port}`, input.node, node.id, { port: input.port });
  }
  return graph;
}

/** Topological generations; within a generation, nodes keep document order. Throws on a cyclic graph. */
export function irLayers(ir: IrDocument): string[][] {
  const order = new Map(ir.nodes.map((n, i) => [n.id, i]));
  return topologicalGenerations(irToGraph(ir)).map((layer) => [...layer].sort((a, b) => order.get(a)! - order.get(b)!));
}
