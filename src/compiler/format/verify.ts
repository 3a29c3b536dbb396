/**
 * The formatter's safety net: the text it produces must parse, mean the same (the AST without
 * source positions is unchanged) and keep every comment. A failure is a bug in the formatter,
 * reported as an exception instead of a damaged file.
 */
import type { IToken } from "chevrotain";
import { parse } from "../../../grammar/index.js";
import type * as A from "../ast.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { cstToAst } from "../lower.js";
import { SourceFile } from "../source.js";

function isSpan(value: unknown): boolean {
  return typeof value === "object" && value !== null && "file" in value && "start" in value && "end" in value;
}

/** The AST as JSON with every span left out: equal for texts that differ only in layout. */
export function astShape(ast: A.File): string {
  return JSON.stringify(ast, (_key, value: unknown) => (isSpan(value) ? undefined : value));
}

/** Comment texts, sorted, as the formatter normalises them (line endings, trailing blanks). */
export function commentTexts(comments: readonly IToken[]): string[] {
  return comments.map((c) => c.image.replace(/\r\n?/g, "\n")).map((t) => (t.startsWith("//") ? t.trimEnd() : t)).sort();
}

export function verifyFormatted(path: string, ast: A.File, comments: readonly IToken[], text: string): void {
  const file = new SourceFile(path, text);
  const parsed = parse(file);
  const lowered = cstToAst(file, parsed.cst, parsed.comments);
  const problem = hasErrors([...parsed.diagnostics, ...lowered.diagnostics])
    ? "its output does not parse"
    : astShape(lowered.ast) !== astShape(ast)
      ? "its output means something else than the input"
      : JSON.stringify(commentTexts(parsed.comments)) !== JSON.stringify(commentTexts(comments))
        ? "its output lost or changed a comment"
        : undefined;
  if (problem !== undefined) throw new Error(`rlp fmt refused to format ${path}: ${problem} (a bug in the formatter)`);
}
