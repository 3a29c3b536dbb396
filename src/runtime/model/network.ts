/**
 * The whole network, forward and hand-written backward, on time-major activations (row = t*B + b).
 *
 * Writing the backward pass by hand for this fixed architecture (instead of tf.grad) lets every
 * gradient matmul be a plain 2-D XNNPACK matmul, every batched matmul a groupedMatMul, and avoids
 * the autodiff tape's bookkeeping. The tests check it against tf.grad of a plain tfjs formulation.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ConstCache } from "../tfjs/ops.js";
import { attentionBackward, attentionForward, type AttentionShape } from "./attention.js";
import type { TinyLMConfig } from "./config.js";
import { causalMask, checkBatch, embedOneHot, hasPadding, paddedCausalMask, targetOneHot, type SeqBatch } from "./encode.js";
import { headStats, headStatsBackward } from "./head.js";
import { layerNorm, layerNormBackward, linear, linearBackward, linearRelu } from "./layers.js";
import { blockParam } from "./params.js";

export type ParamTensors = Readonly<Record<string, tf.Tensor>>;

export interface ForwardOptions {
  /** Logits are divided by it before the log-softmax (default 1). */
  readonly temperature?: number;
  readonly consts: ConstCache;
}

export interface LayerTape {
  readonly xhat1: tf.Tensor2D;
  readonly rstd1: tf.Tensor2D;
  readonly a1: tf.Tensor2D;
  readonly qs: tf.Tensor2D;
  readonly k: tf.Tensor2D;
  readonly v: tf.Tensor2D;
  readonly p: tf.Tensor3D;
  readonly o: tf.Tensor2D;
  readonly xhat2: tf.Tensor2D;
  readonly rstd2: tf.Tensor2D;
  readonly a2: tf.Tensor2D;
  readonly h: tf.Tensor2D;
}
interface FinalTape {
  readonly xhat: tf.Tensor2D;
  readonly rstd: tf.Tensor2D;
  readonly a: tf.Tensor2D;
}
interface HeadTape {
  readonly logpAll: tf.Tensor2D;
  readonly probs: tf.Tensor2D;
  readonly entropy: tf.Tensor1D;
  readonly targets: tf.Tensor2D;
}

const LAYER_KEYS = ["xhat1", "rstd1", "a1", "qs", "k", "v", "p", "o", "xhat2", "rstd2", "a2", "h"] as const satisfies readonly (keyof LayerTape)[];
const FINAL_KEYS = ["xhat", "rstd", "a"] as const satisfies readonly (keyof FinalTape)[];
const HEAD_KEYS = ["logpAll", "probs", "entropy", "targets"] as const satisfies readonly (keyof HeadTape)[];

function pick<K extends string>(keys: readonly K[], list: readonly tf.Tensor[], at: number): Record<K, tf.Tensor> {
  return Object.fromEntries(keys.map((k, i) => [k, list[at + i]!])) as Record<K, tf.Tensor>;
}

/**
 * What the backward pass needs from a forward pass, as one flat tensor list (so that it can also
 * be handed to tf.customGrad's save()). Owns its tensors: call dispose().
 */
export class Tape {
  readonly layers: readonly LayerTape[];
  readonly final: FinalTape;
  readonly head: HeadTape;

  constructor(
    readonly cfg: TinyLMConfig,
    readonly batch: SeqBatch,
    readonly invTemp: number,
    readonly tensors: readonly tf.Tensor[],
  ) {
    const per = LAYER_KEYS.length;
    this.layers = Array.from({ length: cfg.layers }, (_, l) => pick(LAYER_KEYS, tensors, l * per) as unknown as LayerTape);
    this.final = pick(FINAL_KEYS, tensors, cfg.layers * per) as unknown as FinalTape;
    this.head = pick(HEAD_KEYS, tensors, cfg.layers * per + FINAL_KEYS.length) as unknown as HeadTape;
  }

  static collect(cfg: TinyLMConfig, batch: SeqBatch, invTemp: number, layers: readonly LayerTape[], final: FinalTape, head: HeadTape): Tape {
    const list: tf.Tensor[] = [];
    for (const l of layers) for (const k of LAYER_KEYS) list.push(l[k]);
    for (const k of FINAL_KEYS) list.push(final[k]);
    for (const k of HEAD_KEYS) list.push(head[k]);
    return new Tape(cfg, batch, invTemp, list);
  }

  /** The same tape over other tensors (e.g. the engine's saved clones). */
  withTensors(tensors: readonly tf.Tensor[]): Tape {
    return new Tape(this.cfg, this.batch, this.invTemp, tensors);
  }

  dispose(): void {
    for (const t of this.tensors) t.dispose();
  }
}

export interface ForwardOut {
  /** [B, T] log p(target_t | inputs_<=t). */
  readonly logp: tf.Tensor2D;
  /** [B, T] entropy of the predictive distribution at t. */
  readonly entropy: tf.Tensor2D;
}

