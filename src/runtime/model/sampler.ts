/**
 * Batched sampling with a KV cache. Rows have their own prompt (ragged: left-padded, masked, and
 * with position ids that start at each row's first real token), an optional forced prefill that
 * counts as part of the response, temperature (0 = greedy), top-p, stop ids and token budget.
 * Every row draws from its own PRNG stream (seed, row index), so a row's sample does not depend on
 * which other rows share its batch.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { TinyLMConfig } from "./config.js";
import { DecodeWeights, decodeStep, keyMask, prefill, type KvCache } from "./decode.js";
import type { SeqBatch } from "./encode.js";
import type { ParamTensors } from "./network.js";
import { Prng } from "./prng.js";
import type { ShardPool } from "./pool.js";
import { splitRows } from "./rows.js";
import type { TinyLM } from "./tiny-lm.js";
import type { ConstCache } from "../tfjs/ops.js";

export interface SampleRequest {
  /** Prompt token ids (at least one). */
  readonly prompt: ArrayLike<number>;
  /** Forced token ids placed right after the prompt; part of the response. */
  readonly prefill?: ArrayLike<number>;
  /** Most response tokens (prefill included). prompt + maxTokens must fit in the model's maxSeq. */
  readonly maxTokens: number;
  /** Sampling temperature; 0 means greedy (default 1). */
  readonly temperature?: number;
  /** Nucleus sampling mass in (0, 1] (default 1: no truncation). */
  readonly topP?: number;
  /** Token ids that end the row when sampled (the stop token is kept in the response). */
  readonly stop?: readonly number[];
  /**
   * Without a prefill, the first response token is drawn among these ids only (a task's response
   * grammar: an `arith` response opens with `<think>` or a budget tag). Its log-prob and entropy
   * stay those of the model's whole distribution, the values a scorer recomputes.
   */
  readonly openWith?: ArrayLike<number>;
}

export type FinishReason = "stop" | "length";

export interface SampleResult {
  /** Response token ids: the prefill, then the sampled tokens. */
  readonly tokens: Int32Array;
  /** The first `prefillLength` tokens of `tokens` were forced, not sampled. */
  readonly prefillLength: number;
  /**
   * Behaviour log-prob of each response token under softmax(logits / temperature) (temperature 1
   * for greedy rows), before top-p truncation: the value a scorer recomputes from the sequence.
   */
  readonly logp: Float32Array;
  /** Entropy of that same distribution at each response position. */
  readonly entropy: Float32Array;
  readonly finish: FinishReason;
}

export interface SampleOptions {
  readonly seed: number;
  /** Split the rows over these shards (same results: every row has its own PRNG stream). */
  readonly pool?: ShardPool;
}

export class SequenceTooLong extends Error {
  override readonly name = "SequenceTooLong";
}

export class InvalidSampleRequest extends Error {
  override readonly name = "InvalidSampleRequest";
}

function validate(cfg: TinyLMConfig, reqs: readonly SampleRequest[]): void {
  reqs.forEach((r, i) => {
    const where = `sample request ${i}`;
    if (r.prompt.length < 1) throw new InvalidSampleRequest(`${where}: the prompt is empty (it needs at least one token)`);
    if (!Number.isInteger(r.maxTokens) || r.maxTokens < 1) throw new InvalidSampleRequest(`${where}: maxTokens must be a positive integer, got ${r.maxTokens}`);
    const pre = r.prefill?.length ?? 0;
    if (pre > r.maxTokens) throw new InvalidSampleRequest(`${where}: prefill has ${pre} tokens, more than maxTokens ${r.maxTokens}`);
    if (r.prompt.length + r.maxTokens > cfg.maxSeq) {
      throw new SequenceTooLong(
        `${where}: prompt (${r.prompt.length} tokens) + maxTokens (${r.maxTokens}) = ${r.prompt.length + r.maxTokens} exceeds the model's maxSeq ${cfg.maxSeq}`,
      );
    }
    const t = r.temperature ?? 1;
    if (!(t >= 0) || !Number.isFinite(t)) throw new InvalidSampleRequest(`${where}: temperature must be >= 0, got ${t}`);
    const p = r.topP ?? 1;
    if (!(p > 0 && p <= 1)) throw new InvalidSampleRequest(`${where}: topP must be in (0, 1], got ${p}`);
    if (r.openWith !== undefined && r.openWith.length === 0) throw new InvalidSampleRequest(`${where}: openWith is empty (leave it out to allow every token)`);
    for (const ids of [r.prompt, r.prefill ?? [], r.stop ?? [], r.openWith ?? []]) {
      for (let j = 0; j < ids.length; j++) {
        const id = ids[j]!;
        if (!Number.isInteger(id) || id < 0 || id >= cfg.vocab) throw new InvalidSampleRequest(`${where}: token id ${id} is outside [0, ${cfg.vocab})`);
      }
    }
  });
}

