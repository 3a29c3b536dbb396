/**
 * `rlp run` and `rlp resume` end to end. The kill test spawns `bin/rlp.js` as a child process
 * (over a build of the CLI compiled once into .rlp-cache, since vitest runs the TypeScript
 * sources), kills it with SIGKILL after some checkpoints, resumes it, and compares metrics.jsonl
 * with an uninterrupted run's.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferedIO } from "../../src/cli/io.js";
import { resumeCommand } from "../../src/cli/commands/resume.js";
import { runCommand } from "../../src/cli/commands/run.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const backend = process.env["RLP_TEST_BACKEND"] ?? "wasm";
const SMALL = ["--set", "rollout.prompts=2", "--set", "rollout.samples=2", "--set", "rollout.max_tokens=10", "--set", "data.digits=1..2", "--backend", backend];

let build: string;
let launcher: string;

beforeAll(() => {
  build = join(root, ".rlp-cache", `test-cli-${process.pid}`);
  mkdirSync(build, { recursive: true });
  writeFileSync(
    join(build, "tsconfig.json"),
    JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { outDir: build, rootDir: root, sourceMap: false, noEmitOnError: true },
      include: [],
      files: [join(root, "src/cli/main.ts")],
    }),
  );
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(build, "tsconfig.json")], { stdio: "pipe" });
  // bin/rlp.js, pointed at this build instead of dist/.
  launcher = join(build, "bin", "rlp.js");
  mkdirSync(dirname(launcher), { recursive: true });
  writeFileSync(launcher, readFileSync(join(root, "bin", "rlp.js"), "utf8").replace("../dist/src/cli/main.js", "../src/cli/main.js"));
});

afterAll(() => {
  rmSync(build, { recursive: true, force: true });
});

function rlp(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> } {
  const child = spawn(process.execPath, [launcher, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((res) => child.on("exit", (code, signal) => res({ code, signal, err })));
  return { child, done };
}

/** metrics.jsonl without the clock: timing/*, perf/* and wall_time removed. */
function untimed(dir: string): string[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const r = JSON.parse(line) as { step: number; data: Record<string, number> };
      return JSON.stringify({ step: r.step, data: Object.fromEntries(Object.entries(r.data).filter(([k]) => !k.startsWith("timing/") && !k.startsWith("perf/"))) });
    });
}