const param = <R extends tf.Rank>(params: ParamTensors, name: string): tf.Tensor<R> => {
  const t = params[name];
  if (t === undefined) throw new Error(`missing parameter "${name}"`);
  return t as tf.Tensor<R>;
};

function attentionShape(cfg: TinyLMConfig, b: SeqBatch): AttentionShape {
  return { T: b.steps, B: b.batch, heads: cfg.heads, dh: cfg.dModel / cfg.heads };
}

function maskFor(b: SeqBatch, consts: ConstCache): tf.Tensor4D {
  const T = b.steps;
  if (!hasPadding(b)) return consts.get(`causal:${T}`, () => tf.tensor4d(causalMask(T), [T, 1, 1, T]));
  return tf.tensor4d(paddedCausalMask(b), [T, b.batch, 1, T]);
}

/**
 * Final hidden states [T*B, D] (after the last LayerNorm). `save` receives each layer's
 * intermediates (what backward needs; the sampler takes its KV cache from them).
 */
export function trunk(
  params: ParamTensors,
  cfg: TinyLMConfig,
  b: SeqBatch,
  consts: ConstCache,
  save: ((l: LayerTape) => void) | undefined,
): { xhat: tf.Tensor2D; rstd: tf.Tensor2D; a: tf.Tensor2D } {
  const D = cfg.dModel;
  const N = b.steps * b.batch;
  const shape = attentionShape(cfg, b);
  const scale = 1 / Math.sqrt(shape.dh);
  const mask = maskFor(b, consts);
  const table = tf.concat([param<tf.Rank.R2>(params, "emb.weight"), param<tf.Rank.R2>(params, "pos.weight")], 0);
  let x: tf.Tensor2D = tf.matMul(tf.tensor2d(embedOneHot(cfg, b, false), [N, cfg.vocab + cfg.maxSeq]), table);
  for (let l = 0; l < cfg.layers; l++) {
    const p = <R extends tf.Rank>(n: string) => param<R>(params, blockParam(l, n));
    const ln1 = layerNorm(x, p("ln1.weight"), p("ln1.bias"));
    const wqkv = p<tf.Rank.R2>("qkv.weight");
    const bqkv = p<tf.Rank.R1>("qkv.bias");
    const proj = (i: number) => linear(ln1.y, tf.slice(wqkv, [0, i * D], [D, D]), tf.slice(bqkv, [i * D], [D]));
    const qs = tf.mul(proj(0), scale) as tf.Tensor2D;
    const k = proj(1);
    const v = proj(2);
    const att = attentionForward(qs, k, v, mask, shape);
    x = tf.add(x, linear(att.o, p("proj.weight"), p("proj.bias"))) as tf.Tensor2D;
    const ln2 = layerNorm(x, p("ln2.weight"), p("ln2.bias"));
    const h = linearRelu(ln2.y, p("fc1.weight"), p("fc1.bias"));
    x = tf.add(x, linear(h, p("fc2.weight"), p("fc2.bias"))) as tf.Tensor2D;
    save?.({ xhat1: ln1.xhat, rstd1: ln1.rstd, a1: ln1.y, qs, k, v, p: att.p, o: att.o, xhat2: ln2.xhat, rstd2: ln2.rstd, a2: ln2.y, h });
  }
  const lnf = layerNorm(x, param(params, "ln.weight"), param(params, "ln.bias"));
  return { xhat: lnf.xhat, rstd: lnf.rstd, a: lnf.y };
}

function toBatchMajor(x: tf.Tensor1D, b: SeqBatch): tf.Tensor2D {
  return tf.transpose(tf.reshape(x, [b.steps, b.batch]));
}

function toTimeMajor(x: tf.Tensor2D, b: SeqBatch): tf.Tensor1D {
  return tf.reshape(tf.transpose(x), [b.steps * b.batch]);
}

function invTemperature(t: number | undefined): number {
  const temp = t ?? 1;
  if (!(temp > 0) || !Number.isFinite(temp)) throw new RangeError(`scoring temperature must be a positive number, got ${temp}`);
  return 1 / temp;
}

/** Log-probs and entropies of `batch.targets`, no tape (for inference). */
export function scoreForward(params: ParamTensors, cfg: TinyLMConfig, batch: SeqBatch, opts: ForwardOptions): ForwardOut {
  checkBatch(cfg, batch);
  const invTemp = invTemperature(opts.temperature);
  return tf.tidy(() => {
    const f = trunk(params, cfg, batch, opts.consts, undefined);
    const logits = linear(f.a, param(params, "head.weight"), param(params, "head.bias"));
    const targets = tf.tensor2d(targetOneHot(cfg.vocab, batch), [batch.steps * batch.batch, cfg.vocab]);
    const h = headStats(logits, targets, invTemp);
    return { logp: toBatchMajor(h.logp, batch), entropy: toBatchMajor(h.entropy, batch) };
  });
}

