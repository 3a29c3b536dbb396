/**
 * Typed failures of the evaluator. Each is an Error subclass with a `_tag`, so the runtime can branch
 * on the kind of failure (and wrap it in Effect) without matching message strings.
 */
import type { IrSpan } from "../../compiler/ir/types.js";

/** A level key of one element: `{ prompt: 3, budget: 16, sample: 1 }` (`token` is a position). */
export type ElementKey = Readonly<Record<string, number | string>>;

function where(span: IrSpan | undefined): string {
  return span === undefined ? "" : ` at ${span.file}:${span.line}:${span.column}`;
}

function keyText(key: ElementKey): string {
  const parts = Object.entries(key).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? "the step" : parts.join(", ");
}

/**
 * A node produced NaN or ±Inf where the maths did not ask for it (0/0, log of a negative, ...), and
 * the value reached a term, a filter or a loss; or an empty-group NaN (`reason: "empty-group"`)
 * reached a loss input. Names the node where the value first went bad, not where it was noticed.
 */
export class NonFiniteValue extends Error {
  readonly _tag = "NonFiniteValue" as const;
  readonly nodeId: string;
  readonly op: string;
  /** The node's term or binding name (`name` itself is Error's class name). */
  readonly nodeName: string | undefined;
  readonly span: IrSpan | undefined;
  /** Element index within the node's level. */
  readonly index: number;
  /** The node's level (its axes). */
  readonly level: readonly string[];
  /** The element's level values. */
  readonly element: ElementKey;
  readonly value: number;
  /** `computed`: the maths produced it; `empty-group`: a reduction over an empty group (or `std` of one value). */
  readonly reason: "computed" | "empty-group";
  constructor(f: Omit<NonFiniteValue, "_tag" | keyof Error>) {
    const label = f.nodeName === undefined ? `${f.nodeId} (${f.op})` : `${f.nodeId} (${f.op} \`${f.nodeName}\`)`;
    const why = f.reason === "empty-group" ? " (an empty group, or std of a single value)" : "";
    super(`node ${label}${where(f.span)} is ${String(f.value)} for ${keyText(f.element)}${why}`);
    this.name = "NonFiniteValue";
    this.nodeId = f.nodeId;
    this.op = f.op;
    this.nodeName = f.nodeName;
    this.span = f.span;
    this.index = f.index;
    this.level = f.level;
    this.element = f.element;
    this.value = f.value;
    this.reason = f.reason;
  }
}

/** A reward function (task or environment code) threw on one element, under `on_reward_error: fail`. */
export class RewardFunctionFailed extends Error {
  readonly _tag = "RewardFunctionFailed" as const;
  constructor(
    readonly nodeId: string,
    readonly op: string,
    readonly span: IrSpan | undefined,
    /** Index into `batch.rollouts` (the first rollout of the failing element). */
    readonly rollout: number,
    /** What the function threw (its message); `message` adds the node and rollout. */
    readonly detail: string,
    override readonly cause: unknown,
  ) {
    super(`${op} (node ${nodeId}${where(span)}) failed on rollout ${rollout}: ${detail}`);
    this.name = "RewardFunctionFailed";
  }
}

/** The batch does not fit the IR: a missing level value, ragged per-token arrays, duplicate rollouts, ... */
export class InvalidBatch extends Error {
  readonly _tag = "InvalidBatch" as const;
  constructor(
    readonly detail: string,
    readonly rollout?: number,
  ) {
    super(rollout === undefined ? `invalid batch: ${detail}` : `invalid batch: rollout ${rollout}: ${detail}`);
    this.name = "InvalidBatch";
  }
}

/** Something a node needs is not in the batch or the environment (reference log-probs, a task function). */
export class MissingInput extends Error {
  readonly _tag = "MissingInput" as const;
  constructor(
    readonly nodeId: string,
    readonly op: string,
    readonly what: string,
  ) {
    super(`${op} (node ${nodeId}) needs ${what}`);
    this.name = "MissingInput";
  }
}

/** A node the evaluator cannot run: an unknown function, a non-scalar constant used as a value, a level mismatch. */
export class UnsupportedNode extends Error {
  readonly _tag = "UnsupportedNode" as const;
  constructor(
    readonly nodeId: string,
    readonly op: string,
    readonly detail: string,
  ) {
    super(`cannot evaluate node ${nodeId} (${op}): ${detail}`);
    this.name = "UnsupportedNode";
  }
}

/** A group-level primitive rejected its input as a whole (e.g. `whiten` of fewer than two values). */
export class PrimitiveFailed extends Error {
  readonly _tag = "PrimitiveFailed" as const;
  constructor(
    readonly nodeId: string,
    readonly op: string,
    readonly span: IrSpan | undefined,
    override readonly cause: unknown,
  ) {
    super(`${op} (node ${nodeId}${where(span)}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "PrimitiveFailed";
  }
}

export type EvalError = NonFiniteValue | RewardFunctionFailed | InvalidBatch | MissingInput | UnsupportedNode | PrimitiveFailed;
