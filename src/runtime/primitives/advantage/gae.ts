/**
 * Generalised advantage estimation, mask-aware as verl's compute_gae_advantage_return: on masked-out
 * positions (observation or padding tokens) the next value and the running GAE are carried through
 * unchanged, so TD errors only chain real tokens.
 */
import { sameShape, type Matrix } from "../shape.js";
import type { AdvantageResult } from "./group-norm.js";
import { maskedWhiten } from "./masked.js";

export interface GaeInputs {
  readonly tokenLevelRewards: Matrix;
  /** Critic values V_t, [batch][T]. */
  readonly values: Matrix;
  readonly responseMask: Matrix;
}

/**
 * δ_t = r_t + γ·V_next − V_t; A_t = δ_t + γλ·A_next (both "next" skip masked positions);
 * returns = A + V before whitening; advantages = masked_whiten(A) (not re-masked, as verl).
 */
export function gaeAdvantageReturn(inputs: GaeInputs, options: { readonly gamma?: number; readonly lam?: number } = {}): AdvantageResult {
  const gamma = options.gamma ?? 1;
  const lam = options.lam ?? 1;
  const [rows, cols] = sameShape("gaeAdvantageReturn", {
    tokenLevelRewards: inputs.tokenLevelRewards,
    values: inputs.values,
    responseMask: inputs.responseMask,
  });
  const raw: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const r = inputs.tokenLevelRewards[i]!;
    const v = inputs.values[i]!;
    const m = inputs.responseMask[i]!;
    const adv = new Array<number>(cols).fill(0);
    let nextValue = 0;
    let lastGae = 0;
    for (let t = cols - 1; t >= 0; t--) {
      const delta = r[t]! + gamma * nextValue - v[t]!;
      const gae = delta + gamma * lam * lastGae;
      nextValue = v[t]! * m[t]! + (1 - m[t]!) * nextValue;
      lastGae = gae * m[t]! + (1 - m[t]!) * lastGae;
      adv[t] = lastGae;
    }
    raw.push(adv);
  }
  const returns = raw.map((row, i) => row.map((a, t) => a + inputs.values[i]![t]!));
  return { advantages: maskedWhiten(raw, inputs.responseMask), returns };
}
