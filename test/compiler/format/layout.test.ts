/** The document printer on its own: groups, indentation, alignment and the comment extras. */
import { describe, expect, test } from "vitest";
import { align, breakParent, commentColumn, freshLine, glue, group, hardline, ifBreak, indent, join, line, lineEnd, lineSuffix, softline, type Doc } from "../../../src/compiler/format/doc.js";
import { layout } from "../../../src/compiler/format/layout.js";

const render = (doc: Doc, width = 20) => layout(doc, { width, commentColumn: 0 });
const call = (name: string, args: readonly Doc[]): Doc => group([name, "(", indent([softline, join([glue(","), line], args)]), ifBreak(glue(",")), softline, ")"]);

describe("layout", () => {
  test("a group stays flat when it fits and breaks when it does not", () => {
    expect(render(call("f", ["a", "b"]))).toBe("f(a, b)");
    expect(render(call("f", ["alpha", "beta", "gamma"]))).toBe("f(\n  alpha,\n  beta,\n  gamma,\n)");
  });

  test("the outermost group breaks first", () => {
    const doc = call("outer", ["x", call("in", ["y", "z"])]);
    expect(render(doc, 15)).toBe("outer(\n  x,\n  in(y, z),\n)");
  });

  test("what follows a group on its line counts towards whether it fits", () => {
    expect(render([call("f", ["a", "b"]), " + something_long"], 20)).toBe("f(\n  a,\n  b,\n) + something_long");
  });

  test("align indents to the current column, moved by an offset but never left of the indentation", () => {
    const chain = (offset: number): Doc => ["x = ", align(group(["first", line, "+ second", line, "+ third"]), offset)];
    expect(render(chain(0))).toBe("x = first\n    + second\n    + third");
    expect(render(chain(-2))).toBe("x = first\n  + second\n  + third");
    expect(render(chain(-10))).toBe("x = first\n+ second\n+ third");
  });

  test("hard lines and breakParent break every enclosing group", () => {
    expect(render(group(["a", line, group(["b", breakParent])]))).toBe("a\nb");
    expect(render(group(["a", line, "b", hardline, "c"]))).toBe("a\nb\nc");
    expect(render(group(["a", line, "b"], true))).toBe("a\nb");
  });

  test("trailing comments are deferred to the end of the line and padded to the comment column", () => {
    const doc = commentColumn(12, [call("f", ["a"]), lineSuffix("// note", true), breakParent, lineEnd, "more"]);
    expect(render(doc)).toBe("f(a)        // note\nmore");
    expect(render(["long_code_here", lineSuffix("// x", true), lineSuffix("/* y */", false)], 20)).toBe("long_code_here /* y */  // x");
  });

  test("a second `//` comment on one line moves to its own line instead of being swallowed", () => {
    expect(render(["code", lineSuffix("// one", true), lineSuffix("// two", true), hardline, "next"])).toBe("code  // one\n// two\nnext");
  });

  test("after lineEnd the next text starts a new line, but glue (a separator) stays", () => {
    expect(render(indent(["a", lineSuffix("// c", true), lineEnd, glue(","), " ", "b"]))).toBe("a,  // c\n  b");
  });

  test("a separator after a trailing comment counts towards the width of its line", () => {
    // `f(abc)` fits in 6 columns, but the comma that follows it after the comment does not.
    expect(render([call("f", ["abc"]), lineSuffix("// c", true), lineEnd, glue(",")], 7)).toBe("f(abc),  // c");
    expect(render([call("f", ["abc"]), lineSuffix("// c", true), lineEnd, glue(",")], 6)).toBe("f(\n  abc,\n),  // c");
  });

  test("freshLine breaks only when the line holds text", () => {
    expect(render(["a", freshLine, "b", hardline, freshLine, "c"])).toBe("a\nb\nc");
  });

  test("trailing spaces are trimmed and multi-line text keeps its lines", () => {
    expect(render(["a ", hardline, "/* x\n   y */", " b"])).toBe("a\n/* x\n   y */ b");
  });
});
