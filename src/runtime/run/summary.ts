/**
 * The end-of-run summary: headline metrics from the first to the last step of this process, the
 * scheduler's overhead as a share of step time, and where the outputs are.
 */
import type { MetricRecord, MetricsSink } from "../services/metrics.js";
import { formatDuration } from "./progress.js";

const HEADLINE = ["reward/mean", "accuracy", "response_length/mean"] as const;
/** Per-level mean lengths are averaged over this many last steps. */
const LAST_STEPS = 10;
const LEVEL_LENGTH = /^response_length\/([A-Za-z_][A-Za-z0-9_]*)=(-?[0-9.]+)\/mean$/;

/** The held-out evaluation printed after the run (see src/runtime/eval/). */
export interface HeldOutSummary {
  readonly n: number;
  readonly rows: readonly { readonly label: string; readonly accuracy: number; readonly meanTokens: number }[];
  /** Without a prefill, by difficulty: accuracy, mean tokens and the opening the policy wrote most. */
  readonly byDifficulty?: readonly { readonly difficulty: number; readonly accuracy: number; readonly meanTokens: number; readonly opening: string }[];
}

export class SummarySink implements MetricsSink {
  readonly name = "summary";
  first: MetricRecord | undefined;
  last: MetricRecord | undefined;
  steps = 0;
  stepSeconds = 0;
  overheadSeconds = 0;
  maxOverheadFraction = 0;
  /** The last LAST_STEPS records. */
  readonly tail: MetricRecord[] = [];

  write(record: MetricRecord): void {
    this.tail.push(record);
    if (this.tail.length > LAST_STEPS) this.tail.shift();
    this.first ??= record;
    this.last = record;
    this.steps++;
    const step = record.data["timing/step"] ?? 0;
    const overhead = record.data["timing/overhead"] ?? 0;
    this.stepSeconds += step;
    this.overheadSeconds += overhead;
    if (step > 0) this.maxOverheadFraction = Math.max(this.maxOverheadFraction, overhead / step);
  }

  note(): void {}
  close(): void {}

  /** Overhead over all steps of this process, as a fraction of their time. */
  get overheadFraction(): number {
    return this.stepSeconds > 0 ? this.overheadSeconds / this.stepSeconds : 0;
  }

  /** Mean response length per level value (`response_length/<level>=<v>/mean`) over the last steps. */
  levelLengths(): { level: string; value: string; mean: number }[] {
    const sums = new Map<string, { level: string; value: string; sum: number; n: number }>();
    for (const r of this.tail) {
      for (const [k, v] of Object.entries(r.data)) {
        const m = LEVEL_LENGTH.exec(k);
        if (m === null || !Number.isFinite(v)) continue;
        const e = sums.get(k) ?? { level: m[1]!, value: m[2]!, sum: 0, n: 0 };
        e.sum += v;
        e.n++;
        sums.set(k, e);
      }
    }
    return [...sums.values()]
      .sort((a, b) => (a.level === b.level ? Number(a.value) - Number(b.value) : a.level < b.level ? -1 : 1))
      .map((e) => ({ level: e.level, value: e.value, mean: e.sum / e.n }));
  }

  lines(info: { readonly total: number; readonly dir: string; readonly checkpoint: string | undefined; readonly seconds: number; readonly heldOut?: HeldOutSummary | undefined }): string[] {
    const out: string[] = [];
    const changes = HEADLINE.flatMap((k) => {
      const a = this.first?.data[k];
      const b = this.last?.data[k];
      return a === undefined || b === undefined ? [] : [`${k} ${a.toFixed(3)} → ${b.toFixed(3)}`];
    });
    const step = this.last?.step ?? 0;
    out.push(`done: step ${step}/${info.total} (${this.steps} this run) in ${formatDuration(info.seconds)}${changes.length > 0 ? `; ${changes.join(", ")}` : ""}`);
    if (this.steps > 0) {
      out.push(
        `  timing/overhead: ${(100 * this.overheadFraction).toFixed(2)}% of step time (max ${(100 * this.maxOverheadFraction).toFixed(2)}% in one step); mean step ${(this.stepSeconds / this.steps).toFixed(2)}s`,
      );
    }
    const levels = this.levelLengths();
    if (levels.length > 0) {
      out.push(`  response length by level (mean of the last ${Math.min(this.tail.length, LAST_STEPS)} steps): ${levels.map((l) => `${l.level}=${l.value}: ${l.mean.toFixed(1)}`).join(", ")}`);
    }
    if (info.heldOut !== undefined && info.heldOut.rows.length > 0) {
      out.push(
        `  held-out (${info.heldOut.n} problems, greedy): ${info.heldOut.rows.map((r) => `${r.label} accuracy ${r.accuracy.toFixed(3)}, ${r.meanTokens.toFixed(1)} tokens`).join("; ")}`,
      );
      const by = info.heldOut.byDifficulty ?? [];
      if (by.length > 0) out.push(`  held-out without a prefill, by digits: ${by.map((d) => `${d.difficulty}: ${d.meanTokens.toFixed(1)} tokens, accuracy ${d.accuracy.toFixed(2)}, opens ${d.opening}`).join("; ")}`);
    }
    out.push(`  metrics: ${info.dir}/metrics.jsonl`);
    if (info.checkpoint !== undefined) out.push(`  checkpoint: ${info.checkpoint}`);
    return out;
  }
}
