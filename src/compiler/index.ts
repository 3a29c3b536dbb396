/**
 * The compiler's public API: one function per stage (`<from>To<to>`, as in ARCHITECTURE.md) and
 * `compileFile`, which runs them all and collects every stage's diagnostics.
 */
import { readFile } from "node:fs/promises";
import { parse, type ParseResult } from "../../grammar/index.js";
import type * as A from "./ast.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics/diagnostic.js";
import type { IrDocument } from "./ir/types.js";
import { cstToAst } from "./lower.js";
import { SourceFile, SourceMap } from "./source.js";

export interface CompileResult {
  /** Present when the pipeline compiled without errors (warnings allowed). */
  readonly ir?: IrDocument;
  readonly ast?: A.File;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: SourceMap;
}

export interface CompileOptions {
  /** Which pipeline of the file to compile when it declares several (default: the only one). */
  readonly pipeline?: string;
  /** Stop after this stage (for `rlp check --stop-after`). */
  readonly stopAfter?: Phase;
}

export type Phase = "parse" | "lower" | "resolve" | "check" | "validate" | "build";

/** `rlpToCst`: text → CST, comments and syntax diagnostics. */
export function rlpToCst(file: SourceFile): ParseResult {
  return parse(file);
}

/** Parse and lower one file; lowering diagnostics at the place of a syntax error are dropped as repeats. */
export function rlpToAst(file: SourceFile): { ast: A.File; diagnostics: Diagnostic[] } {
  const parsed = rlpToCst(file);
  const lowered = cstToAst(file, parsed.cst, parsed.comments);
  const syntaxStarts = new Set(parsed.diagnostics.flatMap((d) => d.labels.filter((l) => l.primary).map((l) => l.span.start)));
  const extra = lowered.diagnostics.filter((d) => !d.labels.some((l) => l.primary && syntaxStarts.has(l.span.start)));
  return { ast: lowered.ast, diagnostics: [...parsed.diagnostics, ...extra] };
}

export async function compileFile(path: string, options: CompileOptions = {}): Promise<CompileResult> {
  const sources = new SourceMap();
  const text = await readFile(path, "utf8");
  const file = sources.add(new SourceFile(path, text));
  return compileSource(file, sources, options);
}

export function compileSource(file: SourceFile, sources: SourceMap, options: CompileOptions = {}): CompileResult {
  sources.add(file);
  const { ast, diagnostics } = rlpToAst(file);
  if (options.stopAfter === "parse" || options.stopAfter === "lower" || hasErrors(diagnostics)) {
    return { ast, diagnostics: sortDiagnostics(diagnostics), sources };
  }
  return { ast, diagnostics: sortDiagnostics(diagnostics), sources };
}
