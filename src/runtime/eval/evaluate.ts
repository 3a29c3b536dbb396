/**
 * Held-out evaluation of a policy on the `arith` task (`rlp eval`, and the end-of-run summary of
 * `rlp run`): greedy decoding (temperature 0) of the task's balanced `evalSet`, first without a
 * prefill, then under each budget prefill the pipeline declares; answers checked with the task's
 * `extractAnswer`/`verify` (via `summarizeEval`).
 */
import { existsSync } from "node:fs";
import type { IrDocument } from "../../compiler/ir/types.js";
import { sample, type SampleRequest } from "../model/sampler.js";
import { TinyLM } from "../model/tiny-lm.js";
import { PRESETS, type PresetName } from "../model/config.js";
import { planRun } from "../scheduler/plan.js";
import { readManifest, manifestPath, type RunManifest } from "../run/manifest.js";
import { findCheckpoint, policyWeights } from "../executor/warm-start.js";
import { initBackend, type BackendName } from "../tfjs/backend.js";
import type { ArithOp, ArithParamsInput, Split } from "../tasks/arith.js";
import { evalSet, summarizeEval, type EvalRecord, type EvalStats } from "../tasks/eval.js";
import { decode, encode, encodePrompt, EOS_ID, OPENING_IDS } from "../tasks/tokenizer.js";
import { parseBudget } from "../tasks/format.js";

/** Version of `rlp eval --json`'s object. */
export const EVAL_FORMAT = 1;

export class EvalError extends Error {
  override readonly name = "EvalError";
}

/** One evaluation condition: no prefill, or one budget prefill. */
export interface EvalCondition {
  /** The forced start of the response ("" for none). */
  readonly prefill: string;
  /** The budget the prefill states, when it parses as one. */
  readonly budget?: number;
  readonly maxTokens: number;
}

/** What a pipeline says about evaluating its policy. */
export interface EvalTarget {
  readonly pipeline: string;
  readonly preset: PresetName;
  readonly modelSeed: number;
  readonly data: ArithParamsInput;
  readonly conditions: readonly EvalCondition[];
}

export interface ConditionResult extends EvalStats {
  readonly prefill: string;
  readonly budget?: number;
  readonly maxTokens: number;
  readonly byDifficulty: readonly (EvalStats & { readonly difficulty: number })[];
}

function arithParams(params: Readonly<Record<string, unknown>>): ArithParamsInput {
  const out: { -readonly [K in keyof ArithParamsInput]: ArithParamsInput[K] } = {};
  const digits = params["digits"] as { min?: unknown; max?: unknown } | undefined;
  if (typeof digits === "object" && digits !== null) out.digits = { min: Number(digits.min), max: Number(digits.max) };
  if (typeof params["split"] === "string") out.split = params["split"] as Split;
  if (Array.isArray(params["ops"])) out.ops = params["ops"] as ArithOp[];
  if (typeof params["seed"] === "number") out.seed = params["seed"];
  return out;
}

/** The model, task and prefills of a compiled pipeline. */
export function evalTargetOf(ir: IrDocument): EvalTarget {
  const plan = planRun(ir);
  const data = ir.nodes.find((n) => n.id === ir.outputs.data);
  if (data === undefined || data.op !== "arith") throw new EvalError(`pipeline \`${ir.pipeline}\` does not train on the \`arith\` task; \`rlp eval\` knows only that one`);
  if (!Object.hasOwn(PRESETS, plan.policy.preset)) throw new EvalError(`unknown tiny_lm preset \`${plan.policy.preset}\``);
  const conditions: EvalCondition[] = [{ prefill: "", maxTokens: ir.rollout.max_tokens }];
  const seen = new Set<string>([""]);
  for (const c of plan.combos) {
    if (seen.has(c.prefill)) continue;
    seen.add(c.prefill);
    const budget = parseBudget(c.prefill);
    conditions.push({ prefill: c.prefill, ...(budget === undefined ? {} : { budget }), maxTokens: c.maxTokens });
  }
  return { pipeline: ir.pipeline, preset: plan.policy.preset as PresetName, modelSeed: plan.policy.seed, data: arithParams(data.params), conditions };
}

