/**
 * Primitive calls (`call` nodes) of std.math, std.rewards, std.advantages and `kl_penalty`. Value
 * inputs arrive by parameter name, broadcast to the node's level set; constant parameters are in
 * `node.params` (validated, defaults filled by the compiler; the defaults below only repeat the
 * stdlib's for hand-made IR). The maths of rewards and advantages is the shared primitives'.
 */
import type { IrNode, JsonValue } from "../../compiler/ir/types.js";
import { groupNormalize, type GroupCentre } from "../primitives/advantage/group-norm.js";
import { maskedWhiten } from "../primitives/advantage/masked.js";
import { hbpoF1, hbpoF2 } from "../primitives/reward/hbpo-budget.js";
import { dapoOverlongPenalty } from "../primitives/reward/overlong.js";
import type { EvalEnv } from "./env.js";
import { MissingInput, PrimitiveFailed, UnsupportedNode } from "./errors.js";
import { isKlValueEstimator, klEstimate } from "./kl.js";
import type { LevelIndex, LevelSet } from "./levels.js";
import { groupMembers } from "./reduce.js";
import { elementwiseTaint, groupTaint } from "./taint.js";
import { num, text, type NumValue, type TextValue, type Value } from "./values.js";

/** Runs one element of a function that may fail on bad input, applying `on_reward_error`. */
export interface Guard {
  element<T>(node: IrNode, set: LevelSet, f: number, run: () => T, fallback: T): T;
}

export interface CallContext {
  readonly index: LevelIndex;
  readonly env: EvalEnv;
  readonly guard: Guard;
}

type Unary = (x: number) => number;

const MATH1: Readonly<Record<string, Unary>> = {
  abs: (x) => Math.abs(x),
  cos: (x) => Math.cos(x),
  sin: (x) => Math.sin(x),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  indicator: (c) => (c !== 0 ? 1 : 0),
};

const MATH2: Readonly<Record<string, readonly [string, string, (a: number, b: number) => number]>> = {
  pow: ["x", "y", (x, y) => x ** y],
  minimum: ["a", "b", (a, b) => Math.min(a, b)],
  maximum: ["a", "b", (a, b) => Math.max(a, b)],
};

function param(node: IrNode, name: string): JsonValue | undefined {
  return node.params[name];
}

function numParam(node: IrNode, name: string, fallback?: number): number {
  const v = param(node, name) ?? fallback;
  if (typeof v !== "number") throw new UnsupportedNode(node.id, node.op, `parameter \`${name}\` must be a number`);
  return v;
}

function numIn(node: IrNode, inputs: ReadonlyMap<string, Value>, port: string): NumValue {
  const v = inputs.get(port);
  if (v === undefined) throw new UnsupportedNode(node.id, node.op, `no value for \`${port}\``);
  if (v.kind !== "num") throw new UnsupportedNode(node.id, node.op, `\`${port}\` is text, a number is needed`);
  return v;
}

function textIn(node: IrNode, inputs: ReadonlyMap<string, Value>, port: string): TextValue {
  const v = inputs.get(port);
  if (v === undefined) throw new UnsupportedNode(node.id, node.op, `no value for \`${port}\``);
  return v.kind === "text" ? v : { kind: "text", set: v.set, data: Array.from(v.data, String) };
}

function mapNum(node: IrNode, set: LevelSet, args: readonly NumValue[], fn: (a: number, b: number, c: number) => number): NumValue {
  const out = new Float64Array(set.size);
  const [a, b, c] = [args[0]?.data, args[1]?.data, args[2]?.data];
  for (let f = 0; f < out.length; f++) out[f] = fn(a?.[f] ?? 0, b?.[f] ?? 0, c?.[f] ?? 0);
  return num(set, out, elementwiseTaint(node, set, out, args));
}

export function evalCall(node: IrNode, set: LevelSet, inputs: ReadonlyMap<string, Value>, ctx: CallContext): Value {
  const op = node.op;
  const m1 = MATH1[op];
  if (m1 !== undefined) return mapNum(node, set, [numIn(node, inputs, op === "indicator" ? "cond" : "x")], m1);
  const m2 = MATH2[op];
  if (m2 !== undefined) return mapNum(node, set, [numIn(node, inputs, m2[0]), numIn(node, inputs, m2[1])], m2[2]);
  switch (op) {
    case "clip":
      return mapNum(node, set, [numIn(node, inputs, "x"), numIn(node, inputs, "lo"), numIn(node, inputs, "hi")], (x, lo, hi) => Math.min(Math.max(x, lo), hi));
    case "clip_adv": {
      const limit = numParam(node, "limit", 5);
      return mapNum(node, set, [numIn(node, inputs, "x")], (x) => Math.min(Math.max(x, -limit), limit));
    }
    case "overlong": {
      const spec = { maxLength: numParam(node, "max"), bufferLength: numParam(node, "buffer"), penaltyFactor: numParam(node, "factor", 1) };
      return mapNum(node, set, [numIn(node, inputs, "tokens")], (n) => dapoOverlongPenalty(n, spec));
    }
    case "hbpo_budget": {
      const L = numParam(node, "max");
      const p = { beta: numParam(node, "beta", 4), L, alpha: numParam(node, "alpha", 1 / L), pi: param(node, "pi_approx") === true ? 3.1416 : Math.PI };
      const code = param(node, "variant") === "code";
      // Correctness and format are the pipeline's surrounding `if`s; this is the length shaping only,
      // the same rule as hbpoBudgetReward: `code` pays min(f1, f2), `paper` f2 within the budget, f1 beyond.
      return mapNum(node, set, [numIn(node, inputs, "tokens"), numIn(node, inputs, "budget")], (n, b) => {
        const f1 = hbpoF1(n, b, p);
        const f2 = hbpoF2(b, p);
        return code ? Math.min(f1, f2) : n > b ? f1 : f2;
      });
    }
    case "hbpo_f2": {
      const p = { beta: numParam(node, "beta", 4), L: numParam(node, "max"), pi: param(node, "pi_approx") === true ? 3.1416 : Math.PI };
      return mapNum(node, set, [numIn(node, inputs, "budget")], (b) => hbpoF2(b, p));
    }
    case "exact_match": {
      const answer = textIn(node, inputs, "answer");
      const target = textIn(node, inputs, "target");
      const out = new Float64Array(set.size);
      for (let f = 0; f < out.length; f++) out[f] = answer.data[f] === target.data[f] ? 1 : 0;
      return num(set, out);
    }
    case "well_formed": {
      const task = ctx.env.task;
      if (task === undefined) throw new MissingInput(node.id, op, "the task's wellFormed function (EvalEnv.task)");
      const t = textIn(node, inputs, "text");
      const out = new Float64Array(set.size);
      for (let f = 0; f < out.length; f++) out[f] = ctx.guard.element(node, set, f, () => task.wellFormed(t.data[f]!), false) ? 1 : 0;
      return num(set, out);
    }
    case "group_norm":
      return groupNorm(node, set, numIn(node, inputs, "x"), ctx.index);
    case "whiten":
      return whiten(node, set, numIn(node, inputs, "x"));
    case "kl_penalty":
      return klPenalty(node, set, ctx.index);
    default:
      return external(node, set, inputs, ctx);
  }
}

