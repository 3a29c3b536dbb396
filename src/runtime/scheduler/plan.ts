/**
 * The run plan: what the scheduler needs from the IR, resolved once and checked before any compute
 * is spent. Rollout expansion (levels × samples, prefills, per-level caps and temperatures), the
 * allocation rule, filters, which models a step scores with, the optimiser and its settings.
 */
import type { IrDocument, IrNode, IrTemplate, JsonValue } from "../../compiler/ir/types.js";
import type { KnapsackParams } from "../primitives/index.js";
import type { OptimizerConfig } from "../executor/local.js";
import { PlanError } from "../services/errors.js";

/** One combination of declared level values, with what it means for sampling. */
export interface LevelCombo {
  readonly values: Readonly<Record<string, number | string>>;
  /** Rollout prefill then each level's prefill, `{var}`s filled in. */
  readonly prefill: string;
  readonly maxTokens: number;
  readonly temperature: number;
}

export type SampleRule = { readonly kind: "fixed"; readonly n: number } | { readonly kind: "knapsack"; readonly total: number; readonly params: Partial<KnapsackParams> };

const LOSS_OPS = new Set(["ppo_clip", "reinforce", "kl", "entropy", "sft"]);

export interface RunPlan {
  readonly ir: IrDocument;
  readonly prompts: number;
  readonly combos: readonly LevelCombo[];
  readonly samples: SampleRule;
  readonly topP: number;
  readonly stop: readonly string[];
  readonly filters: readonly { readonly node: string; readonly refill: number }[];
  /** Extra sampling rounds a step may take to fill its batch with kept groups. */
  readonly refill: number;
  readonly onRewardError: "fail" | "zero" | "drop";
  /** Forced prefill tokens are trained on like sampled ones (`rollout { train_prefill = true }`). */
  readonly trainPrefill: boolean;
  /** A reference model is scored (KL in the loss or in the reward). */
  readonly usesReference: boolean;
  /** Loss primitives present, by op. */
  readonly lossOps: ReadonlySet<string>;
  /** The loss is SFT only: steps train on demonstrations and sample nothing. */
  readonly sftOnly: boolean;
  /** Log-probs are computed at this temperature in training (greedy rows count as 1). */
  readonly trainTemperature: number;
  readonly policy: { readonly node: string; readonly preset: string; readonly seed: number; readonly from: string; readonly backend: string };
  readonly optimizer: OptimizerConfig;
  readonly gradClip?: number;
  readonly ppoEpochs: number;
  readonly miniBatches: number;
  readonly checkpointEvery?: number;
  readonly steps: number;
  readonly seed: number;
  readonly backend?: string;
}

function num(v: JsonValue | undefined, fallback: number): number {
  return typeof v === "number" ? v : fallback;
}

function fillTemplate(t: IrTemplate | undefined, values: Readonly<Record<string, number | string>>): string {
  if (t === undefined) return "";
  return t
    .map((part) => {
      if ("text" in part) return part.text;
      const v = values[part.var];
      if (v === undefined) throw new PlanError({ message: `the prefill uses \`{${part.var}}\`, which is not a declared level`, help: "prefills may use the variables of the levels that enclose them" });
      return String(v);
    })
    .join("");
}

function combos(ir: IrDocument): LevelCombo[] {
  const r = ir.rollout;
  let out: { values: Record<string, number | string>; maxTokens: number; temperature: number; templates: IrTemplate[] }[] = [
    { values: {}, maxTokens: r.max_tokens, temperature: r.temperature, templates: [] },
  ];
  for (const level of r.levels) {
    out = out.flatMap((c) =>
      level.values.map((v, i) => ({
        values: { ...c.values, [level.name]: v },
        maxTokens: Math.min(c.maxTokens, level.max_tokens?.[i] ?? c.maxTokens),
        temperature: level.temperature?.[i] ?? c.temperature,
        templates: level.prefill === undefined ? c.templates : [...c.templates, level.prefill],
      })),
    );
  }
  return out.map((c) => ({
    values: c.values,
    maxTokens: c.maxTokens,
    temperature: c.temperature,
    prefill: [fillTemplate(r.prefill, c.values), ...c.templates.map((t) => fillTemplate(t, c.values))].join(""),
  }));
}

