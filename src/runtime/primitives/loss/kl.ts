/**
 * Per-token KL estimators between the policy and a reference (verl kl_penalty / kl_penalty_forward;
 * Schulman's k1/k2/k3). A trailing `+` keeps the estimator's value but takes k2's gradient
 * (straight-through), which is the unbiased KL gradient.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PrimitiveInputError } from "../errors.js";

export type KlBaseEstimator = "k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl";
export type KlEstimator = KlBaseEstimator | `${KlBaseEstimator}+`;

const BASE: readonly string[] = ["k1", "kl", "abs", "k2", "mse", "k3", "low_var_kl"];

/** True for the estimator names klPenalty accepts. */
export function isKlEstimator(name: string): name is KlEstimator {
  return BASE.includes(name.endsWith("+") ? name.slice(0, -1) : name);
}

/**
 * The estimator's value for Δ = logπ − logπ_ref:
 * k1 = Δ; abs = |Δ| (gradient sign Δ, 0 at 0, as torch); k2 = ½Δ²;
 * k3 = e^{−Δ} + Δ − 1 with Δ clamped to ±20 and the result to ±10, computed as expm1(−Δ) + Δ so
 * small Δ does not cancel in float32.
 */
function forward(delta: tf.Tensor, estimator: KlBaseEstimator): tf.Tensor {
  switch (estimator) {
    case "k1":
    case "kl":
      return delta;
    case "abs":
      return tf.mul(delta, tf.sign(delta));
    case "k2":
    case "mse":
      return tf.mul(0.5, tf.square(delta));
    case "k3":
    case "low_var_kl": {
      const kl = tf.clipByValue(tf.neg(delta), -20, 20);
      return tf.clipByValue(tf.sub(tf.expm1(kl), kl), -10, 10);
    }
  }
}

/** Per-token KL estimate, same shape as the inputs; differentiable in both log-probs. */
export function klPenalty(logProb: tf.Tensor, refLogProb: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  if (!isKlEstimator(estimator)) throw new PrimitiveInputError("klPenalty", `unknown estimator ${String(estimator)}`);
  const straightThrough = estimator.endsWith("+");
  const base = (straightThrough ? estimator.slice(0, -1) : estimator) as KlBaseEstimator;
  if (!straightThrough || base === "k2" || base === "mse") return forward(tf.sub(logProb, refLogProb), base);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [lp, ref, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    // Forward intermediates are disposed once the op returns, so the inputs are saved instead.
    save([lp, ref]);
    return {
      value: forward(tf.sub(lp, ref), base),
      // d(½Δ²) = Δ·dΔ: +Δ for the policy, −Δ for the reference.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = tf.mul(dy, tf.sub(saved[0]!, saved[1]!));
        return [g, tf.neg(g)];
      },
    };
  });
  return op(logProb, refLogProb);
}
