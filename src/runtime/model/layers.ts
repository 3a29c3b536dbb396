/**
 * Forward and hand-written backward of the dense layers (Linear, LayerNorm). Backward passes use
 * only non-transposed 2-D matmuls (explicit transposes first), which keeps them on XNNPACK.
 */
import * as tf from "@tensorflow/tfjs-core";
import { colSum, colSumFresh, transpose2d, type ConstCache } from "../tfjs/ops.js";

export const LN_EPS = 1e-5;

/** x [N, in] @ w [in, out] + b [out], as one fused kernel (XNNPACK adds the bias in its GEMM). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
}

/** relu(linear(x, w, b)), fused. */
export function linearRelu(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b, activation: "relu" }) as tf.Tensor2D;
}

export interface LinearGrads {
  readonly dx: tf.Tensor2D;
  readonly dw: tf.Tensor2D;
  readonly db: tf.Tensor1D;
}

export function linearBackward(x: tf.Tensor2D, w: tf.Tensor2D, dy: tf.Tensor2D, consts: ConstCache): LinearGrads {
  return {
    dx: tf.matMul(dy, transpose2d(w)),
    dw: tf.matMul(transpose2d(x), dy),
    db: colSum(dy, consts),
  };
}

export interface LayerNormOut {
  readonly y: tf.Tensor2D;
  /** Normalised input, saved for the backward pass. */
  readonly xhat: tf.Tensor2D;
  /** 1/sqrt(var + eps) per row [N, 1], saved for the backward pass. */
  readonly rstd: tf.Tensor2D;
}

/** LayerNorm over the last axis (biased variance, as torch). */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): LayerNormOut {
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS)) as tf.Tensor2D;
  const xhat = tf.mul(xc, rstd) as tf.Tensor2D;
  return { y: tf.add(tf.mul(xhat, g), b) as tf.Tensor2D, xhat, rstd };
}

export interface LayerNormGrads {
  readonly dx: tf.Tensor2D;
  readonly dg: tf.Tensor1D;
  readonly db: tf.Tensor1D;
}

export function layerNormBackward(dy: tf.Tensor2D, xhat: tf.Tensor2D, rstd: tf.Tensor2D, g: tf.Tensor1D): LayerNormGrads {
  const dxhat = tf.mul(dy, g);
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
  const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xhat, m2)), rstd) as tf.Tensor2D;
  return { dx, dg: colSumFresh(tf.mul(dy, xhat) as tf.Tensor2D), db: colSumFresh(dy) };
}
