import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferedIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { jsonToIr } from "../../src/compiler/ir/json.js";

const dir = mkdtempSync(join(tmpdir(), "rlp-compile-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function rlp(...argv: string[]) {
  const io = bufferedIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const SYNTAX_ERROR = file("bad.rlp", "pipeline p {\n  rollout { samples = }\n}\n");

describe("rlp compile", () => {
  it("writes the IR of a pipeline as canonical JSON that reads back", async () => {
    const { code, out, err } = await rlp("compile", "pipelines/grpo.rlp");
    expect([code, err]).toEqual([0, ""]);
    expect(out.startsWith('{\n  "format_version": 1,')).toBe(true);
    const back = jsonToIr(out, "grpo.ir.json");
    expect("ir" in back && back.ir.pipeline).toBe("grpo");
  });

  it("writes DOT and Mermaid", async () => {
    const dot = await rlp("compile", "pipelines/hbpo.rlp", "--emit", "dot");
    expect(dot.code).toBe(0);
    expect(dot.out).toMatch(/^digraph "hbpo" \{\n/);
    expect(dot.out).toContain('subgraph "cluster_advantage"');
    const mermaid = await rlp("compile", "pipelines/hbpo.rlp", "--emit=mermaid");
    expect(mermaid.code).toBe(0);
    expect(mermaid.out).toContain("flowchart TB\n");
    expect(mermaid.out).toContain('subgraph s_reward["reward"]');
  });

  it("emits the AST as JSON without spans", async () => {
    const source = file("ok.rlp", "const L = 64\n");
    const { code, out, err } = await rlp("compile", source, "--emit", "ast");
    expect([code, err]).toEqual([0, ""]);
    expect(out).not.toContain('"span"');
    expect(out).not.toContain('"start"');
    const ast = JSON.parse(out);
    expect(ast.path).toBe(source);
    expect(ast.items).toHaveLength(1);
    expect(ast.items[0]).toMatchObject({ kind: "const", name: { name: "L" } });
  });

  it("writes to a file with -o, and to stdout with -o -", async () => {
    const out = join(dir, "grpo.ir.json");
    const written = await rlp("compile", "pipelines/grpo.rlp", "-o", out);
    expect([written.code, written.out, written.err]).toEqual([0, "", ""]);
    const stdout = await rlp("compile", "pipelines/grpo.rlp", "-o", "-");
    expect(readFileSync(out, "utf8")).toBe(stdout.out);
  });

  it("reports a syntax error on stderr with the file's line, and exits 1", async () => {
    const { code, out, err } = await rlp("compile", SYNTAX_ERROR, "--emit", "ast");
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain("error[RLP0005]: expected an expression, found `}`");
    expect(err).toContain(`${SYNTAX_ERROR}:2:23`);
    expect(err).toContain(`could not compile ${SYNTAX_ERROR}`);
  });

  it("reports diagnostics as a versioned JSON report with --json", async () => {
    const { code, out, err } = await rlp("compile", SYNTAX_ERROR, "--json");
    expect(code).toBe(1);
    expect(out).toBe("");
    const report = JSON.parse(err);
    expect(report).toMatchObject({ format_version: "1", valid: false });
    expect(report.diagnostics.map((d: { code: string }) => d.code)).toContain("RLP0005");
  });

  it("rejects unknown flags and bad values with a usage error (exit 2)", async () => {
    const flag = await rlp("compile", "pipelines/grpo.rlp", "--emitt", "ir");
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("unknown option `--emitt`");
    expect(flag.err).toContain("did you mean `--emit`?");
    const value = await rlp("compile", "pipelines/grpo.rlp", "--emit", "svg");
    expect(value.code).toBe(2);
    expect(value.err).toContain("`svg` is not a valid value for `--emit`");
  });

  it("needs exactly one existing file", async () => {
    expect((await rlp("compile")).code).toBe(2);
    expect((await rlp("compile", "pipelines/grpo.rlp", "pipelines/hbpo.rlp")).err).toContain("takes one file, got 2");
    const missing = await rlp("compile", join(dir, "missing.rlp"));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("no such file or directory");
    const out = await rlp("compile", "pipelines/grpo.rlp", "-o", join(dir, "no", "such", "dir.json"));
    expect(out.code).toBe(2);
    expect(out.err).toContain("its directory does not exist");
  });

  it("asks which pipeline to compile when a file declares several", async () => {
    const grpo = readFileSync("pipelines/grpo.rlp", "utf8");
    const two = file("two.rlp", `${grpo}\n${grpo.replace("pipeline grpo", "pipeline grpo2")}`);
    const { code, err } = await rlp("compile", two);
    expect(code).toBe(2);
    expect(err).toContain("declares 2 pipelines");
    expect(err).toContain("`grpo`, `grpo2`");
    const chosen = await rlp("compile", two, "--pipeline", "grpo2");
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.out).pipeline).toBe("grpo2");
  });

  it("prints its usage with --help", async () => {
    const { code, out } = await rlp("compile", "--help");
    expect(code).toBe(0);
    expect(out).toContain("usage: rlp compile FILE");
  });
});