/** Forward pass that also returns the tape for `backward`. */
export function trainForward(params: ParamTensors, cfg: TinyLMConfig, batch: SeqBatch, opts: ForwardOptions): ForwardOut & { tape: Tape } {
  checkBatch(cfg, batch);
  const invTemp = invTemperature(opts.temperature);
  const out = tf.tidy(() => {
    const layers: LayerTape[] = [];
    const f = trunk(params, cfg, batch, opts.consts, (l) => layers.push(l));
    const logits = linear(f.a, param(params, "head.weight"), param(params, "head.bias"));
    const targets = tf.tensor2d(targetOneHot(cfg.vocab, batch), [batch.steps * batch.batch, cfg.vocab]);
    const h = headStats(logits, targets, invTemp);
    const head = { logpAll: h.logpAll, probs: h.probs, entropy: h.entropy, targets };
    return {
      logp: toBatchMajor(h.logp, batch),
      entropy: toBatchMajor(h.entropy, batch),
      saved: [...Tape.collect(cfg, batch, invTemp, layers, f, head).tensors],
    };
  });
  const tape = new Tape(cfg, batch, invTemp, out.saved);
  return { logp: out.logp, entropy: out.entropy, tape };
}

/**
 * Gradients of sum(dlogp * logp + dent * entropy) w.r.t. every parameter, given the upstream
 * gradients dlogp, dent [B, T]. Returns tensors keyed by parameter name; the tape is not disposed.
 */
export function backward(params: ParamTensors, tape: Tape, dlogp: tf.Tensor2D, dent: tf.Tensor2D, consts: ConstCache): Map<string, tf.Tensor> {
  const { cfg, batch } = tape;
  const D = cfg.dModel;
  const N = batch.steps * batch.batch;
  const shape = attentionShape(cfg, batch);
  const scale = 1 / Math.sqrt(shape.dh);
  const grads = new Map<string, tf.Tensor>();
  const put = (name: string, g: tf.Tensor) => grads.set(name, tf.keep(g));
  tf.tidy(() => {
    const dlogits = headStatsBackward(tape.head, tape.head.targets, tape.invTemp, toTimeMajor(dlogp, batch), toTimeMajor(dent, batch));
    const head = linearBackward(tape.final.a, param(params, "head.weight"), dlogits, consts);
    put("head.weight", head.dw);
    put("head.bias", head.db);
    const lnf = layerNormBackward(head.dx, tape.final.xhat, tape.final.rstd, param(params, "ln.weight"));
    put("ln.weight", lnf.dg);
    put("ln.bias", lnf.db);
    let dx = lnf.dx;
    for (let l = cfg.layers - 1; l >= 0; l--) {
      const t = tape.layers[l]!;
      const name = (n: string) => blockParam(l, n);
      const p = <R extends tf.Rank>(n: string) => param<R>(params, name(n));
      // MLP
      const fc2 = linearBackward(t.h, p("fc2.weight"), dx, consts);
      const dhPre = tf.mul(fc2.dx, tf.step(t.h)) as tf.Tensor2D;
      const fc1 = linearBackward(t.a2, p("fc1.weight"), dhPre, consts);
      const ln2 = layerNormBackward(fc1.dx, t.xhat2, t.rstd2, p("ln2.weight"));
      put(name("fc2.weight"), fc2.dw);
      put(name("fc2.bias"), fc2.db);
      put(name("fc1.weight"), fc1.dw);
      put(name("fc1.bias"), fc1.db);
      put(name("ln2.weight"), ln2.dg);
      put(name("ln2.bias"), ln2.db);
      dx = tf.add(dx, ln2.dx) as tf.Tensor2D;
      // attention
      const projG = linearBackward(t.o, p("proj.weight"), dx, consts);
      put(name("proj.weight"), projG.dw);
      put(name("proj.bias"), projG.db);
      const att = attentionBackward(projG.dx, t.qs, t.k, t.v, t.p, shape);
      const dqkv = tf.concat([tf.mul(att.dqs, scale), att.dk, att.dv], 1) as tf.Tensor2D;
      const qkv = linearBackward(t.a1, p("qkv.weight"), dqkv, consts);
      put(name("qkv.weight"), qkv.dw);
      put(name("qkv.bias"), qkv.db);
      const ln1 = layerNormBackward(qkv.dx, t.xhat1, t.rstd1, p("ln1.weight"));
      put(name("ln1.weight"), ln1.dg);
      put(name("ln1.bias"), ln1.db);
      dx = tf.add(dx, ln1.dx) as tf.Tensor2D;
    }
    const ohT = tf.tensor2d(embedOneHot(cfg, batch, true), [cfg.vocab + cfg.maxSeq, N]);
    const dTable = tf.matMul(ohT, dx);
    put("emb.weight", tf.slice(dTable, [0, 0], [cfg.vocab, D]));
    put("pos.weight", tf.slice(dTable, [cfg.vocab, 0], [cfg.maxSeq, D]));
  });
  return grads;
}

