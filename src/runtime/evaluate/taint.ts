/**
 * Where non-finite values come from. Nodes are evaluated eagerly, so `if c then log(x) else 0`
 * computes log(x) for every element; raising at the first NaN would fail on branches the pipeline
 * never takes. Instead each value records, per affected element, the node where it first went bad
 * (an Origin), and the check happens where values are consumed: terms, filters and loss inputs.
 *
 * Rules: a `computed` origin (a fault) follows every value derived from the element, even through
 * comparisons that turn NaN into a boolean; an `empty-group` origin (a reduction's documented NaN)
 * follows only while the value stays non-finite, so `if std(x by prompt) > 0 then ...` is fine.
 * A non-finite result with no such input is a new `computed` origin at this node.
 */
import type { IrNode } from "../../compiler/ir/types.js";
import { NonFiniteValue } from "./errors.js";
import type { LevelIndex, LevelSet } from "./levels.js";
import type { NumValue, Origin, Taint } from "./values.js";

function fresh(node: IrNode, set: LevelSet, index: number, value: number, reason: Origin["reason"] = "computed"): Origin {
  return { node, set, index, value, reason };
}

/** Inherited origin of element `f` from one input, per the rules above (undefined when none). */
function inherited(input: NumValue, f: number, outFinite: boolean): Origin | undefined {
  const o = input.taint?.get(f);
  if (o === undefined) return undefined;
  if (o.reason === "computed") return o;
  return !outFinite && !Number.isFinite(input.data[f]!) ? o : undefined;
}

/** Taint of an elementwise result whose inputs are already broadcast to its set. */
export function elementwiseTaint(node: IrNode, set: LevelSet, out: Float64Array, inputs: readonly NumValue[]): Taint | undefined {
  const tainted = inputs.filter((i) => i.taint !== undefined);
  let taint: Map<number, Origin> | undefined;
  if (tainted.length === 0) {
    for (let f = 0; f < out.length; f++) {
      if (!Number.isFinite(out[f]!)) (taint ??= new Map()).set(f, fresh(node, set, f, out[f]!));
    }
    return taint;
  }
  for (let f = 0; f < out.length; f++) {
    const finite = Number.isFinite(out[f]!);
    let origin: Origin | undefined;
    for (const input of tainted) {
      const o = inherited(input, f, finite);
      if (o !== undefined && (origin === undefined || o.reason === "computed")) origin = o;
      if (origin?.reason === "computed") break;
    }
    if (origin === undefined && !finite) origin = fresh(node, set, f, out[f]!);
    if (origin !== undefined) (taint ??= new Map()).set(f, origin);
  }
  return taint;
}

/** Taint of `if`: the condition's faults, and the taken branch's origins (the other branch is discarded). */
export function selectTaint(node: IrNode, set: LevelSet, out: Float64Array, cond: NumValue, then: NumValue, otherwise: NumValue): Taint | undefined {
  if (cond.taint === undefined && then.taint === undefined && otherwise.taint === undefined) return elementwiseTaint(node, set, out, []);
  let taint: Map<number, Origin> | undefined;
  for (let f = 0; f < out.length; f++) {
    const finite = Number.isFinite(out[f]!);
    const taken = cond.data[f] !== 0 ? then : otherwise;
    const c = cond.taint?.get(f);
    const origin = (c?.reason === "computed" ? c : undefined) ?? inherited(taken, f, finite) ?? (finite ? undefined : fresh(node, set, f, out[f]!));
    if (origin !== undefined) (taint ??= new Map()).set(f, origin);
  }
  return taint;
}

/**
 * Taint of a group-wise result: `members[g]` lists the input elements of group g, `read(i)` whether
 * the value at i was used, and `guards` inputs, like a `where` mask, that decided which were.
 * `emptyOk(g)` says whether a non-finite result of group g is the operation's documented NaN.
 */
export function groupTaint(
  node: IrNode,
  set: LevelSet,
  out: Float64Array,
  outGroup: (f: number) => number,
  members: readonly (readonly number[])[],
  value: NumValue | undefined,
  read: (i: number) => boolean,
  guards: readonly NumValue[],
  emptyOk: (g: number) => boolean,
): Taint | undefined {
  const perGroup = new Map<number, Origin | null>();
  const groupOrigin = (g: number): Origin | null => {
    let origin: Origin | undefined;
    for (const i of members[g]!) {
      for (const guard of guards) {
        const o = guard.taint?.get(i);
        if (o?.reason === "computed") return o;
      }
      const o = read(i) ? value?.taint?.get(i) : undefined;
      if (o === undefined) continue;
      if (o.reason === "computed") return o;
      if (!Number.isFinite(value!.data[i]!)) origin ??= o;
    }
    return origin ?? null;
  };
  let taint: Map<number, Origin> | undefined;
  const anyInputTaint = value?.taint !== undefined || guards.some((g) => g.taint !== undefined);
  for (let f = 0; f < out.length; f++) {
    const finite = Number.isFinite(out[f]!);
    const g = outGroup(f);
    let origin: Origin | undefined;
    if (anyInputTaint) {
      let o = perGroup.get(g);
      if (o === undefined) {
        o = groupOrigin(g);
        perGroup.set(g, o);
      }
      if (o !== null && (o.reason === "computed" || !finite)) origin = o;
    }
    if (origin === undefined && !finite) origin = fresh(node, set, f, out[f]!, emptyOk(g) ? "empty-group" : "computed");
    if (origin !== undefined) (taint ??= new Map()).set(f, origin);
  }
  return taint;
}

/** The first fault (a `computed` origin) among a value's elements, if any. */
export function firstFault(value: NumValue): Origin | undefined {
  if (value.taint === undefined) return undefined;
  for (const o of value.taint.values()) if (o.reason === "computed") return o;
  return undefined;
}

/** The typed error for an origin. */
export function nonFiniteError(index: LevelIndex, o: Origin): NonFiniteValue {
  return new NonFiniteValue({
    nodeId: o.node.id,
    op: o.node.op,
    nodeName: o.node.name,
    span: o.node.span,
    index: o.index,
    level: o.set.levels,
    element: index.keyOf(o.set, o.index),
    value: o.value,
    reason: o.reason,
  });
}
