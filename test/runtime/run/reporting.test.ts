import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/index.js";
import { irDifferences } from "../../../src/runtime/run/ir-diff.js";
import { makeManifest, ManifestError, readManifest, writeManifest } from "../../../src/runtime/run/manifest.js";
import { applyOverrides, parseOverrides } from "../../../src/runtime/run/overrides.js";
import { formatDuration, plainLine, ProgressSink } from "../../../src/runtime/run/progress.js";
import { renderRuntimeError } from "../../../src/runtime/run/report.js";
import { runSettings, SettingError } from "../../../src/runtime/run/settings.js";
import { planRun } from "../../../src/runtime/scheduler/plan.js";
import { NonFiniteError, RewardFunctionError } from "../../../src/runtime/services/errors.js";

const info = { kind: "local", backend: "wasm", device: "x64", model: "tiny_lm(arith)", parameters: 10, maxSequence: 128, concurrency: 1, versions: { rlp: "0.1.0", tfjs: "4.22.0", node: "20" } };

describe("run settings", () => {
  it("prefers flags over the pipeline over defaults", async () => {
    const { ir } = await compileFile("pipelines/grpo.rlp");
    const plan = planRun(ir!);
    expect(runSettings(plan, {})).toEqual({ seed: 1, backend: "wasm", steps: 200, checkpointEvery: 10, keepCheckpoints: 3, workers: 0 });
    expect(runSettings(plan, { seed: 4, backend: "cpu", steps: 3, checkpointEvery: 1 })).toMatchObject({ seed: 4, backend: "cpu", steps: 3, checkpointEvery: 1 });
    expect(() => runSettings(plan, { steps: 0 })).toThrow(SettingError);
    expect(() => runSettings(plan, { backend: "metal" })).toThrow(/unknown backend `metal`/);
  });
});

describe("manifest", () => {
  it("round-trips and refuses a directory without one", async () => {
    const { ir } = await compileFile("pipelines/grpo.rlp");
    const dir = mkdtempSync(join(tmpdir(), "rlp-manifest-"));
    const overrides = parseOverrides(["rollout.prompts=4"]);
    const small = applyOverrides(ir!, overrides);
    const settings = runSettings(planRun(small), { steps: 5 });
    writeManifest(dir, makeManifest({ ir: small, file: "pipelines/grpo.rlp", sourcePath: "/abs/pipelines/grpo.rlp", pipelineOption: undefined, overrides, settings, info, argv: ["run", "x"], cwd: "/abs" }));
    const back = readManifest(dir);
    expect(back).toMatchObject({ format_version: 1, pipeline: "grpo", ir_hash: small.hash, seed: 1, backend: "wasm", steps: 5, checkpoint_every: 10, overrides, argv: ["run", "x"] });
    expect(back.versions["effect"]).toBe("4.1.0");
    expect(back.ir.rollout.prompts).toBe(4);
    expect(() => readManifest(mkdtempSync(join(tmpdir(), "rlp-empty-")))).toThrow(ManifestError);
  });
});

describe("ir differences", () => {
  it("names what changed between two compilations", async () => {
    const { ir } = await compileFile("pipelines/grpo.rlp");
    const changed = applyOverrides(ir!, parseOverrides(["rollout.prompts=4", "optimizer.lr=1e-3"]));
    expect(irDifferences(ir!, changed)).toEqual([
      "rollout.prompts: 32 → 4",
      expect.stringMatching(/^node optimizer \(adam\): params .*"lr":0\.0003.* → .*"lr":0\.001.*pipelines\/grpo\.rlp:\d+:\d+\)$/),
    ]);
  });
});

describe("console output", () => {
  const record = { step: 3, data: { "reward/mean": 0.25, accuracy: 0.125, "response_length/mean": 12.5, "timing/step": 2, "perf/rollouts_per_s": 8, "perf/throughput": 100 }, wall_time: 0 };

  it("prints verl-style plain lines off a terminal", () => {
    expect(plainLine(record, 10, 14)).toBe("step:3/10 - reward/mean:0.25 - accuracy:0.125 - response_length/mean:12.5 - rollouts/s:8.0 - tokens/s:100 - time:2.00s - eta:14s");
    expect(formatDuration(3725)).toBe("1h02m");
    expect(formatDuration(65)).toBe("1m05s");
  });

  it("redraws one bar in place on a terminal, from the resumed step, with notes above it", () => {
    let out = "";
    const sink = new ProgressSink({ write: (t) => (out += t), tty: true, label: "grpo", total: 10, initial: 2, columns: 140 });
    sink.start();
    expect(out).toContain(" 2/10");
    sink.write(record);
    sink.note("warning: something");
    sink.close();
    const frames = out.split("\r\x1b[2K").filter((f) => f !== "");
    expect(frames.at(-2)).toBe("warning: something\n");
    expect(frames.at(-1)).toMatch(/^grpo ▕█+░+▏  3\/10  8\.0 rollouts\/s  100 tok\/s  reward 0\.250  acc 0\.125  len 12\.5  ETA 14s\n$/);
  });
});

describe("runtime error report", () => {
  it("points at the node's source, names the last good checkpoint and how to go on", async () => {
    const { ir, sources } = await compileFile("pipelines/grpo.rlp");
    const node = ir!.nodes.find((n) => n.op === "ppo_clip")!;
    const text = renderRuntimeError(new NonFiniteError({ node: node.id, step: 12, message: "the loss is NaN; the update was not applied" }), {
      ir: ir!,
      sources,
      color: false,
      dir: "runs/x",
      checkpoint: { step: 10, path: "runs/x/checkpoints/step_000010" },
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("error: non-finite value on step 12: the loss is NaN; the update was not applied");
    expect(lines[1]).toMatch(/┌─ pipelines\/grpo\.rlp:\d+:\d+$/);
    expect(text).toContain("loss = ppo_clip(A, eps: 0.2, agg: seq_mean_token_mean)");
    expect(text).toMatch(/\^{10,} node n\d+ \(ppo_clip\)/);
    expect(text).toContain("= note: the last good checkpoint is step 10 (runs/x/checkpoints/step_000010)");
    expect(text).toContain('from: "runs/x/checkpoints/step_000010"');
    const reward = renderRuntimeError(new RewardFunctionError({ node: "n1", step: 3, rollout: 5, message: "boom" }), { ir: ir!, sources, color: false, dir: "runs/x" });
    expect(reward).toContain("on_reward_error = zero");
    expect(reward).toContain("no checkpoint was written before the failure");
  });
});
