/**
 * The always-on metrics file: `metrics.jsonl`, one `{"step", "data", "wall_time"}` object per line
 * (verl's FileLogger shape plus the wall time). Keys of `data` are sorted so that two runs with the
 * same seed give the same bytes apart from timing fields. Each line is written with one write(2),
 * so a run killed with SIGKILL leaves at most one partial last line, which `truncateMetrics` drops.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import type { MetricRecord, MetricsSink } from "./metrics.js";

/** The canonical text of one record (sorted keys, no trailing newline). */
export function formatRecord(record: MetricRecord): string {
  const data: Record<string, number> = {};
  for (const key of Object.keys(record.data).sort()) data[key] = record.data[key]!;
  return JSON.stringify({ step: record.step, data, wall_time: record.wall_time });
}

/** Parses a metrics file, skipping a damaged (partially written) line. */
export function readMetrics(path: string): MetricRecord[] {
  if (!existsSync(path)) return [];
  const out: MetricRecord[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const r = JSON.parse(line) as MetricRecord;
      if (typeof r.step === "number" && typeof r.data === "object" && r.data !== null) out.push(r);
    } catch {
      // The tail of a run killed mid-write; resume rewrites the file without it.
    }
  }
  return out;
}

/**
 * Keeps the records of steps ≤ `lastStep` (a resumed run continues after its checkpoint, so later
 * lines from the killed run would be duplicated). Rewritten through a temporary file and a rename.
 */
export function truncateMetrics(path: string, lastStep: number): number {
  const kept = readMetrics(path).filter((r) => r.step <= lastStep);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, kept.map((r) => `${formatRecord(r)}\n`).join(""));
  renameSync(tmp, path);
  return kept.length;
}

export class JsonlSink implements MetricsSink {
  readonly name = "jsonl";
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  write(record: MetricRecord): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    writeSync(this.fd, `${formatRecord(record)}\n`);
  }

  note(): void {}

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
