import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { diagnostic } from "../../../src/compiler/diagnostics/diagnostic.js";
import { jsonPosition, jsonReport, renderJson } from "../../../src/compiler/diagnostics/render-json.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";

function map(...files: SourceFile[]): SourceMap {
  const m = new SourceMap();
  for (const f of files) m.add(f);
  return m;
}

const GRPO = new SourceFile("pipelines/grpo.rlp", "pipeline grpo {\n  rollout {\n    temperature = 7\n  }\n}\n");
const STDLIB = new SourceFile("stdlib/rollout.rlp", "schema rollout {\n  temperature: number <= 2.0\n}\n");

describe("renderJson", () => {
  test("the full shape of one diagnostic", () => {
    const seven = GRPO.text.indexOf("7");
    const constraint = STDLIB.text.indexOf("temperature");
    const d = diagnostic("RLP0301", "`temperature` must be at most 2.0, found 7")
      .primary(GRPO.span(seven, seven + 1), "value set here")
      .secondary(STDLIB.span(constraint, constraint + 11), "constraint declared here")
      .note("the schema allows 0 to 2")
      .help("typical values are 0.6–1.2")
      .replaceWith(GRPO.span(seven, seven + 1), "1.0")
      .at("/pipelines/grpo/rollout/temperature")
      .build();
    const out = renderJson([d], map(GRPO, STDLIB));
    expect(out.endsWith("}\n")).toBe(true);
    expect(JSON.parse(out)).toEqual({
      format_version: "1",
      valid: false,
      error_count: 1,
      warning_count: 0,
      diagnostics: [
        {
          code: "RLP0301",
          severity: "error",
          summary: "`temperature` must be at most 2.0, found 7",
          detail: "the schema allows 0 to 2\nhelp: typical values are 0.6–1.2",
          notes: ["the schema allows 0 to 2"],
          help: ["typical values are 0.6–1.2"],
          range: { filename: "pipelines/grpo.rlp", start: { line: 3, column: 19, byte: 46 }, end: { line: 3, column: 20, byte: 47 } },
          snippet: { context: "rollout {", code: "    temperature = 7", start_line: 3, highlight_start_offset: 18, highlight_end_offset: 19 },
          labels: [
            { range: { filename: "pipelines/grpo.rlp", start: { line: 3, column: 19, byte: 46 }, end: { line: 3, column: 20, byte: 47 } }, message: "value set here", primary: true },
            {
              range: { filename: "stdlib/rollout.rlp", start: { line: 2, column: 3, byte: 19 }, end: { line: 2, column: 14, byte: 30 } },
              message: "constraint declared here",
              primary: false,
            },
          ],
          suggestions: [
            {
              message: "replace with `1.0`",
              edits: [{ range: { filename: "pipelines/grpo.rlp", start: { line: 3, column: 19, byte: 46 }, end: { line: 3, column: 20, byte: 47 } }, replacement: "1.0" }],
            },
          ],
          path: "/pipelines/grpo/rollout/temperature",
        },
      ],
    });
  });

  test("counts, validity, and a diagnostic without labels has no range or snippet", () => {
    const w = diagnostic("RLP0502", "`L` is never used").primary(GRPO.span(0, 8), "").build();
    const e = diagnostic("RLP0402", "no loss").build();
    const n = diagnostic("RLP0502", "fyi").severity("note").build();
    const warningsOnly = jsonReport([w, n], map(GRPO));
    expect([warningsOnly.valid, warningsOnly.error_count, warningsOnly.warning_count]).toEqual([true, 0, 1]);
    const report = jsonReport([w, e], map(GRPO));
    expect([report.valid, report.error_count, report.warning_count]).toEqual([false, 1, 1]);
    const bare = report.diagnostics[1]!;
    expect(bare).not.toHaveProperty("range");
    expect(bare).not.toHaveProperty("snippet");
    expect(bare).not.toHaveProperty("path");
    expect(bare.labels).toEqual([]);
    expect(bare.detail).toBe("");
    // Top-level statements have no enclosing block.
    expect(report.diagnostics[0]!.snippet!.context).toBeNull();
  });

  test("no diagnostics", () => {
    expect(JSON.parse(renderJson([], new SourceMap()))).toEqual({ format_version: "1", valid: true, error_count: 0, warning_count: 0, diagnostics: [] });
  });

  test("extra keys come before `diagnostics` and cannot replace the core keys", () => {
    const out = renderJson([], new SourceMap(), { files: ["a.rlp"], valid: "no", format_version: "9" });
    expect(Object.keys(JSON.parse(out))).toEqual(["format_version", "valid", "error_count", "warning_count", "files", "diagnostics"]);
    expect(JSON.parse(out)).toMatchObject({ format_version: "1", valid: true, files: ["a.rlp"] });
  });

  test("byte offsets and columns with non-ASCII text", () => {
    // é is 2 UTF-8 bytes and 1 UTF-16 unit; 预 is 3 and 1; 🙂 is 4 and 2 (a surrogate pair).
    const f = new SourceFile("u.rlp", "x = \"é预🙂\" + y\nz = 1\n");
    const y = f.text.indexOf("y");
    expect(jsonPosition(f, y)).toEqual({ line: 1, column: 13, byte: 4 + 1 + 2 + 3 + 4 + 1 + 3 });
    expect(jsonPosition(f, f.text.indexOf("z"))).toEqual({ line: 2, column: 1, byte: Buffer.byteLength("x = \"é预🙂\" + y\n") });
    const d = diagnostic("RLP0101", "unknown name `y`").primary(f.span(y, y + 1), "").build();
    const snippet = jsonReport([d], map(f)).diagnostics[0]!.snippet!;
    expect(snippet.code).toBe("x = \"é预🙂\" + y");
    expect(Buffer.from(snippet.code).subarray(snippet.highlight_start_offset, snippet.highlight_end_offset).toString()).toBe("y");
  });

  test("CRLF files: columns and bytes count the carriage return, snippets do not contain it", () => {
    const f = new SourceFile("w.rlp", "pipeline p {\r\n  x = .5\r\n}\r\n");
    const at = f.text.indexOf(".5");
    const d = diagnostic("RLP0007", "m").primary(f.span(at, at + 2), "").build();
    const j = jsonReport([d], map(f)).diagnostics[0]!;
    expect(j.range!.start).toEqual({ line: 2, column: 7, byte: 20 });
    expect(j.snippet).toEqual({ context: "pipeline p {", code: "  x = .5", start_line: 2, highlight_start_offset: 6, highlight_end_offset: 8 });
  });

  test("a multi-line range: the snippet holds every line it covers", () => {
    const start = GRPO.text.indexOf("rollout");
    const end = GRPO.text.indexOf("}", start) + 1;
    const d = diagnostic("RLP0406", "m").primary(GRPO.span(start, end), "").build();
    const s = jsonReport([d], map(GRPO)).diagnostics[0]!.snippet!;
    expect(s.code).toBe("  rollout {\n    temperature = 7\n  }");
    expect(s.code.slice(s.highlight_start_offset, s.highlight_end_offset)).toBe("rollout {\n    temperature = 7\n  }");
    expect(s.context).toBe("pipeline grpo {");
  });

  test("a label in a file the source map does not hold keeps its filename, without positions", () => {
    const d = diagnostic("RLP0107", "m").primary({ file: "gone.rlp", start: 1, end: 2 }, "here").build();
    const j = jsonReport([d], new SourceMap()).diagnostics[0]!;
    expect(j.range).toEqual({ filename: "gone.rlp", start: null, end: null });
    expect(j).not.toHaveProperty("snippet");
  });

  test("byte is the UTF-8 length of the text before the offset, column the code points since the line start", () => {
    const chars = fc.constantFrom("a", "\n", "\r\n", "é", "预", "🙂", "\t");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), fc.nat(30), (parts, k) => {
        const text = parts.join("");
        // Offsets between characters only (never inside a surrogate pair).
        const offset = parts.slice(0, Math.min(k, parts.length)).join("").length;
        const p = jsonPosition(new SourceFile("f.rlp", text), offset);
        expect(p.byte).toBe(Buffer.byteLength(text.slice(0, offset)));
        const before = text.slice(0, offset);
        expect(p.line).toBe(before.split("\n").length);
        expect(p.column).toBe([...before.slice(before.lastIndexOf("\n") + 1)].length + 1);
      }),
    );
  });
});
