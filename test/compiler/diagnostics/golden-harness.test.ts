import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { diagnostic } from "../../../src/compiler/diagnostics/diagnostic.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import {
  checkExpectations,
  checkGolden,
  findInputs,
  goldenCase,
  locator,
  normalise,
  parseExpectations,
  staleOutputs,
  type CheckOptions,
} from "../../golden/harness.js";

const N = { root: "/home/ci/rlp", version: "0.1.0" };

function suiteDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rlp-golden-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("parseExpectations", () => {
  test("reads the leading comment block only", () => {
    const text = [
      "// A file about levels.",
      "// expect: error RLP0204",
      "",
      "//expect: warning RLP0501 at 12:7",
      "// expect: error RLP0301 at /nodes/rollout/params/temperature",
      "// expect: note RLP0502 at 3",
      "pipeline p {",
      "// expect: error RLP0001",
      "}",
    ].join("\n");
    const { expectations, problems } = parseExpectations(text);
    expect(problems).toEqual([]);
    expect(expectations.map((e) => (e.kind === "ok" ? e : { ...e, source: undefined }))).toEqual([
      { kind: "diagnostic", severity: "error", code: "RLP0204", source: undefined },
      { kind: "diagnostic", severity: "warning", code: "RLP0501", at: { line: 12, column: 7 }, source: undefined },
      { kind: "diagnostic", severity: "error", code: "RLP0301", at: { pointer: "/nodes/rollout/params/temperature" }, source: undefined },
      { kind: "diagnostic", severity: "note", code: "RLP0502", at: { line: 3 }, source: undefined },
    ]);
  });

  test("`ok`, and lines it cannot read", () => {
    expect(parseExpectations("// expect: ok\nconst a = 1\n")).toEqual({ expectations: [{ kind: "ok" }], problems: [] });
    expect(parseExpectations("// expect: eror RLP0204\n").problems).toEqual([expect.stringContaining("cannot read `// expect: eror RLP0204`")]);
    expect(parseExpectations("// expect: error RLP204 at 1:2\n").problems).toHaveLength(1);
    expect(parseExpectations("// expect: ok\n// expect: error RLP0001\n").problems).toEqual(["`// expect: ok` cannot be combined with expected diagnostics"]);
    expect(parseExpectations("\r\n// expect: ok\r\n").expectations).toEqual([{ kind: "ok" }]);
  });
});

describe("checkExpectations", () => {
  const file = new SourceFile("in.rlp", "a = 1\nb = 预 + c\n");
  const sources = new SourceMap();
  sources.add(file);
  const locate = locator(sources, "in.rlp", file.text);
  const at = (needle: string) => file.span(file.text.indexOf(needle), file.text.indexOf(needle) + needle.length);
  const unknownC = diagnostic("RLP0101", "unknown name `c`").primary(at("c"), "").build();
  const unusedA = diagnostic("RLP0501", "unused").primary(at("a"), "").build();
  const pointed = diagnostic("RLP0301", "too big").at("/x/y").build();
  const expectations = (text: string) => parseExpectations(text).expectations;

  test("one to one, in any order, columns in code points", () => {
    const header = "// expect: warning RLP0501\n// expect: error RLP0101 at 2:9\n// expect: error RLP0301 at /x/y\n";
    expect(checkExpectations(expectations(header), [pointed, unknownC, unusedA], locate)).toEqual([]);
  });

  test("what is missing and what is extra are both listed", () => {
    const problems = checkExpectations(expectations("// expect: error RLP0101 at 2:8\n// expect: error RLP0204\n"), [unknownC, unusedA], locate);
    expect(problems).toEqual([
      "expected but not reported: error RLP0101 at 2:8",
      "expected but not reported: error RLP0204",
      "reported but not expected: error RLP0101 at 2:9: unknown name `c`",
      "reported but not expected: warning RLP0501 at 1:1: unused",
    ]);
  });

  test("positioned expectations are matched before unpositioned ones", () => {
    const twice = [diagnostic("RLP0101", "x").primary(at("a"), "").build(), unknownC];
    expect(checkExpectations(expectations("// expect: error RLP0101\n// expect: error RLP0101 at 1:1\n"), twice, locate)).toEqual([]);
  });

  test("without a source map, spans are read against the input itself", () => {
    const bare = locator(undefined, "in.rlp", file.text);
    expect(checkExpectations(expectations("// expect: error RLP0101 at 2:9\n"), [unknownC], bare)).toEqual([]);
  });
});

describe("normalise", () => {
  test("the root becomes $ROOT and the version x.y.z, nothing else", () => {
    expect(normalise("at /home/ci/rlp/pipelines/a.rlp (rlp 0.1.0)\r\n", N)).toBe("at $ROOT/pipelines/a.rlp (rlp x.y.z)\n");
    expect(normalise("v0.1.0, 10.1.0, 0.1.01, 0.1.0.2, 0.1.0.", N)).toBe("vx.y.z, 10.1.0, 0.1.01, 0.1.0.2, x.y.z.");
  });
});