/** Per-row draw from one logits row; returns the token, its log-prob and the entropy. */
export function drawToken(
  logits: Float32Array,
  temperature: number,
  topP: number,
  rng: Prng | undefined,
  forced: number | undefined,
  allowed?: ArrayLike<number>,
): { token: number; logp: number; entropy: number } {
  const V = logits.length;
  const inv = temperature > 0 ? 1 / temperature : 1;
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i]! * inv);
  const p = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) sum += p[i] = Math.exp(logits[i]! * inv - max);
  const logSum = Math.log(sum);
  let entropy = 0;
  for (let i = 0; i < V; i++) {
    p[i]! /= sum;
    if (p[i]! > 0) entropy -= p[i]! * (logits[i]! * inv - max - logSum);
  }
  let token: number;
  if (forced !== undefined) token = forced;
  else if (allowed !== undefined) {
    // Draw from the distribution restricted to `allowed`; the log-prob below is the full one's.
    const masked = new Float32Array(V).fill(-Infinity);
    for (let j = 0; j < allowed.length; j++) masked[allowed[j]!] = logits[allowed[j]!]!;
    token = drawToken(masked, temperature, topP, rng, undefined, undefined).token;
  }
  else if (temperature === 0) {
    token = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[token]!) token = i;
  } else token = drawFrom(p, topP, rng!);
  return { token, logp: logits[token]! * inv - max - logSum, entropy };
}

/**
 * Inverse-CDF draw from p. Without truncation the CDF runs in token-id order; with top-p it runs
 * over the nucleus: ids sorted by descending probability (ties by id), cut at cumulative mass topP.
 */
function drawFrom(p: Float64Array, topP: number, rng: Prng): number {
  const u = rng.next();
  if (topP >= 1) {
    let acc = 0;
    for (let i = 0; i < p.length - 1; i++) {
      acc += p[i]!;
      if (u < acc) return i;
    }
    return p.length - 1;
  }
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
  let keep = order.length;
  let mass = 0;
  for (let i = 0; i < order.length; i++) {
    mass += p[order[i]!]!;
    if (mass >= topP) {
      keep = i + 1;
      break;
    }
  }
  let left = u * mass;
  for (let i = 0; i < keep - 1; i++) {
    left -= p[order[i]!]!;
    if (left < 0) return order[i]!;
  }
  return order[keep - 1]!;
}

/** Left-pads prompts into one batch (pad id 0, masked out). */
function promptBatch(reqs: readonly SampleRequest[]): SeqBatch {
  const B = reqs.length;
  const P = Math.max(...reqs.map((r) => r.prompt.length));
  const inputs = new Int32Array(B * P);
  const pad = new Int32Array(B);
  reqs.forEach((r, b) => {
    pad[b] = P - r.prompt.length;
    for (let j = 0; j < r.prompt.length; j++) inputs[b * P + pad[b]! + j] = r.prompt[j]!;
  });
  return { batch: B, steps: P, inputs, pad };
}

