/**
 * Output head statistics: per-token log-prob of the target and entropy of the predictive
 * distribution softmax(logits / temperature), with their hand-written backward.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface HeadOut {
  /** [N] log p(target). */
  readonly logp: tf.Tensor1D;
  /** [N] entropy -sum p log p. */
  readonly entropy: tf.Tensor1D;
  /** [N, V] log-probabilities, saved for the backward pass. */
  readonly logpAll: tf.Tensor2D;
  /** [N, V] probabilities, saved for the backward pass. */
  readonly probs: tf.Tensor2D;
}

/** `targets` is the one-hot [N, V] of the target tokens. */
export function headStats(logits: tf.Tensor2D, targets: tf.Tensor2D, invTemp: number): HeadOut {
  const z = invTemp === 1 ? logits : tf.mul(logits, invTemp);
  const logpAll = tf.logSoftmax(z);
  const probs = tf.exp(logpAll);
  const logp = tf.sum(tf.mul(logpAll, targets), -1);
  const entropy = tf.neg(tf.sum(tf.mul(probs, logpAll), -1));
  return { logp: logp as tf.Tensor1D, entropy: entropy as tf.Tensor1D, logpAll: logpAll as tf.Tensor2D, probs: probs as tf.Tensor2D };
}

/**
 * d/dz log p_y = onehot(y) - p;  d/dz H = -p * (log p + H). Returns the gradient w.r.t. the logits
 * (before the temperature scaling) given upstream gradients dlogp, dent [N].
 */
export function headStatsBackward(
  h: Pick<HeadOut, "logpAll" | "probs" | "entropy">,
  targets: tf.Tensor2D,
  invTemp: number,
  dlogp: tf.Tensor1D,
  dent: tf.Tensor1D,
): tf.Tensor2D {
  const n = dlogp.shape[0];
  const dl = tf.reshape(dlogp, [n, 1]);
  const de = tf.reshape(dent, [n, 1]);
  const ent = tf.reshape(h.entropy, [n, 1]);
  const coef = tf.add(tf.mul(tf.add(h.logpAll, ent), de), dl);
  const dz = tf.sub(tf.mul(targets, dl), tf.mul(h.probs, coef));
  return (invTemp === 1 ? dz : tf.mul(dz, invTemp)) as tf.Tensor2D;
}
