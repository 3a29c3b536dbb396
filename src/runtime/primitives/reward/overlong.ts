/**
 * DAPO's soft overlong punishment (verl reward_manager/dapo.py): 0 up to L_max − L_buf tokens, then
 * linear down to −factor at L_max (and below beyond it): min(−(n − (L_max − L_buf))/L_buf·factor, 0).
 */
import { PrimitiveInputError } from "../errors.js";

export interface OverlongParams {
  /** L_max, the maximum response length. */
  readonly maxLength: number;
  /** L_buf, the length of the penalised tail. */
  readonly bufferLength: number;
  /** Penalty reached at L_max (DAPO: 1). */
  readonly penaltyFactor?: number;
}

export function dapoOverlongPenalty(responseLength: number, params: OverlongParams): number {
  if (!(params.bufferLength > 0)) throw new PrimitiveInputError("dapoOverlongPenalty", `bufferLength must be > 0, got ${params.bufferLength}`);
  const expected = params.maxLength - params.bufferLength;
  const exceed = responseLength - expected;
  const penalty = (-exceed / params.bufferLength) * (params.penaltyFactor ?? 1);
  // min(penalty, 0), written so that the threshold itself gives +0 rather than −0.
  return penalty < 0 ? penalty : 0;
}