/** Greedy responses of `model` to `n` eval problems under each condition, summarised. */
export async function evaluatePolicy(model: TinyLM, target: EvalTarget, n: number, options: { batch?: number; conditions?: readonly EvalCondition[] } = {}): Promise<ConditionResult[]> {
  const problems = evalSet(target.data, n);
  const batch = options.batch ?? 128;
  const maxPrompt = Math.max(0, ...problems.map((p) => encodePrompt(p.prompt).length));
  const out: ConditionResult[] = [];
  for (const cond of options.conditions ?? target.conditions) {
    const prefill = cond.prefill === "" ? undefined : encode(cond.prefill);
    const maxTokens = Math.min(cond.maxTokens, model.config.maxSeq - maxPrompt);
    const records: EvalRecord[] = [];
    for (let i = 0; i < problems.length; i += batch) {
      const chunk = problems.slice(i, i + batch);
      // Without a prefill the policy opens with a tag of its choice, as when it is trained.
      const open = prefill === undefined ? { openWith: OPENING_IDS } : { prefill };
      const reqs: SampleRequest[] = chunk.map((p) => ({ prompt: encodePrompt(p.prompt), ...open, maxTokens, temperature: 0, stop: [EOS_ID] }));
      const results = await sample(model, reqs, { seed: 0 });
      results.forEach((r, j) => records.push({ problem: chunk[j]!, response: decode(r.tokens), tokens: r.tokens.length }));
    }
    const s = summarizeEval(records);
    out.push({ ...s, prefill: cond.prefill, ...(cond.budget === undefined ? {} : { budget: cond.budget }), maxTokens });
  }
  return out;
}

/** The budget prefill `<think budget=N>` as a condition (the pipeline's `max_tokens` or N, the larger). */
export function budgetCondition(budget: number, maxTokens: number): EvalCondition {
  return { prefill: `<think budget=${budget}>`, budget, maxTokens: Math.max(maxTokens, budget) };
}

function withBudgets(conditions: readonly EvalCondition[], budgets: readonly number[]): EvalCondition[] {
  const out = [...conditions];
  for (const b of budgets) if (!out.some((c) => c.budget === b)) out.push(budgetCondition(b, conditions[0]!.maxTokens));
  return out;
}

/** Scores one checkpoint of a pipeline's policy (on the backend already initialised). */
export async function evaluateCheckpoint(ir: IrDocument, checkpoint: string, n: number): Promise<ConditionResult[]> {
  const target = evalTargetOf(ir);
  const model = TinyLM.create(target.preset, { seed: target.modelSeed });
  try {
    model.setWeights(policyWeights(findCheckpoint(checkpoint)));
    return await evaluatePolicy(model, target, n);
  } finally {
    model.dispose();
  }
}

export interface RunEvaluation {
  readonly dir: string;
  readonly manifest: RunManifest;
  readonly step: number;
  readonly checkpoint: string;
  readonly n: number;
  readonly backend: string;
  readonly seconds: number;
  readonly results: readonly ConditionResult[];
}

