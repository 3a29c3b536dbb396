/**
 * Node values: one float64 (numbers and booleans as 0/1) or string per element of the node's level
 * set. A numeric value may carry a taint: for elements that are non-finite, or were computed from a
 * non-finite value, where that value first went bad (see taint.ts).
 */
import type { IrNode } from "../../compiler/ir/types.js";
import type { LevelIndex, LevelSet } from "./levels.js";

export interface Origin {
  readonly node: IrNode;
  readonly set: LevelSet;
  readonly index: number;
  readonly value: number;
  /** `computed`: the maths went wrong here (a fault); `empty-group`: a reduction's documented NaN. */
  readonly reason: "computed" | "empty-group";
}

/** Element → origin, only for affected elements (usually absent). */
export type Taint = ReadonlyMap<number, Origin>;

export interface NumValue {
  readonly kind: "num";
  readonly set: LevelSet;
  readonly data: Float64Array;
  readonly taint?: Taint;
}

export interface TextValue {
  readonly kind: "text";
  readonly set: LevelSet;
  readonly data: readonly string[];
}

export type Value = NumValue | TextValue;

export function num(set: LevelSet, data: Float64Array, taint?: Taint): NumValue {
  return taint === undefined || taint.size === 0 ? { kind: "num", set, data } : { kind: "num", set, data, taint };
}

export function text(set: LevelSet, data: readonly string[]): TextValue {
  return { kind: "text", set, data };
}

/** The value repeated over a finer set (projection of each fine element to the value's set). */
export function broadcast(index: LevelIndex, value: Value, target: LevelSet): Value {
  if (value.set === target) return value;
  const map = index.projection(value.set, target);
  if (value.kind === "text") return text(target, Array.from(map, (e) => value.data[e]!));
  const data = new Float64Array(target.size);
  for (let f = 0; f < data.length; f++) data[f] = value.data[map[f]!]!;
  let taint: Map<number, Origin> | undefined;
  if (value.taint !== undefined) {
    taint = new Map();
    for (let f = 0; f < data.length; f++) {
      const o = value.taint.get(map[f]!);
      if (o !== undefined) taint.set(f, o);
    }
  }
  return num(target, data, taint);
}

/** The value at step level as one number (loss coefficients). */
export function scalarOf(value: Value): number | undefined {
  return value.kind === "num" && value.set.levels.length === 0 ? value.data[0] : undefined;
}
