/** `rlp check` and the CLI's exit codes, through `main` with captured output. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import { bufferedIO } from "../../src/cli/io.js";

const dir = mkdtempSync(join(tmpdir(), "rlp-check-"));
const bad = join(dir, "bad.rlp");
writeFileSync(bad, "pipeline p {\n  rollout { samples 8 }\n}\n");
const warn = join(dir, "warn.rlp");
writeFileSync(
  warn,
  `use std.tasks.{arith}
use std.rewards.{exact_match}
pipeline p {
  policy = tiny_lm()
  data = arith()
  rollout { prompts = 4  samples = 4  max_tokens = 16 }
  reward { score = exact_match(answer, target)  extra = tokens }
  advantage { A = group_norm(score) }
  loss = ppo_clip(A)
  optimize { optimizer = adam(lr: 1e-3) }
}
`,
);

async function run(...argv: string[]) {
  const io = bufferedIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe("rlp check", () => {
  test("every shipped pipeline checks clean (exit 0)", async () => {
    const r = await run("check", "pipelines");
    expect(r.err).toMatch(/^ok: 8 files checked, no problems/);
    expect(r.code).toBe(0);
  });

  test("errors exit 1 with located diagnostics on stderr", async () => {
    const r = await run("check", bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[RLP0004]: expected `=` after `samples`");
    expect(r.err).toMatch(/bad\.rlp:2:21/);
    expect(r.out).toBe("");
  });

  test("warnings alone exit 0, or 1 with --deny-warnings", async () => {
    expect((await run("check", warn)).code).toBe(0);
    const denied = await run("check", "--deny-warnings", warn);
    expect(denied.code).toBe(1);
    expect(denied.err).toContain("warning[RLP0501]");
  });

  test("--json is a versioned report on stdout", async () => {
    const r = await run("check", "--json", bad);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { format_version: string; valid: boolean; error_count: number; diagnostics: { code: string; range: { start: { line: number; column: number } } }[] };
    expect(report.format_version).toBe("1");
    expect(report.valid).toBe(false);
    expect(report.error_count).toBeGreaterThan(0);
    const syntax = report.diagnostics.find((d) => d.code === "RLP0004");
    expect(syntax?.range.start).toMatchObject({ line: 2, column: 21 });
  });

  test("--stop-after parse skips semantic checks", async () => {
    const r = await run("check", "--stop-after", "parse", warn);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("RLP0501");
  });
});

describe("usage errors exit 2 with a did-you-mean", () => {
  test("unknown command", async () => {
    const r = await run("chek", "x.rlp");
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command `chek`");
    expect(r.err).toContain("did you mean `check`?");
  });

  test("unknown flag", async () => {
    const r = await run("check", "--jsno", bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain("did you mean `--json`?");
  });

  test("missing file", async () => {
    const r = await run("check", join(dir, "nope.rlp"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("no such file");
  });

  test("no arguments prints help", async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.out).toContain("usage: rlp <command>");
  });
});

describe("internal errors are bugs, exit 3, never a stack trace", () => {
  test("an exception escaping a command is reported as RLP0900", async () => {
    const io = bufferedIO();
    const { reportInternalError } = await import("../../src/cli/main.js");
    const code = reportInternalError(io, new TypeError("boom"));
    expect(code).toBe(3);
    expect(io.err).toContain("error[RLP0900]: internal error");
    expect(io.err).toContain("this is a bug in rlp");
    expect(io.err).not.toContain("    at ");
  });
});
