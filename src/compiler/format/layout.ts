/**
 * Renders a `Doc` to text: Wadler's algorithm as Prettier implements it. A group is printed flat
 * when its contents, plus whatever follows up to the next possible line break, fit in the
 * remaining width; otherwise it breaks, and the groups inside it get the same choice. Groups
 * that contain a forced break (hard line, comment, multi-line text) always break, and so do
 * their ancestors.
 */
import type { Command, Doc } from "./doc.js";

type Mode = "flat" | "break";

interface Frame {
  readonly indent: number;
  readonly mode: Mode;
  readonly doc: Doc;
  /** Where trailing `//` comments flushed inside this frame are padded to. */
  readonly commentColumn: number;
}

export interface LayoutOptions {
  readonly width: number;
  readonly commentColumn: number;
  /** `false` drops deferred trailing comments: used to measure the code on a line alone. */
  readonly suffixes?: boolean;
}

function isCommand(doc: Doc): doc is Command {
  return typeof doc === "object" && !Array.isArray(doc);
}

/** Whether a doc contains something that must break; memoised per layout call. */
function forcedBreaks(): (doc: Doc) => boolean {
  const memo = new WeakMap<object, boolean>();
  const forced = (doc: Doc): boolean => {
    if (typeof doc === "string") return doc.includes("\n");
    const known = memo.get(doc);
    if (known !== undefined) return known;
    let result: boolean;
    if (!isCommand(doc)) result = doc.some(forced);
    else {
      switch (doc.kind) {
        case "line":
          result = doc.hard;
          break;
        case "freshLine":
        case "lineEnd":
        case "breakParent":
          result = true;
          break;
        case "group":
          result = doc.broken || forced(doc.contents);
          break;
        case "ifBreak":
          result = forced(doc.broken);
          break;
        case "lineSuffix":
        case "glue":
          result = false;
          break;
        default:
          result = forced(doc.contents);
      }
    }
    memo.set(doc, result);
    return result;
  };
  return forced;
}

/** Whether `next` printed flat, then the rest up to its first line break, fits in `width`. */
function fits(next: Frame, rest: readonly Frame[], width: number, forced: (doc: Doc) => boolean): boolean {
  const todo: { mode: Mode; doc: Doc }[] = [next];
  let restIndex = rest.length;
  let remaining = width;
  // After a trailing comment the line ends, but separators (glue) still land on it.
  let ended = false;
  while (remaining >= 0) {
    let item = todo.pop();
    if (item === undefined) {
      if (restIndex === 0) return true;
      item = rest[--restIndex]!;
    }
    const { mode, doc } = item;
    if (typeof doc === "string") {
      if (ended && doc.trim() !== "") return true;
      const newline = doc.indexOf("\n");
      if (newline >= 0) return remaining - newline >= 0;
      remaining -= doc.length;
    } else if (!isCommand(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) todo.push({ mode, doc: doc[i]! });
    } else {
      switch (doc.kind) {
        case "group":
          todo.push({ mode: forced(doc) ? "break" : mode, doc: doc.contents });
          break;
        case "indent":
        case "align":
        case "commentColumn":
          todo.push({ mode, doc: doc.contents });
          break;
        case "ifBreak":
          todo.push({ mode, doc: mode === "break" ? doc.broken : doc.flat });
          break;
        case "line":
          if (mode === "break" || doc.hard) return true;
          if (!doc.soft) remaining -= 1;
          break;
        case "freshLine":
          return true;
        case "lineEnd":
          ended = true;
          break;
        case "glue":
          remaining -= doc.text.length;
          break;
        default:
          break;
      }
    }
  }
  return false;
}

export function layout(doc: Doc, options: LayoutOptions): string {
  const forced = forcedBreaks();
  const lines: string[] = [];
  let current = "";
  let suffixes: { text: string; endsLine: boolean; column: number }[] = [];
  /** Set after a trailing comment: the next text starts a new line. */
  let lineMustEnd = false;

  const write = (text: string): void => {
    // A space that would start a line (after a forced break) is dropped.
    if (/^ +$/.test(text) && current.trim() === "") return;
    const parts = text.split("\n");
    current += parts[0]!;
    for (const part of parts.slice(1)) {
      lines.push(current.trimEnd());
      current = part;
    }
  };
  const breakLine = (indent: number): void => {
    lines.push(current.trimEnd());
    current = " ".repeat(indent);
  };
  // Deferred comments go at the end of the line: block comments one space after the code, `//`
  // comments last, padded to the comment column. A second `//` comment on the same line would
  // swallow the first, so it moves to a line of its own below.
  const flushSuffixes = (indent: number): void => {
    const pending = [...suffixes.filter((s) => !s.endsLine), ...suffixes.filter((s) => s.endsLine)];
    suffixes = [];
    if (pending.length > 0) current = current.trimEnd();
    pending.forEach((suffix, i) => {
      if (i > 0 && pending[i - 1]!.endsLine) {
        breakLine(indent);
        write(suffix.text);
      } else write(" ".repeat(suffix.endsLine ? Math.max(2, suffix.column - current.length) : 1) + suffix.text);
    });
  };
  const newline = (indent: number): void => {
    flushSuffixes(indent);
    breakLine(indent);
    lineMustEnd = false;
  };

  const stack: Frame[] = [{ indent: 0, mode: "break", doc, commentColumn: options.commentColumn }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const d = frame.doc;
    if (typeof d === "string") {
      if (d === "") continue;
      if (lineMustEnd && d.trim() !== "") newline(frame.indent);
      write(d);
      continue;
    }
    if (!isCommand(d)) {
      const { indent, mode, commentColumn } = frame;
      for (let i = d.length - 1; i >= 0; i--) stack.push({ indent, mode, commentColumn, doc: d[i]! });
      continue;
    }
    switch (d.kind) {
      case "group": {
        const flat = !forced(d) && (frame.mode === "flat" || fits({ ...frame, mode: "flat", doc: d.contents }, stack, options.width - current.length, forced));
        stack.push({ ...frame, mode: flat ? "flat" : "break", doc: d.contents });
        break;
      }
      case "indent":
        stack.push({ ...frame, indent: frame.indent + 2, doc: d.contents });
        break;
      case "align":
        stack.push({ ...frame, indent: Math.max(frame.indent, current.length + d.offset), doc: d.contents });
        break;
      case "commentColumn":
        stack.push({ ...frame, commentColumn: d.column, doc: d.contents });
        break;
      case "line":
        if (frame.mode === "flat" && !d.hard) write(d.soft ? "" : " ");
        else newline(frame.indent);
        break;
      case "freshLine":
        if (current.trim() !== "") newline(frame.indent);
        break;
      case "ifBreak":
        stack.push({ ...frame, doc: frame.mode === "break" ? d.broken : d.flat });
        break;
      case "lineSuffix":
        if (options.suffixes !== false) suffixes.push({ text: d.text, endsLine: d.endsLine, column: frame.commentColumn });
        break;
      case "lineEnd":
        lineMustEnd = true;
        break;
      case "glue":
        write(d.text);
        break;
      case "breakParent":
        break;
    }
  }
  flushSuffixes(0);
  lines.push(current.trimEnd());
  return lines.join("\n");
}
