import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { diagnostic, type Diagnostic } from "../../../src/compiler/diagnostics/diagnostic.js";
import { displayWidth, renderText, summaryLine } from "../../../src/compiler/diagnostics/render-text.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";

function sources(...files: [string, string][]): { map: SourceMap; file: (path: string) => SourceFile } {
  const map = new SourceMap();
  for (const [path, text] of files) map.add(new SourceFile(path, text));
  return { map, file: (path) => map.get(path)! };
}

/** The span of the `nth` occurrence of `needle` in the file. */
function find(file: SourceFile, needle: string, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = file.text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`\`${needle}\` not in ${file.path}`);
  return file.span(at, at + needle.length);
}

const text = (ds: Diagnostic[], map: SourceMap) => renderText(ds, map, { color: false });
const lines = (...ls: string[]) => `${ls.join("\n")}\n`;
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

const GRPO = ["pipeline grpo {", "  rollout {", "    samples = 8", "    temperature = 7", "  }", "  loss = ppo_clip(A, eps: 0.2)", "}", ""].join("\n");

describe("renderText", () => {
  test("one primary label, with help", () => {
    const { map, file } = sources(["grpo.rlp", GRPO]);
    const d = diagnostic("RLP0301", "`temperature` must be at most 2.0, found 7")
      .primary(find(file("grpo.rlp"), "7"), "value set here")
      .help("typical values are 0.6–1.2 for GRPO rollouts")
      .build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0301]: `temperature` must be at most 2.0, found 7",
        "  ┌─ grpo.rlp:4:19",
        "  │",
        "4 │     temperature = 7",
        "  │                   ^ value set here",
        "  │",
        "  = help: typical values are 0.6–1.2 for GRPO rollouts",
      ),
    );
  });

  test("a label in a second file gets its own block, located at that label", () => {
    const { map, file } = sources(["grpo.rlp", GRPO], ["stdlib/rollout.rlp", "schema rollout {\n  temperature: number <= 2.0\n}\n"]);
    const d = diagnostic("RLP0301", "`temperature` must be at most 2.0, found 7")
      .primary(find(file("grpo.rlp"), "7"), "value set here")
      .secondary(find(file("stdlib/rollout.rlp"), "temperature"), "constraint declared here")
      .build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0301]: `temperature` must be at most 2.0, found 7",
        "  ┌─ grpo.rlp:4:19",
        "  │",
        "4 │     temperature = 7",
        "  │                   ^ value set here",
        "  │",
        "  ┌─ stdlib/rollout.rlp:2:3",
        "  │",
        "2 │   temperature: number <= 2.0",
        "  │   ----------- constraint declared here",
      ),
    );
  });

  test("several labels on one line: the rightmost inline, the others hanging", () => {
    const { map, file } = sources(["p.rlp", "x = foo(alpha, beta)\n"]);
    const f = file("p.rlp");
    const d = diagnostic("RLP0111", "`foo` takes one argument")
      .primary(find(f, "beta"), "extra argument")
      .secondary(find(f, "foo"), "declared with one parameter")
      .secondary(find(f, "alpha"), "")
      .build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0111]: `foo` takes one argument",
        "  ┌─ p.rlp:1:16",
        "  │",
        "1 │ x = foo(alpha, beta)",
        "  │     --- -----  ^^^^ extra argument",
        "  │     │",
        "  │     declared with one parameter",
      ),
    );
  });

  test("overlapping labels: the primary marker wins and no message goes inline", () => {
    const { map, file } = sources(["p.rlp", "score = mean(x by prompt)\n"]);
    const f = file("p.rlp");
    const d = diagnostic("RLP0204", "m")
      .primary(find(f, "x by prompt"), "inner")
      .secondary(find(f, "mean(x by prompt)"), "outer")
      .build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0204]: m",
        "  ┌─ p.rlp:1:14",
        "  │",
        "1 │ score = mean(x by prompt)",
        "  │         -----^^^^^^^^^^^-",
        "  │         │    │",
        "  │         │    inner",
        "  │         outer",
      ),
    );
  });

  test("labels on distant lines: one line between them is shown, more are elided", () => {
    const { map, file } = sources(["grpo.rlp", GRPO]);
    const f = file("grpo.rlp");
    const near = diagnostic("RLP0103", "near").primary(find(f, "temperature"), "here").secondary(find(f, "rollout"), "in this block").build();
    expect(text([near], map)).toBe(
      lines(
        "error[RLP0103]: near",
        "  ┌─ grpo.rlp:4:5",
        "  │",
        "2 │   rollout {",
        "  │   ------- in this block",
        "3 │     samples = 8",
        "4 │     temperature = 7",
        "  │     ^^^^^^^^^^^ here",
      ),
    );
    const far = diagnostic("RLP0103", "far").primary(find(f, "eps"), "here").secondary(find(f, "grpo"), "in this pipeline").build();
    expect(text([far], map)).toBe(
      lines(
        "error[RLP0103]: far",
        "  ┌─ grpo.rlp:6:22",
        "  │",
        "1 │ pipeline grpo {",
        "  │          ---- in this pipeline",
        "  ·",
        "6 │   loss = ppo_clip(A, eps: 0.2)",
        "  │                      ^^^ here",
      ),
    );
  });

  test("a multi-line span shows its first and last line joined by a side rail", () => {
    const { map, file } = sources(["grpo.rlp", GRPO]);
    const f = file("grpo.rlp");
    const start = f.text.indexOf("rollout");
    const end = f.text.indexOf("}", start) + 1;
    const d = diagnostic("RLP0406", "invalid rollout layout").primary(f.span(start, end), "this block").secondary(find(f, "grpo"), "in here").build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0406]: invalid rollout layout",
        "  ┌─ grpo.rlp:2:3",
        "  │",
        "1 │   pipeline grpo {",
        "  │            ---- in here",
        "2 │     rollout {",
        "  │ ╭───^",
        "3 │ │     samples = 8",
        "4 │ │     temperature = 7",
        "5 │ │   }",
        "  │ ╰───^ this block",
      ),
    );
  });

  test("nested multi-line spans get one rail each", () => {
    const src = "a {\n  b {\n    c\n  }\n}\n";
    const { map, file } = sources(["n.rlp", src]);
    const f = file("n.rlp");
    const d = diagnostic("RLP0012", "nested")
      .primary(f.span(src.indexOf("b"), src.lastIndexOf("  }") + 3), "inner")
      .secondary(f.span(0, src.length - 1), "outer")
      .build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0012]: nested",
        "  ┌─ n.rlp:2:3",
        "  │",
        "1 │    a {",
        "  │ ╭──-",
        "2 │ │    b {",
        "  │ │╭───^",
        "3 │ ││     c",
        "4 │ ││   }",
        "  │ │╰───^ inner",
        "5 │ │  }",
        "  │ ╰──- outer",
      ),
    );
  });

  test("a span ending with its line break is drawn up to the end of that line", () => {
    const { map, file } = sources(["p.rlp", "a = 1\nb = 2\n"]);
    const d = diagnostic("RLP0012", "m").primary(file("p.rlp").span(0, 6), "whole line").build();
    expect(text([d], map)).toBe(lines("error[RLP0012]: m", "  ┌─ p.rlp:1:1", "  │", "1 │ a = 1", "  │ ^^^^^ whole line"));
  });

  test("an empty span gets one caret, also past the end of a line", () => {
    const { map, file } = sources(["p.rlp", "a = \nb = 2"]);
    const f = file("p.rlp");
    const d = diagnostic("RLP0005", "expected an expression").primary(f.span(4, 4), "here").build();
    expect(text([d], map)).toBe(lines("error[RLP0005]: expected an expression", "  ┌─ p.rlp:1:5", "  │", "1 │ a =", "  │     ^ here"));
  });

  test("end of file: after the last line's text when the file ends with a line break", () => {
    const { map, file } = sources(["a.rlp", "pipeline p {\n  x = 1\n"], ["b.rlp", "pipeline p {\n  x = 1"]);
    for (const path of ["a.rlp", "b.rlp"]) {
      const f = file(path);
      const d = diagnostic("RLP0006", "`{` is not closed").primary(f.span(f.text.length, f.text.length), "the file ends here").build();
      expect(text([d], map)).toBe(lines("error[RLP0006]: `{` is not closed", `  ┌─ ${path}:2:8`, "  │", "2 │   x = 1", "  │        ^ the file ends here"));
    }
  });

  test("an empty file", () => {
    const { map, file } = sources(["e.rlp", ""]);
    const d = diagnostic("RLP0402", "missing declaration").primary(file("e.rlp").span(0, 0), "nothing here").build();
    expect(text([d], map)).toBe(lines("error[RLP0402]: missing declaration", "  ┌─ e.rlp:1:1", "  │", "1 │", "  │ ^ nothing here"));
  });

  test("CRLF files: no carriage returns in the output, columns unchanged", () => {
    const { map, file } = sources(["w.rlp", "pipeline p {\r\n  x = .5\r\n}\r\n"]);
    const f = file("w.rlp");
    const d = diagnostic("RLP0007", "malformed number `.5`").primary(find(f, ".5"), "needs a leading digit").replaceWith(find(f, ".5"), "0.5").build();
    const multi = diagnostic("RLP0012", "block").primary(f.span(0, f.text.length), "all of it").build();
    const out = text([d, multi], map);
    expect(out).not.toContain("\r");
    expect(out).toBe(
      lines(
        "error[RLP0007]: malformed number `.5`",
        "  ┌─ w.rlp:2:7",
        "  │",
        "2 │   x = .5",
        "  │       ^^ needs a leading digit",
        "  │",
        "  = suggestion: replace `.5` with `0.5`",
        "  │",
        "2 │   x = 0.5",
        "  │       ~~~",
        "",
        "error[RLP0012]: block",
        "  ┌─ w.rlp:1:1",
        "  │",
        "1 │   pipeline p {",
        "  │ ╭─^",
        "2 │ │   x = .5",
        "3 │ │ }",
        "  │ ╰─^ all of it",
      ),
    );
  });

  test("tabs expand to the next multiple of four", () => {
    const { map, file } = sources(["t.rlp", "\tx\t= .5\n"]);
    const d = diagnostic("RLP0007", "m").primary(find(file("t.rlp"), ".5"), "here").build();
    expect(text([d], map)).toBe(lines("error[RLP0007]: m", "  ┌─ t.rlp:1:6", "  │", "1 │     x   = .5", "  │           ^^ here"));
  });

  test("wide and combining characters: markers line up with what the terminal shows", () => {
    const src = "const 预算 = \"é\u0301t\u00e9\" + 🙂 + x\n";
    const { map, file } = sources(["w.rlp", src]);
    const f = file("w.rlp");
    const d = diagnostic("RLP0101", "m").primary(find(f, "x"), "here").secondary(find(f, "预算"), "wide").secondary(find(f, "🙂"), "emoji").build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0101]: m",
        // Column numbers in the header count code points, as editors do.
        "  ┌─ w.rlp:1:25",
        "  │",
        `1 │ ${src.trimEnd()}`,
        "  │       ----           --   ^ here",
        "  │       │              │",
        "  │       │              emoji",
        "  │       wide",
      ),
    );
    expect(displayWidth("const 预算 = \"é\u0301té\" + 🙂 + ")).toBe(26);
  });

  test("control characters are shown as control pictures", () => {
    const { map, file } = sources(["c.rlp", "a = 1 \u0007 2\n"]);
    const d = diagnostic("RLP0001", "unexpected character U+0007").primary(find(file("c.rlp"), "\u0007"), "here").build();
    expect(text([d], map)).toContain("1 │ a = 1 ␇ 2\n  │       ^ here\n");
  });

  test("notes, help and the path of a label-less diagnostic", () => {
    const { map } = sources();
    const d = diagnostic("RLP0402", "pipeline `p` has no `loss`").at("/pipelines/p").note("every pipeline needs a loss\nand an optimizer").help("add `loss = ppo_clip(A)`").build();
    expect(text([d], map)).toBe(
      lines(
        "error[RLP0402]: pipeline `p` has no `loss`",
        "  = path: /pipelines/p",
        "  = note: every pipeline needs a loss",
        "          and an optimizer",
        "  = help: add `loss = ppo_clip(A)`",
      ),
    );
  });

  test("a label in a file the source map does not hold", () => {
    const { map } = sources();
    const d = diagnostic("RLP0107", "imported file not found").primary({ file: "gone.rlp", start: 3, end: 5 }, "here").build();
    expect(text([d], map)).toBe(lines("error[RLP0107]: imported file not found", "  ┌─ gone.rlp", "  │ here"));
  });

  test("suggestions: replace, insert, remove, several edits, several lines", () => {
    const { map, file } = sources(["s.rlp", "reward {\n  a = foo(x)\n  b = bar\n}\n"]);
    const f = file("s.rlp");
    const insert = diagnostic("RLP0111", "m").primary(find(f, "foo(x)"), "").suggest("", [{ span: f.span(find(f, "x").end, find(f, "x").end), replacement: ", y" }]).build();
    const remove = diagnostic("RLP0503", "m").primary(find(f, "foo"), "").suggest("", [{ span: find(f, "foo"), replacement: "" }]).build();
    const two = diagnostic("RLP0101", "m")
      .primary(find(f, "bar"), "")
      .suggest("rename both", [
        { span: find(f, "bar"), replacement: "baz" },
        { span: find(f, "foo"), replacement: "qux" },
      ])
      .build();
    const split = diagnostic("RLP0101", "m").primary(find(f, "b = bar"), "").suggest("split it", [{ span: find(f, "b = bar"), replacement: "b = 1\n  c = 2" }]).build();
    const out = text([insert, remove, two, split], map).split("\n\n");
    expect(out[0]).toContain(lines("  = suggestion: insert `, y`", "  │", "2 │   a = foo(x, y)", "  │            +++").trimEnd());
    expect(out[1]).toContain(lines("  = suggestion: remove `foo`", "  │", "2 │   a = (x)").trimEnd());
    expect(out[2]).toContain(lines("  = suggestion: rename both", "  │", "2 │   a = qux(x)", "  │       ~~~", "3 │   b = baz", "  │       ~~~").trimEnd());
    expect(out[3]).toContain(lines("  = suggestion: split it", "  │", "3 │   b = 1", "  │   ~~~~~", "4 │   c = 2", "  │ ~~~~~~~").trimEnd());
  });

  test("warnings and notes have their own headers; diagnostics are separated by a blank line", () => {
    const { map, file } = sources(["p.rlp", "const L = 64\n"]);
    const w = diagnostic("RLP0502", "`L` is never used").primary(find(file("p.rlp"), "L"), "declared here").build();
    const n = diagnostic("RLP0502", "a note").severity("note").build();
    expect(text([w, n], map)).toBe(
      lines("warning[RLP0502]: `L` is never used", "  ┌─ p.rlp:1:7", "  │", "1 │ const L = 64", "  │       ^ declared here", "", "note[RLP0502]: a note"),
    );
  });

  test("nothing to render gives an empty string", () => {
    expect(renderText([], new SourceMap(), { color: true })).toBe("");
  });

  test("line numbers share one gutter width per diagnostic", () => {
    const src = Array.from({ length: 12 }, (_, i) => `x${i} = ${i}`).join("\n");
    const { map, file } = sources(["g.rlp", src]);
    const f = file("g.rlp");
    const d = diagnostic("RLP0103", "m").primary(find(f, "x11"), "second").secondary(find(f, "x9"), "first").build();
    expect(text([d], map)).toBe(
      lines("error[RLP0103]: m", "   ┌─ g.rlp:12:1", "   │", "10 │ x9 = 9", "   │ -- first", "11 │ x10 = 10", "12 │ x11 = 11", "   │ ^^^ second"),
    );
  });

  describe("colour", () => {
    const { map, file } = sources(["grpo.rlp", GRPO]);
    const f = file("grpo.rlp");
    const d = diagnostic("RLP0301", "too hot").primary(find(f, "7"), "here").secondary(find(f, "temperature"), "set").help("cool it").build();
    const w = diagnostic("RLP0502", "unused").primary(find(f, "samples"), "here").build();

    test("off: no escape codes at all", () => {
      expect(renderText([d, w], map, { color: false })).not.toMatch(/\u001b/);
    });

    test("on: the same text once escape codes are removed", () => {
      const coloured = renderText([d, w], map, { color: true });
      expect(coloured).toMatch(/\u001b\[/);
      expect(stripAnsi(coloured)).toBe(renderText([d, w], map, { color: false }));
    });

    test("on: red errors, yellow warnings, blue secondary labels, bold headers", () => {
      const coloured = renderText([d, w], map, { color: true });
      expect(coloured).toContain("\u001b[1m\u001b[31merror[RLP0301]");
      expect(coloured).toContain("\u001b[1m\u001b[33mwarning[RLP0502]");
      expect(coloured).toContain("\u001b[31m^ here\u001b[39m");
      expect(coloured).toContain("\u001b[34m-----------\u001b[39m");
      expect(coloured).toContain("\u001b[34mset\u001b[39m");
      expect(coloured).toContain("\u001b[1mhelp:\u001b[22m");
    });
  });

  test("any text and any spans render without throwing, without trailing spaces or carriage returns", () => {
    const arbitraryText = fc.array(fc.constantFrom("a", "b", " ", "\t", "\n", "\r\n", "é", "预", "🙂", "\u0301", "\u0000", "}"), { maxLength: 40 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(arbitraryText, fc.array(fc.tuple(fc.nat(60), fc.nat(60), fc.boolean(), fc.string({ maxLength: 8 })), { maxLength: 4 }), arbitraryText, (src, raw, replacement) => {
        const { map } = sources(["f.rlp", src]);
        const builder = diagnostic("RLP0004", "m");
        for (const [a, b, primary, message] of raw) {
          const span = { file: "f.rlp", start: Math.min(a, b), end: Math.max(a, b) };
          if (primary) builder.primary(span, message);
          else builder.secondary(span, message);
          builder.suggest(message, [{ span, replacement }]);
        }
        const out = renderText([builder.build()], map, { color: false });
        for (const line of out.split("\n")) expect(line).toBe(line.trimEnd());
        expect(out).not.toContain("\r");
        expect(stripAnsi(renderText([builder.build()], map, { color: true }))).toBe(out);
      }),
      { numRuns: 300 },
    );
  });
});

