/**
 * Policy-gradient losses as differentiable tfjs functions (verl core_algos policy losses `vanilla`,
 * `gspo`, `cispo`, `sapo` at 1dda039b9). The training step and the conformance runner both call
 * these; gradients come from tf.grad through them.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PrimitiveInputError } from "../errors.js";
import { aggLoss, type AggSpec } from "./aggregate.js";
import { maskedMeanT, stopGradient } from "./tensor.js";

/** Per-token inputs, all [batch][T]. */
export interface PolicyLossInputs {
  /** log π_old(a_t) from the rollout (or behaviour) policy. */
  readonly oldLogProb: tf.Tensor2D;
  /** log π_θ(a_t); the loss is differentiated with respect to this. */
  readonly logProb: tf.Tensor2D;
  readonly advantages: tf.Tensor2D;
  /** 1 for tokens that count in the loss. */
  readonly responseMask: tf.Tensor2D;
}

export interface PolicyLossConfig {
  /** ε_low: ratios are clipped below at 1 − ε_low (0.2). */
  readonly clipLow?: number;
  /** ε_high: ratios are clipped above at 1 + ε_high (0.2; DAPO 0.28). */
  readonly clipHigh?: number;
  /** Dual-clip c > 1: for A < 0 the loss is capped at −A·c (3). vanilla only. */
  readonly dualClipC?: number;
  /** SAPO gate temperature for A > 0 (1). */
  readonly tauPos?: number;
  /** SAPO gate temperature for A ≤ 0 (1.05). */
  readonly tauNeg?: number;
  /** Aggregation of the token losses (token-mean by default; GSPO and SAPO always use seq-mean-token-mean). */
  readonly agg?: AggSpec;
}

/** verl's metrics, as scalars (read them with dataSync/array outside the gradient). */
export interface PolicyLossMetrics {
  /** Fraction of real tokens whose clipped term was the active one. */
  readonly pg_clipfrac: tf.Scalar;
  /** Masked mean of log π_old − log π_θ (an estimate of KL(old‖θ)). */
  readonly ppo_kl: tf.Scalar;
  /** Fraction of real tokens where the dual clip bound for A < 0 was active. */
  readonly pg_clipfrac_lower: tf.Scalar;
}

export interface PolicyLossResult {
  readonly loss: tf.Scalar;
  readonly metrics: PolicyLossMetrics;
}

export type PolicyLossMode = "vanilla" | "gspo" | "cispo" | "sapo";
export const POLICY_LOSS_MODES: readonly PolicyLossMode[] = ["vanilla", "gspo", "cispo", "sapo"];

/** verl clamps the log-ratio to ±20 before exponentiating, so the ratio cannot overflow. */
const LOG_RATIO_CLAMP = 20;

function clips(config: PolicyLossConfig): { low: number; high: number } {
  return { low: config.clipLow ?? 0.2, high: config.clipHigh ?? 0.2 };
}