const lines = (dir: string) => (existsSync(join(dir, "metrics.jsonl")) ? readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").filter((l) => l !== "").length : 0);

describe("rlp run / rlp resume", () => {
  it("ends a run killed with SIGKILL and resumed with the metrics of an uninterrupted run", async () => {
    const base = mkdtempSync(join(tmpdir(), "rlp-cli-"));
    const args = ["run", "pipelines/grpo.rlp", "--steps", "8", "--checkpoint-every", "2", "--seed", "3", ...SMALL];
    const whole = rlp([...args, "--out", join(base, "whole")]);
    const w = await whole.done;
    expect(w.code, w.err).toBe(0);
    expect(w.err).toMatch(/^step:8\/8 - reward\/mean:/m);
    expect(w.err).toMatch(/^done: step 8\/8 \(8 this run\)/m);

    const killedDir = join(base, "killed");
    const killed = rlp([...args, "--out", killedDir]);
    // Kill mid-run, after the checkpoint of step 2 and a step past it.
    while (lines(killedDir) < 3) await new Promise((r) => setTimeout(r, 20));
    killed.child.kill("SIGKILL");
    const k = await killed.done;
    expect(k.signal).toBe("SIGKILL");
    const latest = readFileSync(join(killedDir, "checkpoints", "latest"), "utf8").trim();
    expect(Number(latest.slice(5))).toBeGreaterThanOrEqual(2);
    expect(Number(latest.slice(5))).toBeLessThan(8);

    const resumed = await rlp(["resume", killedDir]).done;
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain(`resuming grpo`);
    expect(resumed.err).toContain(`from step ${Number(latest.slice(5))} to 8`);
    expect(untimed(killedDir)).toEqual(untimed(join(base, "whole")));
    expect(untimed(killedDir)).toHaveLength(8);

    const again = bufferedIO();
    expect(await resumeCommand.run([killedDir], again)).toBe(0);
    expect(again.err).toContain("is complete: step 8 of 8");
  });

  it("saves a checkpoint and exits 130 on SIGINT; resume finishes the run", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "rlp-cli-")), "run");
    const run = rlp(["run", "pipelines/grpo.rlp", "--steps", "6", "--checkpoint-every", "4", ...SMALL, "--out", dir]);
    while (lines(dir) < 1) await new Promise((r) => setTimeout(r, 20));
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code, r.err).toBe(130);
    expect(r.err).toContain("interrupt: finishing this step, then saving a checkpoint");
    const step = Number(readFileSync(join(dir, "checkpoints", "latest"), "utf8").trim().slice(5));
    expect(r.err).toContain(`interrupted after step ${step}; checkpoint saved to ${join(dir, "checkpoints", `step_${String(step).padStart(6, "0")}`)}`);
    expect(lines(dir)).toBe(step);
    const resumed = await rlp(["resume", dir]).done;
    expect(resumed.code, resumed.err).toBe(0);
    expect(lines(dir)).toBe(6);
  });

  it("writes a manifest, and refuses to resume a run whose pipeline changed", async () => {
    const base = mkdtempSync(join(tmpdir(), "rlp-cli-"));
    const file = join(base, "p.rlp");
    writeFileSync(file, readFileSync(join(root, "pipelines/grpo.rlp"), "utf8"));
    const dir = join(base, "run");
    const io = bufferedIO({ cwd: base });
    expect(await runCommand.run([file, "--steps", "2", "--checkpoint-every", "1", "--out", dir, ...SMALL], io)).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format_version: 1, pipeline: "grpo", seed: 1, backend, steps: 2, checkpoint_every: 1, source: file });
    expect(manifest["overrides"]).toEqual([
      { key: "rollout.prompts", value: 2 },
      { key: "rollout.samples", value: 2 },
      { key: "rollout.max_tokens", value: 10 },
      { key: "data.digits", value: { min: 1, max: 2 } },
    ]);
    expect(Object.keys(manifest["versions"] as object).sort()).toEqual(["effect", "node", "rlp", "tfjs"]);
    expect((manifest["ir"] as { hash: string }).hash).toBe(manifest["ir_hash"]);

    writeFileSync(file, readFileSync(file, "utf8").replace("eps: 0.2,", "eps: 0.3,"));
    const refused = bufferedIO({ cwd: base });
    expect(await resumeCommand.run([dir], refused)).toBe(1);
    expect(refused.err).toContain("changed since the run started");
    expect(refused.err).toMatch(/note: node n\d+ \(ppo_clip\): params .*"eps":0\.2.* → .*"eps":0\.3/);
  });

  it("reports compile errors (1), bad flags and overrides (2), and an existing run directory (2)", async () => {
    const base = mkdtempSync(join(tmpdir(), "rlp-cli-"));
    const bad = join(base, "bad.rlp");
    writeFileSync(bad, "pipeline p {\n  rollout { samples 8 }\n}\n");
    const io = bufferedIO();
    expect(await runCommand.run([bad], io)).toBe(1);
    expect(io.err).toMatch(/^error\[RLP/m);
    await expect(runCommand.run(["pipelines/grpo.rlp", "--set", "rollout.promts=4"], bufferedIO())).rejects.toThrow(/`rollout.promts` cannot be set/);
    await expect(runCommand.run(["pipelines/grpo.rlp", "--backend", "metal"], bufferedIO())).rejects.toThrow(/not a valid value for `--backend`/);
    await expect(runCommand.run([], bufferedIO())).rejects.toThrow(/needs exactly one pipeline file/);
    const dir = join(base, "once");
    expect(await runCommand.run(["pipelines/grpo.rlp", "--steps", "1", "--out", dir, ...SMALL], bufferedIO())).toBe(0);
    await expect(runCommand.run(["pipelines/grpo.rlp", "--out", dir], bufferedIO())).rejects.toThrow(/already holds a run/);
    const missing = bufferedIO();
    expect(await resumeCommand.run([base], missing)).toBe(1);
    expect(missing.err).toContain("has no manifest.json");
  });

  it("exits 4 with the node's location when a step produces NaN, keeping no bad checkpoint", async () => {
    const base = mkdtempSync(join(tmpdir(), "rlp-cli-"));
    const file = join(base, "nan.rlp");
    writeFileSync(file, readFileSync(join(root, "pipelines/grpo.rlp"), "utf8").replace("/ (std(score by prompt) + 1e-6)", "/ std(score by prompt)"));
    const io = bufferedIO({ cwd: base });
    expect(await runCommand.run([file, "--steps", "3", "--out", join(base, "run"), ...SMALL], io)).toBe(4);
    expect(io.err).toMatch(/^error: non-finite value on step 1: node n\d+ \(div\)/m);
    expect(io.err).toContain("A = (score - mean(score by prompt)) / std(score by prompt)");
    expect(io.err).toContain("no checkpoint was written before the failure");
    expect(existsSync(join(base, "run", "checkpoints", "latest"))).toBe(false);
  });
});