const CENTRES: Readonly<Record<string, GroupCentre>> = { mean: "mean", loo: "leave-one-out", none: "none" };

/** groupNormalize over the groups of `by`: x's element keys projected onto the `by` levels. */
function groupNorm(node: IrNode, set: LevelSet, x: NumValue, index: LevelIndex): NumValue {
  const byParam = param(node, "by") ?? "prompt";
  const by = typeof byParam === "string" ? [byParam] : Array.isArray(byParam) ? byParam.map(String) : [];
  if (!by.every((l) => set.levels.includes(l))) throw new UnsupportedNode(node.id, node.op, `\`by: ${by.join(", ")}\` is not a level of the value`);
  const centre = CENTRES[String(param(node, "center") ?? "mean")];
  if (centre === undefined) throw new UnsupportedNode(node.id, node.op, `unknown center ${JSON.stringify(param(node, "center"))}`);
  const groupSet = index.set(by);
  const groups = index.projection(groupSet, set);
  const out = Float64Array.from(
    groupNormalize(Array.from(x.data), Array.from(groups), { centre, scale: param(node, "scale") === false ? "none" : "std", eps: numParam(node, "eps", 1e-6) }),
  );
  const members = groupMembers(groups, groupSet.size);
  return num(set, out, groupTaint(node, set, out, (f) => groups[f]!, members, x, () => true, [], () => false));
}

/** Whitening over every element of x (REINFORCE++): verl's masked_whiten with an all-ones mask. */
function whiten(node: IrNode, set: LevelSet, x: NumValue): NumValue {
  let rows: number[][];
  try {
    rows = maskedWhiten([Array.from(x.data)], [new Array<number>(x.data.length).fill(1)], { eps: numParam(node, "eps", 1e-8) });
  } catch (e) {
    throw new PrimitiveFailed(node.id, node.op, node.span, e);
  }
  const out = Float64Array.from(rows[0]!);
  const all = [Array.from(out.keys())];
  return num(set, out, groupTaint(node, set, out, () => 0, all, x, () => true, [], () => false));
}

/** verl's per-token KL between the sampling policy (the batch's logp) and the reference (refLogp). */
function klPenalty(node: IrNode, set: LevelSet, index: LevelIndex): NumValue {
  const estimator = param(node, "estimator") ?? "k1";
  if (!isKlValueEstimator(estimator)) throw new UnsupportedNode(node.id, node.op, `unknown estimator ${JSON.stringify(estimator)}`);
  if (!set.token) throw new UnsupportedNode(node.id, node.op, "kl_penalty is per token");
  const out = new Float64Array(set.size);
  for (let f = 0; f < out.length; f++) {
    const r = index.rollout(set.rep[f]!);
    if (r.refLogp === undefined) throw new MissingInput(node.id, node.op, `reference log-probs (refLogp) of rollout ${index.view[set.rep[f]!]}`);
    const t = set.pos![f]!;
    out[f] = klEstimate(r.logp[t]!, r.refLogp[t]!, estimator);
  }
  return num(set, out, elementwiseTaint(node, set, out, []));
}

/** A function from EvalEnv.functions, per element; a failure follows `on_reward_error`. */
function external(node: IrNode, set: LevelSet, inputs: ReadonlyMap<string, Value>, ctx: CallContext): Value {
  const fn = ctx.env.functions?.[node.op];
  if (fn === undefined) throw new UnsupportedNode(node.id, node.op, "no built-in and no EvalEnv.functions entry for this function");
  const ports = [...inputs.entries()];
  const results = new Array<number | boolean | string>(set.size);
  for (let f = 0; f < set.size; f++) {
    const args: Record<string, number | string> = {};
    for (const [port, v] of ports) args[port] = v.data[f]!;
    results[f] = ctx.guard.element(node, set, f, () => fn(args, node.params), node.dtype === "text" ? "" : 0);
  }
  if (node.dtype === "text") return text(set, results.map(String));
  const out = Float64Array.from(results, (v) => (typeof v === "boolean" ? (v ? 1 : 0) : Number(v)));
  return num(set, out, elementwiseTaint(node, set, out, ports.flatMap(([, v]) => (v.kind === "num" ? [v] : []))));
}
