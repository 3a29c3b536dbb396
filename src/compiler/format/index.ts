/**
 * `formatSource`: the canonical layout of one `.rlp` file, printed from the CST and the comment
 * tokens (never from the AST, which has no comments). Files with syntax errors are refused with
 * their diagnostics; the formatter never rewrites what it cannot parse. See docs/formatting.md.
 */
import { parse } from "../../../grammar/index.js";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { cstToAst } from "../lower.js";
import type { SourceFile } from "../source.js";
import { COMMENT_COLUMN } from "./context.js";
import { layout } from "./layout.js";
import { printContext } from "./print.js";
import { attachTrivia } from "./trivia.js";
import { verifyFormatted } from "./verify.js";

export type FormatResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The line width the layout aims for; longer lines appear only where nothing can break. */
export const WIDTH = 100;

export function formatSource(file: SourceFile): FormatResult {
  const parsed = parse(file);
  const lowered = cstToAst(file, parsed.cst, parsed.comments);
  const diagnostics = [...parsed.diagnostics, ...lowered.diagnostics];
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };

  const trivia = attachTrivia(file.text, parsed.cst, parsed.comments);
  const doc = printContext(trivia, WIDTH).print(parsed.cst);
  const body = layout(doc, { width: WIDTH, commentColumn: COMMENT_COLUMN });
  const text = body === "" ? "" : `${body}\n`;
  verifyFormatted(file.path, lowered.ast, parsed.comments, text);
  return { ok: true, text };
}