describe("summaryLine", () => {
  const { map, file } = sources(["pipelines/x.rlp", "a = 1\n"], ["pipelines/y.rlp", "b = 2\n"]);
  void map;
  const at = (path: string) => file(path).span(0, 1);
  const error = (path: string) => diagnostic("RLP0101", "e").primary(at(path)).build();
  const warning = (path: string) => diagnostic("RLP0501", "w").primary(at(path)).build();

  test("errors and warnings in one file", () => {
    expect(summaryLine([error("pipelines/x.rlp"), error("pipelines/x.rlp"), warning("pipelines/x.rlp")])).toBe(
      "error: could not check pipelines/x.rlp: 2 errors, 1 warning emitted",
    );
  });

  test("several files, another verb, an explicit target", () => {
    expect(summaryLine([error("pipelines/x.rlp"), error("pipelines/y.rlp")])).toBe("error: could not check 2 files: 2 errors emitted");
    expect(summaryLine([error("pipelines/x.rlp")], { verb: "compile", target: "`grpo`" })).toBe("error: could not compile `grpo`: 1 error emitted");
    expect(summaryLine([diagnostic("RLP0900", "bug").build()])).toBe("error: could not check: 1 error emitted");
  });

  test("warnings only, and nothing at all", () => {
    expect(summaryLine([warning("pipelines/x.rlp"), warning("pipelines/x.rlp")])).toBe("warning: pipelines/x.rlp: 2 warnings emitted");
    expect(summaryLine([])).toBe("");
    expect(summaryLine([diagnostic("RLP0501", "n").severity("note").build()])).toBe("");
  });

  test("colour", () => {
    expect(summaryLine([error("pipelines/x.rlp")], { color: true })).toMatch(/^\u001b\[1m\u001b\[31merror/);
  });
});
