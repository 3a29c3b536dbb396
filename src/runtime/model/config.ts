/** Shape of the embedded tiny causal LM and its named presets. */

export interface TinyLMConfig {
  /** Vocabulary size (token ids are 0 .. vocab-1). */
  readonly vocab: number;
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  /** Longest sequence the model can process (size of the learned position table). */
  readonly maxSeq: number;
}

/**
 * `bench` is exactly the workload of bench/peer/torch_reference.py. `test` is small enough for unit
 * tests on the cpu backend. `arith` fits the toy arithmetic task of the example pipelines (prompt,
 * budget prefill and up to 64 response tokens). `small` is a larger model for longer experiments.
 */
export const PRESETS = {
  test: { vocab: 16, dModel: 16, layers: 2, heads: 2, maxSeq: 24 },
  bench: { vocab: 32, dModel: 64, layers: 2, heads: 4, maxSeq: 48 },
  // vocab = the arith tokenizer's VOCAB_SIZE (src/runtime/tasks/tokenizer.ts): no untrained output ids.
  arith: { vocab: 37, dModel: 128, layers: 4, heads: 4, maxSeq: 128 },
  // The 2-layer d_model-64 model of docs/tasks.md's learnability check: about 4× cheaper a step.
  arith_small: { vocab: 37, dModel: 64, layers: 2, heads: 4, maxSeq: 128 },
  small: { vocab: 256, dModel: 256, layers: 6, heads: 8, maxSeq: 256 },
} as const satisfies Record<string, TinyLMConfig>;

export type PresetName = keyof typeof PRESETS;

export class InvalidModelConfig extends Error {
  override readonly name = "InvalidModelConfig";
}

/** Returns the preset with `overrides` applied, validated. */
export function resolveConfig(preset: PresetName | TinyLMConfig, overrides: Partial<TinyLMConfig> = {}): TinyLMConfig {
  const base: TinyLMConfig | undefined = typeof preset === "string" ? PRESETS[preset] : preset;
  if (base === undefined) {
    throw new InvalidModelConfig(`unknown tiny_lm preset "${String(preset)}" (known: ${Object.keys(PRESETS).join(", ")})`);
  }
  const cfg: TinyLMConfig = { ...base, ...overrides };
  for (const key of ["vocab", "dModel", "layers", "heads", "maxSeq"] as const) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v < 1) throw new InvalidModelConfig(`${key} must be a positive integer, got ${v}`);
  }
  if (cfg.dModel % cfg.heads !== 0) {
    throw new InvalidModelConfig(`dModel (${cfg.dModel}) must be divisible by heads (${cfg.heads})`);
  }
  return cfg;
}
