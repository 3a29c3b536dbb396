/**
 * Clipped value loss for the PPO critic (verl compute_value_loss): ½·agg(max((V − R)²,
 * (clip(V, V_old ± c) − R)²)), so the critic cannot profit from moving far from its old values.
 */
import * as tf from "@tensorflow/tfjs-core";
import { aggLoss, type AggSpec } from "./aggregate.js";
import { maskedMeanT } from "./tensor.js";

export interface ValueLossInputs {
  /** Current critic predictions V, [batch][T]; the loss is differentiated in these. */
  readonly vpreds: tf.Tensor2D;
  /** Targets R (e.g. GAE returns). */
  readonly returns: tf.Tensor2D;
  /** Critic values at rollout time V_old. */
  readonly values: tf.Tensor2D;
  readonly responseMask: tf.Tensor2D;
}

export interface ValueLossResult {
  readonly loss: tf.Scalar;
  /** Fraction of real tokens where the clipped error was the larger one. */
  readonly metrics: { readonly vf_clipfrac: tf.Scalar };
}

export function valueLoss(inputs: ValueLossInputs, config: { readonly cliprangeValue: number; readonly agg?: AggSpec }): ValueLossResult {
  const { vpreds, returns, values, responseMask } = inputs;
  const c = config.cliprangeValue;
  // verl clip_by_value: max(min(x, hi), lo) with tensor bounds.
  const clipped = tf.maximum(tf.minimum(vpreds, tf.add(values, c)), tf.sub(values, c));
  const err1 = tf.square(tf.sub(vpreds, returns));
  const err2 = tf.square(tf.sub(clipped, returns));
  const worst = tf.maximum(err1, err2) as tf.Tensor2D;
  return {
    loss: tf.mul(0.5, aggLoss(worst, responseMask, config.agg ?? { mode: "token-mean" })) as tf.Scalar,
    metrics: { vf_clipfrac: maskedMeanT(tf.cast(tf.greater(err2, err1), "float32"), responseMask) },
  };
}
