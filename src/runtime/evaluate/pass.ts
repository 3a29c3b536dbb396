/**
 * One evaluation pass: every planned node in topological order over one view of the batch (the
 * rollouts not dropped), each node vectorised over the elements of its level set. Reward-function
 * failures are handled here per `on_reward_error`; dropped rollouts are only collected, and the
 * driver (evaluate.ts) runs another pass without them so that no reduction sees them.
 */
import type { IrDocument, IrNode, IrSpan } from "../../compiler/ir/types.js";
import { evalCall, type Guard } from "./calls.js";
import type { EvalEnv } from "./env.js";
import { NonFiniteValue, RewardFunctionFailed, UnsupportedNode } from "./errors.js";
import { evalConst, evalField } from "./fields.js";
import type { LevelIndex, LevelSet } from "./levels.js";
import { evalOp } from "./ops.js";
import { evalReduce } from "./reduce.js";
import { firstFault, nonFiniteError } from "./taint.js";
import { broadcast, type NumValue, type Value } from "./values.js";

/** A reward function that failed on one element under `on_reward_error: zero | drop`. */
export interface RewardError {
  readonly nodeId: string;
  readonly op: string;
  readonly span?: IrSpan;
  /** Index into `batch.rollouts` (the first rollout of the failing element). */
  readonly rollout: number;
  readonly message: string;
  /** `zero`: the element was scored 0; `drop`: every rollout of the element left the step. */
  readonly action: "zero" | "drop";
}

export interface PassResult {
  readonly index: LevelIndex;
  readonly values: ReadonlyMap<string, Value>;
  readonly rewardErrors: readonly RewardError[];
  /** Rollouts (indices into `batch.rollouts`) to drop, found in this pass. */
  readonly drops: ReadonlySet<number>;
  /** Under `drop`, the first non-finite fault is held back until no more rollouts are dropped. */
  readonly fault?: NonFiniteValue;
}

const OPAQUE = new Set(["model", "dataset", "optimizer", "loss", "alloc"]);

/** Whether the evaluator computes a value for the node (models, data, optimisers and losses it does not). */
export function isEvaluable(node: IrNode): boolean {
  return !OPAQUE.has(node.dtype) && node.kind !== "model" && node.kind !== "data" && node.kind !== "optimizer" && node.kind !== "loss";
}

export function runPass(ir: IrDocument, nodes: readonly IrNode[], index: LevelIndex, env: EvalEnv): PassResult {
  const policy = ir.rollout.on_reward_error;
  const values = new Map<string, Value>();
  const rewardErrors: RewardError[] = [];
  const drops = new Set<number>();
  let fault: NonFiniteValue | undefined;
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));

  const guard: Guard = {
    element(node, set, f, run, fallback) {
      try {
        return run();
      } catch (e) {
        const covered = index.rolloutsOf(set, f).map((v) => index.view[v]!);
        const rollout = covered[0] ?? -1;
        const message = e instanceof Error ? e.message : String(e);
        if (policy === "fail") throw new RewardFunctionFailed(node.id, node.op, node.span, rollout, message, e);
        rewardErrors.push({ nodeId: node.id, op: node.op, ...(node.span ? { span: node.span } : {}), rollout, message, action: policy });
        if (policy === "drop") for (const r of covered) drops.add(r);
        return fallback;
      }
    },
  };

  const sink = (value: Value, nonFiniteToo: boolean) => {
    if (value.kind !== "num" || fault !== undefined) return;
    let origin = firstFault(value);
    if (origin === undefined && nonFiniteToo) {
      for (let f = 0; f < value.data.length && origin === undefined; f++) if (!Number.isFinite(value.data[f]!)) origin = value.taint?.get(f);
    }
    if (origin === undefined) return;
    const error = nonFiniteError(index, origin);
    // Under `drop`, a later failure may remove the rollout behind this value; decide after the pass.
    if (policy === "drop") fault = error;
    else throw error;
  };

  const inputsOf = (node: IrNode, set: LevelSet | undefined): Map<string, Value> => {
    const out = new Map<string, Value>();
    for (const input of node.inputs) {
      const producer = byId.get(input.node);
      if (producer === undefined || !isEvaluable(producer)) continue;
      const v = values.get(input.node);
      if (v === undefined) throw new UnsupportedNode(node.id, node.op, `input \`${input.port}\` (${input.node}) has no value`);
      out.set(input.port, set === undefined ? v : broadcast(index, v, set));
    }
    return out;
  };

  const evalNode = (node: IrNode, set: LevelSet): Value => {
    switch (node.kind) {
      case "const":
        return evalConst(node, set);
      case "field":
        return evalField(node, set, index, env, guard);
      case "op":
        return evalOp(node, set, inputsOf(node, set), index);
      case "call":
        return evalCall(node, set, inputsOf(node, set), { index, env, guard });
      case "reduce": {
        const inputs = inputsOf(node, undefined);
        return evalReduce(node, set, inputs.get("value"), inputs.get("where"), index);
      }
      case "term":
      case "filter": {
        const value = inputsOf(node, set).get(node.kind === "term" ? "value" : "cond");
        if (value === undefined) throw new UnsupportedNode(node.id, node.op, "no input value");
        sink(value, node.kind === "filter");
        return value;
      }
      default:
        throw new UnsupportedNode(node.id, node.op, `node kind \`${node.kind}\` has no value`);
    }
  };

  for (const node of nodes) {
    try {
      values.set(node.id, evalNode(node, index.set(node.level)));
    } catch (e) {
      // The level index throws RangeError when a value would go to a level set that does not contain
      // its own, which the compiler's level checks rule out; name the node if it happens anyway.
      if (e instanceof RangeError) throw new UnsupportedNode(node.id, node.op, e.message);
      throw e;
    }
  }
  return { index, values, rewardErrors, drops, ...(fault ? { fault } : {}) };
}

/** A numeric value or a typed error naming the node. */
export function numericValue(values: ReadonlyMap<string, Value>, node: IrNode, port: string, id: string): NumValue {
  const v = values.get(id);
  if (v === undefined || v.kind !== "num") throw new UnsupportedNode(node.id, node.op, `\`${port}\` (${id}) is not a numeric value`);
  return v;
}
