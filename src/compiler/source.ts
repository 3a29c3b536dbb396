/**
 * Source files, spans and line/column lookup.
 *
 * Spans are half-open UTF-16 offsets into a file's text (what JavaScript strings index by);
 * line and column numbers are computed lazily, 1-based, only when a diagnostic is rendered.
 */

export interface Span {
  /** The file's path as the user named it (or a stdlib path such as `stdlib/rollout.rlp`). */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in UTF-16 code units. */
  readonly column: number;
  readonly offset: number;
}

export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) {
        if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  position(offset: number): Position {
    const starts = this.starts();
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - starts[lo]! + 1, offset: clamped };
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1];
    if (start === undefined) return "";
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  slice(span: Span): string {
    return this.text.slice(span.start, span.end);
  }

  span(start: number, end: number): Span {
    return { file: this.path, start, end };
  }
}

export function spanUnion(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** A set of loaded files, so that diagnostics can be rendered against any of them. */
export class SourceMap {
  private readonly files = new Map<string, SourceFile>();

  add(file: SourceFile): SourceFile {
    this.files.set(file.path, file);
    return file;
  }

  get(path: string): SourceFile | undefined {
    return this.files.get(path);
  }

  all(): SourceFile[] {
    return [...this.files.values()];
  }
}