function sampleRule(ir: IrDocument): SampleRule {
  const r = ir.rollout;
  const innermost = r.levels.at(-1)?.samples;
  if (typeof r.samples === "number") return { kind: "fixed", n: innermost ?? r.samples };
  if (r.samples.rule === "uniform") return { kind: "fixed", n: num(r.samples.params["n"], 1) };
  if (r.samples.rule !== "knapsack") throw new PlanError({ message: `unknown allocation rule \`${r.samples.rule}\``, help: "the runtime knows `uniform` and `knapsack`" });
  if (r.levels.length > 0) {
    throw new PlanError({ message: "a knapsack allocation with declared levels is not supported", help: "allocate per prompt without levels, or give the levels fixed `samples`" });
  }
  const p = r.samples.params;
  const total = num(p["total"], r.prompts * 8);
  const params: Partial<KnapsackParams> = {
    n: Math.max(1, Math.floor(total / r.prompts)),
    ...(typeof p["min"] === "number" ? { minN: p["min"] } : {}),
    ...(typeof p["max"] === "number" ? { maxN: p["max"] } : {}),
    ...(typeof p["negative"] === "number" ? { negativeN: p["negative"] } : {}),
    ...(typeof p["positive"] === "number" ? { positiveN: p["positive"] } : {}),
    ...(p["cost"] === "probability" || p["cost"] === "expectation" ? { costEstimation: p["cost"] } : {}),
    ...(typeof p["fallback"] === "boolean" ? { allowFallback: p["fallback"] } : {}),
  };
  return { kind: "knapsack", total, params };
}

function optimizerOf(ir: IrDocument, node: IrNode | undefined): OptimizerConfig {
  if (node === undefined) throw new PlanError({ message: "the pipeline has no optimizer", help: "declare one: optimize { optimizer = adam(lr: 3e-4) }" });
  if (node.op !== "adam" && node.op !== "adamw") {
    throw new PlanError({ message: `the local executor has no optimiser \`${node.op}\``, node: node.id, help: "use adam(...) or adamw(...)" });
  }
  const p = node.params;
  return {
    kind: node.op,
    lr: num(p["lr"], 3e-4),
    ...(typeof p["beta1"] === "number" ? { beta1: p["beta1"] } : {}),
    ...(typeof p["beta2"] === "number" ? { beta2: p["beta2"] } : {}),
    ...(typeof p["eps"] === "number" ? { eps: p["eps"] } : {}),
    ...(typeof p["weight_decay"] === "number" ? { weightDecay: p["weight_decay"] } : {}),
  };
}

/** Resolves and checks everything the scheduler reads from the IR. */
export function planRun(ir: IrDocument): RunPlan {
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  const policy = byId.get(ir.outputs.policy);
  if (policy === undefined || policy.op !== "tiny_lm") {
    throw new PlanError({ message: `the local executor runs \`tiny_lm\` policies, not \`${policy?.op ?? "?"}\``, node: ir.outputs.policy });
  }
  const all = combos(ir);
  // One update computes every row's log-probs at one temperature; greedy rows are scored at 1.
  const temps = [...new Set(all.map((c) => (c.temperature > 0 ? c.temperature : 1)))];
  if (temps.length > 1) {
    throw new PlanError({
      message: `rollouts are sampled at different temperatures (${temps.join(", ")}), which one training step cannot score`,
      help: "sample every trained level at one temperature (greedy levels may stay at 0)",
    });
  }
  const lossOps = new Set(ir.nodes.filter((n) => n.kind === "loss" && LOSS_OPS.has(n.op)).map((n) => n.op));
  const o = ir.optimize;
  const positive = (key: string): number | undefined => {
    const v = o[key];
    return typeof v === "number" && v > 0 ? v : undefined;
  };
  const gradClip = positive("grad_clip");
  const checkpointEvery = positive("checkpoint_every");
  const backend = typeof o["backend"] === "string" ? o["backend"] : undefined;
  const p = policy.params;
  return {
    ir,
    prompts: ir.rollout.prompts,
    combos: all,
    samples: sampleRule(ir),
    topP: ir.rollout.top_p,
    stop: ir.rollout.stop,
    filters: ir.rollout.filters,
    refill: Math.max(0, ...ir.rollout.filters.map((f) => f.refill)),
    onRewardError: ir.rollout.on_reward_error,
    trainPrefill: ir.rollout.train_prefill,
    usesReference: ir.outputs.reference !== undefined && ir.nodes.some((n) => n.op === "kl" || n.op === "kl_penalty"),
    lossOps,
    sftOnly: lossOps.size === 1 && lossOps.has("sft"),
    trainTemperature: temps[0] ?? 1,
    policy: {
      node: policy.id,
      preset: typeof p["preset"] === "string" ? p["preset"] : "arith",
      seed: num(p["seed"], 0),
      from: typeof p["from"] === "string" ? p["from"] : "",
      backend: typeof p["backend"] === "string" ? p["backend"] : "default",
    },
    optimizer: optimizerOf(ir, byId.get(typeof o["optimizer"] === "string" ? o["optimizer"] : ir.outputs.optimizer)),
    ...(gradClip === undefined ? {} : { gradClip }),
    ppoEpochs: positive("ppo_epochs") ?? 1,
    miniBatches: positive("mini_batches") ?? 1,
    ...(checkpointEvery === undefined ? {} : { checkpointEvery }),
    steps: positive("steps") ?? 200,
    seed: typeof o["seed"] === "number" ? o["seed"] : 0,
    ...(backend === undefined ? {} : { backend }),
  };
}
