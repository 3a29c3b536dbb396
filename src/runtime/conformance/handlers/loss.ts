/**
 * Handlers for the tfjs losses. They run the same differentiable functions the trainer uses; the
 * policy-loss gradient with respect to `log_prob` comes from tf.valueAndGrad through them.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  AGG_MODES,
  aggLoss,
  entropyLoss,
  isKlEstimator,
  klPenalty,
  policyLoss,
  valueLoss,
  type AggMode,
  type PolicyLossMode,
} from "../../primitives/index.js";
import {
  MalformedFixtureError,
  optChoice,
  optNumber,
  readCube,
  readMatrix,
  readNumber,
  sameShapeOrThrow,
  type Fixture,
} from "../fixture.js";
import type { Handler } from "./types.js";

const aggParam = (fx: Fixture, key: string): AggMode => optChoice(fx.params, key, AGG_MODES, "token-mean");

function policyHandler(mode: PolicyLossMode): Handler {
  return (fx) => {
    const old = readMatrix(fx.inputs, "old_log_prob", "inputs");
    const lp = readMatrix(fx.inputs, "log_prob", "inputs");
    const adv = readMatrix(fx.inputs, "advantages", "inputs");
    const mask = readMatrix(fx.inputs, "response_mask", "inputs");
    sameShapeOrThrow({ old_log_prob: old, log_prob: lp, advantages: adv, response_mask: mask });
    const config = {
      clipLow: optNumber(fx.params, "clip_low", 0.2),
      clipHigh: optNumber(fx.params, "clip_high", 0.2),
      dualClipC: optNumber(fx.params, "dual_clip_c", 3),
      tauPos: optNumber(fx.params, "tau_pos", 1),
      tauNeg: optNumber(fx.params, "tau_neg", 1.05),
      agg: { mode: aggParam(fx, "agg") },
    };
    return tf.tidy(() => {
      const oldLogProb = tf.tensor2d(old);
      const advantages = tf.tensor2d(adv);
      const responseMask = tf.tensor2d(mask);
      const f = (logProb: tf.Tensor): tf.Scalar =>
        policyLoss(mode, { oldLogProb, logProb: logProb as tf.Tensor2D, advantages, responseMask }, config).loss;
      const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(lp));
      return { values: { loss: value.arraySync(), grad_log_prob: grad.arraySync() } };
    });
  };
}

export const lossHandlers: Readonly<Record<string, Handler>> = {
  policy_loss_vanilla: policyHandler("vanilla"),
  policy_loss_gspo: policyHandler("gspo"),
  policy_loss_cispo: policyHandler("cispo"),
  policy_loss_sapo: policyHandler("sapo"),
  agg_loss: (fx) => {
    const lossMat = readMatrix(fx.inputs, "loss_mat", "inputs");
    const mask = readMatrix(fx.inputs, "response_mask", "inputs");
    sameShapeOrThrow({ loss_mat: lossMat, response_mask: mask });
    // `loss_scale_factor` is a number, or null / a description when verl's default (T) applies.
    const factor = fx.params["loss_scale_factor"];
    const spec = { mode: aggParam(fx, "mode"), ...(typeof factor === "number" ? { lossScaleFactor: factor } : {}) };
    return tf.tidy(() => ({ values: { loss: aggLoss(tf.tensor2d(lossMat), tf.tensor2d(mask), spec).arraySync() } }));
  },
  kl_penalty: (fx) => {
    const estimator = fx.params["estimator"];
    if (typeof estimator !== "string" || !isKlEstimator(estimator)) {
      throw new MalformedFixtureError(`params.estimator is not a known KL estimator: ${JSON.stringify(estimator)}`);
    }
    const lp = readMatrix(fx.inputs, "log_prob", "inputs");
    const ref = readMatrix(fx.inputs, "ref_log_prob", "inputs");
    sameShapeOrThrow({ log_prob: lp, ref_log_prob: ref });
    return tf.tidy(() => ({ values: { kl: klPenalty(tf.tensor2d(lp), tf.tensor2d(ref), estimator).arraySync() } }));
  },
  value_loss: (fx) => {
    const vpreds = readMatrix(fx.inputs, "vpreds", "inputs");
    const returns = readMatrix(fx.inputs, "returns", "inputs");
    const values = readMatrix(fx.inputs, "values", "inputs");
    const mask = readMatrix(fx.inputs, "response_mask", "inputs");
    sameShapeOrThrow({ vpreds, returns, values, response_mask: mask });
    const cliprangeValue = readNumber(fx.params, "cliprange_value", "params");
    return tf.tidy(() => {
      const result = valueLoss(
        { vpreds: tf.tensor2d(vpreds), returns: tf.tensor2d(returns), values: tf.tensor2d(values), responseMask: tf.tensor2d(mask) },
        { cliprangeValue, agg: { mode: aggParam(fx, "agg") } },
      );
      return { values: { loss: result.loss.arraySync() } };
    });
  },
  entropy_loss: (fx) => {
    const logits = readCube(fx.inputs, "logits", "inputs");
    const mask = readMatrix(fx.inputs, "response_mask", "inputs");
    if (logits.length !== mask.length || (mask.length > 0 && logits[0]!.length !== mask[0]!.length)) {
      throw new MalformedFixtureError("inputs.logits and inputs.response_mask differ in [batch][length]");
    }
    return tf.tidy(() => ({
      values: { entropy: entropyLoss(tf.tensor3d(logits), tf.tensor2d(mask), { mode: aggParam(fx, "agg") }).arraySync() },
    }));
  },
};
