/**
 * A plain tfjs formulation of the tiny LM (batch-major, batched matmuls, tf autodiff): the oracle
 * the hand-written forward and backward passes are checked against.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { TinyLMConfig } from "../../../src/runtime/model/config.js";
import type { SeqBatch } from "../../../src/runtime/model/encode.js";

type P = Readonly<Record<string, tf.Tensor>>;

function ln(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** Logits [B, T, V]. */
export function referenceLogits(params: P, cfg: TinyLMConfig, batch: SeqBatch): tf.Tensor3D {
  const { batch: B, steps: T } = batch;
  const { dModel: D, heads: H, vocab: V } = cfg;
  const dh = D / H;
  const w = (n: string) => params[n]!;
  const pos = new Int32Array(B * T);
  const maskVals = new Float32Array(B * T * T);
  for (let r = 0; r < B; r++) {
    const pad = batch.pad?.[r] ?? 0;
    for (let t = 0; t < T; t++) {
      pos[r * T + t] = Math.max(0, t - pad);
      for (let j = 0; j < T; j++) if (j > t || j < pad) maskVals[(r * T + t) * T + j] = -1e9;
    }
  }
  const mask = tf.tensor4d(maskVals, [B, 1, T, T]);
  const oh = (ids: Int32Array, n: number) => tf.cast(tf.oneHot(tf.tensor1d(ids, "int32"), n), "float32");
  let x = tf.reshape(tf.add(tf.matMul(oh(batch.inputs, V), w("emb.weight")), tf.matMul(oh(pos, cfg.maxSeq), w("pos.weight"))), [B, T, D]);
  for (let l = 0; l < cfg.layers; l++) {
    const p = (n: string) => w(`blocks.${l}.${n}`);
    const a = tf.reshape(ln(x, p("ln1.weight"), p("ln1.bias")), [B * T, D]);
    const qkv = tf.add(tf.matMul(a, p("qkv.weight")), p("qkv.bias"));
    const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]));
    const att = tf.softmax(tf.add(tf.div(tf.matMul(q!, k!, false, true), Math.sqrt(dh)), mask));
    const y = tf.reshape(tf.transpose(tf.matMul(att, v!), [0, 2, 1, 3]), [B * T, D]);
    x = tf.add(x, tf.reshape(tf.add(tf.matMul(y, p("proj.weight")), p("proj.bias")), [B, T, D]));
    const a2 = tf.reshape(ln(x, p("ln2.weight"), p("ln2.bias")), [B * T, D]);
    const h = tf.relu(tf.add(tf.matMul(a2, p("fc1.weight")), p("fc1.bias")));
    x = tf.add(x, tf.reshape(tf.add(tf.matMul(h, p("fc2.weight")), p("fc2.bias")), [B, T, D]));
  }
  const f = tf.reshape(ln(x, w("ln.weight"), w("ln.bias")), [B * T, D]);
  return tf.reshape(tf.add(tf.matMul(f, w("head.weight")), w("head.bias")), [B, T, V]);
}

/** Reference per-token log-probs and entropies [B, T] at the given temperature. */
export function referenceStats(params: P, cfg: TinyLMConfig, batch: SeqBatch, temperature = 1): { logp: tf.Tensor; entropy: tf.Tensor } {
  const logits = tf.div(referenceLogits(params, cfg, batch), temperature);
  const lsm = tf.logSoftmax(logits);
  const tgt = tf.cast(tf.oneHot(tf.tensor2d(batch.targets!, [batch.batch, batch.steps], "int32"), cfg.vocab), "float32");
  return { logp: tf.sum(tf.mul(lsm, tgt), -1), entropy: tf.neg(tf.sum(tf.mul(tf.exp(lsm), lsm), -1)) };
}
