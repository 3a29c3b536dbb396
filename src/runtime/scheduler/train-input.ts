/**
 * From the evaluator's loss plan to the executor's training input: one row per rollout that some
 * term sees (rows every term masks out change no aggregation and are left out), per-token masks
 * with the forced prefill removed (kept under `train_prefill`: the sampler scored the forced
 * tokens, so their behaviour log-probs are there), advantages, behaviour and reference log-probs;
 * then SFT demonstrations as extra rows that only the `sft` terms see. Mini-batches split rows by
 * prompt.
 */
import type { JsonValue } from "../../compiler/ir/types.js";
import type { LossPlan, LossTerm } from "../evaluate/index.js";
import type { AggName, TrainInput, TrainRow, TrainTerm } from "../services/executor.js";
import { PlanError } from "../services/errors.js";
import type { Demonstration } from "../services/tasks.js";
import type { StepRollout } from "./rollouts.js";

const AGGS: readonly AggName[] = ["token_mean", "seq_mean_token_mean", "seq_mean_token_sum", "seq_mean_token_sum_norm", "prompt_mean"];
const KL: Readonly<Record<string, "k1" | "k2" | "k3" | "abs" | "k1+" | "k2+" | "k3+">> = {
  k1: "k1",
  k2: "k2",
  k3: "k3",
  abs: "abs",
  k1_plus: "k1+",
  k2_plus: "k2+",
  k3_plus: "k3+",
};
const VARIANTS = ["vanilla", "gspo", "cispo", "sapo"] as const;

function numParam(params: Readonly<Record<string, JsonValue>>, key: string): number | undefined {
  const v = params[key];
  return typeof v === "number" ? v : undefined;
}

function aggOf(term: LossTerm): AggName {
  const a = term.params["agg"] ?? "token_mean";
  if (typeof a !== "string" || !AGGS.includes(a as AggName)) throw new PlanError({ node: term.node, message: `unknown aggregation ${JSON.stringify(a)}` });
  return a as AggName;
}

/** The executor term for a plan term, with masks and advantages over the chosen rows. */
function trainTerm(term: LossTerm, masks: Float32Array[], advantages: Float32Array[] | undefined): TrainTerm {
  const p = term.params;
  const base = { node: term.node, coef: term.coef, agg: aggOf(term), mask: masks, ...(numParam(p, "norm_length") === undefined ? {} : { normLength: numParam(p, "norm_length")! }) };
  switch (term.op) {
    case "ppo_clip": {
      const variant = p["variant"] ?? "vanilla";
      if (!VARIANTS.includes(variant as (typeof VARIANTS)[number])) throw new PlanError({ node: term.node, message: `unknown ppo_clip variant ${JSON.stringify(variant)}` });
      const eps = numParam(p, "eps") ?? 0.2;
      return {
        ...base,
        kind: "policy",
        variant: variant as (typeof VARIANTS)[number],
        clipLow: numParam(p, "eps_low") ?? eps,
        clipHigh: numParam(p, "eps_high") ?? eps,
        dualClip: numParam(p, "dual_clip") ?? 3,
        advantages: advantages!,
      };
    }
    case "reinforce":
      return { ...base, kind: "reinforce", advantages: advantages! };
    case "kl": {
      const est = KL[String(p["estimator"] ?? "k3")];
      if (est === undefined) throw new PlanError({ node: term.node, message: `unknown KL estimator ${JSON.stringify(p["estimator"])}` });
      return { ...base, kind: "kl", estimator: est };
    }
    case "entropy":
      return { ...base, kind: "entropy" };
    case "sft":
      return { ...base, kind: "sft" };
  }
}

/** 1 where the plan's mask is 1 and the token was sampled (not one of the first `prefill` forced tokens). */
function sampledMask(mask: Uint8Array, prefill: number): Float32Array {
  const out = new Float32Array(mask.length);
  for (let t = prefill; t < mask.length; t++) out[t] = mask[t]!;
  return out;
}

const anyOne = (m: ArrayLike<number>) => {
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) return true;
  return false;
};

export interface TrainInputOptions {
  /** Forced prefill tokens keep the plan's mask, like sampled ones (`rollout { train_prefill = true }`). */
  readonly trainPrefill?: boolean;
}

/** The rows and terms of one step's update; undefined when no term sees any token. */
export function buildTrainInput(
  plan: LossPlan,
  rollouts: readonly StepRollout[],
  demos: readonly Demonstration[],
  temperature: number,
  step: number,
  options: TrainInputOptions = {},
): TrainInput | undefined {
  const rlTerms = plan.terms.filter((t) => t.op !== "sft");
  const sftTerms = plan.terms.filter((t) => t.op === "sft");
  // How many leading forced tokens are masked out: all of them, or none under train_prefill.
  const forced = (prefillLength: number) => (options.trainPrefill === true ? 0 : prefillLength);
  const masks = rlTerms.map((t) => rollouts.map((r, i) => sampledMask(t.mask[i]!, forced(r.prefillLength))));
  const used = rollouts.flatMap((_, i) => (masks.some((m) => anyOne(m[i]!)) ? [i] : []));
  const rows: TrainRow[] = used.map((i) => {
    const r = rollouts[i]!;
    return { prompt: r.promptTokens, response: r.response, oldLogp: r.logp, group: r.prompt, ...(r.refLogp === undefined ? {} : { refLogp: r.refLogp }) };
  });
  const sftRows: TrainRow[] = sftTerms.length === 0 ? [] : demos.map((d, k) => ({
    prompt: d.prompt,
    response: d.response,
    oldLogp: new Float32Array(d.response.length),
    refLogp: new Float32Array(d.response.length),
    // Demonstrations are their own groups, apart from every prompt.
    group: -1 - k,
  }));
  const zeros = (rs: readonly TrainRow[]) => rs.map((r) => new Float32Array(r.response.length));
  const terms: TrainTerm[] = [
    ...rlTerms.map((t, k) => {
      const adv = t.advantages === undefined ? undefined : [...used.map((i) => t.advantages![i]!), ...zeros(sftRows)];
      return trainTerm(t, [...used.map((i) => masks[k]![i]!), ...zeros(sftRows)], adv);
    }),
    ...sftTerms.map((t) => trainTerm(t, [...zeros(rows), ...demos.map((d) => sampledMask(new Uint8Array(d.response.length).fill(1), forced(d.prefillLength)))], undefined)),
  ];
  const all = [...rows, ...sftRows];
  if (all.length === 0) return undefined;
  return { rows: all, terms, temperature, step };
}

/** Splits the input into `parts` mini-batches of whole prompt groups (in order). */
export function miniBatches(input: TrainInput, parts: number): TrainInput[] {
  if (parts <= 1) return [input];
  const groups = [...new Set(input.rows.map((r) => r.group))];
  const n = Math.min(parts, groups.length);
  const out: TrainInput[] = [];
  for (let k = 0; k < n; k++) {
    const chosen = new Set(groups.slice(Math.floor((k * groups.length) / n), Math.floor(((k + 1) * groups.length) / n)));
    const idx = input.rows.flatMap((r, i) => (chosen.has(r.group) ? [i] : []));
    const pick = <T>(xs: readonly T[]) => idx.map((i) => xs[i]!);
    out.push({
      ...input,
      rows: pick(input.rows),
      terms: input.terms.map((t) => ({ ...t, mask: pick(t.mask), ...("advantages" in t ? { advantages: pick(t.advantages) } : {}) }) as TrainTerm),
    });
  }
  return out;
}
