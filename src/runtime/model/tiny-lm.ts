/**
 * The embedded tiny causal LM (the model of bench/peer/torch_reference.py): token + learned
 * position embeddings, pre-LayerNorm blocks (fused qkv Linear, causal multi-head attention, output
 * projection, 4x ReLU MLP), final LayerNorm, linear head with bias. Parameters live in tf.Variables
 * keyed by their torch names; the maths is in network.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { ConstCache } from "../tfjs/ops.js";
import { resolveConfig, type PresetName, type TinyLMConfig } from "./config.js";
import { initialWeights, paramLayout, type ParamLayout } from "./params.js";

export interface CreateOptions {
  /** Seed of the parameter init (default 0). */
  readonly seed?: number;
  readonly overrides?: Partial<TinyLMConfig>;
}

export class WeightsMismatch extends Error {
  override readonly name = "WeightsMismatch";
}

export class TinyLM {
  readonly config: TinyLMConfig;
  readonly layout: ParamLayout;
  /** The trainable parameters, in layout order. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Constant tensors (masks, rows of ones) reused across calls; freed with the model. */
  readonly consts = new ConstCache();
  private weightsVersion = 0;

  private constructor(config: TinyLMConfig, layout: ParamLayout, flat: Float32Array) {
    this.config = config;
    this.layout = layout;
    const vars = new Map<string, tf.Variable>();
    for (const spec of layout.specs) {
      const values = flat.subarray(spec.offset, spec.offset + spec.size);
      vars.set(spec.name, tf.variable(tf.tensor(values, [...spec.shape], "float32"), true));
    }
    this.variables = vars;
  }

  static create(preset: PresetName | TinyLMConfig, options: CreateOptions = {}): TinyLM {
    const config = resolveConfig(preset, options.overrides);
    const layout = paramLayout(config);
    return new TinyLM(config, layout, initialWeights(layout, options.seed ?? 0));
  }

  /** Parameter tensors by name (the variables themselves; do not dispose them). */
  params(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.variables);
  }

  get numParams(): number {
    return this.layout.total;
  }

  /**
   * Incremented by every setWeights/setFlat (optimiser updates go through setFlat), so that
   * replicas in worker threads know when to resynchronise. Assigning the variables directly
   * bypasses it.
   */
  get version(): number {
    return this.weightsVersion;
  }

  getWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.variables) out[name] = Float32Array.from(v.dataSync() as Float32Array);
    return out;
  }

  setWeights(weights: Readonly<Record<string, Float32Array>>): void {
    for (const spec of this.layout.specs) {
      const w = weights[spec.name];
      if (w === undefined) throw new WeightsMismatch(`missing weight "${spec.name}"`);
      if (w.length !== spec.size) {
        throw new WeightsMismatch(`weight "${spec.name}" has ${w.length} values, expected ${spec.size} ([${spec.shape}])`);
      }
    }
    const extra = Object.keys(weights).filter((k) => !this.layout.byName.has(k));
    if (extra.length > 0) throw new WeightsMismatch(`unknown weights: ${extra.join(", ")}`);
    for (const spec of this.layout.specs) this.assign(spec.name, weights[spec.name] as Float32Array);
    this.weightsVersion++;
  }

  /** All parameters as one vector in layout order. */
  getFlat(): Float32Array {
    const flat = new Float32Array(this.layout.total);
    for (const spec of this.layout.specs) {
      flat.set(this.variables.get(spec.name)!.dataSync() as Float32Array, spec.offset);
    }
    return flat;
  }

  /** getFlat for every backend (webgpu cannot read synchronously). */
  async readFlat(): Promise<Float32Array> {
    const flat = new Float32Array(this.layout.total);
    for (const spec of this.layout.specs) flat.set((await this.variables.get(spec.name)!.data()) as Float32Array, spec.offset);
    return flat;
  }

  setFlat(flat: Float32Array): void {
    if (flat.length !== this.layout.total) {
      throw new WeightsMismatch(`flat weights have ${flat.length} values, expected ${this.layout.total}`);
    }
    for (const spec of this.layout.specs) this.assign(spec.name, flat.subarray(spec.offset, spec.offset + spec.size));
    this.weightsVersion++;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.consts.dispose();
  }

  private assign(name: string, values: Float32Array): void {
    const v = this.variables.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, "float32")));
  }
}
