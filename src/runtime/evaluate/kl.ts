/**
 * The per-token KL estimate as a float64 value, for `kl_penalty` (KL in the reward or advantage).
 * The shared primitive `klPenalty` (primitives/loss/kl.ts) is differentiable tfjs code in float32
 * for losses; values here need float64 and no tensors, so the estimator is written once more for
 * plain numbers, following verl's kl_penalty_forward exactly: Δ = log π − log π_ref;
 * k1 = Δ, abs = |Δ|, k2 = ½Δ², k3 = e^{−Δ} + Δ − 1 with −Δ clamped to ±20 and the result to ±10.
 */

export type KlValueEstimator = "k1" | "k2" | "k3" | "abs";

export function isKlValueEstimator(name: unknown): name is KlValueEstimator {
  return name === "k1" || name === "k2" || name === "k3" || name === "abs";
}

export function klEstimate(logp: number, refLogp: number, estimator: KlValueEstimator): number {
  const delta = logp - refLogp;
  switch (estimator) {
    case "k1":
      return delta;
    case "abs":
      return Math.abs(delta);
    case "k2":
      return 0.5 * delta * delta;
    case "k3": {
      const kl = Math.min(Math.max(-delta, -20), 20);
      // expm1(kl) − kl equals exp(kl) − kl − 1 without the cancellation near kl = 0.
      return Math.min(Math.max(Math.expm1(kl) - kl, -10), 10);
    }
  }
}