describe("checkGolden", () => {
  const options: CheckOptions = { update: false, normalisation: N };

  test("a missing expected file is written and the test fails", () => {
    const dir = suiteDir({ "input/a/b.rlp": "" });
    const verdict = checkGolden(dir, "a/b.rlp", { err: "error at /home/ci/rlp/x\n" }, options);
    expect(verdict).toEqual({ kind: "fail", message: "wrote missing expected file output/a/b.err; review it and commit it" });
    expect(readFileSync(join(dir, "output/a/b.err"), "utf8")).toBe("error at $ROOT/x\n");
    expect(checkGolden(dir, "a/b.rlp", { err: "error at /home/ci/rlp/x\n" }, options)).toEqual({ kind: "pass" });
  });

  test("a difference is a mismatch with both texts", () => {
    const dir = suiteDir({ "input/a.rlp": "", "output/a.out": "old\r\n" });
    expect(checkGolden(dir, "a.rlp", { out: "old\n" }, options)).toEqual({ kind: "pass" });
    expect(checkGolden(dir, "a.rlp", { out: "new\n" }, options)).toEqual({ kind: "mismatch", path: join(dir, "output/a.out"), expected: "old\n", actual: "new\n" });
  });

  test("success where failure was expected, and the reverse", () => {
    const dir = suiteDir({ "input/a.rlp": "", "output/a.err": "boom\n", "input/b.rlp": "", "output/b.out": "fine\n" });
    expect(checkGolden(dir, "a.rlp", { out: "fine\n" }, options)).toEqual({ kind: "fail", message: "output/a.err expects the run to fail, but it succeeded:\nfine\n" });
    expect(checkGolden(dir, "b.rlp", { err: "boom\n" }, options)).toEqual({ kind: "fail", message: "output/b.out expects the run to succeed, but it failed:\nboom\n" });
  });

  test("both expected files, or both outcomes, are errors", () => {
    const dir = suiteDir({ "input/a.rlp": "", "output/a.err": "x", "output/a.out": "y" });
    expect(checkGolden(dir, "a.rlp", { out: "y" }, options)).toEqual({ kind: "fail", message: "both output/a.out and output/a.err exist; delete the wrong one" });
    expect(checkGolden(dir, "a.rlp", { out: "y", err: "x" }, options)).toMatchObject({ kind: "fail", message: expect.stringContaining("both `out` and `err`") });
  });

  test("updating rewrites the expected file and removes one of the other kind", () => {
    const dir = suiteDir({ "input/a.rlp": "", "output/a.err": "old" });
    expect(checkGolden(dir, "a.rlp", { out: "now fine\n" }, { ...options, update: true })).toEqual({ kind: "pass" });
    expect(readFileSync(join(dir, "output/a.out"), "utf8")).toBe("now fine\n");
    expect(existsSync(join(dir, "output/a.err"))).toBe(false);
  });

  test("inputs are found recursively and sorted; stale expected files are listed", () => {
    const dir = suiteDir({ "input/z.rlp": "", "input/a/b.rlp": "", "input/notes.txt": "", "output/z.out": "", "output/gone.err": "", "output/a/old.out": "" });
    expect(findInputs(dir)).toEqual(["a/b.rlp", "z.rlp"]);
    expect(staleOutputs(dir)).toEqual([join(dir, "output/a/old.out"), join(dir, "output/gone.err")]);
    expect(findInputs(join(dir, "nowhere"))).toEqual([]);
  });
});

describe("goldenCase", () => {
  const options: CheckOptions = { update: false, normalisation: N };
  const run = async (inputPath: string) => {
    const file = new SourceFile(inputPath, readFileSync(inputPath, "utf8"));
    const at = file.text.indexOf("qq");
    return { err: "rendered\n", diagnostics: [diagnostic("RLP0101", "unknown name `qq`").primary(file.span(at, at + 2), "").build()] };
  };

  test("the header is checked apart from the rendered text", async () => {
    const dir = suiteDir({ "input/good.rlp": "// expect: error RLP0101 at 2:5\ny = qq\n", "input/bad.rlp": "// expect: error RLP0102\ny = qq\n", "output/good.err": "rendered\n", "output/bad.err": "rendered\n" });
    expect(await goldenCase(dir, "good.rlp", run, options)).toEqual({ problems: [], verdict: { kind: "pass" } });
    expect(await goldenCase(dir, "bad.rlp", run, options)).toEqual({
      problems: ["expected but not reported: error RLP0102", "reported but not expected: error RLP0101 at 2:5: unknown name `qq`"],
      verdict: { kind: "pass" },
    });
  });

  test("`ok` fails on any error or warning; a header needs the run's diagnostics", async () => {
    const dir = suiteDir({ "input/a.rlp": "// expect: ok\ny = qq\n", "output/a.err": "rendered\n" });
    expect((await goldenCase(dir, "a.rlp", run, options)).problems).toEqual(["expected no errors or warnings, got error RLP0101: unknown name `qq`"]);
    expect((await goldenCase(dir, "a.rlp", async () => ({ err: "rendered\n" }), options)).problems).toEqual([
      "the input has `// expect:` lines but the suite's run returned no `diagnostics`",
    ]);
  });
});
