/**
 * The Executor service: what the scheduler asks of a model engine. Everything here is in token
 * ids and per-token arrays; rewards, advantages and masks are computed by the runtime and shipped
 * per token, as a remote engine (Tinker, an OpenAI-compatible server) would receive them.
 *
 * `train` is one optimiser update: forward over the rows, the loss built from the terms, backward,
 * gradient clipping and the optimiser step. Mini-batches and PPO epochs are several `train` calls.
 */
import { Context, type Effect } from "effect";
import type { BackendError, ExecutorError, NonFiniteError } from "./errors.js";

export interface SampleRow {
  /** Prompt token ids (at least one). */
  readonly prompt: ArrayLike<number>;
  /** Forced first response tokens (a level's prefill); part of the response. */
  readonly prefill: ArrayLike<number>;
  /** Most response tokens, prefill included. */
  readonly maxTokens: number;
  /** 0 samples greedily. */
  readonly temperature: number;
  readonly topP: number;
  readonly stop: readonly number[];
  /** Without a prefill, the ids the first response token is drawn among (the task's openings). */
  readonly openWith?: readonly number[];
}

export interface SampleCall {
  readonly seed: number;
  /**
   * Row i of the call draws from stream (seed, rowOffset + i): the scheduler numbers the rows of a
   * round globally, so splitting them over calls never changes what is sampled.
   */
  readonly rowOffset: number;
}

export interface Sampled {
  /** The response: the prefill, then the sampled tokens (a stop token is kept). */
  readonly tokens: Int32Array;
  readonly prefillLength: number;
  /** Behaviour log-prob per response token, at the row's temperature (1 for greedy rows). */
  readonly logp: Float32Array;
  readonly entropy: Float32Array;
  readonly finished: boolean;
}

export interface Sequence {
  readonly prompt: ArrayLike<number>;
  readonly response: ArrayLike<number>;
}

export type ModelRole = "policy" | "reference";

/** Per response token of each sequence. */
export interface TokenScores {
  readonly logp: Float32Array[];
  readonly entropy: Float32Array[];
}

export type AggName = "token_mean" | "seq_mean_token_mean" | "seq_mean_token_sum" | "seq_mean_token_sum_norm" | "prompt_mean";

interface TermBase {
  /** The IR loss node (for messages that name it). */
  readonly node: string;
  readonly coef: number;
  readonly agg: AggName;
  /** seq_mean_token_sum_norm's divisor. */
  readonly normLength?: number;
  /** Per row, per response token: 1 where this term sees the token. */
  readonly mask: readonly Float32Array[];
}

export type TrainTerm =
  | (TermBase & {
      readonly kind: "policy";
      readonly variant: "vanilla" | "gspo" | "cispo" | "sapo";
      readonly clipLow: number;
      readonly clipHigh: number;
      /** Dual-clip constant c (vanilla only; verl's default 3). */
      readonly dualClip: number;
      readonly advantages: readonly Float32Array[];
    })
  | (TermBase & { readonly kind: "reinforce"; readonly advantages: readonly Float32Array[] })
  | (TermBase & { readonly kind: "kl"; readonly estimator: "k1" | "k2" | "k3" | "abs" | "k1+" | "k2+" | "k3+" })
  | (TermBase & { readonly kind: "entropy" })
  | (TermBase & { readonly kind: "sft" });

export interface TrainRow extends Sequence {
  /** Behaviour log-probs of the response (the ratio's denominator). */
  readonly oldLogp: Float32Array;
  /** Reference log-probs of the response, when a KL term needs them. */
  readonly refLogp?: Float32Array;
  /** Prompt group of the row (prompt_mean aggregation). */
  readonly group: number;
}

export interface TrainInput {
  readonly rows: readonly TrainRow[];
  readonly terms: readonly TrainTerm[];
  /** Log-probs are computed from logits / temperature, as when sampling. */
  readonly temperature: number;
  /** The step, for error messages. */
  readonly step: number;
}

export interface TrainOutput {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  readonly lr: number;
  /** verl-named statistics of the terms: pg_loss, pg_clipfrac, ppo_kl, pg_clipfrac_lower, kl_loss, entropy, sft_loss. */
  readonly stats: Readonly<Record<string, number>>;
}

/** The executor's whole trainable state, for checkpoints: float tensors plus JSON metadata. */
export interface ExecutorState {
  readonly tensors: Readonly<Record<string, Float32Array>>;
  readonly meta: { readonly [key: string]: unknown };
}

export interface ExecutorInfo {
  readonly kind: string;
  readonly backend: string;
  readonly device: string;
  readonly model: string;
  readonly parameters: number;
  /** Longest prompt + response. */
  readonly maxSequence: number;
  /** Sample calls that may usefully run at once (1: one call at a time). */
  readonly concurrency: number;
  readonly versions: Readonly<Record<string, string>>;
}

export class Executor extends Context.Service<
  Executor,
  {
    readonly info: ExecutorInfo;
    readonly sample: (rows: readonly SampleRow[], call: SampleCall) => Effect.Effect<Sampled[], ExecutorError>;
    readonly score: (seqs: readonly Sequence[], options: { readonly model: ModelRole; readonly temperature: number }) => Effect.Effect<TokenScores, ExecutorError>;
    readonly train: (input: TrainInput) => Effect.Effect<TrainOutput, ExecutorError | NonFiniteError>;
    /** Copies the policy's current weights into the reference. */
    readonly snapshotReference: Effect.Effect<void, ExecutorError>;
    readonly exportState: Effect.Effect<ExecutorState, ExecutorError>;
    readonly importState: (state: ExecutorState) => Effect.Effect<void, ExecutorError>;
  }
>()("rlp/Executor") {}

export type ExecutorLayerError = BackendError | ExecutorError;
