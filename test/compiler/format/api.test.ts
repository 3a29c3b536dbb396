/** `formatSource` as a library call: refusal, normalisation, and the output check. */
import { describe, expect, test } from "vitest";
import { parse } from "../../../grammar/index.js";
import { formatSource } from "../../../src/compiler/format/index.js";
import { verifyFormatted } from "../../../src/compiler/format/verify.js";
import { cstToAst } from "../../../src/compiler/lower.js";
import { SourceFile } from "../../../src/compiler/source.js";
import { format } from "./helpers.js";

const source = (text: string) => new SourceFile("x.rlp", text);

describe("formatSource", () => {
  test.each([
    ["a parse error", "pipeline p {\n  rollout { samples 8 }\n}\n", "RLP0004"],
    ["an unclosed block", "pipeline p {\n  x = 1\n", "RLP0006"],
    ["a lexer error", "pipeline p { x = 1 # not a comment\n}\n", "RLP0001"],
    ["a chained comparison (reported by lowering)", "pipeline p { ok = 0 < x < 1 }\n", "RLP0010"],
    ["a binding outside a pipeline (reported by lowering)", "x = 1\n", "RLP0012"],
  ])("refuses a file with %s and returns its diagnostics", (_what, text, code) => {
    const result = formatSource(source(text));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.map((d) => d.code)).toContain(code);
  });

  test("an empty or blank file formats to the empty text", () => {
    expect(format("")).toBe("");
    expect(format("  \n\n\t\n")).toBe("");
  });

  test("the output ends with exactly one newline", () => {
    expect(format("const A = 1")).toBe("const A = 1\n");
    expect(format("const A = 1\n\n\n")).toBe("const A = 1\n");
  });

  test("CRLF line endings become LF, blank lines included", () => {
    expect(format("pipeline p {\r\n  x = 1 // c\r\n\r\n  y = 2\r\n}\r\n")).toBe("pipeline p {\n  x = 1                                         // c\n\n  y = 2\n}\n");
  });

  test("trailing blanks after `//` comments are dropped", () => {
    expect(format("// note   \nconst A = 1\n")).toBe("// note\nconst A = 1\n");
  });
});

describe("verifyFormatted", () => {
  const original = "pipeline p {\n  x = 1 // why\n}\n";
  const file = source(original);
  const parsed = parse(file);
  const { ast } = cstToAst(file, parsed.cst, parsed.comments);

  test("accepts a relayout of the same program", () => {
    expect(() => verifyFormatted("x.rlp", ast, parsed.comments, "pipeline p { x = 1 // why\n}\n")).not.toThrow();
  });

  test("rejects output that does not parse, means something else, or lost a comment", () => {
    expect(() => verifyFormatted("x.rlp", ast, parsed.comments, "pipeline p { x = }\n")).toThrow(/does not parse/);
    expect(() => verifyFormatted("x.rlp", ast, parsed.comments, "pipeline p { x = 2 // why\n}\n")).toThrow(/means something else/);
    expect(() => verifyFormatted("x.rlp", ast, parsed.comments, "pipeline p { x = 1 }\n")).toThrow(/lost or changed a comment/);
  });
});
