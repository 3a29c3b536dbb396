/**
 * Adam and AdamW on flat Float32Array parameter vectors, with the exact update formulas of
 * torch.optim.Adam / torch.optim.AdamW (bias-corrected moments, eps added after the bias-corrected
 * square root; Adam's weight decay is an L2 term in the gradient, AdamW's decays the weights
 * directly). The state is plain arrays so that checkpoints can store it as is.
 */

export type OptimizerKind = "adam" | "adamw";

export interface AdamConfig {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Adam: L2 coefficient added to the gradient (default 0). AdamW: decoupled decay (default 0.01, as torch). */
  readonly weightDecay?: number;
}

export interface OptimizerState {
  readonly kind: OptimizerKind;
  /** Number of updates applied so far. */
  readonly step: number;
  /** First moments, flat in parameter layout order. */
  readonly m: Float32Array;
  /** Second moments, flat in parameter layout order. */
  readonly v: Float32Array;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export class OptimizerStateMismatch extends Error {
  override readonly name = "OptimizerStateMismatch";
}

export class Adam {
  readonly kind: OptimizerKind;
  /** Learning rate of the next update; schedules may change it between steps. */
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private stepCount = 0;
  private m: Float32Array;
  private v: Float32Array;

  constructor(kind: OptimizerKind, size: number, config: AdamConfig) {
    this.kind = kind;
    this.lr = config.lr;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? (kind === "adamw" ? 0.01 : 0);
    for (const [k, x, lo, hi] of [
      ["lr", this.lr, 0, Infinity],
      ["beta1", this.beta1, 0, 1],
      ["beta2", this.beta2, 0, 1],
      ["eps", this.eps, 0, Infinity],
      ["weightDecay", this.weightDecay, 0, Infinity],
    ] as const) {
      if (!(x >= lo && x < hi)) throw new RangeError(`${kind}: ${k} must be in [${lo}, ${hi}), got ${x}`);
    }
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  get step(): number {
    return this.stepCount;
  }

  get size(): number {
    return this.m.length;
  }

  /** Applies one update to `params` in place. */
  apply(params: Float32Array, grads: Float32Array): void {
    if (params.length !== this.m.length || grads.length !== this.m.length) {
      throw new OptimizerStateMismatch(`optimizer has ${this.m.length} slots, got ${params.length} params and ${grads.length} grads`);
    }
    this.stepCount++;
    const { beta1: b1, beta2: b2, eps, lr, weightDecay: wd, m, v } = this;
    const stepSize = lr / (1 - b1 ** this.stepCount);
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.stepCount);
    const decoupled = this.kind === "adamw";
    const decay = decoupled ? 1 - lr * wd : 1;
    const l2 = decoupled ? 0 : wd;
    for (let i = 0; i < params.length; i++) {
      let p = params[i]!;
      const g = l2 === 0 ? grads[i]! : grads[i]! + l2 * p;
      if (decoupled) p *= decay;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
      params[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }

  getState(): OptimizerState {
    const { kind, lr, beta1, beta2, eps, weightDecay } = this;
    return { kind, step: this.stepCount, m: Float32Array.from(this.m), v: Float32Array.from(this.v), lr, beta1, beta2, eps, weightDecay };
  }

  /** Restores moments, step count and learning rate (the other hyper-parameters are fixed at construction). */
  setState(state: Pick<OptimizerState, "step" | "m" | "v"> & Partial<Pick<OptimizerState, "kind" | "lr">>): void {
    if (state.kind !== undefined && state.kind !== this.kind) {
      throw new OptimizerStateMismatch(`state is for ${state.kind}, this optimizer is ${this.kind}`);
    }
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new OptimizerStateMismatch(`state has ${state.m.length}/${state.v.length} moments, expected ${this.m.length}`);
    }
    if (!Number.isInteger(state.step) || state.step < 0) throw new OptimizerStateMismatch(`invalid step ${state.step}`);
    this.m = Float32Array.from(state.m);
    this.v = Float32Array.from(state.v);
    this.stepCount = state.step;
    if (state.lr !== undefined) this.lr = state.lr;
  }
}

/** torch.optim.Adam for `size` parameters (use model.numParams). */
export function adam(size: number, config: AdamConfig): Adam {
  return new Adam("adam", size, config);
}

/** torch.optim.AdamW for `size` parameters (use model.numParams). */
export function adamw(size: number, config: AdamConfig): Adam {
  return new Adam("adamw", size, config);
}
