/**
 * The local executor: the embedded tiny LM on a TensorFlow.js backend in this process (optionally
 * with worker-thread shards). Holds the policy, the frozen reference snapshot and the optimiser;
 * everything it does is a pure function of its state and the request, so runs are reproducible.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Effect, Layer } from "effect";
import { version as rlpVersion } from "../../compiler/version.js";
import { PRESETS, type PresetName } from "../model/config.js";
import { adam, adamw, type Adam, type OptimizerKind } from "../model/optim.js";
import { ShardPool } from "../model/pool.js";
import { sampleBatch, type SampleRequest, type SampleResult } from "../model/sampler.js";
import { logProbsArrays } from "../model/score.js";
import { TinyLM } from "../model/tiny-lm.js";
import { applyGradients, NonFiniteLoss } from "../model/train.js";
import { splitRows } from "../model/rows.js";
import { BackendUnavailable, initBackend, type BackendName } from "../tfjs/backend.js";
import { BackendError, describe, ExecutorError, NonFiniteError } from "../services/errors.js";
import {
  Executor,
  type ExecutorInfo,
  type ExecutorState,
  type ModelRole,
  type SampleCall,
  type Sampled,
  type SampleRow,
  type Sequence,
  type TokenScores,
  type TrainInput,
  type TrainOutput,
} from "../services/executor.js";
import { fromMatrix, packSequences } from "./layout.js";
import { DEFAULT_MICRO_BATCH_TOKENS, microBatchGradients, planMicroBatches } from "./microbatch.js";
import { findCheckpoint, policyWeights } from "./warm-start.js";

export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

export interface LocalExecutorConfig {
  readonly backend: BackendName;
  /** A tiny_lm preset name. */
  readonly preset: string;
  /** Seed of the initial weights (tiny_lm's `seed`). */
  readonly modelSeed: number;
  /** Warm start: a run, checkpoints or checkpoint directory whose policy weights replace the initial ones. */
  readonly from?: string;
  readonly optimizer: OptimizerConfig;
  /** Global gradient-norm clip. */
  readonly gradClip?: number;
  /** Worker-thread shards besides the main thread (0: none). Results depend on this count. */
  readonly workers?: number;
  /** Keep a frozen reference snapshot (for KL terms). */
  readonly reference: boolean;
  /**
   * Token budget (rows × padded length) of one training micro-batch; scoring uses twice it.
   * Bounds the step's memory whatever the batch size; the result does not depend on it beyond
   * float32 rounding (default DEFAULT_MICRO_BATCH_TOKENS).
   */
  readonly microBatchTokens?: number;
}

/** The engine behind the layer: plain async methods over the model, wrapped into Effects below. */
class LocalEngine {
  constructor(
    readonly policy: TinyLM,
    readonly reference: TinyLM | undefined,
    readonly optimizer: Adam,
    readonly pool: ShardPool | undefined,
    readonly gradClip: number | undefined,
    readonly microBatchTokens: number,
  ) {}

  async sample(rows: readonly SampleRow[], call: SampleCall): Promise<Sampled[]> {
    const reqs: SampleRequest[] = rows.map((r) => ({
      prompt: r.prompt,
      prefill: r.prefill,
      maxTokens: r.maxTokens,
      temperature: r.temperature,
      topP: r.topP,
      stop: r.stop,
      ...(r.openWith === undefined ? {} : { openWith: r.openWith }),
    }));
    const pool = this.pool;
    let results: SampleResult[];
    if (pool === undefined || pool.size === 1 || reqs.length < 2) {
      results = await sampleBatch(this.policy.params(), this.policy.config, this.policy.consts, reqs, { seed: call.seed, rowOffset: call.rowOffset });
    } else {
      const ranges = splitRows(reqs.length, Math.min(reqs.length, pool.size));
      results = await pool.exclusive(async () => {
        const parts: Promise<SampleResult[]>[] = [];
        for (let i = ranges.length - 1; i >= 0; i--) {
          const [r0, r1] = ranges[i]!;
          parts[i] = pool.shards[i]!.sample(reqs.slice(r0, r1), call.seed, call.rowOffset + r0);
        }
        return (await Promise.all(parts)).flat();
      });
    }
    return results.map((s) => ({ tokens: s.tokens, prefillLength: s.prefillLength, logp: s.logp, entropy: s.entropy, finished: s.finish === "stop" }));
  }

