/**
 * Level indices. A value lives at a set of levels (axes); its elements are the distinct key tuples
 * among the rollouts, or, when the set has `token`, every response token position under those keys.
 * Broadcasting coarse → fine and grouping fine → coarse both use one map, `projection`: the coarse
 * element containing each fine element. Elements are numbered in order of first appearance, so
 * ragged and interleaved batches need no padding.
 */
import type { Rollout, RolloutBatch } from "./batch.js";
import { tokenCount } from "./batch.js";
import type { ElementKey } from "./errors.js";

export interface LevelSet {
  /** The levels, in hierarchy order. */
  readonly levels: readonly string[];
  readonly size: number;
  readonly token: boolean;
  /** Per view rollout: its element, or for a token set the element of its keys without `token`. */
  readonly ofRollout: Int32Array;
  /** Token sets: where each key tuple's positions start (length: key tuples + 1). */
  readonly offsets: Int32Array | undefined;
  /** A view rollout inside each element (−1 for the step element of an empty batch). */
  readonly rep: Int32Array;
  /** Token sets: each element's token position. */
  readonly pos: Int32Array | undefined;
}

export class LevelIndex {
  /** Rollouts (view indices) in evaluation; `view[v]` is the index into `batch.rollouts`. */
  readonly size: number;
  readonly tokens: Int32Array;
  private readonly sets = new Map<string, LevelSet>();
  private readonly projections = new Map<string, Int32Array>();

  constructor(
    readonly hierarchy: readonly string[],
    readonly batch: RolloutBatch,
    readonly view: Int32Array,
  ) {
    this.size = view.length;
    this.tokens = Int32Array.from(view, (i) => tokenCount(batch.rollouts[i]!));
  }

  rollout(v: number): Rollout {
    return this.batch.rollouts[this.view[v]!]!;
  }

  /** The value of one level for a view rollout (`prompt` and `sample` are indices). */
  levelValue(v: number, level: string): number | string {
    const r = this.rollout(v);
    if (level === "prompt") return r.prompt;
    if (level === "sample") return r.sample;
    return r.levels[level]!;
  }

  /** The level set of `levels` (any order; `[]` is the step), built once per index. */
  set(levels: readonly string[]): LevelSet {
    const ordered = this.hierarchy.filter((h) => levels.includes(h));
    const key = ordered.join(",");
    let s = this.sets.get(key);
    if (s === undefined) {
      s = ordered.includes("token") ? this.tokenSet(ordered) : this.keySet(ordered);
      this.sets.set(key, s);
    }
    return s;
  }

  /** Element of view rollout `v` (at token `t` for token sets). */
  elementOf(s: LevelSet, v: number, t: number): number {
    return s.token ? s.offsets![s.ofRollout[v]!]! + t : s.ofRollout[v]!;
  }

  /** For each element of `fine`, the element of `coarse` that contains it (`coarse` ⊆ `fine`). */
  projection(coarse: LevelSet, fine: LevelSet): Int32Array {
    const key = `${coarse.levels.join(",")}>${fine.levels.join(",")}`;
    let map = this.projections.get(key);
    if (map === undefined) {
      if (!coarse.levels.every((l) => fine.levels.includes(l))) {
        throw new RangeError(`level [${coarse.levels.join(", ")}] is not contained in [${fine.levels.join(", ")}]`);
      }
      map = new Int32Array(fine.size);
      if (coarse.levels.length > 0) {
        for (let f = 0; f < fine.size; f++) map[f] = this.elementOf(coarse, fine.rep[f]!, fine.pos?.[f] ?? 0);
      }
      this.projections.set(key, map);
    }
    return map;
  }

  /** The level values of an element (token sets add the position). */
  keyOf(s: LevelSet, e: number): ElementKey {
    const v = s.rep[e]!;
    const key: Record<string, number | string> = {};
    if (v < 0) return key;
    for (const l of s.levels) key[l] = l === "token" ? s.pos![e]! : this.levelValue(v, l);
    return key;
  }

  /** The view rollouts an element covers. */
  rolloutsOf(s: LevelSet, e: number): number[] {
    const out: number[] = [];
    for (let v = 0; v < this.size; v++) {
      if (s.token ? s.offsets![s.ofRollout[v]!]! <= e && e - s.offsets![s.ofRollout[v]!]! < this.tokens[v]! : s.ofRollout[v] === e) out.push(v);
    }
    return out;
  }

  private keySet(levels: readonly string[]): LevelSet {
    const n = this.size;
    let ofRollout = new Int32Array(n);
    let size = 1;
    for (const level of levels) {
      const codes = this.codes(level);
      const card = codes.reduce((m, c) => Math.max(m, c + 1), 0);
      const dense = new Map<number, number>();
      const next = new Int32Array(n);
      for (let v = 0; v < n; v++) {
        const k = ofRollout[v]! * card + codes[v]!;
        let e = dense.get(k);
        if (e === undefined) {
          e = dense.size;
          dense.set(k, e);
        }
        next[v] = e;
      }
      ofRollout = next;
      size = dense.size;
    }
    const rep = new Int32Array(size).fill(-1);
    for (let v = n - 1; v >= 0; v--) rep[ofRollout[v]!] = v;
    return { levels, size, token: false, ofRollout, offsets: undefined, rep, pos: undefined };
  }

  private tokenSet(levels: readonly string[]): LevelSet {
    const base = this.set(levels.filter((l) => l !== "token"));
    const length = new Int32Array(base.size);
    for (let v = 0; v < this.size; v++) {
      const e = base.ofRollout[v]!;
      length[e] = Math.max(length[e]!, this.tokens[v]!);
    }
    const offsets = new Int32Array(base.size + 1);
    for (let e = 0; e < base.size; e++) offsets[e + 1] = offsets[e]! + length[e]!;
    const size = offsets[base.size]!;
    const rep = new Int32Array(size).fill(-1);
    const pos = new Int32Array(size);
    for (let v = 0; v < this.size; v++) {
      const start = offsets[base.ofRollout[v]!]!;
      for (let t = 0; t < this.tokens[v]!; t++) {
        if (rep[start + t] === -1) {
          rep[start + t] = v;
          pos[start + t] = t;
        }
      }
    }
    return { levels, size, token: true, ofRollout: base.ofRollout, offsets, rep, pos };
  }

  /** Dense non-negative codes of one level's value per view rollout. */
  private codes(level: string): Int32Array {
    const out = new Int32Array(this.size);
    if (level === "prompt" || level === "sample") {
      for (let v = 0; v < this.size; v++) out[v] = this.levelValue(v, level) as number;
      return out;
    }
    const dense = new Map<number | string, number>();
    for (let v = 0; v < this.size; v++) {
      const value = this.levelValue(v, level);
      let c = dense.get(value);
      if (c === undefined) {
        c = dense.size;
        dense.set(value, c);
      }
      out[v] = c;
    }
    return out;
  }
}

/** The view of every rollout not in `dropped`. */
export function viewWithout(count: number, dropped: ReadonlySet<number>): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (!dropped.has(i)) out.push(i);
  return Int32Array.from(out);
}
