/**
 * Diagnostics as JSON for programs, shaped like Terraform's `validate -json` and versioned by
 * `format_version`. Positions carry a 1-based line, a 1-based column counted in Unicode code
 * points, and the 0-based UTF-8 byte offset from the start of the file, as Terraform does;
 * the compiler's own spans are UTF-16 offsets and are converted here. See docs/diagnostics.md.
 */
import type { SourceFile, SourceMap, Span } from "../source.js";
import type { Diagnostic, Label } from "./diagnostic.js";

export const JSON_FORMAT_VERSION = "1";

export interface JsonPosition {
  readonly line: number;
  readonly column: number;
  readonly byte: number;
}

/** `start` and `end` are null only when the file is not in the source map. */
export interface JsonRange {
  readonly filename: string;
  readonly start: JsonPosition | null;
  readonly end: JsonPosition | null;
}

export interface JsonSnippet {
  /** The nearest enclosing line with less indentation, such as `pipeline grpo {`; null at the top level. */
  readonly context: string | null;
  /** The source lines the primary range covers, joined by `\n`. */
  readonly code: string;
  readonly start_line: number;
  /** UTF-8 byte offsets of the primary range within `code`. */
  readonly highlight_start_offset: number;
  readonly highlight_end_offset: number;
}

export interface JsonDiagnostic {
  readonly code: string;
  readonly severity: "error" | "warning" | "note";
  readonly summary: string;
  readonly detail: string;
  readonly notes: readonly string[];
  readonly help: readonly string[];
  readonly range?: JsonRange;
  readonly snippet?: JsonSnippet;
  readonly labels: readonly { range: JsonRange; message: string; primary: boolean }[];
  readonly suggestions: readonly { message: string; edits: readonly { range: JsonRange; replacement: string }[] }[];
  readonly path?: string;
}

export interface JsonReport {
  readonly format_version: string;
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly [extra: string]: unknown;
}

const RESERVED = new Set(["format_version", "valid", "error_count", "warning_count", "diagnostics"]);

/** The report as an object; `extra` keys are added before `diagnostics` but never replace the core keys. */
export function jsonReport(diagnostics: readonly Diagnostic[], sources: SourceMap, extra: Record<string, unknown> = {}): JsonReport {
  const error_count = diagnostics.filter((d) => d.severity === "error").length;
  const warning_count = diagnostics.filter((d) => d.severity === "warning").length;
  const report: Record<string, unknown> = { format_version: JSON_FORMAT_VERSION, valid: error_count === 0, error_count, warning_count };
  for (const [key, value] of Object.entries(extra)) if (!RESERVED.has(key)) report[key] = value;
  report["diagnostics"] = diagnostics.map((d) => jsonDiagnostic(d, sources));
  return report as JsonReport;
}

/** Pretty-printed, with a final line break. */
export function renderJson(diagnostics: readonly Diagnostic[], sources: SourceMap, extra?: Record<string, unknown>): string {
  return `${JSON.stringify(jsonReport(diagnostics, sources, extra), null, 2)}\n`;
}

function jsonDiagnostic(d: Diagnostic, sources: SourceMap): JsonDiagnostic {
  const primary = d.labels.find((l) => l.primary) ?? d.labels[0];
  const file = primary === undefined ? undefined : sources.get(primary.span.file);
  const detail = [...d.notes, ...d.help.map((h) => `help: ${h}`)].join("\n");
  return {
    code: d.code,
    severity: d.severity,
    summary: d.message,
    detail,
    notes: d.notes,
    help: d.help,
    ...(primary === undefined ? {} : { range: jsonRange(primary.span, sources) }),
    ...(primary === undefined || file === undefined ? {} : { snippet: jsonSnippet(file, primary) }),
    labels: d.labels.map((l) => ({ range: jsonRange(l.span, sources), message: l.message, primary: l.primary })),
    suggestions: d.suggestions.map((s) => ({
      message: s.message,
      edits: s.edits.map((e) => ({ range: jsonRange(e.span, sources), replacement: e.replacement })),
    })),
    ...(d.path === undefined ? {} : { path: d.path }),
  };
}

export function jsonRange(span: Span, sources: SourceMap): JsonRange {
  const file = sources.get(span.file);
  if (file === undefined) return { filename: span.file, start: null, end: null };
  return { filename: span.file, start: jsonPosition(file, span.start), end: jsonPosition(file, span.end) };
}

export function jsonPosition(file: SourceFile, offset: number): JsonPosition {
  const p = file.position(offset);
  const lineStart = p.offset - (p.column - 1);
  return { line: p.line, column: codePoints(file.text.slice(lineStart, p.offset)) + 1, byte: utf8Length(file.text.slice(0, p.offset)) };
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** UTF-8 length of UTF-16 text; a lone surrogate counts as the 3-byte replacement character. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function jsonSnippet(file: SourceFile, label: Label): JsonSnippet {
  const start = file.position(label.span.start);
  const end = file.position(Math.max(label.span.start, label.span.end));
  const lines: string[] = [];
  for (let line = start.line; line <= end.line; line++) lines.push(file.lineText(line));
  const code = lines.join("\n");
  // Offsets within `code`: full earlier lines plus their `\n`, then the prefix of the last line.
  const within = (line: number, column: number) =>
    lines.slice(0, line - start.line).reduce((n, l) => n + utf8Length(l) + 1, 0) + utf8Length(lines[line - start.line]!.slice(0, column - 1));
  return {
    context: enclosingLine(file, start.line),
    code,
    start_line: start.line,
    highlight_start_offset: within(start.line, start.column),
    highlight_end_offset: within(end.line, Math.min(end.column, lines[end.line - start.line]!.length + 1)),
  };
}

/**
 * The header of the enclosing block, found by indentation (the formatter's layout makes it
 * reliable): the closest line above with less indentation that is not a comment or a `}`.
 */
function enclosingLine(file: SourceFile, line: number): string | null {
  const indent = (text: string) => text.length - text.trimStart().length;
  const own = file.lineText(line);
  const limit = indent(own);
  if (limit === 0) return null;
  for (let l = line - 1; l >= 1; l--) {
    const text = file.lineText(l);
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("//") || trimmed.startsWith("}")) continue;
    if (indent(text) < limit) return trimmed;
  }
  return null;
}
