/**
 * Incremental decoding with a KV cache, for the sampler.
 *
 * The cache is time-major like the training activations: keys and values as [L, G, dh]
 * (G = B*heads), grown by a concat along the leading axis (one contiguous copy). Scores are an
 * elementwise product with the query summed over dh (a depthwise convolution with a single-column
 * filter is 10x slower in tfjs-wasm); the output is groupedMatMul(probs, values).
 *
 * A chunked cache (full chunks never change, so XNNPACK would not re-pack them at every step) was
 * measured no faster: slicing the probabilities per chunk (tfjs-wasm copies the whole source for
 * each slice) costs what the re-packing saves.
 */
import * as tf from "@tensorflow/tfjs-core";
import { groupedMatMul, transpose2d, type ConstCache } from "../tfjs/ops.js";
import type { TinyLMConfig } from "./config.js";
import { MASKED, type SeqBatch } from "./encode.js";
import { layerNorm, linear, linearRelu } from "./layers.js";
import { trunk, type ParamTensors } from "./network.js";
import { blockParam } from "./params.js";

interface LayerWeights {
  readonly ln1g: tf.Tensor1D;
  readonly ln1b: tf.Tensor1D;
  /** Query projection with the 1/sqrt(dh) score scale folded in. */
  readonly wq: tf.Tensor2D;
  readonly bq: tf.Tensor1D;
  readonly wk: tf.Tensor2D;
  readonly bk: tf.Tensor1D;
  readonly wv: tf.Tensor2D;
  readonly bv: tf.Tensor1D;
  readonly wo: tf.Tensor2D;
  readonly bo: tf.Tensor1D;
  readonly ln2g: tf.Tensor1D;
  readonly ln2b: tf.Tensor1D;
  readonly w1: tf.Tensor2D;
  readonly b1: tf.Tensor1D;
  readonly w2: tf.Tensor2D;
  readonly b2: tf.Tensor1D;
}

/** Weights rearranged once per sampling call (slices of the fused qkv, scale folded into q). */
export class DecodeWeights {
  private constructor(
    readonly table: tf.Tensor2D,
    readonly layers: readonly LayerWeights[],
    readonly lnfG: tf.Tensor1D,
    readonly lnfB: tf.Tensor1D,
    readonly wh: tf.Tensor2D,
    readonly bh: tf.Tensor1D,
  ) {}

  static from(params: ParamTensors, cfg: TinyLMConfig): DecodeWeights {
    const D = cfg.dModel;
    const scale = 1 / Math.sqrt(D / cfg.heads);
    const get = <T extends tf.Tensor>(n: string) => params[n] as T;
    let made: DecodeWeights | undefined;
    tf.tidy(() => {
      const layers: LayerWeights[] = [];
      for (let l = 0; l < cfg.layers; l++) {
        const p = <T extends tf.Tensor>(n: string) => get<T>(blockParam(l, n));
        const w = p<tf.Tensor2D>("qkv.weight");
        const b = p<tf.Tensor1D>("qkv.bias");
        const cols = (i: number) => tf.slice(w, [0, i * D], [D, D]);
        const bias = (i: number) => tf.slice(b, [i * D], [D]);
        layers.push(
          keepAll({
            ln1g: p("ln1.weight"),
            ln1b: p("ln1.bias"),
            wq: tf.mul(cols(0), scale),
            bq: tf.mul(bias(0), scale),
            wk: cols(1),
            bk: bias(1),
            wv: cols(2),
            bv: bias(2),
            wo: p("proj.weight"),
            bo: p("proj.bias"),
            ln2g: p("ln2.weight"),
            ln2b: p("ln2.bias"),
            w1: p("fc1.weight"),
            b1: p("fc1.bias"),
            w2: p("fc2.weight"),
            b2: p("fc2.bias"),
          }) as unknown as LayerWeights,
        );
      }
      const table = tf.keep(tf.concat([get<tf.Tensor2D>("emb.weight"), get<tf.Tensor2D>("pos.weight")], 0));
      // Parameters are referenced, not copied: clone them so dispose() never frees a variable.
      made = new DecodeWeights(
        table,
        layers,
        tf.keep(tf.clone(get<tf.Tensor1D>("ln.weight"))),
        tf.keep(tf.clone(get<tf.Tensor1D>("ln.bias"))),
        tf.keep(tf.clone(get<tf.Tensor2D>("head.weight"))),
        tf.keep(tf.clone(get<tf.Tensor1D>("head.bias"))),
      );
    });
    return made!;
  }

  dispose(): void {
    tf.dispose([this.table, this.lnfG, this.lnfB, this.wh, this.bh]);
    for (const l of this.layers) tf.dispose(Object.values(l));
  }
}