/** log π_θ − log π_old and ρ = exp(clamp(·, ±20)). */
function clampedRatio(inputs: PolicyLossInputs): { logRatio: tf.Tensor2D; ratio: tf.Tensor2D } {
  const logRatio = tf.clipByValue(tf.sub(inputs.logProb, inputs.oldLogProb), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
  return { logRatio: logRatio as tf.Tensor2D, ratio: tf.exp(logRatio) as tf.Tensor2D };
}

/**
 * A policy loss before aggregation: the per-token loss and the per-token values whose masked means
 * (verl masked_mean under the response mask) are the metrics. Every value of a row depends on that
 * row only, so a batch may be split by rows and the pieces aggregated with global weights
 * (aggWeights / weightedSum) to give the full-batch loss.
 */
export interface PolicyTokenLoss {
  /** [batch][T] per-token loss. */
  readonly perToken: tf.Tensor2D;
  /** Per-token values of pg_clipfrac, ppo_kl and pg_clipfrac_lower (undefined: the metric is 0). */
  readonly tokenMetrics: { readonly pg_clipfrac?: tf.Tensor; readonly ppo_kl: tf.Tensor; readonly pg_clipfrac_lower?: tf.Tensor };
}

/** The aggregation a loss mode uses: GSPO and SAPO always seq-mean-token-mean (as verl); the others `agg` (token-mean by default). */
export function policyAggSpec(mode: PolicyLossMode, agg: AggSpec | undefined): AggSpec {
  if (mode === "gspo" || mode === "sapo") return { mode: "seq-mean-token-mean" };
  return agg ?? { mode: "token-mean" };
}

function ppoClipTokens(inputs: PolicyLossInputs, config: PolicyLossConfig): PolicyTokenLoss {
  const { low, high } = clips(config);
  const c = config.dualClipC ?? 3;
  if (!(c > 1)) throw new PrimitiveInputError("ppoClipLoss", `dual-clip c must be > 1, got ${c}`);
  const { advantages: adv } = inputs;
  const { logRatio, ratio } = clampedRatio(inputs);
  const negAdv = tf.neg(adv);
  const loss1 = tf.mul(negAdv, ratio);
  const loss2 = tf.mul(negAdv, tf.clipByValue(ratio, 1 - low, 1 + high));
  const clipped = tf.maximum(loss1, loss2);
  const loss3 = tf.mul(negAdv, c);
  const dual = tf.minimum(loss3, clipped);
  const negative = tf.less(adv, 0);
  return {
    perToken: tf.where(negative, dual, clipped) as tf.Tensor2D,
    tokenMetrics: {
      pg_clipfrac: tf.cast(tf.greater(loss2, loss1), "float32"),
      ppo_kl: tf.neg(logRatio),
      pg_clipfrac_lower: tf.mul(tf.cast(tf.greater(clipped, loss3), "float32"), tf.cast(negative, "float32")),
    },
  };
}

function gspoTokens(inputs: PolicyLossInputs, config: PolicyLossConfig): PolicyTokenLoss {
  const { low, high } = clips(config);
  const { advantages: adv, responseMask: mask, logProb } = inputs;
  const logRatio = tf.sub(logProb, inputs.oldLogProb);
  const seqLen = tf.maximum(tf.sum(mask, 1), 1);
  const seqLogRatio = tf.div(tf.sum(tf.mul(logRatio, mask), 1), seqLen);
  const tokenLog = tf.add(tf.sub(logProb, stopGradient(logProb)), tf.expandDims(stopGradient(seqLogRatio), 1));
  const seqRatio = tf.exp(tf.minimum(tokenLog, 10));
  const negAdv = tf.neg(adv);
  const loss1 = tf.mul(negAdv, seqRatio);
  const loss2 = tf.mul(negAdv, tf.clipByValue(seqRatio, 1 - low, 1 + high));
  return {
    perToken: tf.maximum(loss1, loss2) as tf.Tensor2D,
    tokenMetrics: { pg_clipfrac: tf.cast(tf.greater(loss2, loss1), "float32"), ppo_kl: tf.neg(logRatio) },
  };
}

function cispoTokens(inputs: PolicyLossInputs, config: PolicyLossConfig): PolicyTokenLoss {
  const { low, high } = clips(config);
  const { advantages: adv } = inputs;
  const { logRatio, ratio } = clampedRatio(inputs);
  const clippedRatio = tf.clipByValue(ratio, 1 - low, 1 + high);
  return {
    perToken: tf.neg(tf.mul(tf.mul(stopGradient(clippedRatio), adv), inputs.logProb)) as tf.Tensor2D,
    tokenMetrics: { pg_clipfrac: tf.cast(tf.notEqual(ratio, clippedRatio), "float32"), ppo_kl: tf.neg(logRatio) },
  };
}

function sapoTokens(inputs: PolicyLossInputs, config: PolicyLossConfig): PolicyTokenLoss {
  const tauPos = config.tauPos ?? 1;
  const tauNeg = config.tauNeg ?? 1.05;
  const { advantages: adv } = inputs;
  const { logRatio, ratio } = clampedRatio(inputs);
  const tau = tf.where(tf.greater(adv, 0), tf.fill(adv.shape, tauPos), tf.fill(adv.shape, tauNeg));
  const gate = tf.mul(tf.sigmoid(tf.mul(tau, tf.sub(ratio, 1))), tf.div(4, tau));
  return { perToken: tf.neg(tf.mul(gate, adv)) as tf.Tensor2D, tokenMetrics: { ppo_kl: tf.neg(logRatio) } };
}

/** The per-token loss and metric values of a loss mode, before aggregation. */
export function policyTokenLoss(mode: PolicyLossMode, inputs: PolicyLossInputs, config: PolicyLossConfig = {}): PolicyTokenLoss {
  switch (mode) {
    case "vanilla":
      return ppoClipTokens(inputs, config);
    case "gspo":
      return gspoTokens(inputs, config);
    case "cispo":
      return cispoTokens(inputs, config);
    case "sapo":
      return sapoTokens(inputs, config);
  }
}

function aggregated(mode: PolicyLossMode, inputs: PolicyLossInputs, config: PolicyLossConfig): PolicyLossResult {
  const t = policyTokenLoss(mode, inputs, config);
  const mask = inputs.responseMask;
  const metric = (v: tf.Tensor | undefined): tf.Scalar => (v === undefined ? tf.scalar(0) : maskedMeanT(v, mask));
  return {
    loss: aggLoss(t.perToken, mask, policyAggSpec(mode, config.agg)),
    metrics: { pg_clipfrac: metric(t.tokenMetrics.pg_clipfrac), ppo_kl: metric(t.tokenMetrics.ppo_kl), pg_clipfrac_lower: metric(t.tokenMetrics.pg_clipfrac_lower) },
  };
}

/**
 * PPO clip (`vanilla`): L = max(−Aρ, −A·clip(ρ, 1−ε_low, 1+ε_high)); for A < 0 also min(L, −A·c)
 * (dual clip). ρ = exp(clamp(log ρ, ±20)).
 */
export function ppoClipLoss(inputs: PolicyLossInputs, config: PolicyLossConfig = {}): PolicyLossResult {
  return aggregated("vanilla", inputs, config);
}

/**
 * GSPO: sequence-level ratio s_i = exp(mean_t log ρ) applied per token as
 * exp(log π − sg(log π) + sg(log s_i)) (log clamped at ≤ 10), then PPO clip without dual clip.
 * verl always aggregates GSPO with seq-mean-token-mean, whatever `agg` says.
 */
export function gspoLoss(inputs: PolicyLossInputs, config: PolicyLossConfig = {}): PolicyLossResult {
  return aggregated("gspo", inputs, config);
}

/**
 * CISPO: L = −sg(clip(ρ, 1−ε_low, 1+ε_high))·A·log π: the clipped ratio only weights the
 * REINFORCE gradient, so clipped tokens still receive gradient.
 */
export function cispoLoss(inputs: PolicyLossInputs, config: PolicyLossConfig = {}): PolicyLossResult {
  return aggregated("cispo", inputs, config);
}

/**
 * SAPO: a smooth gate instead of a hard clip, L = −σ(τ(ρ − 1))·(4/τ)·A with τ = τ_pos for A > 0
 * and τ_neg otherwise; ρ = exp(clamp(log ρ, ±20)). Like GSPO, verl always aggregates SAPO with
 * seq-mean-token-mean, whatever `agg` says.
 */
export function sapoLoss(inputs: PolicyLossInputs, config: PolicyLossConfig = {}): PolicyLossResult {
  return aggregated("sapo", inputs, config);
}

/** Dispatch by verl's `loss_mode` name. */
export function policyLoss(mode: PolicyLossMode, inputs: PolicyLossInputs, config: PolicyLossConfig = {}): PolicyLossResult {
  return aggregated(mode, inputs, config);
}
