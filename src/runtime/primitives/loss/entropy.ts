/**
 * Entropy of the token distributions (verl entropy_from_logits / compute_entropy_loss), as a
 * differentiable tfjs function.
 */
import * as tf from "@tensorflow/tfjs-core";
import { aggLoss, type AggSpec } from "./aggregate.js";

/**
 * Per-token entropy H = −Σ p·log p from logits [batch][T][V]. Computed from log-softmax so each
 * term is small when p is small; verl's logsumexp − Σ p·z form cancels large logits in float32.
 */
export function entropyFromLogits(logits: tf.Tensor3D): tf.Tensor2D {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor2D;
}

/** Aggregated entropy (token-mean by default), e.g. for an entropy bonus or a metric. */
export function entropyLoss(logits: tf.Tensor3D, responseMask: tf.Tensor2D, agg: AggSpec = { mode: "token-mean" }): tf.Scalar {
  return aggLoss(entropyFromLogits(logits), responseMask, agg);
}