  async score(seqs: readonly Sequence[], role: ModelRole, temperature: number): Promise<TokenScores> {
    if (seqs.length === 0) return { logp: [], entropy: [] };
    const model = role === "policy" ? this.policy : this.reference;
    if (model === undefined) throw new Error("this pipeline keeps no reference model");
    const pool = role === "policy" ? this.pool : undefined;
    const logp: Float32Array[] = new Array<Float32Array>(seqs.length);
    const entropy: Float32Array[] = new Array<Float32Array>(seqs.length);
    // Scoring keeps no activations for a backward pass: twice the training budget per piece.
    for (const rows of planMicroBatches(seqs, 2 * this.microBatchTokens)) {
      const batch = packSequences(rows.map((i) => seqs[i]!));
      const stats = await logProbsArrays(model, batch, pool === undefined ? { temperature } : { temperature, pool });
      const lp = fromMatrix(batch, stats.logp);
      const en = fromMatrix(batch, stats.entropy);
      rows.forEach((i, k) => {
        logp[i] = lp[k]!;
        entropy[i] = en[k]!;
      });
    }
    return { logp, entropy };
  }

  async train(input: TrainInput): Promise<TrainOutput | NonFiniteError> {
    // Entropy is reported over the tokens the policy terms see (all trained tokens when there are none).
    const policyTerms = input.terms.filter((t) => t.kind !== "sft");
    const reported = policyTerms.length > 0 ? policyTerms : input.terms;
    const union = input.rows.map((r, i) => {
      const m = new Float32Array(r.response.length);
      for (const t of reported) for (let j = 0; j < m.length; j++) if (t.mask[i]![j] !== 0) m[j] = 1;
      return m;
    });
    const options = this.pool === undefined ? { temperature: input.temperature } : { temperature: input.temperature, pool: this.pool };
    const { loss, grads, stats } = await microBatchGradients(this.policy, input, union, this.microBatchTokens, options);
    const nonFinite = (node: string, what: string) => new NonFiniteError({ node, step: input.step, message: `${what}; the update was not applied` });
    if (!Number.isFinite(loss)) {
      const bad = input.terms.find((t) => !Number.isFinite(stats[`term/${t.node}`] ?? NaN));
      return nonFinite(bad?.node ?? input.terms[0]?.node ?? "loss", `the loss is ${loss}`);
    }
    try {
      const applied = await applyGradients(this.policy, this.optimizer, grads, this.gradClip === undefined ? {} : { maxGradNorm: this.gradClip });
      return { loss, gradNorm: applied.gradNorm, lr: applied.lr, stats };
    } catch (e) {
      if (e instanceof NonFiniteLoss) return nonFinite(input.terms[0]?.node ?? "loss", e.message.replace(/; the update was not applied$/, ""));
      throw e;
    }
  }

  async snapshotReference(): Promise<void> {
    if (this.reference !== undefined) this.reference.setFlat(await this.policy.readFlat());
  }

  async exportState(): Promise<ExecutorState> {
    const tensors: Record<string, Float32Array> = {};
    const put = async (prefix: string, model: TinyLM) => {
      const flat = await model.readFlat();
      for (const spec of model.layout.specs) tensors[`${prefix}/${spec.name}`] = flat.slice(spec.offset, spec.offset + spec.size);
    };
    await put("policy", this.policy);
    if (this.reference !== undefined) await put("reference", this.reference);
    const opt = this.optimizer.getState();
    tensors["optimizer/m"] = opt.m;
    tensors["optimizer/v"] = opt.v;
    return { tensors, meta: { optimizer: { kind: opt.kind, step: opt.step, lr: opt.lr }, parameters: this.policy.numParams } };
  }

  importState(state: ExecutorState): void {
    const take = (prefix: string) => {
      const out: Record<string, Float32Array> = {};
      for (const [name, t] of Object.entries(state.tensors)) if (name.startsWith(`${prefix}/`)) out[name.slice(prefix.length + 1)] = t;
      return out;
    };
    this.policy.setWeights(take("policy"));
    if (this.reference !== undefined) this.reference.setWeights(take("reference"));
    const meta = state.meta["optimizer"] as { kind: OptimizerKind; step: number; lr: number } | undefined;
    const m = state.tensors["optimizer/m"];
    const v = state.tensors["optimizer/v"];
    if (meta === undefined || m === undefined || v === undefined) throw new Error("the state has no optimiser moments");
    this.optimizer.setState({ kind: meta.kind, step: meta.step, lr: meta.lr, m, v });
  }

  async dispose(): Promise<void> {
    await this.pool?.close();
    this.policy.dispose();
    this.reference?.dispose();
  }
}

