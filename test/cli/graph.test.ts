import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferedIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "rlp-graph-"));

async function rlp(...argv: string[]) {
  const io = bufferedIO({ cwd: dir });
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const GRPO = join(process.cwd(), "pipelines/grpo.rlp");

describe("rlp graph", () => {
  it("prints DOT and Mermaid", async () => {
    const dot = await rlp("graph", GRPO, "--dot");
    expect([dot.code, dot.err]).toEqual([0, ""]);
    expect(dot.out).toMatch(/^digraph "grpo" \{/);
    const mermaid = await rlp("graph", GRPO, "--mermaid");
    expect(mermaid.code).toBe(0);
    expect(mermaid.out).toContain("flowchart TB");
  });

  it("writes an SVG with the node labels, relative to the working directory", async () => {
    const { code, out, err } = await rlp("graph", GRPO, "--svg", "grpo.svg");
    expect([code, out, err]).toEqual([0, "", ""]);
    const svg = readFileSync(join(dir, "grpo.svg"), "utf8");
    expect(svg).toContain("</svg>");
    for (const label of ["ppo_clip", "exact_match", "advantage", "@sample"]) expect(svg).toContain(label);
    const stdout = await rlp("graph", GRPO, "--svg", "-");
    expect(stdout.out).toBe(svg);
  });

  it("writes a PNG", async () => {
    const { code } = await rlp("graph", GRPO, "--png", "grpo.png", "--scale", "0.5");
    expect(code).toBe(0);
    const png = readFileSync(join(dir, "grpo.png"));
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.length).toBeGreaterThan(1000);
  });

  it("needs exactly one output format", async () => {
    const none = await rlp("graph", GRPO);
    expect(none.code).toBe(2);
    expect(none.err).toContain("needs an output format");
    const two = await rlp("graph", GRPO, "--dot", "--mermaid");
    expect(two.code).toBe(2);
    expect(two.err).toContain("choose one output format, not `--dot` and `--mermaid`");
  });

  it("refuses a PNG on stdout and a scale without --png", async () => {
    expect((await rlp("graph", GRPO, "--png", "-")).err).toContain("a PNG cannot be written to stdout");
    expect((await rlp("graph", GRPO, "--dot", "--scale", "2")).err).toContain("`--scale` applies to `--png` only");
    expect((await rlp("graph", GRPO, "--png", "x.png", "--scale", "0")).code).toBe(2);
  });

  it("reports errors in the file and exits 1, drawing nothing", async () => {
    const bad = join(dir, "bad.rlp");
    writeFileSync(bad, "pipeline p {\n  rollout { samples = }\n}\n");
    const { code, out, err } = await rlp("graph", bad, "--dot");
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain("error[RLP0005]");
  });

  it("rejects unknown flags (exit 2)", async () => {
    const { code, err } = await rlp("graph", GRPO, "--svgg", "x.svg");
    expect(code).toBe(2);
    expect(err).toContain("did you mean `--svg`?");
  });
});
