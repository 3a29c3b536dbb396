/**
 * Causal multi-head self-attention on time-major activations, forward and hand-written backward.
 *
 * Rows of every activation matrix are ordered (t, b): an [N, D] matrix with N = T*B is a [T, G, dh]
 * tensor with G = B*heads groups, which is exactly the filter layout groupedMatMul wants. Every
 * per-(batch, head) matmul is a groupedMatMul, so no batched matmul ever reaches tfjs-wasm's slow
 * BatchMatMul loop, and all transposes are at most 4-D.
 */
import * as tf from "@tensorflow/tfjs-core";
import { groupedMatMul } from "../tfjs/ops.js";

export interface AttentionShape {
  readonly T: number;
  readonly B: number;
  readonly heads: number;
  readonly dh: number;
}

export interface AttentionOut {
  /** [N, D] attention output (before the output projection). */
  readonly o: tf.Tensor2D;
  /** [T_query, G, T_key] attention probabilities, saved for the backward pass. */
  readonly p: tf.Tensor3D;
}

/**
 * qs (queries already scaled by 1/sqrt(dh)), k, v: [N, D] time-major. `mask` is additive and
 * broadcasts against scores viewed as [T_query, B, heads, T_key].
 */
export function attentionForward(qs: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, mask: tf.Tensor4D, s: AttentionShape): AttentionOut {
  const { T, B, heads: H, dh } = s;
  const G = B * H;
  const qIn = tf.reshape(tf.transpose(tf.reshape(qs, [T, B, H, dh]), [3, 0, 1, 2]), [dh, T, G]) as tf.Tensor3D;
  const kF = tf.reshape(tf.transpose(tf.reshape(k, [T, B, H, dh]), [3, 1, 2, 0]), [dh, G, T]) as tf.Tensor3D;
  const scores = tf.add(tf.reshape(groupedMatMul(qIn, kF), [T, B, H, T]), mask);
  const p = tf.reshape(tf.softmax(scores), [T, G, T]) as tf.Tensor3D;
  const pIn = tf.transpose(p, [2, 0, 1]);
  const o = groupedMatMul(pIn, tf.reshape(v, [T, G, dh]) as tf.Tensor3D);
  return { o: tf.reshape(o, [T * B, H * dh]), p };
}

export interface AttentionGrads {
  readonly dqs: tf.Tensor2D;
  readonly dk: tf.Tensor2D;
  readonly dv: tf.Tensor2D;
}

export function attentionBackward(
  dO: tf.Tensor2D,
  qs: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  p: tf.Tensor3D,
  s: AttentionShape,
): AttentionGrads {
  const { T, B, heads: H, dh } = s;
  const G = B * H;
  const N = T * B;
  const D = H * dh;
  const dO3 = tf.reshape(dO, [T, G, dh]) as tf.Tensor3D;
  // dP[i, g, j] = sum_d dO[i, g, d] v[j, g, d]
  const dP = groupedMatMul(tf.transpose(dO3, [2, 0, 1]), tf.transpose(tf.reshape(v, [T, G, dh]), [2, 1, 0]));
  // softmax backward: dS = P * (dP - sum_j dP * P)
  const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true)));
  // dV[j, g, d] = sum_i P[i, g, j] dO[i, g, d]
  const dv = groupedMatMul(tf.transpose(p, [0, 2, 1]), dO3);
  // dQ[i, g, d] = sum_j dS[i, g, j] k[j, g, d];  dK[j, g, d] = sum_i dS[i, g, j] q[i, g, d]
  const dqs = groupedMatMul(tf.transpose(dS, [2, 0, 1]) as tf.Tensor3D, tf.reshape(k, [T, G, dh]) as tf.Tensor3D);
  const dk = groupedMatMul(tf.transpose(dS, [0, 2, 1]) as tf.Tensor3D, tf.reshape(qs, [T, G, dh]) as tf.Tensor3D);
  return { dqs: tf.reshape(dqs, [N, D]), dk: tf.reshape(dk, [N, D]), dv: tf.reshape(dv, [N, D]) };
}
