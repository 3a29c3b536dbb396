/**
 * The IR: a checked pipeline as a typed dataflow graph, in a JSON-serialisable form. This is
 * what `rlp compile --emit ir` prints, what the graphology graph is built from, and what the
 * runtime executes. Its JSON Schema is `ir.schema.json`; documents are validated when read back.
 */

export const IR_FORMAT_VERSION = 1;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Value types. Non-numeric kinds (`model`, `dataset`, ...) flow only into primitives that take them. */
export type Dtype = "f32" | "i32" | "bool" | "text" | "model" | "dataset" | "optimizer" | "loss" | "alloc";

export interface IrSpan {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  /** 1-based, for people reading the JSON. */
  readonly line: number;
  readonly column: number;
}

export type NodeKind =
  | "model" // a policy or reference model (tiny_lm, frozen)
  | "data" // the prompt source (a task)
  | "field" // a rollout field: text, answer, target, tokens, logp, entropy, a level variable, a task field
  | "const" // a constant value
  | "op" // arithmetic, comparison, logic, `if`
  | "call" // an elementwise or group-aware primitive (exact_match, cos, group_norm, ...)
  | "reduce" // a group reduction: mean/std/min/max/sum/count(x by ... where ...)
  | "term" // a named reward or advantage term (identity; names the value for metrics)
  | "filter" // `keep groups where` with its refill budget
  | "loss" // a loss primitive (ppo_clip, kl, ...), or the sum that forms `loss`
  | "optimizer";

export interface IrInput {
  /** The argument this edge feeds: `lhs`/`rhs` for operators, parameter names for calls. */
  readonly port: string;
  readonly node: string;
}

export interface IrNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** The operation: `add`, `if`, `exact_match`, `mean`, `ppo_clip`, `tiny_lm`, a field name, ... */
  readonly op: string;
  /** The term or binding name, where the node is one. */
  readonly name?: string;
  readonly section: "model" | "data" | "rollout" | "reward" | "advantage" | "loss" | "optimize";
  readonly dtype: Dtype;
  /** The levels the value varies over (a subset of the hierarchy); `[]` is one value per step. */
  readonly level: readonly string[];
  /** Constant parameters, already validated against the primitive's JSON Schema. */
  readonly params: { readonly [key: string]: JsonValue };
  readonly inputs: readonly IrInput[];
  readonly span?: IrSpan;
}

/** A string with `{name}` holes filled per level value (prefills, prompts). */
export type IrTemplate = readonly ({ readonly text: string } | { readonly var: string })[];

export interface IrLevel {
  readonly name: string;
  readonly values: readonly (number | string)[];
  /** Rollouts per level value (innermost level only). */
  readonly samples?: number;
  readonly prefill?: IrTemplate;
  /** Per-value generation cap, already evaluated for each value (same order as `values`). */
  readonly max_tokens?: readonly number[];
  /** Per-value sampling temperature (0 = greedy), same order as `values`. */
  readonly temperature?: readonly number[];
}

export interface IrRollout {
  readonly prompts: number;
  /** A fixed group size, or an allocation rule evaluated per step (knapsack, ...). */
  readonly samples: number | { readonly rule: string; readonly params: { readonly [key: string]: JsonValue } };
  readonly temperature: number;
  readonly top_p: number;
  readonly max_tokens: number;
  readonly stop: readonly string[];
  readonly prefill?: IrTemplate;
  /** Forced prefill tokens (rollout and level prefills, SFT demonstrations' prefills) are trained on like sampled ones; false masks them out of every loss. */
  readonly train_prefill: boolean;
  readonly levels: readonly IrLevel[];
  readonly filters: readonly { readonly node: string; readonly refill: number }[];
  /** How a failing reward function is handled: fail the run, score it zero, or drop the rollout. */
  readonly on_reward_error: "fail" | "zero" | "drop";
}

export interface IrDocument {
  readonly format_version: typeof IR_FORMAT_VERSION;
  readonly rlp_version: string;
  readonly pipeline: string;
  readonly source: string;
  /** Levels from coarsest to finest: `prompt`, declared levels, `sample`, `token`. */
  readonly hierarchy: readonly string[];
  readonly rollout: IrRollout;
  /** Optimisation settings: `steps`, `seed`, the optimizer node's id, and the rest as written. */
  readonly optimize: { readonly [key: string]: JsonValue };
  readonly nodes: readonly IrNode[];
  readonly outputs: {
    readonly policy: string;
    readonly data: string;
    readonly loss: string;
    readonly optimizer: string;
    readonly reference?: string;
    /** Reward and advantage terms by name → node id (logged as metrics). */
    readonly terms: { readonly [name: string]: string };
  };
  /** SHA-256 of the canonical JSON of everything above except `rlp_version` and spans. */
  readonly hash: string;
}
