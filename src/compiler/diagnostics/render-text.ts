/**
 * Diagnostics as text for people, in the codespan/ariadne style: a header, one snippet block per
 * file with labelled underlines (`^` primary, `-` secondary), then notes, help and suggested
 * edits shown as the fixed lines. Pure and deterministic; colour only when asked for.
 *
 * Columns on screen are display cells: tabs expand to the next multiple of 4, wide (CJK, emoji)
 * graphemes take two cells, combining marks none, and control characters are drawn as their
 * Unicode control pictures so that they cannot move the cursor.
 */
import { createColors } from "picocolors";
import type { SourceFile, SourceMap, Span } from "../source.js";
import type { Diagnostic, Label, Severity, Suggestion } from "./diagnostic.js";

export interface TextOptions {
  readonly color: boolean;
}

/** Renders each diagnostic in the order given (callers sort), separated by blank lines. */
export function renderText(diagnostics: readonly Diagnostic[], sources: SourceMap, options: TextOptions): string {
  const style = makeStyle(options.color);
  return diagnostics.map((d) => renderDiagnostic(d, sources, style)).join("\n");
}

export interface SummaryOptions {
  /** What was attempted, as a verb: `could not <verb> <target>`. Default `check`. */
  readonly verb?: string;
  /** What it was attempted on; default: the one file all primary labels are in, or `N files`. */
  readonly target?: string;
  readonly color?: boolean;
}

/**
 * The closing line after a batch of diagnostics, without a line break, such as
 * `error: could not check pipelines/x.rlp: 2 errors, 1 warning emitted`; empty when there are
 * neither errors nor warnings.
 */