function isPreset(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

const acquire = (config: LocalExecutorConfig) =>
  Effect.gen(function* () {
    const backend = yield* Effect.tryPromise({
      try: () => initBackend(config.backend),
      catch: (e) =>
        e instanceof BackendUnavailable
          ? new BackendError({ backend: e.backend, message: e.message, help: e.help })
          : new BackendError({ backend: config.backend, message: describe(e), help: "see docs/backends.md" }),
    });
    if (!isPreset(config.preset)) {
      return yield* new ExecutorError({ operation: "create", message: `unknown tiny_lm preset \`${config.preset}\` (known: ${Object.keys(PRESETS).join(", ")})` });
    }
    const preset = config.preset;
    const engine = yield* Effect.tryPromise({
      try: async () => {
        const policy = TinyLM.create(preset, { seed: config.modelSeed });
        if (config.from !== undefined && config.from !== "") policy.setWeights(policyWeights(findCheckpoint(config.from)));
        let reference: TinyLM | undefined;
        if (config.reference) {
          reference = TinyLM.create(preset, { seed: config.modelSeed });
          reference.setFlat(await policy.readFlat());
        }
        const o = config.optimizer;
        const make = o.kind === "adamw" ? adamw : adam;
        const optimizer = make(policy.numParams, {
          lr: o.lr,
          ...(o.beta1 === undefined ? {} : { beta1: o.beta1 }),
          ...(o.beta2 === undefined ? {} : { beta2: o.beta2 }),
          ...(o.eps === undefined ? {} : { eps: o.eps }),
          ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay }),
        });
        const pool = (config.workers ?? 0) > 0 ? await ShardPool.create(policy, { workers: config.workers! }) : undefined;
        return new LocalEngine(policy, reference, optimizer, pool, config.gradClip, config.microBatchTokens ?? DEFAULT_MICRO_BATCH_TOKENS);
      },
      catch: (e) => new ExecutorError({ operation: "create", message: describe(e) }),
    });
    const info: ExecutorInfo = {
      kind: "local",
      backend: backend.name,
      device: backend.device,
      model: `tiny_lm(${preset})`,
      parameters: engine.policy.numParams,
      maxSequence: engine.policy.config.maxSeq,
      concurrency: 1,
      versions: { rlp: rlpVersion(), tfjs: tf.version_core, node: process.versions.node },
    };
    return { engine, info };
  });

function wrap<A>(operation: string, run: () => Promise<A>): Effect.Effect<A, ExecutorError> {
  return Effect.tryPromise({ try: run, catch: (e) => new ExecutorError({ operation, message: describe(e) }) });
}

export class LocalExecutor {
  /** The arith-sized tiny LM on the test backend (RLP_TEST_BACKEND, default wasm) with a reference, for tests. */
  static layerTest(overrides: Partial<LocalExecutorConfig> = {}): Layer.Layer<Executor, BackendError | ExecutorError> {
    const backend = (process.env["RLP_TEST_BACKEND"] ?? "wasm") as BackendName;
    return LocalExecutor.layer({ backend, preset: "arith", modelSeed: 0, optimizer: { kind: "adam", lr: 1e-3 }, reference: true, ...overrides });
  }

  /** The Executor service over the tiny LM; the model and its workers are freed when the scope ends. */
  static layer(config: LocalExecutorConfig): Layer.Layer<Executor, BackendError | ExecutorError> {
    return Layer.effect(
      Executor,
      Effect.gen(function* () {
        const { engine, info } = yield* Effect.acquireRelease(acquire(config), ({ engine }) => Effect.promise(() => engine.dispose()));
        return {
          info,
          sample: Effect.fn("Executor.sample")((rows: readonly SampleRow[], call: SampleCall) => wrap("sample", () => engine.sample(rows, call))),
          score: Effect.fn("Executor.score")((seqs: readonly Sequence[], options: { readonly model: ModelRole; readonly temperature: number }) =>
            wrap("score", () => engine.score(seqs, options.model, options.temperature)),
          ),
          train: Effect.fn("Executor.train")(function* (input: TrainInput) {
            const out = yield* wrap("train", () => engine.train(input));
            if (out instanceof NonFiniteError) return yield* out;
            return out;
          }),
          snapshotReference: wrap("snapshot", () => engine.snapshotReference()),
          exportState: wrap("export state", () => engine.exportState()),
          importState: (state: ExecutorState) => wrap("import state", async () => engine.importState(state)),
        };
      }),
    );
  }
}
