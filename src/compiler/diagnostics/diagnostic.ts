/**
 * Diagnostics are values: a stable code, a severity, a one-sentence message, labelled spans,
 * notes, help and machine-applicable suggestions. Stages collect them; nothing throws them.
 */
import type { Span } from "../source.js";
import { CODES, type Code } from "./codes.js";

export type Severity = "error" | "warning" | "note";

export interface Label {
  readonly span: Span;
  readonly message: string;
  /** The primary label marks where the problem is; secondary labels give context. */
  readonly primary: boolean;
}

export interface Edit {
  readonly span: Span;
  readonly replacement: string;
}

export interface Suggestion {
  readonly message: string;
  readonly edits: readonly Edit[];
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly labels: readonly Label[];
  readonly notes: readonly string[];
  readonly help: readonly string[];
  readonly suggestions: readonly Suggestion[];
  /** JSON pointer into the compiled IR, where the diagnostic concerns a node's parameter. */
  readonly path?: string;
}

/** Fluent construction, so call sites stay one expression long. */
export class DiagnosticBuilder {
  private readonly labels: Label[] = [];
  private readonly notes: string[] = [];
  private readonly helps: string[] = [];
  private readonly suggestions: Suggestion[] = [];
  private pointer: string | undefined;
  private severityOverride: Severity | undefined;

  constructor(
    private readonly code: Code,
    private readonly message: string,
  ) {}

  primary(span: Span, message = ""): this {
    this.labels.push({ span, message, primary: true });
    return this;
  }

  secondary(span: Span | undefined, message: string): this {
    if (span !== undefined) this.labels.push({ span, message, primary: false });
    return this;
  }

  note(text: string): this {
    this.notes.push(text);
    return this;
  }

  help(text: string | undefined): this {
    if (text !== undefined && text !== "") this.helps.push(text);
    return this;
  }

  suggest(message: string, edits: readonly Edit[]): this {
    this.suggestions.push({ message, edits });
    return this;
  }

  replaceWith(span: Span, replacement: string, message?: string): this {
    return this.suggest(message ?? `replace with \`${replacement}\``, [{ span, replacement }]);
  }

  at(path: string): this {
    this.pointer = path;
    return this;
  }

  severity(severity: Severity): this {
    this.severityOverride = severity;
    return this;
  }

  build(): Diagnostic {
    const base = {
      code: this.code,
      severity: this.severityOverride ?? CODES[this.code].severity,
      message: this.message,
      labels: this.labels,
      notes: this.notes,
      help: this.helps,
      suggestions: this.suggestions,
    };
    return this.pointer === undefined ? base : { ...base, path: this.pointer };
  }
}

export function diagnostic(code: Code, message: string): DiagnosticBuilder {
  return new DiagnosticBuilder(code, message);
}

export function isError(d: Diagnostic): boolean {
  return d.severity === "error";
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some(isError);
}

export function primarySpan(d: Diagnostic): Span | undefined {
  return (d.labels.find((l) => l.primary) ?? d.labels[0])?.span;
}

/** Sort by file, then position, then code; stable for equal keys so output is deterministic. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const sa = primarySpan(a);
    const sb = primarySpan(b);
    if (sa === undefined || sb === undefined) return sa === sb ? 0 : sa === undefined ? 1 : -1;
    if (sa.file !== sb.file) return sa.file < sb.file ? -1 : 1;
    if (sa.start !== sb.start) return sa.start - sb.start;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
