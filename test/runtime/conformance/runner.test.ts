import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureDirectoryError, runConformance, type FixtureOutcome } from "../../../src/runtime/conformance/index.js";

const VERL = "test/conformance/fixtures/verl";
let dir: string;

const byName = (outcomes: readonly FixtureOutcome[], name: string): FixtureOutcome => {
  const hit = outcomes.find((o) => o.file.endsWith(name));
  if (hit === undefined) throw new Error(`no outcome for ${name}`);
  return hit;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rlp-conformance-"));
  const good = JSON.parse(await readFile(join(VERL, "grpo_outcome_advantage.seed0.00.json"), "utf8")) as Record<string, unknown>;
  const wrong = structuredClone(good);
  ((wrong["expected"] as { advantages: number[][] }).advantages[3]!)[2] = 42;
  const policy = JSON.parse(await readFile(join(VERL, "policy_loss_vanilla.seed0.13.json"), "utf8")) as Record<string, unknown>;
  const wrongGrad = structuredClone(policy);
  ((wrongGrad["expected"] as { grad_log_prob: number[][] }).grad_log_prob[1]!)[0] = 1;
  const noTolerance = structuredClone(good);
  delete noTolerance["tolerance"];
  const badShape = structuredClone(good);
  (badShape["inputs"] as { group: string[] }).group.pop();
  await mkdir(join(dir, "nested", "deeper"), { recursive: true });
  await writeFile(join(dir, "good.json"), JSON.stringify(good));
  await writeFile(join(dir, "nested", "deeper", "wrong.json"), JSON.stringify(wrong));
  await writeFile(join(dir, "wrong-grad.json"), JSON.stringify(wrongGrad));
  await writeFile(join(dir, "truncated.json"), '{"function": "grpo_outcome_advantage", "inputs": {');
  await writeFile(join(dir, "no-tolerance.json"), JSON.stringify(noTolerance));
  await writeFile(join(dir, "bad-shape.json"), JSON.stringify(badShape));
  await writeFile(join(dir, "no-function.json"), JSON.stringify({ inputs: {}, expected: {} }));
  await writeFile(join(dir, "future.json"), JSON.stringify({ ...good, function: "future_advantage" }));
  await writeFile(join(dir, "notes.txt"), "not a fixture");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("runConformance", () => {
  it("classifies each fixture and counts per function", async () => {
    const report = await runConformance(dir);
    expect(report.format_version).toBe(1);
    expect(report.totals).toEqual({ pass: 1, fail: 2, unsupported: 1, error: 4, fixtures: 8 });
    expect(report.byFunction["grpo_outcome_advantage"]).toEqual({ pass: 1, fail: 1, unsupported: 0, error: 2 });
    expect(report.byFunction["future_advantage"]).toEqual({ pass: 0, fail: 0, unsupported: 1, error: 0 });
    expect(report.byFunction["(unreadable)"]).toEqual({ pass: 0, fail: 0, unsupported: 0, error: 2 });
  });

  it("reports a wrong value as a failure with its file, output, index and values", async () => {
    const report = await runConformance(dir);
    const wrong = byName(report.fixtures, join("nested", "deeper", "wrong.json"));
    expect(wrong.status).toBe("fail");
    if (wrong.status !== "fail") return;
    expect(wrong.file).toBe(join(dir, "nested", "deeper", "wrong.json"));
    expect(wrong.case).toBe("seed0-00");
    expect(wrong.mismatchCount).toBe(1);
    expect(wrong.mismatches[0]).toMatchObject({ kind: "value", path: "advantages", index: [3, 2], expected: 42 });
    const grad = byName(report.fixtures, "wrong-grad.json");
    expect(grad.status === "fail" && grad.mismatches[0]).toMatchObject({ path: "grad_log_prob", index: [1, 0], expected: 1 });
  });

  it("reports malformed fixtures as errors with the reason", async () => {
    const report = await runConformance(dir);
    const reason = (name: string): string => {
      const o = byName(report.fixtures, name);
      return o.status === "error" ? o.reason : `status ${o.status}`;
    };
    expect(reason("truncated.json")).toMatch(/^invalid JSON/);
    expect(reason("no-tolerance.json")).toMatch(/tolerance/);
    expect(reason("bad-shape.json")).toMatch(/inputs\.group has 11 entries, expected 12/);
    expect(reason("no-function.json")).toMatch(/function/);
  });

  it("filters by function name or path fragment", async () => {
    expect((await runConformance(dir, { filter: "future_advantage" })).totals.fixtures).toBe(1);
    expect((await runConformance(dir, { filter: "nested" })).totals).toMatchObject({ fail: 1, fixtures: 1 });
    expect((await runConformance([dir, VERL], { filter: "policy_loss_cispo" })).totals).toMatchObject({ pass: 48, fixtures: 48 });
  });

  it("throws a typed error for a missing directory", async () => {
    await expect(runConformance(join(dir, "absent"))).rejects.toBeInstanceOf(FixtureDirectoryError);
  });
});
