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
const templates = ["bench/repro/grpo.rlp", "bench/repro/hbpo.rlp"];
const tmp = mkdtempSync(join(tmpdir(), "rlp-repro-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm run repro -- hbpo", () => {
  it("its pipeline templates check clean and are formatted", () => {
    execFileSync(process.execPath, ["bin/rlp.js", "check", "--deny-warnings", ...templates], { cwd: root, stdio: "pipe" });
    execFileSync(process.execPath, ["bin/rlp.js", "fmt", "--check", ...templates], { cwd: root, stdio: "pipe" });
  });

  // pipelines/sft.rlp and `rlp eval` land separately; until then the run is checked by hand.
  it.skipIf(!existsSync(join(root, "pipelines", "sft.rlp")))("trains SFT, GRPO and HBPO, evaluates, and writes the table, the plots and a JSON last line", () => {
    const out = join(tmp, "repro");
    const args = ["dist/bench/repro.js", "hbpo", "--quick", "--out", out, "--sft-steps", "2", "--steps", "2", "--prompts", "2", "--n", "4"];
    const stdout = execFileSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, { accuracy: number; mean_tokens: number }>;
    expect(Object.keys(last)).toEqual(["grpo", "hbpo"]);
    for (const k of ["grpo", "hbpo"]) {
      expect(last[k]!.accuracy).toBeGreaterThanOrEqual(0);
      expect(last[k]!.mean_tokens).toBeGreaterThan(0);
    }
    const md = readFileSync(join(out, "results.md"), "utf8");
    expect(md).toContain("| algorithm | accuracy | mean tokens | tokens vs GRPO | accuracy vs GRPO |");
    expect(md).toMatch(/\| HBPO \| /);
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
