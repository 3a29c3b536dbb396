import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { formatRecord, JsonlSink, readMetrics, truncateMetrics } from "../../../src/runtime/services/metrics-jsonl.js";
import { isTimingMetric, MemorySink, Metrics } from "../../../src/runtime/services/metrics.js";

const dir = () => mkdtempSync(join(tmpdir(), "rlp-metrics-"));

describe("metrics.jsonl", () => {
  it("writes one line per record with sorted data keys", () => {
    const path = join(dir(), "metrics.jsonl");
    const sink = new JsonlSink(path);
    sink.write({ step: 1, data: { "reward/mean": 0.5, accuracy: 0.25 }, wall_time: 10 });
    sink.write({ step: 2, data: { accuracy: 0.5, "reward/mean": 1 }, wall_time: 11 });
    sink.close();
    expect(readFileSync(path, "utf8")).toBe(
      '{"step":1,"data":{"accuracy":0.25,"reward/mean":0.5},"wall_time":10}\n{"step":2,"data":{"accuracy":0.5,"reward/mean":1},"wall_time":11}\n',
    );
  });

  it("drops a partially written last line and the steps after a checkpoint", () => {
    const path = join(dir(), "metrics.jsonl");
    const line = (step: number) => formatRecord({ step, data: { x: step }, wall_time: step });
    writeFileSync(path, `${line(1)}\n${line(2)}\n${line(3)}\n{"step":4,"da`);
    expect(readMetrics(path).map((r) => r.step)).toEqual([1, 2, 3]);
    expect(truncateMetrics(path, 2)).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(`${line(1)}\n${line(2)}\n`);
  });

  it("reads a missing file as empty", () => {
    expect(readMetrics(join(dir(), "none.jsonl"))).toEqual([]);
  });
});

describe("Metrics service", () => {
  it("fans records and notes out to its sinks and closes them with the scope", async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    await Effect.runPromise(
      Effect.gen(function* () {
        const metrics = yield* Metrics;
        yield* metrics.emit({ step: 1, data: { a: 1 }, wall_time: 0 });
        yield* metrics.note("hello");
      }).pipe(Effect.provide(Metrics.layer([a, b]))),
    );
    expect(a.records).toHaveLength(1);
    expect(b.notes).toEqual(["hello"]);
    expect(a.closed && b.closed).toBe(true);
  });

  it("fails with a MetricsError when a sink cannot write", async () => {
    const broken = { name: "broken", write: () => { throw new Error("disk full"); }, note: () => {}, close: () => {} };
    const error = await Effect.runPromise(
      Effect.flip(Effect.gen(function* () { yield* (yield* Metrics).emit({ step: 1, data: {}, wall_time: 0 }); }).pipe(Effect.provide(Metrics.layer([broken])))),
    );
    expect(error._tag).toBe("MetricsError");
    expect(error.message).toContain("disk full");
  });

  it("tells timing metrics apart", () => {
    expect(isTimingMetric("timing/step")).toBe(true);
    expect(isTimingMetric("perf/throughput")).toBe(true);
    expect(isTimingMetric("reward/mean")).toBe(false);
  });
});
