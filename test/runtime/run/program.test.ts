import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { trainProgram } from "../../../src/runtime/run/program.js";
import { JsonlSink } from "../../../src/runtime/services/metrics-jsonl.js";
import { backend, compilePipeline } from "../scheduler/helpers.js";

/** metrics.jsonl with the clock-dependent fields removed: timing/*, perf/* and wall_time. */
function untimed(path: string): string {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const r = JSON.parse(line) as { step: number; data: Record<string, number> };
      const data = Object.fromEntries(Object.entries(r.data).filter(([k]) => !k.startsWith("timing/") && !k.startsWith("perf/")));
      return JSON.stringify({ step: r.step, data });
    })
    .join("\n");
}

async function train(seed: number) {
  const ir = await compilePipeline("pipelines/grpo.rlp", ["rollout.prompts=2", "rollout.samples=3", "rollout.max_tokens=12", "data.digits=1..1"]);
  const dir = mkdtempSync(join(tmpdir(), "rlp-program-"));
  const outcome = await Effect.runPromise(
    trainProgram({ ir, dir, seed, backend, steps: 3, checkpointEvery: 2, keepCheckpoints: 3, workers: 0, sinks: [new JsonlSink(join(dir, "metrics.jsonl"))], stop: { requested: false }, resume: false }),
  );
  return { dir, outcome };
}

describe("trainProgram", () => {
  it("gives byte-identical metrics for the same seed and backend, apart from timing", async () => {
    const a = await train(11);
    const b = await train(11);
    const c = await train(12);
    expect(untimed(join(a.dir, "metrics.jsonl"))).toBe(untimed(join(b.dir, "metrics.jsonl")));
    expect(untimed(join(a.dir, "metrics.jsonl"))).not.toBe(untimed(join(c.dir, "metrics.jsonl")));
    expect(a.outcome.state.step).toBe(3);
    expect(a.outcome.checkpoint).toBe(join(a.dir, "checkpoints", "step_000003"));
    expect(existsSync(join(a.dir, "checkpoints", "step_000002", "tensors.bin"))).toBe(true);
    const state = JSON.parse(readFileSync(join(a.dir, "checkpoints", "step_000003", "state.json"), "utf8")) as Record<string, unknown>;
    expect(state).toMatchObject({ format_version: 1, step: 3, seed: 11, rng: { root: 11, derivation: "hash(root, path, step)" }, tracker: null });
    expect(Object.keys(state["tensors"] as object)).toEqual(expect.arrayContaining(["optimizer/m", "optimizer/v", "policy/emb.weight"]));
    expect(typeof state["data_cursor"]).toBe("number");
    const first = JSON.parse(readFileSync(join(a.dir, "metrics.jsonl"), "utf8").split("\n")[0]!) as { wall_time: number };
    expect(first.wall_time).toBeGreaterThan(1.7e9);
  });
});