function keepAll<T extends Record<string, tf.Tensor>>(o: T): T {
  // clone() so that the record owns every tensor (some are the model's variables).
  return Object.fromEntries(Object.entries(o).map(([k, t]) => [k, tf.keep(tf.clone(t))])) as T;
}

/** Per-layer keys and values, both [L, G, dh]. Owns its tensors. */
export class KvCache {
  constructor(
    readonly keys: tf.Tensor3D[],
    readonly values: tf.Tensor3D[],
  ) {}

  get length(): number {
    return this.values[0]?.shape[0] ?? 0;
  }

  dispose(): void {
    tf.dispose([...this.keys, ...this.values]);
  }
}

/**
 * Runs the (left-padded) prompts through the model; returns the cache and the logits [B, V] for
 * the token after each prompt.
 */
export function prefill(params: ParamTensors, cfg: TinyLMConfig, prompts: SeqBatch, consts: ConstCache): { cache: KvCache; logits: tf.Tensor2D } {
  const { batch: B, steps: P } = prompts;
  const G = B * cfg.heads;
  const dh = cfg.dModel / cfg.heads;
  const keys: tf.Tensor3D[] = [];
  const values: tf.Tensor3D[] = [];
  const logits = tf.tidy(() => {
    const f = trunk(params, cfg, prompts, consts, (l) => {
      keys.push(tf.keep(tf.reshape(l.k, [P, G, dh])));
      values.push(tf.keep(tf.reshape(l.v, [P, G, dh])));
    });
    const last = tf.slice(f.a, [(P - 1) * B, 0], [B, cfg.dModel]);
    return linear(last, params["head.weight"] as tf.Tensor2D, params["head.bias"] as tf.Tensor1D);
  });
  return { cache: new KvCache(keys, values), logits };
}

/**
 * Feeds one token per row (at the given positions) and returns the next logits [B, V]. The cache
 * grows by one position; `keyMask` is the additive mask [L+1, B] over the grown cache.
 */
export function decodeStep(
  w: DecodeWeights,
  cfg: TinyLMConfig,
  cache: KvCache,
  tokens: Int32Array,
  positions: Int32Array,
  keyMask: tf.Tensor2D,
): tf.Tensor2D {
  const B = tokens.length;
  const { heads: H, vocab: V, maxSeq: S } = cfg;
  const G = B * H;
  const dh = cfg.dModel / H;
  const L = cache.length + 1;
  return tf.tidy(() => {
    const oh = new Float32Array(B * (V + S));
    for (let r = 0; r < B; r++) {
      oh[r * (V + S) + tokens[r]!] = 1;
      oh[r * (V + S) + V + positions[r]!] = 1;
    }
    const mask = tf.reshape(keyMask, [L, B, 1]);
    let x: tf.Tensor2D = tf.matMul(tf.tensor2d(oh, [B, V + S]), w.table);
    w.layers.forEach((lw, l) => {
      const a = layerNorm(x, lw.ln1g, lw.ln1b).y;
      const q = linear(a, lw.wq, lw.bq);
      const k = linear(a, lw.wk, lw.bk);
      const v = linear(a, lw.wv, lw.bv);
      const keys = tf.concat([cache.keys[l]!, tf.reshape(k, [1, G, dh])], 0) as tf.Tensor3D;
      const values = tf.concat([cache.values[l]!, tf.reshape(v, [1, G, dh])], 0) as tf.Tensor3D;
      tf.dispose([cache.keys[l]!, cache.values[l]!]);
      cache.keys[l] = tf.keep(keys);
      cache.values[l] = tf.keep(values);
      // scores [L, G] = sum_d keys * query; softmax over L (tfjs normalises the last axis only)
      const dots = tf.sum(tf.mul(keys, tf.reshape(q, [G, dh])), -1);
      const scores = tf.reshape(tf.add(tf.reshape(dots, [L, B, H]), mask), [L, G]) as tf.Tensor2D;
      const probs = transpose2d(tf.softmax(transpose2d(scores)));
      const o = groupedMatMul(tf.reshape(probs, [L, 1, G]) as tf.Tensor3D, values);
      x = tf.add(x, linear(tf.reshape(o, [B, cfg.dModel]), lw.wo, lw.bo)) as tf.Tensor2D;
      const a2 = layerNorm(x, lw.ln2g, lw.ln2b).y;
      x = tf.add(x, linear(linearRelu(a2, lw.w1, lw.b1), lw.w2, lw.b2)) as tf.Tensor2D;
    });
    return linear(layerNorm(x, w.lnfG, w.lnfB).y, w.wh, w.bh);
  });
}

/** Additive key mask [L, B]: padding columns (j < pad[b]) hidden. */
export function keyMask(L: number, pad: Int32Array): Float32Array {
  const B = pad.length;
  const out = new Float32Array(L * B);
  for (let r = 0; r < B; r++) for (let j = 0; j < pad[r]!; j++) out[j * B + r] = MASKED;
  return out;
}
