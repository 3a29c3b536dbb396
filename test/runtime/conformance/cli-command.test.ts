import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceCommand } from "../../../src/cli/commands/conformance.js";

const AUTHORS = "test/conformance/fixtures/authors";

function io() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (s: string) => {
        out.stdout += s;
      },
      stderr: (s: string) => {
        out.stderr += s;
      },
    },
  };
}

let failing: string;

beforeAll(async () => {
  failing = await mkdtemp(join(tmpdir(), "rlp-conformance-cli-"));
  const fx = JSON.parse(await readFile(join(AUTHORS, "knapsack_allocation.seed0.00.json"), "utf8")) as { expected: { rollouts: number[] } };
  fx.expected.rollouts[0] = fx.expected.rollouts[0]! + 1;
  await writeFile(join(failing, "knapsack.json"), JSON.stringify(fx));
});

afterAll(async () => {
  await rm(failing, { recursive: true, force: true });
});

describe("rlp conformance", () => {
  it("prints a per-function table and exits 0 when only unsupported fixtures are left", async () => {
    const t = io();
    expect(await conformanceCommand([AUTHORS], t.io)).toBe(0);
    expect(t.out.stdout).toMatch(/^function\s+pass\s+fail\s+unsupported\s+error$/m);
    expect(t.out.stdout).toMatch(/^hbpo_budget_reward\s+8\s+0\s+0\s+0$/m);
    expect(t.out.stdout).toMatch(/^gigpo_advantage\s+0\s+0\s+8\s+0$/m);
    expect(t.out.stdout).toContain("40 fixtures: 24 pass, 0 fail, 16 unsupported, 0 error");
  });

  it("lists every fixture with --verbose", async () => {
    const t = io();
    expect(await conformanceCommand([AUTHORS, "--verbose", "--filter", "brpo_advantage"], t.io)).toBe(0);
    expect(t.out.stdout.match(/^SKIP /gm)).toHaveLength(8);
  });

  it("exits 1 and shows where a fixture fails", async () => {
    const t = io();
    expect(await conformanceCommand([failing], t.io)).toBe(1);
    expect(t.out.stdout).toMatch(/FAIL .*knapsack\.json \(knapsack_allocation, seed0-00\): 1 of \d+ values differ/);
    expect(t.out.stdout).toMatch(/rollouts\[0\]: got 17, expected 18/);
  });

  it("prints a versioned JSON report with --json", async () => {
    const t = io();
    expect(await conformanceCommand(["--json", "--filter=hbpo_advantage", AUTHORS], t.io)).toBe(0);
    const report = JSON.parse(t.out.stdout) as { format_version: number; totals: Record<string, number>; filter: string };
    expect(report.format_version).toBe(1);
    expect(report.filter).toBe("hbpo_advantage");
    expect(report.totals).toEqual({ pass: 8, fail: 0, unsupported: 0, error: 0, fixtures: 8 });
  });

  it("exits 2 on usage errors", async () => {
    for (const argv of [[], ["--bogus", AUTHORS], [join(failing, "missing")], [AUTHORS, "--filter"]]) {
      const t = io();
      expect(await conformanceCommand(argv, t.io)).toBe(2);
      expect(t.out.stderr).toMatch(/^error: /);
    }
  });

  it("prints help", async () => {
    const t = io();
    expect(await conformanceCommand(["--help"], t.io)).toBe(0);
    expect(t.out.stdout).toMatch(/^usage: rlp conformance DIR\.\.\./);
  });

  it("warns when nothing matched", async () => {
    const t = io();
    expect(await conformanceCommand([AUTHORS, "--filter", "nothing_like_this"], t.io)).toBe(0);
    expect(t.out.stderr).toMatch(/no fixture found matching `nothing_like_this`/);
  });
});
