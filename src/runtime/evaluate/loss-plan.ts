/**
 * The loss plan: `loss` flattened into loss primitives with constant coefficients (the compiler
 * allows only sums and differences of losses and products or quotients with step-level constants),
 * each with what the training step needs per rollout and token: advantages broadcast from the
 * `adv` input's level, the `mask` input (dropped rollouts masked out), and prompt groups.
 */
import type { IrDocument, IrNode, JsonValue } from "../../compiler/ir/types.js";
import { tokenCount, type RolloutBatch } from "./batch.js";
import { UnsupportedNode } from "./errors.js";
import type { LevelIndex } from "./levels.js";
import { numericValue } from "./pass.js";
import { nonFiniteError } from "./taint.js";
import type { NumValue, Value } from "./values.js";

export type LossOp = "ppo_clip" | "reinforce" | "kl" | "entropy" | "sft";

export interface LossTerm {
  readonly op: LossOp;
  /** Signed coefficient of the term in `loss`. */
  readonly coef: number;
  /** The primitive's constant parameters; `seq_mean_token_sum_norm` gets `norm_length` (default max_tokens) filled in. */
  readonly params: Readonly<Record<string, JsonValue>>;
  /** The loss node's id. */
  readonly node: string;
  /** Per rollout (as in `batch.rollouts`), per response token; 0 where the mask is 0. Only for losses with an `adv` input. */
  readonly advantages?: Float32Array[];
  /** Per rollout, per token: 1 where the loss sees the token (the `mask` input, default 1; 0 for dropped rollouts). */
  readonly mask: Uint8Array[];
  /** Prompt index of each rollout (for `prompt_mean`). */
  readonly groups: number[];
}

export interface LossPlan {
  readonly terms: readonly LossTerm[];
}

const LOSS_OPS: ReadonlySet<string> = new Set<LossOp>(["ppo_clip", "reinforce", "kl", "entropy", "sft"]);

interface Scaled {
  readonly node: IrNode;
  readonly coef: number;
}

export function buildLossPlan(ir: IrDocument, batch: RolloutBatch, index: LevelIndex, values: ReadonlyMap<string, Value>): LossPlan {
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  const leaves = new Map<string, Scaled>();
  const input = (node: IrNode, port: string): IrNode => {
    const id = node.inputs.find((i) => i.port === port)?.node;
    const n = id === undefined ? undefined : byId.get(id);
    if (n === undefined) throw new UnsupportedNode(node.id, node.op, `no \`${port}\` input`);
    return n;
  };
  const scalar = (node: IrNode, of: IrNode): number => {
    const v = numericValue(values, node, "scale", of.id);
    if (v.set.levels.length !== 0) throw new UnsupportedNode(node.id, node.op, "a loss can only be scaled by a step-level constant");
    const s = v.data[0]!;
    const origin = v.taint?.get(0);
    if (origin !== undefined && (origin.reason === "computed" || !Number.isFinite(s))) throw nonFiniteError(index, origin);
    return s;
  };
  const walk = (node: IrNode, coef: number): void => {
    if (LOSS_OPS.has(node.op)) {
      const known = leaves.get(node.id);
      leaves.set(node.id, { node, coef: (known?.coef ?? 0) + coef });
      return;
    }
    switch (node.op) {
      case "total":
        return walk(input(node, "value"), coef);
      case "add":
      case "sub":
        walk(input(node, "lhs"), coef);
        return walk(input(node, "rhs"), node.op === "add" ? coef : -coef);
      case "neg":
        return walk(input(node, "x"), -coef);
      case "mul": {
        const [lhs, rhs] = [input(node, "lhs"), input(node, "rhs")];
        return lhs.dtype === "loss" ? walk(lhs, coef * scalar(node, rhs)) : walk(rhs, coef * scalar(node, lhs));
      }
      case "div": {
        const lhs = input(node, "lhs");
        if (lhs.dtype !== "loss") throw new UnsupportedNode(node.id, node.op, "only a loss divided by a constant is a loss");
        return walk(lhs, coef / scalar(node, input(node, "rhs")));
      }
      default:
        throw new UnsupportedNode(node.id, node.op, "not a loss primitive or a sum of scaled losses");
    }
  };
  const root = byId.get(ir.outputs.loss);
  if (root === undefined) throw new UnsupportedNode(ir.outputs.loss, "total", "the loss output is not a node");
  walk(root, 1);
  const groups = batch.rollouts.map((r) => r.prompt);
  return { terms: [...leaves.values()].map(({ node, coef }) => term(ir, node, coef, batch, index, values, groups)) };
}

function term(ir: IrDocument, node: IrNode, coef: number, batch: RolloutBatch, index: LevelIndex, values: ReadonlyMap<string, Value>, groups: number[]): LossTerm {
  const port = (name: string) => node.inputs.find((i) => i.port === name)?.node;
  const maskId = port("mask");
  const advId = port("adv");
  const mask = tokenMask(batch, index, maskId === undefined ? undefined : numericValue(values, node, "mask", maskId));
  const params: Record<string, JsonValue> = { ...node.params };
  if (params["agg"] === "seq_mean_token_sum_norm" && params["norm_length"] === undefined) params["norm_length"] = ir.rollout.max_tokens;
  const out: LossTerm = { op: node.op as LossOp, coef, params, node: node.id, mask, groups };
  if (advId === undefined) return out;
  const advNode = ir.nodes.find((n) => n.id === advId)!;
  return { ...out, advantages: tokenAdvantages(batch, index, advNode, numericValue(values, node, "adv", advId), mask) };
}

/** Per-token mask of every rollout; rollouts outside the view (dropped) are all 0. */
function tokenMask(batch: RolloutBatch, index: LevelIndex, value: NumValue | undefined): Uint8Array[] {
  const out = batch.rollouts.map((r) => new Uint8Array(tokenCount(r)));
  for (let v = 0; v < index.size; v++) {
    const row = out[index.view[v]!]!;
    if (value === undefined) {
      row.fill(1);
      continue;
    }
    for (let t = 0; t < row.length; t++) {
      const e = index.elementOf(value.set, v, t);
      const origin = value.taint?.get(e);
      if (origin?.reason === "computed") throw nonFiniteError(index, origin);
      row[t] = value.data[e] !== 0 ? 1 : 0;
    }
  }
  return out;
}

/** Advantages at every masked-in token; any non-finite one (or one derived from a fault) is an error. */
function tokenAdvantages(batch: RolloutBatch, index: LevelIndex, advNode: IrNode, adv: NumValue, mask: readonly Uint8Array[]): Float32Array[] {
  const out = batch.rollouts.map((r) => new Float32Array(tokenCount(r)));
  for (let v = 0; v < index.size; v++) {
    const r = index.view[v]!;
    const row = out[r]!;
    const m = mask[r]!;
    for (let t = 0; t < row.length; t++) {
      if (m[t] === 0) continue;
      const e = index.elementOf(adv.set, v, t);
      const a = adv.data[e]!;
      const origin = adv.taint?.get(e);
      if (origin !== undefined && (origin.reason === "computed" || !Number.isFinite(a))) throw nonFiniteError(index, origin);
      row[t] = a;
      if (!Number.isFinite(row[t]!)) {
        // Finite in float64 but beyond float32's range: the advantage node is where it went bad.
        throw nonFiniteError(index, { node: advNode, set: adv.set, index: e, value: row[t]!, reason: "computed" });
      }
    }
  }
  return out;
}
