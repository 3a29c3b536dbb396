/**
 * Small differentiable helpers shared by the tfjs losses: stop-gradient (torch's `.detach()`),
 * verl's masked sum and mean, and a safe divide for empty masks.
 */
import * as tf from "@tensorflow/tfjs-core";
import { ensureLossGradients } from "./gradients.js";

// Every loss module imports this one, so loading any loss makes tf.grad work through it.
ensureLossGradients();

/** Identity in the forward pass, zero gradient in the backward pass (torch `.detach()`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return op(x) as T;
}

/** verl masked_sum: Σ where(mask, v, 0)·mask, so NaN outside the mask cannot leak in. */
export function maskedSumT(values: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  const kept = tf.where(tf.notEqual(mask, 0), values, tf.zerosLike(values));
  return tf.sum(tf.mul(kept, mask), axis);
}

/** verl masked_mean: masked sum / (Σ mask + 1e-8). */
export function maskedMeanT(values: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.div(maskedSumT(values, mask), tf.add(tf.sum(mask), 1e-8)) as tf.Scalar;
}

/** a / max(b, 1): for 0/1 counts this is a/b, and 0 (not NaN) when nothing was counted. */
export function divByCount<T extends tf.Tensor>(a: T, count: tf.Tensor): T {
  return tf.div(a, tf.maximum(count, 1)) as T;
}
