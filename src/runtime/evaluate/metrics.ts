/**
 * Step metrics under verl/TRL-style names: statistics of every reward and advantage term, response
 * lengths overall and per declared level value, `frac_reward_zero_std` (TRL: prompt groups whose
 * `score` has zero std) and `accuracy` (the mean of a term named `correct`). Dropped rollouts are
 * not counted. A statistic that is undefined (no values; std of one) is left out rather than NaN,
 * so the metrics stay valid JSON.
 */
import type { IrDocument } from "../../compiler/ir/types.js";
import type { LevelIndex } from "./levels.js";
import { groupMembers } from "./reduce.js";
import type { Value } from "./values.js";

/** torch.isclose(std, 0) with its default atol, as TRL counts zero-std groups. */
const ZERO_STD_ATOL = 1e-8;

interface Stats {
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

function stats(values: ArrayLike<number>): Stats | undefined {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (n === 0) return undefined;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) ss += (v - mean) ** 2;
  }
  return { n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, min, max };
}

function put(out: Record<string, number>, prefix: string, s: Stats | undefined, withStd = true): void {
  if (s === undefined) return;
  out[`${prefix}/mean`] = s.mean;
  if (withStd && s.n > 1) out[`${prefix}/std`] = s.std;
  out[`${prefix}/max`] = s.max;
  out[`${prefix}/min`] = s.min;
}

export function computeMetrics(ir: IrDocument, index: LevelIndex, values: ReadonlyMap<string, Value>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, id] of Object.entries(ir.outputs.terms)) {
    const v = values.get(id);
    const node = ir.nodes.find((n) => n.id === id);
    if (v === undefined || v.kind !== "num" || node === undefined) continue;
    put(out, `${node.section === "advantage" ? "advantage" : "reward"}/${name}`, stats(v.data));
  }
  if (out["reward/score/mean"] !== undefined) out["reward/mean"] = out["reward/score/mean"];
  const lengths = Float64Array.from({ length: index.size }, (_, v) => index.rollout(v).tokens);
  put(out, "response_length", stats(lengths), false);
  for (const level of ir.rollout.levels) {
    for (const value of level.values) {
      const sub = [...lengths].filter((_, v) => index.levelValue(v, level.name) === value);
      const s = stats(sub);
      if (s !== undefined) out[`response_length/${level.name}=${String(value)}/mean`] = s.mean;
    }
  }
  const score = ir.outputs.terms["score"];
  const scoreValue = score === undefined ? undefined : values.get(score);
  if (scoreValue?.kind === "num" && scoreValue.set.levels.includes("prompt")) {
    const prompts = index.set(["prompt"]);
    const groups = groupMembers(index.projection(prompts, scoreValue.set), prompts.size);
    if (groups.length > 0) {
      const zero = groups.filter((rows) => {
        const s = stats(rows.map((i) => scoreValue.data[i]!));
        return s !== undefined && s.n > 1 && s.std <= ZERO_STD_ATOL;
      }).length;
      out["frac_reward_zero_std"] = zero / groups.length;
    }
  }
  const correct = ir.outputs.terms["correct"];
  const correctValue = correct === undefined ? undefined : values.get(correct);
  if (correctValue?.kind === "num") {
    const s = stats(correctValue.data);
    if (s !== undefined) out["accuracy"] = s.mean;
  }
  return out;
}