/** Loads a run's manifest and latest checkpoint and evaluates its policy. */
export async function evaluateRun(dir: string, options: { n: number; backend?: BackendName; prefills?: boolean; budgets?: readonly number[] }): Promise<RunEvaluation> {
  if (!existsSync(dir)) throw new EvalError(`\`${dir}\`: no such run directory`);
  if (!existsSync(manifestPath(dir))) throw new EvalError(`\`${dir}\` has no manifest.json: it is not an rlp run directory`);
  const manifest = readManifest(dir);
  const target = evalTargetOf(manifest.ir);
  let ckpt;
  try {
    ckpt = findCheckpoint(dir);
  } catch (e) {
    throw new EvalError(`\`${dir}\` has no checkpoint yet (${e instanceof Error ? e.message : String(e)})`);
  }
  const backend = options.backend ?? ((manifest.backend as BackendName | undefined) ?? "wasm");
  const info = await initBackend(backend);
  const started = performance.now();
  const model = TinyLM.create(target.preset, { seed: target.modelSeed });
  try {
    model.setWeights(policyWeights(ckpt));
    const conditions = withBudgets(options.prefills === false ? target.conditions.slice(0, 1) : target.conditions, options.budgets ?? []);
    const results = await evaluatePolicy(model, target, options.n, { conditions });
    return { dir, manifest, step: ckpt.step, checkpoint: ckpt.path, n: options.n, backend: info.name, seconds: (performance.now() - started) / 1000, results };
  } finally {
    model.dispose();
  }
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function statsJson(s: EvalStats) {
  const openings = Object.fromEntries(Object.entries(s.openings).map(([k, v]) => [k, round(v)]));
  return { count: s.count, accuracy: round(s.accuracy), well_formed: round(s.wellFormed), mean_tokens: round(s.meanTokens, 3), openings };
}

export function conditionJson(r: ConditionResult) {
  return {
    prefill: r.prefill === "" ? null : r.prefill,
    budget: r.budget ?? null,
    max_tokens: r.maxTokens,
    ...statsJson(r),
    by_difficulty: r.byDifficulty.map((d) => ({ difficulty: d.difficulty, ...statsJson(d) })),
  };
}

/** `rlp eval --json`: a versioned object. */
export function evaluationJson(e: RunEvaluation) {
  return {
    format_version: EVAL_FORMAT,
    run: e.dir,
    pipeline: e.manifest.pipeline,
    ir_hash: e.manifest.ir_hash,
    step: e.step,
    checkpoint: e.checkpoint,
    n: e.n,
    decoding: "greedy",
    backend: e.backend,
    conditions: e.results.map(conditionJson),
  };
}

/** A plain-text table: one row per condition, then accuracy and mean tokens by difficulty. */
export function formatResults(results: readonly ConditionResult[]): string[] {
  const levels = [...new Set(results.flatMap((r) => r.byDifficulty.map((d) => d.difficulty)))].sort((a, b) => a - b);
  const label = (r: ConditionResult) => (r.prefill === "" ? "no prefill" : r.budget !== undefined ? `budget ${r.budget}` : JSON.stringify(r.prefill));
  const width = Math.max(10, ...results.map((r) => label(r).length));
  const lines: string[] = [];
  const head = `${"condition".padEnd(width)}  accuracy  formed  tokens  │ ${levels.map((d) => `${d}d acc/tok`.padStart(12)).join(" ")}`;
  lines.push(head);
  for (const r of results) {
    const cells = levels.map((d) => {
      const s = r.byDifficulty.find((x) => x.difficulty === d);
      return (s === undefined ? "-" : `${s.accuracy.toFixed(2)}/${s.meanTokens.toFixed(1)}`).padStart(12);
    });
    lines.push(`${label(r).padEnd(width)}  ${r.accuracy.toFixed(3).padStart(8)}  ${r.wellFormed.toFixed(2).padStart(6)}  ${r.meanTokens.toFixed(1).padStart(6)}  │ ${cells.join(" ")}`);
  }
  return [...lines, ...formatOpenings(results)];
}

const openingLabel = (k: string) => (k === "none" ? "<think>" : `budget ${k}`);
const describeOpenings = (o: Readonly<Record<string, number>>) =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${openingLabel(k)} ${v.toFixed(2)}`)
    .join(", ");

/**
 * Without a prefill, which opening tag the policy wrote by itself, by difficulty; nothing when it
 * always opened with a plain `<think>` (a policy that never learned to choose a budget).
 */
function formatOpenings(results: readonly ConditionResult[]): string[] {
  const free = results.find((r) => r.prefill === "");
  if (free === undefined || Object.keys(free.openings).every((k) => k === "none")) return [];
  return ["", "opening tag chosen without a prefill (shares):", ...free.byDifficulty.map((d) => `  ${d.difficulty}d  ${describeOpenings(d.openings)}`)];
}
