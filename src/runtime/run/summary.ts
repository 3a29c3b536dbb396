/**
 * The end-of-run summary: headline metrics from the first to the last step of this process, the
 * scheduler's overhead as a share of step time, and where the outputs are.
 */
import type { MetricRecord, MetricsSink } from "../services/metrics.js";
import { formatDuration } from "./progress.js";

const HEADLINE = ["reward/mean", "accuracy", "response_length/mean"] as const;

export class SummarySink implements MetricsSink {
  readonly name = "summary";
  first: MetricRecord | undefined;
  last: MetricRecord | undefined;
  steps = 0;
  stepSeconds = 0;
  overheadSeconds = 0;
  maxOverheadFraction = 0;

  write(record: MetricRecord): void {
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

  lines(info: { readonly total: number; readonly dir: string; readonly checkpoint: string | undefined; readonly seconds: number }): string[] {
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
    out.push(`  metrics: ${info.dir}/metrics.jsonl`);
    if (info.checkpoint !== undefined) out.push(`  checkpoint: ${info.checkpoint}`);
    return out;
  }
}
