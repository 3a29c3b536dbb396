/** `rlp fmt` through `main` with captured output, on files in a temporary directory. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { bufferedIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";

const MESSY = "pipeline p{ rollout { samples=8; prompts = 4 } }\n";
const FORMATTED = "pipeline p {\n  rollout {\n    samples = 8\n    prompts = 4\n  }\n}\n";
const BROKEN = "pipeline p {\n  rollout { samples 8 }\n}\n";

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rlp-fmt-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function rlp(cwd: string, argv: string[], stdin?: string) {
  const io = bufferedIO({ cwd, ...(stdin === undefined ? {} : { stdin }) });
  const code = await main(["fmt", ...argv], io);
  return { code, out: io.out, err: io.err };
}

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

/** Whether standard input is a terminal decides what `rlp fmt` with no path does; tests set it. */
const stdinTTY = Object.getOwnPropertyDescriptor(process.stdin, "isTTY");
function setStdinTTY(value: boolean): void {
  Object.defineProperty(process.stdin, "isTTY", { value, configurable: true, writable: true });
}
afterEach(() => {
  if (stdinTTY === undefined) delete (process.stdin as { isTTY?: boolean }).isTTY;
  else Object.defineProperty(process.stdin, "isTTY", stdinTTY);
});

describe("rlp fmt", () => {
  test("rewrites files that change, names them on stderr, leaves formatted files and no temp files", async () => {
    const dir = workspace({ "a.rlp": MESSY, "b.rlp": FORMATTED });
    const r = await rlp(dir, ["a.rlp", "b.rlp"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("formatted a.rlp\n");
    expect(r.out).toBe("");
    expect(read(dir, "a.rlp")).toBe(FORMATTED);
    expect(read(dir, "b.rlp")).toBe(FORMATTED);
    expect(readdirSync(dir).sort()).toEqual(["a.rlp", "b.rlp"]);
  });

  test("walks directories for .rlp files, skipping hidden directories and node_modules", async () => {
    const dir = workspace({ "src/x.rlp": MESSY, "src/deep/y.rlp": MESSY, "src/notes.txt": MESSY, ".hidden/z.rlp": MESSY, "node_modules/m/z.rlp": MESSY });
    const r = await rlp(dir, ["."]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("formatted src/deep/y.rlp\nformatted src/x.rlp\n");
    expect(read(dir, "src/deep/y.rlp")).toBe(FORMATTED);
    expect(read(dir, "src/notes.txt")).toBe(MESSY);
    expect(read(dir, ".hidden/z.rlp")).toBe(MESSY);
    expect(read(dir, "node_modules/m/z.rlp")).toBe(MESSY);
  });

  test("--check lists unformatted files on stdout, writes nothing and exits 1", async () => {
    const dir = workspace({ "a.rlp": MESSY, "b.rlp": FORMATTED });
    const r = await rlp(dir, ["--check", "a.rlp", "b.rlp"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("a.rlp\n");
    expect(r.err).toContain("1 file is not formatted");
    expect(read(dir, "a.rlp")).toBe(MESSY);
  });

  test("--check exits 0 when every file is formatted", async () => {
    const dir = workspace({ "b.rlp": FORMATTED });
    const r = await rlp(dir, ["--check", "b.rlp"]);
    expect(r).toEqual({ code: 0, out: "", err: "" });
  });

  test("--diff prints a unified diff and writes nothing; with --check it exits 1", async () => {
    const dir = workspace({ "a.rlp": "pipeline p {\n  x   = 1\n}\n" });
    const r = await rlp(dir, ["--diff", "a.rlp"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("--- a/a.rlp\n+++ b/a.rlp\n@@ -1,3 +1,3 @@\n pipeline p {\n-  x   = 1\n+  x = 1\n }\n");
    expect(read(dir, "a.rlp")).toBe("pipeline p {\n  x   = 1\n}\n");
    const checked = await rlp(dir, ["--check", "--diff", "a.rlp"]);
    expect(checked.code).toBe(1);
    expect(checked.out).toBe(`a.rlp\n${r.out}`);
  });

  test("--stdout prints the formatted text and writes nothing", async () => {
    const dir = workspace({ "a.rlp": MESSY });
    const r = await rlp(dir, ["--stdout", "a.rlp"]);
    expect(r).toEqual({ code: 0, out: FORMATTED, err: "" });
    expect(read(dir, "a.rlp")).toBe(MESSY);
  });

  test("`-` formats standard input to standard output", async () => {
    const dir = workspace({});
    expect(await rlp(dir, ["-"], MESSY)).toEqual({ code: 0, out: FORMATTED, err: "" });
    const checked = await rlp(dir, ["--check", "-"], MESSY);
    expect(checked.code).toBe(1);
    expect(checked.out).toBe("<stdin>\n");
  });

  test("no path reads piped standard input; at a terminal it is a usage error", async () => {
    const dir = workspace({});
    setStdinTTY(false);
    expect(await rlp(dir, [], MESSY)).toEqual({ code: 0, out: FORMATTED, err: "" });
    setStdinTTY(true);
    const r = await rlp(dir, []);
    expect(r.code).toBe(2);
    expect(r.err).toContain("`rlp fmt` needs files or directories to format");
  });

  test("refuses files with syntax errors (exit 1, diagnostics on stderr, file untouched) and formats the rest", async () => {
    const dir = workspace({ "bad.rlp": BROKEN, "good.rlp": MESSY });
    const r = await rlp(dir, ["bad.rlp", "good.rlp"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[RLP0004]: expected `=` after `samples`, found `8`");
    expect(r.err).toContain("bad.rlp:2:21");
    expect(r.err).toContain("error: could not format bad.rlp");
    expect(r.err).toContain("formatted good.rlp");
    expect(read(dir, "bad.rlp")).toBe(BROKEN);
    expect(read(dir, "good.rlp")).toBe(FORMATTED);
  });

  test("refuses standard input with syntax errors and prints nothing on stdout", async () => {
    const r = await rlp(workspace({}), ["-"], BROKEN);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("<stdin>:2:21");
  });

  test("usage errors exit 2", async () => {
    const dir = workspace({ "a.rlp": MESSY });
    expect((await rlp(dir, ["--stdout", "--check", "a.rlp"])).code).toBe(2);
    expect((await rlp(dir, ["--chek", "a.rlp"])).err).toContain("did you mean `--check`");
    const missing = await rlp(dir, ["nope.rlp"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot read `nope.rlp`");
    expect((await rlp(dir, ["-", "-"], "")).code).toBe(2);
    expect(existsSync(join(dir, "a.rlp")) && read(dir, "a.rlp")).toBe(MESSY);
  });

  test("--help shows the usage with examples", async () => {
    const r = await rlp(workspace({}), ["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("usage: rlp fmt [paths...] [--check] [--diff] [--stdout]");
    expect(r.out).toContain("rlp fmt --check .");
  });
});
