/**
 * The document algebra of the formatter (Wadler's "prettier printer", as in Prettier's `doc`):
 * text, concatenation (arrays), groups that print flat when they fit and broken otherwise,
 * indentation, line breaks and a few extras that comments need. `layout.ts` renders it.
 */

export type Doc = string | readonly Doc[] | Command;

export type Command =
  /** Printed flat if it fits in the remaining width, else broken; `broken` forces breaking. */
  | { readonly kind: "group"; readonly contents: Doc; readonly broken: boolean }
  /** Indents lines that break inside it by two more spaces. */
  | { readonly kind: "indent"; readonly contents: Doc }
  /**
   * Indents lines that break inside it to the column where it starts (Leijen's `align`), moved
   * by `offset` (never left of the enclosing indentation): operators hang left of the operands.
   */
  | { readonly kind: "align"; readonly contents: Doc; readonly offset: number }
  /** A space (or nothing, if soft) when flat; a newline when broken; hard lines always break. */
  | { readonly kind: "line"; readonly soft: boolean; readonly hard: boolean }
  /** A newline only if the current line already holds text: own-line comments start lines. */
  | { readonly kind: "freshLine" }
  /** The line ends here: the next text (other than `glue`) starts a new line. */
  | { readonly kind: "lineEnd" }
  /** Text that may still follow a `lineEnd` on its line: separators (`,`). */
  | { readonly kind: "glue"; readonly text: string }
  /** Forces every enclosing group to break. */
  | { readonly kind: "breakParent" }
  /** Chooses by the mode of the enclosing group (e.g. a trailing comma only when broken). */
  | { readonly kind: "ifBreak"; readonly broken: Doc; readonly flat: Doc }
  /**
   * Text deferred to the end of the line (trailing comments), padded to the comment column;
   * `endsLine` text (a `//` comment) must be the last thing on its line.
   */
  | { readonly kind: "lineSuffix"; readonly text: string; readonly endsLine: boolean }
  /** Sets the column that trailing comments flushed inside `contents` are padded to. */
  | { readonly kind: "commentColumn"; readonly column: number; readonly contents: Doc };

export const line: Doc = { kind: "line", soft: false, hard: false };
export const softline: Doc = { kind: "line", soft: true, hard: false };
export const hardline: Doc = { kind: "line", soft: false, hard: true };
export const freshLine: Doc = { kind: "freshLine" };
export const breakParent: Doc = { kind: "breakParent" };
export const lineEnd: Doc = { kind: "lineEnd" };

export function glue(text: string): Doc {
  return { kind: "glue", text };
}

export function group(contents: Doc, broken = false): Doc {
  return { kind: "group", contents, broken };
}

export function indent(contents: Doc): Doc {
  return { kind: "indent", contents };
}

export function align(contents: Doc, offset = 0): Doc {
  return { kind: "align", contents, offset };
}

export function ifBreak(broken: Doc, flat: Doc = ""): Doc {
  return { kind: "ifBreak", broken, flat };
}

export function lineSuffix(text: string, endsLine: boolean): Doc {
  return { kind: "lineSuffix", text, endsLine };
}

export function commentColumn(column: number, contents: Doc): Doc {
  return { kind: "commentColumn", column, contents };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  return docs.flatMap((doc, i) => (i === 0 ? [doc] : [separator, doc]));
}
