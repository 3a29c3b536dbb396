/**
 * Evaluating a compiled pipeline's reward/advantage graph on the rollouts of one step: every node
 * but models, data, optimisers and losses, in topological order (irLayers), in float64, vectorised
 * per node over its level's elements. Produces the terms, the filter decisions, the loss plan the
 * training step consumes, and step metrics.
 *
 * Under `on_reward_error: drop`, a pass that drops rollouts is followed by another without them, so
 * that they are excluded from every reduction (also ones computed before the failure was seen).
 */
import { irLayers } from "../../compiler/ir/graph.js";
import type { IrDocument, IrNode } from "../../compiler/ir/types.js";
import { validateBatch, type RolloutBatch } from "./batch.js";
import type { EvalEnv } from "./env.js";
import { buildLossPlan, type LossPlan } from "./loss-plan.js";
import { LevelIndex, viewWithout } from "./levels.js";
import { computeMetrics } from "./metrics.js";
import { isEvaluable, runPass, type PassResult, type RewardError } from "./pass.js";
import type { Value } from "./values.js";

export interface EvalResult {
  /** The value of every evaluated node, by node id, over `index` (the rollouts not dropped). */
  readonly values: ReadonlyMap<string, Value>;
  readonly index: LevelIndex;
  /** Reward and advantage terms by name. */
  readonly terms: Readonly<Record<string, Value>>;
  /** Per prompt: kept by every filter (see evaluateFilters). */
  readonly keep: readonly boolean[];
  readonly loss: LossPlan;
  readonly metrics: Readonly<Record<string, number>>;
  readonly rewardErrors: readonly RewardError[];
  /** Per rollout: dropped under `on_reward_error: drop`. */
  readonly dropped: readonly boolean[];
}

export interface FilterResult {
  /** Per prompt of the batch: whether every filter keeps its group (a prompt without rollouts is kept only when there are no filters). */
  readonly keep: boolean[];
  readonly rewardErrors: readonly RewardError[];
}

/** Evaluates the whole graph and builds the loss plan and metrics. Throws the typed errors of errors.ts. */
export function evaluate(ir: IrDocument, batch: RolloutBatch, env: EvalEnv = {}): EvalResult {
  const roots = [...Object.values(ir.outputs.terms), ...ir.rollout.filters.map((f) => f.node), ir.outputs.loss];
  const { pass, dropped, rewardErrors } = settle(ir, batch, env, plan(ir, roots));
  const terms: Record<string, Value> = {};
  for (const [name, id] of Object.entries(ir.outputs.terms)) {
    const v = pass.values.get(id);
    if (v !== undefined) terms[name] = v;
  }
  return {
    values: pass.values,
    index: pass.index,
    terms,
    keep: keepOf(ir, batch, pass),
    loss: buildLossPlan(ir, batch, pass.index, pass.values),
    metrics: computeMetrics(ir, pass.index, pass.values),
    rewardErrors,
    dropped: batch.rollouts.map((_, i) => dropped.has(i)),
  };
}

/**
 * Only the filters (`keep groups where ...`) and what they depend on, so the runtime can drop
 * groups and refill the batch before the full evaluation.
 */
export function evaluateFilters(ir: IrDocument, batch: RolloutBatch, env: EvalEnv = {}): FilterResult {
  const { pass, rewardErrors } = settle(ir, batch, env, plan(ir, ir.rollout.filters.map((f) => f.node)));
  return { keep: keepOf(ir, batch, pass), rewardErrors };
}

/** The evaluable ancestors of `roots` (roots included), in topological order. */
function plan(ir: IrDocument, roots: readonly string[]): IrNode[] {
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  const needed = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const input of byId.get(id)?.inputs ?? []) stack.push(input.node);
  }
  return irLayers(ir)
    .flat()
    .filter((id) => needed.has(id))
    .map((id) => byId.get(id)!)
    .filter(isEvaluable);
}

/** Passes until no more rollouts are dropped; then a held-back fault is thrown. */
function settle(ir: IrDocument, batch: RolloutBatch, env: EvalEnv, nodes: readonly IrNode[]): { pass: PassResult; dropped: Set<number>; rewardErrors: RewardError[] } {
  validateBatch(ir, batch);
  const dropped = new Set<number>();
  const rewardErrors: RewardError[] = [];
  for (;;) {
    const index = new LevelIndex(ir.hierarchy, batch, viewWithout(batch.rollouts.length, dropped));
    const pass = runPass(ir, nodes, index, env);
    rewardErrors.push(...pass.rewardErrors);
    if (pass.drops.size > 0) {
      for (const r of pass.drops) dropped.add(r);
      continue;
    }
    if (pass.fault !== undefined) throw pass.fault;
    return { pass, dropped, rewardErrors };
  }
}

function keepOf(ir: IrDocument, batch: RolloutBatch, pass: PassResult): boolean[] {
  const keep = batch.prompts.map(() => ir.rollout.filters.length === 0);
  if (ir.rollout.filters.length === 0) return keep;
  const decided = batch.prompts.map(() => true);
  const seen = new Set<number>();
  const prompts = pass.index.set(["prompt"]);
  for (const { node } of ir.rollout.filters) {
    const v = pass.values.get(node);
    if (v === undefined || v.kind !== "num") continue;
    const map = pass.index.projection(v.set, prompts);
    for (let e = 0; e < prompts.size; e++) {
      const p = pass.index.rollout(prompts.rep[e]!).prompt;
      seen.add(p);
      if (v.data[map[e]!] === 0) decided[p] = false;
    }
  }
  for (const p of seen) keep[p] = decided[p]!;
  return keep;
}

/** A value at rollout level or coarser, per rollout of the batch (NaN for dropped rollouts). */
export function rolloutValues(result: Pick<EvalResult, "index">, value: Value): Float64Array {
  const { index } = result;
  const out = new Float64Array(index.batch.rollouts.length).fill(NaN);
  if (value.kind !== "num" || value.set.token) throw new RangeError("rolloutValues needs a numeric value without the token level");
  for (let v = 0; v < index.size; v++) out[index.view[v]!] = value.data[index.elementOf(value.set, v, 0)]!;
  return out;
}

/** A value at prompt level or coarser, per prompt of the batch (NaN for prompts without rollouts). */
export function promptValues(result: Pick<EvalResult, "index">, value: Value): Float64Array {
  const { index } = result;
  const out = new Float64Array(index.batch.prompts.length).fill(NaN);
  if (value.kind !== "num" || !value.set.levels.every((l) => l === "prompt")) throw new RangeError("promptValues needs a numeric value at prompt level or coarser");
  for (let v = 0; v < index.size; v++) out[index.rollout(v).prompt] = value.data[index.elementOf(value.set, v, 0)]!;
  return out;
}
