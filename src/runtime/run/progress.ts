/**
 * The console sink: on a terminal, one progress bar redrawn in place (step/total, rollouts/s,
 * tokens/s, reward, accuracy, mean length, ETA), starting at the resumed step as verl's tqdm does;
 * otherwise one plain `step:N/T - key:value - …` line per step (verl's console format). Notes
 * (warnings) go above the bar.
 */
import type { MetricRecord, MetricsSink } from "../services/metrics.js";

export interface ProgressOptions {
  readonly write: (text: string) => void;
  readonly tty: boolean;
  readonly label: string;
  readonly total: number;
  /** The step the run starts from (0, or the resumed checkpoint's step). */
  readonly initial: number;
  /** Terminal width for the bar (default 100). */
  readonly columns?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(r).padStart(2, "0")}s` : `${r}s`;
}

function fixed(v: number | undefined, digits: number): string {
  return v === undefined ? "-" : v.toFixed(digits);
}

/** The figures shown for one record. */
export function progressFields(data: Readonly<Record<string, number>>): { rollouts: string; tokens: string; reward: string; accuracy: string; length: string } {
  return {
    rollouts: fixed(data["perf/rollouts_per_s"], 1),
    tokens: fixed(data["perf/throughput"], 0),
    reward: fixed(data["reward/mean"], 3),
    accuracy: fixed(data["accuracy"], 3),
    length: fixed(data["response_length/mean"], 1),
  };
}

/** verl's concat_dict_to_str: `step:N - key:value - …`, with the headline metrics first. */
export function plainLine(record: MetricRecord, total: number, eta: number | undefined): string {
  const d = record.data;
  const keys = ["reward/mean", "accuracy", "response_length/mean", "actor/pg_loss", "actor/sft_loss", "actor/kl", "actor/entropy", "actor/grad_norm"];
  const parts = [`step:${record.step}/${total}`];
  for (const k of keys) if (d[k] !== undefined) parts.push(`${k}:${Number(d[k]!.toPrecision(4))}`);
  const f = progressFields(d);
  parts.push(`rollouts/s:${f.rollouts}`, `tokens/s:${f.tokens}`, `time:${fixed(d["timing/step"], 2)}s`);
  if (eta !== undefined) parts.push(`eta:${formatDuration(eta)}`);
  return parts.join(" - ");
}

export class ProgressSink implements MetricsSink {
  readonly name = "progress";
  private last: MetricRecord | undefined;
  private readonly stepTimes: number[] = [];
  private drawn = false;

  constructor(private readonly options: ProgressOptions) {}

  private eta(step: number): number | undefined {
    if (this.stepTimes.length === 0) return undefined;
    const mean = this.stepTimes.reduce((s, t) => s + t, 0) / this.stepTimes.length;
    return mean * (this.options.total - step);
  }

  private bar(step: number): string {
    const o = this.options;
    const f = this.last === undefined ? undefined : progressFields(this.last.data);
    const eta = this.eta(step);
    const tail = f === undefined ? "" : `  ${f.rollouts} rollouts/s  ${f.tokens} tok/s  reward ${f.reward}  acc ${f.accuracy}  len ${f.length}`;
    const right = `${tail}  ETA ${eta === undefined ? "?" : formatDuration(eta)}`;
    const count = `${String(step).padStart(String(o.total).length)}/${o.total}`;
    const width = Math.max(10, Math.min(30, (o.columns ?? 100) - o.label.length - count.length - right.length - 6));
    const filled = Math.round((width * step) / Math.max(1, o.total));
    return `${o.label} ▕${"█".repeat(filled)}${"░".repeat(width - filled)}▏ ${count}${right}`;
  }

  private redraw(): void {
    this.options.write(`\r\x1b[2K${this.bar(this.last?.step ?? this.options.initial)}`);
    this.drawn = true;
  }

  /** Draws the empty bar at the starting step (TTY only). */
  start(): void {
    if (this.options.tty) this.redraw();
  }

  write(record: MetricRecord): void {
    this.last = record;
    const t = record.data["timing/step"];
    if (t !== undefined) {
      this.stepTimes.push(t);
      if (this.stepTimes.length > 20) this.stepTimes.shift();
    }
    if (this.options.tty) this.redraw();
    else this.options.write(`${plainLine(record, this.options.total, this.eta(record.step))}\n`);
  }

  note(text: string): void {
    if (this.options.tty && this.drawn) {
      this.options.write(`\r\x1b[2K${text}\n`);
      this.redraw();
    } else this.options.write(`${text}\n`);
  }

  close(): void {
    if (this.options.tty && this.drawn) this.options.write("\n");
    this.drawn = false;
  }
}