/** Samples every request in one batch on the current backend. */
export async function sampleBatch(
  params: ParamTensors,
  cfg: TinyLMConfig,
  consts: ConstCache,
  reqs: readonly SampleRequest[],
  options: SampleOptions & { readonly rowOffset?: number },
): Promise<SampleResult[]> {
  validate(cfg, reqs);
  if (reqs.length === 0) return [];
  const B = reqs.length;
  const V = cfg.vocab;
  const prompts = promptBatch(reqs);
  const P = prompts.steps;
  const rngs = reqs.map((_, b) => new Prng(options.seed, (options.rowOffset ?? 0) + b));
  const maxSteps = Math.max(...reqs.map((r) => r.maxTokens));
  const out = reqs.map((r) => ({
    tokens: new Int32Array(r.maxTokens),
    logp: new Float32Array(r.maxTokens),
    entropy: new Float32Array(r.maxTokens),
    n: 0,
    finish: undefined as FinishReason | undefined,
  }));
  const weights = DecodeWeights.from(params, cfg);
  let cache: KvCache | undefined;
  try {
    const first = prefill(params, cfg, prompts, consts);
    cache = first.cache;
    let logits = first.logits;
    const tokens = new Int32Array(B);
    const positions = new Int32Array(B);
    for (let s = 0; s < maxSteps; s++) {
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      let active = 0;
      for (let b = 0; b < B; b++) {
        const r = reqs[b]!;
        const o = out[b]!;
        if (o.finish !== undefined) {
          tokens[b] = 0;
          continue;
        }
        const pre = r.prefill?.length ?? 0;
        const forced = s < pre ? r.prefill![s]! : undefined;
        const allowed = s === 0 && pre === 0 ? r.openWith : undefined;
        const d = drawToken(values.subarray(b * V, (b + 1) * V), r.temperature ?? 1, r.topP ?? 1, rngs[b], forced, allowed);
        o.tokens[o.n] = d.token;
        o.logp[o.n] = d.logp;
        o.entropy[o.n] = d.entropy;
        o.n++;
        if (forced === undefined && (r.stop?.includes(d.token) ?? false)) o.finish = "stop";
        else if (o.n === r.maxTokens) o.finish = "length";
        else active++;
        tokens[b] = d.token;
      }
      if (active === 0) break;
      for (let b = 0; b < B; b++) {
        // Finished rows keep a valid (ignored) position so the batch stays rectangular.
        positions[b] = Math.min(reqs[b]!.prompt.length + s, cfg.maxSeq - 1);
      }
      const L = P + s + 1;
      const mask = tf.tensor2d(keyMask(L, prompts.pad!), [L, B]);
      logits = decodeStep(weights, cfg, cache, tokens, positions, mask);
      mask.dispose();
    }
  } finally {
    cache?.dispose();
    weights.dispose();
  }
  return out.map((o, b) => ({
    tokens: o.tokens.slice(0, o.n),
    prefillLength: Math.min(reqs[b]!.prefill?.length ?? 0, o.n),
    logp: o.logp.slice(0, o.n),
    entropy: o.entropy.slice(0, o.n),
    finish: o.finish ?? "length",
  }));
}

/** Samples the requests with the model's current weights (in this thread, or over a pool). */
export async function sample(model: TinyLM, reqs: readonly SampleRequest[], options: SampleOptions): Promise<SampleResult[]> {
  const pool = options.pool;
  if (pool === undefined || pool.size === 1 || reqs.length < 2) return sampleBatch(model.params(), model.config, model.consts, reqs, { seed: options.seed });
  if (pool.model !== model) throw new InvalidSampleRequest("the shard pool belongs to another model");
  validate(model.config, reqs);
  const ranges = splitRows(reqs.length, Math.min(reqs.length, pool.size));
  return pool.exclusive(async () => {
    const parts: Promise<SampleResult[]>[] = [];
    // workers first, so that they run while this thread samples its own rows
    for (let i = ranges.length - 1; i >= 0; i--) {
      const [r0, r1] = ranges[i]!;
      parts[i] = pool.shards[i]!.sample(reqs.slice(r0, r1), options.seed, r0);
    }
    return (await Promise.all(parts)).flat();
  });
}
