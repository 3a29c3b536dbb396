/**
 * Group reductions `mean/std/min/max/sum/count(x by k… where c, empty: v)`. Each element of the
 * result is a group: the input elements whose keys project onto it. An empty group (nothing
 * selected) gives `empty`, else NaN for mean/std/min/max and 0 for sum/count. `std` is unbiased
 * (N − 1), so one selected value gives NaN as in torch (the compiler warns statically).
 */
import type { IrNode } from "../../compiler/ir/types.js";
import { meanOf, unbiasedStdOf } from "../primitives/groups.js";
import { UnsupportedNode } from "./errors.js";
import type { LevelIndex, LevelSet } from "./levels.js";
import { groupTaint } from "./taint.js";
import { broadcast, num, type NumValue, type Value } from "./values.js";

/** Element indices of each group, in element order, from an element → group map. */
export function groupMembers(map: Int32Array, groups: number): number[][] {
  const out = Array.from({ length: groups }, () => [] as number[]);
  for (let i = 0; i < map.length; i++) out[map[i]!]!.push(i);
  return out;
}

const REDUCERS = new Set(["mean", "std", "min", "max", "sum", "count"]);

export function evalReduce(node: IrNode, set: LevelSet, value: Value | undefined, where: Value | undefined, index: LevelIndex): NumValue {
  if (!REDUCERS.has(node.op)) throw new UnsupportedNode(node.id, node.op, "unknown reduction");
  if (value === undefined || value.kind !== "num") throw new UnsupportedNode(node.id, node.op, "a reduction needs a numeric value");
  if (where !== undefined && where.kind !== "num") throw new UnsupportedNode(node.id, node.op, "`where` must be a boolean");
  const domain = index.set([...value.set.levels, ...(where?.set.levels ?? [])]);
  const x = broadcast(index, value, domain) as NumValue;
  const w = where === undefined ? undefined : (broadcast(index, where, domain) as NumValue);
  const groupOf = index.projection(set, domain);
  const members = groupMembers(groupOf, set.size);
  const selected = (i: number) => w === undefined || w.data[i] !== 0;
  const emptyParam = node.params["empty"];
  const op = node.op;
  const emptyValue = typeof emptyParam === "number" ? emptyParam : op === "sum" || op === "count" ? 0 : NaN;
  const out = new Float64Array(set.size);
  const chosen = members.map((rows) => (w === undefined ? rows : rows.filter(selected)));
  chosen.forEach((rows, g) => {
    out[g] = rows.length === 0 ? emptyValue : reduceRows(op, x.data, rows);
  });
  const emptyOk = (g: number) => chosen[g]!.length === 0 || (op === "std" && chosen[g]!.length === 1);
  const taint = groupTaint(node, set, out, (f) => f, members, op === "count" ? undefined : x, selected, w === undefined ? [] : [w], emptyOk);
  return num(set, out, taint);
}

function reduceRows(op: string, data: Float64Array, rows: readonly number[]): number {
  // The shared helpers only index the array, so a Float64Array serves; using them keeps a
  // hand-written GRPO bit-identical to group_norm (same summation order).
  const values = data as unknown as readonly number[];
  switch (op) {
    case "mean":
      return meanOf(values, rows);
    case "std":
      return unbiasedStdOf(values, rows);
    case "count":
      return rows.length;
    case "sum": {
      let s = 0;
      for (const i of rows) s += data[i]!;
      return s;
    }
    case "min": {
      let m = Infinity;
      for (const i of rows) m = Math.min(m, data[i]!);
      return m;
    }
    default: {
      let m = -Infinity;
      for (const i of rows) m = Math.max(m, data[i]!);
      return m;
    }
  }
}