export function summaryLine(diagnostics: readonly Diagnostic[], options: SummaryOptions = {}): string {
  const style = makeStyle(options.color ?? false);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  if (errors === 0 && warnings === 0) return "";
  const target = options.target ?? inferTarget(diagnostics);
  const counts = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter((s) => s !== "").join(", ");
  if (errors > 0) {
    const what = target === undefined ? `could not ${options.verb ?? "check"}` : `could not ${options.verb ?? "check"} ${target}`;
    return `${style.severity("error", "error")}${style.bold(":")} ${what}: ${counts} emitted`;
  }
  return `${style.severity("warning", "warning")}${style.bold(":")} ${target === undefined ? "" : `${target}: `}${counts} emitted`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function inferTarget(diagnostics: readonly Diagnostic[]): string | undefined {
  const files = new Set<string>();
  for (const d of diagnostics) {
    const label = d.labels.find((l) => l.primary) ?? d.labels[0];
    if (label !== undefined) files.add(label.span.file);
  }
  if (files.size === 1) return [...files][0];
  return files.size > 1 ? `${files.size} files` : undefined;
}

// ------------------------------------------------------------------ style

type Mark = "primary" | "secondary" | "fix";

interface Style {
  severity(severity: Severity, text: string): string;
  bold(text: string): string;
  gutter(text: string): string;
  mark(kind: Mark, severity: Severity, text: string): string;
}

function makeStyle(color: boolean): Style {
  const c = createColors(color);
  const bySeverity = { error: c.red, warning: c.yellow, note: c.green } as const;
  return {
    severity: (severity, text) => c.bold(bySeverity[severity](text)),
    bold: c.bold,
    gutter: c.blue,
    mark: (kind, severity, text) => (kind === "primary" ? bySeverity[severity](text) : kind === "secondary" ? c.blue(text) : c.green(text)),
  };
}

// ------------------------------------------------------------------ display columns

const TAB_WIDTH = 4;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** A source line as shown, with the display column of every UTF-16 offset in it. */
interface LineLayout {
  readonly shown: string;
  readonly width: number;
  /** Display column where the grapheme holding each UTF-16 offset starts, and where it ends. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

function layoutLine(line: string): LineLayout {
  let shown = "";
  let col = 0;
  const starts: number[] = [];
  const ends: number[] = [];
  for (const { segment, index } of graphemes.segment(line)) {
    const visible = segment === "\t" ? " ".repeat(TAB_WIDTH - (col % TAB_WIDTH)) : controlPictures(segment);
    const width = segment === "\t" ? visible.length : graphemeWidth(visible);
    for (let i = index; i < index + segment.length; i++) {
      starts[i] = col;
      ends[i] = col + width;
    }
    shown += visible;
    col += width;
  }
  return { shown, width: col, starts, ends };
}

function startColumn(layout: LineLayout, offset: number): number {
  return offset < layout.starts.length ? layout.starts[offset]! : layout.width + (offset - layout.starts.length);
}

/** The display column just after the character that ends before `offset`. */
function endColumn(layout: LineLayout, offset: number): number {
  if (offset <= 0) return 0;
  return offset - 1 < layout.ends.length ? layout.ends[offset - 1]! : layout.width + (offset - layout.ends.length);
}

function controlPictures(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (ch) => String.fromCodePoint(ch === "\u007f" ? 0x2421 : 0x2400 + ch.charCodeAt(0)));
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u;

/** Terminal cells taken by one grapheme cluster. */
export function graphemeWidth(grapheme: string): number {
  if (grapheme === "" || ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI.test(grapheme)) return 2;
  return isWide(grapheme.codePointAt(0)!) ? 2 : 1;
}

/** Terminal cells taken by a string (no tabs). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** East Asian Wide and Fullwidth blocks (Unicode UAX #11), coarse-grained. */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  return WIDE_RANGES.some(([lo, hi]) => codePoint >= lo && codePoint <= hi);
}

// ------------------------------------------------------------------ rows of cells

/** One cell of a marker row; `text` may be longer than one cell only at the end of a row. */
interface Cell {
  readonly text: string;
  readonly mark?: Mark;
}

type Row = (Cell | undefined)[];

function put(row: Row, col: number, text: string, mark?: Mark): void {
  row[col] = mark === undefined ? { text } : { text, mark };
}

function paint(row: Row, severity: Severity, style: Style): string {
  let out = "";
  let run = "";
  let runMark: Mark | undefined;
  let pendingSpaces = "";
  const flush = () => {
    if (run !== "") out += runMark === undefined ? run : style.mark(runMark, severity, run);
    run = "";
  };
  for (let i = 0; i < row.length; i++) {
    const cell = row[i];
    if (cell === undefined || (cell.text === " " && cell.mark === undefined)) {
      pendingSpaces += " ";
      continue;
    }
    if (cell.mark !== runMark || pendingSpaces !== "") flush();
    out += pendingSpaces;
    pendingSpaces = "";
    runMark = cell.mark;
    run += cell.text;
  }
  flush();
  return out; // trailing spaces are dropped on purpose: golden files stay clean
}

// ------------------------------------------------------------------ locating labels

/** A label resolved against its file, in lines and UTF-16 offsets within those lines. */
interface Located {
  readonly label: Label;
  readonly start: number;
  readonly startLine: number;
  readonly startInLine: number;
  readonly endLine: number;
  /** Exclusive. */
  readonly endInLine: number;
}

/**
 * Where a span is drawn. A span that ends with a line break is drawn up to the end of that line
 * rather than at the start of the next; an empty span at the very end of a file that ends with
 * a line break is drawn just after the last line's text, where the reader is looking.
 */
function locate(file: SourceFile, label: Label): Located {
  const text = file.text;
  let start = Math.max(0, Math.min(label.span.start, text.length));
  let end = Math.max(start, Math.min(label.span.end, text.length));
  if (start === end && end === text.length && text.endsWith("\n")) {
    start = end = text.length - (text.endsWith("\r\n") ? 2 : 1);
  } else if (end > start && text.charCodeAt(end - 1) === 10) {
    end -= end - 2 >= start && text.charCodeAt(end - 2) === 13 ? 2 : 1;
  }
  const s = file.position(start);
  const e = file.position(end);
  return { label, start, startLine: s.line, startInLine: s.column - 1, endLine: e.line, endInLine: e.column - 1 };
}

/** `path:line:column`, the column counted in Unicode code points as editors count characters. */
function locationText(file: SourceFile, located: Located): string {
  const column = [...file.lineText(located.startLine).slice(0, located.startInLine)].length + 1;
  return `${file.path}:${located.startLine}:${column}`;
}

interface FileBlock {
  readonly path: string;
  readonly file: SourceFile | undefined;
  readonly labels: readonly Label[];
}

/** The primary label's file first, then the other files in the order their labels appear. */
function groupByFile(d: Diagnostic, sources: SourceMap): FileBlock[] {
  const primary = d.labels.find((l) => l.primary) ?? d.labels[0];
  const order: string[] = primary === undefined ? [] : [primary.span.file];
  for (const l of d.labels) if (!order.includes(l.span.file)) order.push(l.span.file);
  return order.map((path) => ({ path, file: sources.get(path), labels: d.labels.filter((l) => l.span.file === path) }));
}

// ------------------------------------------------------------------ one diagnostic

interface Frame {
  readonly width: number;
  readonly severity: Severity;
  readonly style: Style;
}

function renderDiagnostic(d: Diagnostic, sources: SourceMap, style: Style): string {
  const lines: string[] = [`${style.severity(d.severity, `${d.severity}[${d.code}]`)}${style.bold(`: ${d.message}`)}`];
  const blocks = groupByFile(d, sources);
  const located = blocks.map((b) => (b.file === undefined ? [] : b.labels.map((l) => locate(b.file!, l))));
  const suggestionLines = d.suggestions.flatMap((s) =>
    s.edits.map((e) => (sources.get(e.span.file)?.position(e.span.end).line ?? 1) + (e.replacement.match(/\n/g)?.length ?? 0)),
  );
  const maxLine = Math.max(1, ...located.flat().map((l) => l.endLine), ...suggestionLines);
  const frame: Frame = { width: String(maxLine).length, severity: d.severity, style };
  const primaryFile = blocks[0]?.path;

  const trailer: string[] = [];
  if (d.labels.length === 0 && d.path !== undefined) trailer.push(...noteLines(frame, "path", d.path));
  for (const note of d.notes) trailer.push(...noteLines(frame, "note", note));
  for (const help of d.help) trailer.push(...noteLines(frame, "help", help));
  for (const s of d.suggestions) trailer.push(...suggestionBlock(frame, s, sources, primaryFile));

  blocks.forEach((block, i) => {
    const blockLocated = located[i]!;
    const first = block.labels.find((l) => l.primary) ?? block.labels[0]!;
    const anchor = blockLocated.find((l) => l.label === first);
    if (block.file === undefined || anchor === undefined) {
      lines.push(blankGutter(frame, "┌─", block.path));
      for (const l of block.labels) if (oneLine(l.message) !== "") lines.push(blankGutter(frame, "│", oneLine(l.message)));
    } else {
      const sorted = i === 0 ? blockLocated : [...blockLocated].sort((a, b) => a.start - b.start);
      const header = i === 0 ? anchor : sorted[0]!;
      lines.push(blankGutter(frame, "┌─", locationText(block.file, header)));
      lines.push(blankGutter(frame, "│"));
      lines.push(...snippet(frame, block.file, blockLocated));
    }
    if (i < blocks.length - 1 || trailer.length > 0) lines.push(blankGutter(frame, "│"));
  });
  lines.push(...trailer);
  return `${lines.join("\n")}\n`;
}

/** A gutter without a line number: `   │ text`, `   ┌─ path`, `   = note: text`. */
function blankGutter(frame: Frame, symbol: string, text = ""): string {
  const gutter = `${" ".repeat(frame.width)} ${frame.style.gutter(symbol)}`;
  return text === "" ? gutter : `${gutter} ${text}`;
}

function numberedGutter(frame: Frame, line: number): string {
  return frame.style.gutter(`${String(line).padStart(frame.width)} │`);
}

function noteLines(frame: Frame, kind: string, text: string): string[] {
  const [first = "", ...rest] = text.split(/\r?\n/).map((l) => l.trimEnd());
  const indent = " ".repeat(frame.width + 3 + kind.length + 2);
  const head = `${" ".repeat(frame.width)} ${frame.style.gutter("=")} ${frame.style.bold(`${kind}:`)}`;
  return [first === "" ? head : `${head} ${first}`, ...rest.map((r) => (r === "" ? "" : `${indent}${r}`))];
}

// ------------------------------------------------------------------ snippets

/**
 * The source lines of one file that labels touch, each followed by its marker rows. Multi-line
 * labels get a column of their own left of the source (`╭` at the start, `│` down, `╰` at the
 * end, where the message goes); lines in between are elided with `·`.
 */
const MAX_UNELIDED = 2;

function snippet(frame: Frame, file: SourceFile, located: readonly Located[]): string[] {
  const singles = located.filter((l) => l.startLine === l.endLine);
  const multis = located.filter((l) => l.startLine !== l.endLine).sort((a, b) => a.start - b.start || b.endLine - a.endLine);
  const shown = [...new Set([...singles.map((l) => l.startLine), ...multis.flatMap((l) => [l.startLine, l.endLine])])].sort((a, b) => a - b);
  const active = multis.map(() => false);
  const lanes = multis.length === 0 ? 0 : multis.length + 1;
  const out: string[] = [];

  const laneCells = (row: Row) => {
    multis.forEach((m, k) => {
      if (active[k]) put(row, k, "│", markOf(m.label));
    });
  };
  const sourceRow = (line: number) => {
    const row: Row = [];
    laneCells(row);
    const text = layoutLine(file.lineText(line)).shown.trimEnd();
    if (text !== "") put(row, lanes, text);
    const body = paint(row, frame.severity, frame.style);
    out.push(body === "" ? numberedGutter(frame, line) : `${numberedGutter(frame, line)} ${body}`);
  };
  const markerRow = (row: Row) => out.push(blankGutter(frame, "│", paint(row, frame.severity, frame.style)));

  let previous: number | undefined;
  for (const line of shown) {
    // Up to two lines between shown lines cost no more than the `·` that would replace them.
    if (previous !== undefined && line - previous <= MAX_UNELIDED + 1) for (let l = previous + 1; l < line; l++) sourceRow(l);
    else if (previous !== undefined) {
      const row: Row = [];
      laneCells(row);
      const body = paint(row, frame.severity, frame.style);
      out.push(`${" ".repeat(frame.width)} ${frame.style.gutter("·")}${body === "" ? "" : ` ${body}`}`);
    }
    previous = line;
    sourceRow(line);
    const layout = layoutLine(file.lineText(line));
    const onLine = singles.filter((l) => l.startLine === line);
    if (onLine.length > 0) singleLineRows(onLine, layout, lanes, laneCells).forEach(markerRow);
    multis.forEach((m, k) => {
      if (m.startLine !== line) return;
      const row: Row = [];
      laneCells(row);
      put(row, k, "╭", markOf(m.label));
      const col = lanes + startColumn(layout, m.startInLine);
      for (let c = k + 1; c < col; c++) put(row, c, "─", markOf(m.label));
      put(row, col, markChar(m.label), markOf(m.label));
      markerRow(row);
      active[k] = true;
    });
    for (let k = multis.length - 1; k >= 0; k--) {
      const m = multis[k]!;
      if (m.endLine !== line) continue;
      const row: Row = [];
      laneCells(row);
      put(row, k, "╰", markOf(m.label));
      const col = lanes + Math.max(0, endColumn(layout, m.endInLine) - 1);
      for (let c = k + 1; c < col; c++) put(row, c, "─", markOf(m.label));
      put(row, col, markChar(m.label), markOf(m.label));
      if (oneLine(m.label.message) !== "") put(row, col + 1, ` ${oneLine(m.label.message)}`, markOf(m.label));
      markerRow(row);
      active[k] = false;
    }
  }
  return out;
}

function markOf(label: Label): Mark {
  return label.primary ? "primary" : "secondary";
}

function markChar(label: Label): string {
  return label.primary ? "^" : "-";
}

/** Label messages are drawn on one line: line breaks become spaces, outer whitespace goes. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Underlines for the labels on one line, rustc-style: all markers on one row; the rightmost
 * label's message inline when nothing overlaps it, the others hanging below on `│` connectors.
 */
function singleLineRows(labels: readonly Located[], layout: LineLayout, lanes: number, laneCells: (row: Row) => void): Row[] {
  const spans = labels
    .map((l) => {
      const start = startColumn(layout, l.startInLine);
      const end = Math.max(start + 1, endColumn(layout, l.endInLine));
      return { label: l.label, start: lanes + start, end: lanes + end };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end || Number(a.label.primary) - Number(b.label.primary));
  const rows: Row[] = [];
  const underline: Row = [];
  laneCells(underline);
  // Secondary first, so that a primary marker wins where two spans overlap.
  for (const s of [...spans].sort((a, b) => Number(a.label.primary) - Number(b.label.primary))) {
    for (let c = s.start; c < s.end; c++) put(underline, c, markChar(s.label), markOf(s.label));
  }
  const last = spans[spans.length - 1]!;
  const inline = spans.every((s) => s === last || s.end <= last.start) ? last : undefined;
  if (inline !== undefined && oneLine(inline.label.message) !== "") put(underline, inline.end, ` ${oneLine(inline.label.message)}`, markOf(inline.label));
  rows.push(underline);
  const hanging = spans.filter((s) => s !== inline && oneLine(s.label.message) !== "");
  if (hanging.length > 0) {
    const connectors: Row = [];
    laneCells(connectors);
    for (const s of hanging) put(connectors, s.start, "│", markOf(s.label));
    rows.push(connectors);
    for (let i = hanging.length - 1; i >= 0; i--) {
      const row: Row = [];
      laneCells(row);
      for (const s of hanging.slice(0, i)) put(row, s.start, "│", markOf(s.label));
      const s = hanging[i]!;
      put(row, s.start, oneLine(s.label.message), markOf(s.label));
      rows.push(row);
    }
  }
  return rows;
}

// ------------------------------------------------------------------ suggestions

/** `= suggestion: replace `x` with `y`` followed by the lines as they read after the edit. */
function suggestionBlock(frame: Frame, suggestion: Suggestion, sources: SourceMap, primaryFile: string | undefined): string[] {
  const files = [...new Set(suggestion.edits.map((e) => e.span.file))];
  const single = suggestion.edits.length === 1 ? suggestion.edits[0]! : undefined;
  const singleFile = single === undefined ? undefined : sources.get(single.span.file);
  const generic = suggestion.message.trim() === "" || (single !== undefined && suggestion.message === `replace with \`${single.replacement}\``);
  const title = !generic ? suggestion.message : singleFile !== undefined ? describeEdit(singleFile.slice(single!.span), single!.replacement) : "apply these edits";
  const out = noteLines(frame, "suggestion", title);
  for (const path of files) {
    const file = sources.get(path);
    if (file === undefined) continue;
    const edits = suggestion.edits.filter((e) => e.span.file === path);
    if (path !== primaryFile) out.push(blankGutter(frame, "┌─", `${path}:${file.position(Math.min(...edits.map((e) => e.span.start))).line}`));
    out.push(blankGutter(frame, "│"));
    out.push(...fixedLines(frame, file, edits));
  }
  return out;
}

function describeEdit(original: string, replacement: string): string {
  if (original === "") return `insert ${quote(replacement)}`;
  if (replacement === "") return `remove ${quote(original)}`;
  return `replace ${quote(original)} with ${quote(replacement)}`;
}

const MAX_QUOTED = 40;

/** Code in a one-line title: line breaks and tabs escaped, long text cut (the lines below show it all). */
function quote(code: string): string {
  const escaped = code.replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  const chars = [...escaped];
  return `\`${chars.length > MAX_QUOTED ? `${chars.slice(0, MAX_QUOTED - 1).join("")}…` : escaped}\``;
}

/** The touched lines with the edits applied; `~` under replaced text, `+` under inserted text. */
function fixedLines(frame: Frame, file: SourceFile, edits: readonly { span: Span; replacement: string }[]): string[] {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  const applied: { span: Span; replacement: string }[] = [];
  for (const e of sorted) if (applied.length === 0 || e.span.start >= applied[applied.length - 1]!.span.end) applied.push(e);
  const first = file.position(applied[0]!.span.start);
  const last = file.position(applied[applied.length - 1]!.span.end);
  const regionStart = first.offset - (first.column - 1);
  const regionEnd = last.offset - (last.column - 1) + file.lineText(last.line).length;

  let text = "";
  let cursor = regionStart;
  const marks: { start: number; end: number; insert: boolean }[] = [];
  for (const e of applied) {
    text += file.text.slice(cursor, e.span.start);
    marks.push({ start: text.length, end: text.length + e.replacement.length, insert: e.span.start === e.span.end });
    text += e.replacement;
    cursor = e.span.end;
  }
  text += file.text.slice(cursor, Math.max(cursor, regionEnd));

  const out: string[] = [];
  let lineStart = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const layout = layoutLine(line);
    const number = first.line + i;
    out.push(layout.shown.trimEnd() === "" ? numberedGutter(frame, number) : `${numberedGutter(frame, number)} ${layout.shown.trimEnd()}`);
    const row: Row = [];
    for (const m of marks) {
      const from = Math.max(m.start, lineStart) - lineStart;
      const to = Math.min(m.end, lineStart + line.length) - lineStart;
      if (to <= from) continue;
      for (let c = startColumn(layout, from); c < endColumn(layout, to); c++) put(row, c, m.insert ? "+" : "~", "fix");
    }
    if (row.length > 0) out.push(blankGutter(frame, "│", paint(row, frame.severity, frame.style)));
    lineStart += raw.length + 1;
  });
  return out;
}
