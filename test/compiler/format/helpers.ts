/** Shared checks of the formatter tests: parse a text to its AST without spans, list its comments. */
import { parse } from "../../../grammar/index.js";
import { hasErrors } from "../../../src/compiler/diagnostics/diagnostic.js";
import { formatSource } from "../../../src/compiler/format/index.js";
import { cstToAst } from "../../../src/compiler/lower.js";
import { SourceFile } from "../../../src/compiler/source.js";

/** The AST as JSON with positions left out (written here, independently of the formatter's own check). */
export function astWithoutSpans(text: string): string {
  const file = new SourceFile("test.rlp", text);
  const parsed = parse(file);
  const lowered = cstToAst(file, parsed.cst, parsed.comments);
  if (hasErrors([...parsed.diagnostics, ...lowered.diagnostics])) throw new Error(`does not parse:\n${text}`);
  return JSON.stringify(lowered.ast, (key, value: unknown) => (key === "span" || key === "opSpan" || key === "keyword" ? undefined : value));
}

/** Comment texts as a sorted multiset (line comments without trailing blanks). */
export function commentMultiset(text: string): string[] {
  return parse(new SourceFile("test.rlp", text))
    .comments.map((c) => c.image.replace(/\r\n?/g, "\n"))
    .map((c) => (c.startsWith("//") ? c.trimEnd() : c))
    .sort();
}

export function format(text: string, path = "test.rlp"): string {
  const result = formatSource(new SourceFile(path, text));
  if (!result.ok) throw new Error(`refused:\n${result.diagnostics.map((d) => d.message).join("\n")}\n---\n${text}`);
  return result.text;
}
