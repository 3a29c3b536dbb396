/**
 * Stages `parse` and `lower` for one file: text → CST (Chevrotain) → AST, with their
 * diagnostics. A lowering diagnostic at the same place as a syntax error is dropped as a repeat.
 */
import { parse, type ParseResult } from "../../grammar/index.js";
import type * as A from "./ast.js";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import { cstToAst } from "./lower.js";
import type { SourceFile } from "./source.js";

/** `rlpToCst`: text → CST, comments and syntax diagnostics. */
export function rlpToCst(file: SourceFile): ParseResult {
  return parse(file);
}

/** `rlpToAst`: text → AST and the diagnostics of both stages. */
export function rlpToAst(file: SourceFile): { ast: A.File; diagnostics: Diagnostic[] } {
  const parsed = rlpToCst(file);
  const lowered = cstToAst(file, parsed.cst, parsed.comments);
  const syntaxStarts = new Set(parsed.diagnostics.flatMap((d) => d.labels.filter((l) => l.primary).map((l) => l.span.start)));
  const extra = lowered.diagnostics.filter((d) => !d.labels.some((l) => l.primary && syntaxStarts.has(l.span.start)));
  return { ast: lowered.ast, diagnostics: [...parsed.diagnostics, ...extra] };
}
