/**
 * HIR: one pipeline with every name resolved. Imports are followed, the algorithm a pipeline
 * `uses` is instantiated (its parameters substituted, its members overridden by the pipeline's),
 * and each name in an expression points at what it means. Produced by `resolve.ts`.
 */
import type * as A from "./ast.js";
import type { Span } from "./source.js";

// ---------------------------------------------------------------- signatures of primitives

/** Base types in signatures; `num` accepts f32, i32 and bool; `any` accepts every value type. */
export type BaseType =
  | "f32"
  | "i32"
  | "bool"
  | "text"
  | "num"
  | "any"
  | "model"
  | "dataset"
  | "optimizer"
  | "loss"
  | "alloc"
  | "level"
  | "symbol"
  | "str"
  | "range"
  | "list";

export interface LevelConstraint {
  /** `step`, `prompt`, `sample` or `token`. */
  readonly level: "step" | "prompt" | "sample" | "token";
  /** `@sample+`: this level or a finer one. */
  readonly orFiner: boolean;
}

export interface ParamSig {
  readonly name: string;
  readonly type: BaseType;
  /** Compile-time parameters are validated by the function's JSON Schema. */
  readonly isConst: boolean;
  readonly level?: LevelConstraint;
  readonly default?: A.Expr;
  readonly span: Span;
}

export interface FunctionSig {
  readonly name: string;
  readonly module: string;
  readonly params: readonly ParamSig[];
  readonly returns: BaseType;
  readonly returnLevel?: LevelConstraint;
  /** Fields a `dataset` provides per prompt, e.g. `target: text`. */
  readonly fields: readonly { readonly name: string; readonly type: BaseType }[];
  readonly doc?: string;
  readonly span: Span;
}

// ---------------------------------------------------------------- resolved expressions

export type Ref =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "term"; readonly section: "reward" | "advantage"; readonly name: string }
  | { readonly kind: "const"; readonly name: string; readonly decl: Decl }
  | { readonly kind: "binding"; readonly name: string }
  | { readonly kind: "level"; readonly name: string }
  | { readonly kind: "levelName"; readonly name: string }
  | { readonly kind: "symbol"; readonly name: string };

export type ReduceOp = "mean" | "std" | "min" | "max" | "sum" | "count";

export interface HArg {
  readonly param: ParamSig;
  readonly value: HExpr;
  /** The argument as written (for spans); absent when a default was used. */
  readonly span?: Span;
}

export type HExpr =
  | { readonly kind: "number"; readonly value: number; readonly isInt: boolean; readonly span: Span }
  | { readonly kind: "string"; readonly parts: readonly (string | { readonly ref: Ref; readonly span: Span })[]; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "ref"; readonly ref: Ref; readonly span: Span }
  | { readonly kind: "unary"; readonly op: A.UnaryOp; readonly operand: HExpr; readonly opSpan: Span; readonly span: Span }
  | { readonly kind: "binary"; readonly op: A.BinaryOp; readonly left: HExpr; readonly right: HExpr; readonly opSpan: Span; readonly span: Span }
  | { readonly kind: "if"; readonly cond: HExpr; readonly then: HExpr; readonly else: HExpr; readonly span: Span }
  | { readonly kind: "call"; readonly fn: FunctionSig; readonly args: readonly HArg[]; readonly calleeSpan: Span; readonly span: Span }
  | {
      readonly kind: "reduce";
      readonly op: ReduceOp;
      readonly value: HExpr;
      readonly by: readonly A.Ident[];
      readonly where?: HExpr;
      /** The value of an empty group (after `where`); NaN when not given, 0 for sum and count. */
      readonly empty?: HExpr;
      readonly span: Span;
    }
  | { readonly kind: "list"; readonly items: readonly HExpr[]; readonly span: Span }
  | { readonly kind: "range"; readonly lo: HExpr; readonly hi: HExpr; readonly span: Span }
  | { readonly kind: "error"; readonly span: Span };

// ---------------------------------------------------------------- the resolved pipeline

export interface Decl {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: HExpr;
  readonly span: Span;
  /** `algorithm NAME` when the declaration came from an algorithm the pipeline uses. */
  readonly origin?: string;
}

export interface HLevel {
  readonly name: string;
  readonly nameSpan: Span;
  readonly values: HExpr;
  readonly settings: ReadonlyMap<string, Decl>;
  readonly span: Span;
}

export interface HFilter {
  readonly cond: HExpr;
  readonly refill?: HExpr;
  readonly span: Span;
}

export interface HRollout {
  readonly settings: ReadonlyMap<string, Decl>;
  /** Outermost first; each nests inside the previous one. */
  readonly levels: readonly HLevel[];
  readonly filters: readonly HFilter[];
  readonly span: Span;
}

export interface HPipeline {
  readonly name: string;
  readonly nameSpan: Span;
  readonly file: string;
  readonly span: Span;
  readonly consts: ReadonlyMap<string, Decl>;
  /** `policy`, `reference`, `data`, `loss`, and any other pipeline-level binding. */
  readonly bindings: ReadonlyMap<string, Decl>;
  readonly rollout?: HRollout;
  readonly reward: ReadonlyMap<string, Decl>;
  readonly advantage: ReadonlyMap<string, Decl>;
  readonly optimize: ReadonlyMap<string, Decl>;
  readonly optimizeSpan?: Span;
  /** Fields the dataset provides per prompt (from the data constructor's signature). */
  readonly dataFields: ReadonlyMap<string, BaseType>;
  /** Constants declared at module level (this file's and the stdlib's) that the pipeline uses. */
  readonly moduleConsts: ReadonlyMap<string, Decl>;
  /** Its algorithm could not be instantiated (already reported); missing members are not reported again. */
  readonly incomplete: boolean;
}

/** Rollout fields every pipeline has, with their types and levels. */
export const BUILTIN_FIELDS: ReadonlyMap<string, { readonly type: BaseType; readonly level: "prompt" | "sample" | "token"; readonly doc: string }> = new Map([
  ["text", { type: "text", level: "sample", doc: "the response text (prefill included)" }],
  ["answer", { type: "text", level: "sample", doc: "the answer extracted from the response by the task" }],
  ["tokens", { type: "i32", level: "sample", doc: "the response length in tokens (prefill included)" }],
  ["finished", { type: "bool", level: "sample", doc: "the response ended with a stop token rather than at max_tokens" }],
  ["logp", { type: "f32", level: "token", doc: "the sampling policy's log-probability of each response token" }],
  ["entropy", { type: "f32", level: "token", doc: "the sampling policy's entropy at each response token" }],
  ["prompt_tokens", { type: "i32", level: "prompt", doc: "the prompt length in tokens" }],
] as const);

export const REDUCTIONS: ReadonlySet<string> = new Set(["mean", "std", "min", "max", "sum", "count"]);
