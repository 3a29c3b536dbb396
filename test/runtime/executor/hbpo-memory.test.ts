/**
 * End to end on wasm: a training step of hbpo at its declared size (16 prompts × 16 samples = 256
 * rollouts of up to ~82 tokens on the arith preset) used to exhaust the wasm heap in one batch;
 * micro-batching (src/runtime/executor/microbatch.ts) bounds it. About 15–30 s.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { trainProgram } from "../../../src/runtime/run/program.js";
import { JsonlSink } from "../../../src/runtime/services/metrics-jsonl.js";
import { compileColdStart } from "../scheduler/helpers.js";

describe("hbpo at 16 prompts on wasm", () => {
  it("trains a step within the wasm heap", async () => {
    const ir = compileColdStart("pipelines/hbpo.rlp");
    const dir = mkdtempSync(join(tmpdir(), "rlp-hbpo-"));
    const outcome = await Effect.runPromise(
      trainProgram({ ir, dir, seed: 1, backend: "wasm", steps: 1, checkpointEvery: 1, keepCheckpoints: 1, workers: 0, sinks: [new JsonlSink(join(dir, "metrics.jsonl"))], stop: { requested: false }, resume: false }),
    );
    expect(outcome.state.step).toBe(1);
    const row = JSON.parse(readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n")[0]!) as { data: Record<string, number> };
    expect(Number.isFinite(row.data["actor/grad_norm"])).toBe(true);
    expect(Number.isFinite(row.data["actor/pg_loss"])).toBe(true);
  });
});
