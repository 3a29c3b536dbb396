/**
 * `npm run repro -- hbpo` end to end on a tiny configuration (dist/ is built by `npm ci`), and its
 * pipeline templates: they check clean and are formatted (CI's `rlp check`/`rlp fmt` cover
 * pipelines/ only).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const templates = ["bench/repro/grpo.rlp", "pipelines/hbpo.rlp"];
const tmp = mkdtempSync(join(tmpdir(), "rlp-repro-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm run repro -- hbpo", () => {
  it("its pipeline templates check clean and are formatted", () => {
    execFileSync(process.execPath, ["bin/rlp.js", "check", "--deny-warnings", ...templates], { cwd: root, stdio: "pipe" });
    execFileSync(process.execPath, ["bin/rlp.js", "fmt", "--check", ...templates], { cwd: root, stdio: "pipe" });
  });

  it("trains SFT, GRPO and HBPO, evaluates, and writes the table, the plots and a JSON last line", () => {
    const out = join(tmp, "repro");
    const args = ["dist/bench/repro.js", "hbpo", "--quick", "--out", out, "--sft-steps", "2", "--steps", "2", "--prompts", "2", "--n", "4"];
    const stdout = execFileSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, { accuracy: number; mean_tokens: number }>;
    expect(Object.keys(last)).toEqual(["grpo", "hbpo"]);
    for (const k of ["grpo", "hbpo"]) {
      expect(last[k]!.accuracy).toBeGreaterThanOrEqual(0);
      expect(last[k]!.accuracy).toBeLessThanOrEqual(1);
      expect(last[k]!.mean_tokens).toBeGreaterThan(0);
      expect(last[k]!.mean_tokens).toBeLessThanOrEqual(64);
    }
    // Sane training metrics: every step of both runs, finite and within the pipelines' limits.
    const lines = (run: string) => readFileSync(join(out, run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { step: number; data: Record<string, number> }));
    for (const run of ["grpo", "hbpo"]) {
      const steps = lines(run);
      expect(steps.map((l) => l.step)).toEqual([1, 2]);
      for (const { data } of steps) {
        expect(Number.isFinite(data["reward/mean"])).toBe(true);
        expect(data["accuracy"]).toBeGreaterThanOrEqual(0);
        expect(data["accuracy"]).toBeLessThanOrEqual(1);
        expect(data["response_length/max"]).toBeLessThanOrEqual(64);
        expect(Number.isFinite(data["actor/grad_norm"])).toBe(true);
        if (run === "hbpo") for (const b of [8, 16, 32, 48]) expect(data[`response_length/budget=${b}/mean`]).toBeGreaterThanOrEqual(1);
      }
    }
    // The evaluation: no prefill, then each of HBPO's budgets, every one over the n problems.
    const hbpoEval = JSON.parse(readFileSync(join(out, "hbpo", "eval.json"), "utf8")) as { conditions: { budget: number | null; count: number }[] };
    expect(hbpoEval.conditions.map((c) => c.budget)).toEqual([null, 8, 16, 32, 48]);
    for (const c of hbpoEval.conditions) expect(c.count).toBe(4);
    const md = readFileSync(join(out, "results.md"), "utf8");
    expect(md).toContain("| algorithm | accuracy | mean tokens | tokens vs GRPO | accuracy vs GRPO |");
    expect(md).toMatch(/\| HBPO \| /);
    expect(md).toMatch(/Per-budget mean lengths were in budget order at (all 2|\d of 2) HBPO steps/);
    for (const plot of ["training", "hbpo_budget_lengths"]) {
      expect(readFileSync(join(out, `${plot}.svg`), "utf8")).toContain("step");
      expect(statSync(join(out, `${plot}.png`)).size).toBeGreaterThan(1000);
    }
    for (const run of ["sft", "grpo", "hbpo"]) expect(existsSync(join(out, run, "manifest.json"))).toBe(true);
    // Both RL runs warm-start from the SFT run and sample the same number of rollouts per step.
    const rollouts = (run: string) => JSON.parse(readFileSync(join(out, run, "metrics.jsonl"), "utf8").split("\n")[0]!).data["batch/rollouts"];
    expect(rollouts("grpo")).toBe(32);
    expect(rollouts("hbpo")).toBe(32);
    expect(readFileSync(join(out, "pipelines", "hbpo.rlp"), "utf8")).toContain(JSON.stringify(resolve(out, "sft")));
  });
});
