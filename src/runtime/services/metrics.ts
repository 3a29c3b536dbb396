/**
 * The Metrics service: one record per training step, fanned out to sinks (the JSONL file, the
 * console progress, a test buffer), plus free-form notes (warnings, located reward errors) that
 * only people read. Records carry verl/TRL metric names (`reward/mean`, `actor/kl`, `timing/step`).
 */
import { Context, Effect, Layer } from "effect";
import { describe, MetricsError } from "./errors.js";

export type MetricData = Readonly<Record<string, number>>;

export interface MetricRecord {
  readonly step: number;
  readonly data: MetricData;
  /** Seconds since the epoch when the step finished (verl and TensorBoard use the same unit). */
  readonly wall_time: number;
}

/** A destination for records. Sinks are synchronous so that a record is on disk when emit returns. */
export interface MetricsSink {
  readonly name: string;
  write(record: MetricRecord): void;
  note(text: string): void;
  close(): void;
}

export class Metrics extends Context.Service<
  Metrics,
  {
    readonly emit: (record: MetricRecord) => Effect.Effect<void, MetricsError>;
    /** A line for people (stderr on the console); not part of metrics.jsonl. */
    readonly note: (text: string) => Effect.Effect<void>;
  }
>()("rlp/Metrics") {
  /** Writes to every sink in order; the sinks are closed when the layer's scope ends. */
  static layer(sinks: readonly MetricsSink[]): Layer.Layer<Metrics> {
    return Layer.effect(
      Metrics,
      Effect.acquireRelease(Effect.succeed(sinks), (all) => Effect.sync(() => all.forEach(closeQuietly))).pipe(
        Effect.map((all) => ({
          emit: (record: MetricRecord) =>
            Effect.try({
              try: () => all.forEach((s) => s.write(record)),
              catch: (cause) => new MetricsError({ path: "metrics", message: describe(cause) }),
            }),
          note: (text: string) => Effect.sync(() => all.forEach((s) => s.note(text))),
        })),
      ),
    );
  }

  /** Keeps records and notes in memory, for tests. */
  static layerTest(buffer: MemorySink): Layer.Layer<Metrics> {
    return Metrics.layer([buffer]);
  }
}

function closeQuietly(sink: MetricsSink): void {
  try {
    sink.close();
  } catch {
    // A sink that fails to close has nothing left to lose; the others must still close.
  }
}

/** A sink that keeps everything in memory. */
export class MemorySink implements MetricsSink {
  readonly name = "memory";
  readonly records: MetricRecord[] = [];
  readonly notes: string[] = [];
  closed = false;
  write(record: MetricRecord): void {
    this.records.push(record);
  }
  note(text: string): void {
    this.notes.push(text);
  }
  close(): void {
    this.closed = true;
  }
}

/** Metric names whose values depend on the clock: excluded when runs are compared. */
export function isTimingMetric(name: string): boolean {
  return name.startsWith("timing/") || name.startsWith("perf/");
}
