/**
 * The checks on an IR document that JSON Schema cannot express: node ids are unique, every
 * reference names an existing node, levels belong to the hierarchy, per-value lists have one entry
 * per value, and the node graph is acyclic. Runs on documents that already match the schema.
 */
import { didYouMean } from "../diagnostics/suggest.js";
import { escapePointerToken } from "../json-locate.js";
import { where, type IrProblem } from "./problems.js";
import type { IrDocument } from "./types.js";

export function structureProblems(ir: IrDocument): IrProblem[] {
  const problems: IrProblem[] = [];
  const firstIndex = new Map<string, number>();
  ir.nodes.forEach((node, i) => {
    const first = firstIndex.get(node.id);
    if (first === undefined) firstIndex.set(node.id, i);
    else problems.push({ code: "RLP0601", pointer: `/nodes/${i}/id`, message: `duplicate node id \`${node.id}\``, related: [{ pointer: `/nodes/${first}/id`, message: "first used here" }] });
  });

  const reference = (pointer: string, id: string): void => {
    if (firstIndex.has(id)) return;
    const help = didYouMean(id, firstIndex.keys());
    problems.push({ code: "RLP0601", pointer, message: `${where(pointer)} refers to node \`${id}\`, which does not exist`, ...(help === undefined ? {} : { help }) });
  };
  ir.nodes.forEach((node, i) => node.inputs.forEach((input, j) => reference(`/nodes/${i}/inputs/${j}/node`, input.node)));
  for (const key of ["policy", "reference", "data", "loss", "optimizer"] as const) {
    const id = ir.outputs[key];
    if (id !== undefined) reference(`/outputs/${key}`, id);
  }
  for (const name of Object.keys(ir.outputs.terms).sort()) reference(`/outputs/terms/${escapePointerToken(name)}`, ir.outputs.terms[name]!);
  ir.rollout.filters.forEach((filter, i) => reference(`/rollout/filters/${i}/node`, filter.node));

  const levels = new Set(ir.hierarchy);
  const inHierarchy = (pointer: string, level: string, what: string): void => {
    if (levels.has(level)) return;
    const help = didYouMean(level, levels) ?? `the hierarchy is ${ir.hierarchy.map((l) => `\`${l}\``).join(", ")}`;
    problems.push({ code: "RLP0601", pointer, message: `${what} \`${level}\` is not a level of the hierarchy`, help });
  };
  ir.nodes.forEach((node, i) => node.level.forEach((level, k) => inHierarchy(`/nodes/${i}/level/${k}`, level, `level of node \`${node.id}\`,`)));
  ir.rollout.levels.forEach((level, i) => {
    inHierarchy(`/rollout/levels/${i}/name`, level.name, "rollout level");
    for (const key of ["max_tokens", "temperature"] as const) {
      const list = level[key];
      if (list === undefined || list.length === level.values.length) continue;
      problems.push({ code: "RLP0601", pointer: `/rollout/levels/${i}/${key}`, message: `level \`${level.name}\` has ${level.values.length} values but ${list.length} ${key} entries`, help: `give one ${key} entry per level value, in the same order` });
    }
  });

  const cycle = findCycle(ir, firstIndex);
  if (cycle !== undefined) {
    const [head, ...rest] = cycle;
    problems.push({
      code: "RLP0601",
      pointer: `/nodes/${firstIndex.get(head!)!}`,
      at: "open",
      message: `the node graph has a cycle: ${[...cycle, head!].map((id) => `\`${id}\``).join(" → ")}`,
      related: rest.map((id) => ({ pointer: `/nodes/${firstIndex.get(id)!}/id`, message: "part of the cycle" })),
    });
  }
  return problems;
}

/** One cycle among the input edges (consumer → producer order), or undefined when acyclic. */
function findCycle(ir: IrDocument, index: ReadonlyMap<string, number>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === "done") return undefined;
    if (seen === "open") return startAtFirst(stack.slice(stack.indexOf(id)).reverse(), index);
    state.set(id, "open");
    stack.push(id);
    for (const input of ir.nodes[index.get(id)!]!.inputs) {
      if (!index.has(input.node)) continue;
      const found = visit(input.node);
      if (found !== undefined) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const node of ir.nodes) {
    const found = visit(node.id);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The same cycle, rotated to start at the node that comes first in the document. */
function startAtFirst(cycle: string[], index: ReadonlyMap<string, number>): string[] {
  const first = cycle.reduce((best, id, i) => (index.get(id)! < index.get(cycle[best]!)! ? i : best), 0);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}
