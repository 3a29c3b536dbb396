/**
 * Grouping of rows by prompt id. Rows of one group may be interleaved with other groups (a shuffled
 * batch) and groups may be ragged, so groups are index lists rather than contiguous slices.
 */
import type { GroupId } from "./shape.js";

/** Row indices of each group, groups in order of first appearance, rows in batch order. */
export function groupRows(groups: readonly GroupId[]): Map<GroupId, number[]> {
  const out = new Map<GroupId, number[]>();
  groups.forEach((g, i) => {
    const rows = out.get(g);
    if (rows === undefined) out.set(g, [i]);
    else rows.push(i);
  });
  return out;
}

/** Arithmetic mean of the selected entries (callers guarantee at least one). */
export function meanOf(values: readonly number[], rows: readonly number[]): number {
  let s = 0;
  for (const i of rows) s += values[i]!;
  return s / rows.length;
}

/** Unbiased (N − 1) standard deviation, as torch.std; 0 for identical entries; NaN for one entry. */
export function unbiasedStdOf(values: readonly number[], rows: readonly number[]): number {
  const m = meanOf(values, rows);
  let ss = 0;
  for (const i of rows) ss += (values[i]! - m) ** 2;
  return Math.sqrt(ss / (rows.length - 1));
}
