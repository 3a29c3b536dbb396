/**
 * Shape checks shared by the float64 primitives: they take plain nested arrays, so every entry point
 * verifies rectangularity and matching sizes once, and the maths below can index without guards.
 */
import { PrimitiveInputError } from "./errors.js";

/** A per-row (per-rollout) vector. */
export type Vector = readonly number[];
/** A `[batch][response_length]` matrix, rows may not be ragged. */
export type Matrix = readonly (readonly number[])[];
/** A prompt (or task) id; rows with equal ids form one group, in any order. */
export type GroupId = string | number;

/** Columns of a rectangular matrix; throws when rows differ in length. */
export function columnsOf(primitive: string, name: string, m: Matrix): number {
  if (m.length === 0) return 0;
  const cols = m[0]!.length;
  for (let i = 1; i < m.length; i++) {
    if (m[i]!.length !== cols) {
      throw new PrimitiveInputError(primitive, `${name} is ragged: row 0 has ${cols} columns, row ${i} has ${m[i]!.length}`);
    }
  }
  return cols;
}

/** Checks that every matrix has the shape of the first one; returns [rows, cols]. */
export function sameShape(primitive: string, named: Readonly<Record<string, Matrix>>): [number, number] {
  const entries = Object.entries(named);
  const [firstName, first] = entries[0]!;
  const rows = first.length;
  const cols = columnsOf(primitive, firstName, first);
  for (const [name, m] of entries.slice(1)) {
    const c = columnsOf(primitive, name, m);
    if (m.length !== rows || (rows > 0 && c !== cols)) {
      throw new PrimitiveInputError(primitive, `${name} is ${m.length}×${c}, expected ${rows}×${cols} like ${firstName}`);
    }
  }
  return [rows, cols];
}

/** Checks that a per-row vector has one entry per row. */
export function lengthIs(primitive: string, name: string, v: readonly unknown[], rows: number): void {
  if (v.length !== rows) throw new PrimitiveInputError(primitive, `${name} has ${v.length} entries, expected ${rows}`);
}

/** A zero matrix of the given shape. */
export function zeros(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}
