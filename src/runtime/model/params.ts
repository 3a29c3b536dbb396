/**
 * Parameter layout of the tiny LM: names (torch state_dict names of bench/peer/torch_reference.py),
 * shapes, init distributions, and the fixed order used for flat vectors (gradients, optimiser state,
 * messages to workers). Linear weights are stored [in, out] (torch stores [out, in]) so that the
 * forward matmul is a plain x @ W.
 */
import type { TinyLMConfig } from "./config.js";
import { Prng } from "./prng.js";

export type ParamInit =
  | { readonly kind: "normal" }
  | { readonly kind: "uniform"; readonly bound: number }
  | { readonly kind: "const"; readonly value: number };

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset of this parameter in the flat parameter vector. */
  readonly offset: number;
  readonly init: ParamInit;
}

export interface ParamLayout {
  readonly specs: readonly ParamSpec[];
  readonly byName: ReadonlyMap<string, ParamSpec>;
  readonly total: number;
}

export const blockParam = (layer: number, name: string): string => `blocks.${layer}.${name}`;

/** torch defaults: Embedding ~ N(0,1); Linear weight and bias ~ U(±1/sqrt(fan_in)); LayerNorm 1/0. */
export function paramLayout(cfg: TinyLMConfig): ParamLayout {
  const { vocab: V, dModel: D, layers, maxSeq: S } = cfg;
  const raw: Array<[string, number[], ParamInit]> = [];
  const normal: ParamInit = { kind: "normal" };
  const ones: ParamInit = { kind: "const", value: 1 };
  const zeros: ParamInit = { kind: "const", value: 0 };
  const linear = (prefix: string, fin: number, fout: number): void => {
    const u: ParamInit = { kind: "uniform", bound: 1 / Math.sqrt(fin) };
    raw.push([`${prefix}.weight`, [fin, fout], u], [`${prefix}.bias`, [fout], u]);
  };
  const layerNorm = (prefix: string): void => {
    raw.push([`${prefix}.weight`, [D], ones], [`${prefix}.bias`, [D], zeros]);
  };
  raw.push(["emb.weight", [V, D], normal], ["pos.weight", [S, D], normal]);
  for (let l = 0; l < layers; l++) {
    layerNorm(blockParam(l, "ln1"));
    linear(blockParam(l, "qkv"), D, 3 * D);
    linear(blockParam(l, "proj"), D, D);
    layerNorm(blockParam(l, "ln2"));
    linear(blockParam(l, "fc1"), D, 4 * D);
    linear(blockParam(l, "fc2"), 4 * D, D);
  }
  layerNorm("ln");
  linear("head", D, V);

  let offset = 0;
  const specs = raw.map(([name, shape, init]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const spec: ParamSpec = { name, shape, size, offset, init };
    offset += size;
    return spec;
  });
  return { specs, byName: new Map(specs.map((s) => [s.name, s])), total: offset };
}

/** Deterministic initial values, drawn from one PRNG stream in layout order. */
export function initialWeights(layout: ParamLayout, seed: number): Float32Array {
  const rng = new Prng(seed, 0x1e1);
  const flat = new Float32Array(layout.total);
  for (const spec of layout.specs) {
    const view = flat.subarray(spec.offset, spec.offset + spec.size);
    const init = spec.init;
    for (let i = 0; i < view.length; i++) {
      view[i] = init.kind === "normal" ? rng.normal() : init.kind === "uniform" ? rng.uniform(-init.bound, init.bound) : init.value;
    }
  }
  return flat;
}
