/**
 * Sequences of members (a block's members, a file's declarations): one per line, own-line
 * comments before the member they precede, blank lines kept where the user wrote them (at most
 * one), and `=` signs and trailing comments aligned within runs of one-line bindings.
 */
import type { CstNode } from "chevrotain";
import { COMMENT_COLUMN, tok, trailingDoc, withComments, type Ctx } from "./context.js";
import { node, token } from "./cst.js";
import { commentColumn, hardline, type Doc } from "./doc.js";
import { layout } from "./layout.js";
import type { Comment } from "./trivia.js";

type Entry =
  | { readonly kind: "comment"; readonly comment: Comment; readonly blankBefore: boolean }
  | { readonly kind: "item"; readonly node: CstNode; readonly blankBefore: boolean };

export interface SequenceOptions {
  /** Whether a blank line separates two neighbouring items whatever the user wrote. */
  readonly blankBetween?: (previous: CstNode, next: CstNode) => boolean;
}

/** Where an item starts in the source: its first token, or an inline comment before it. */
function itemStart(ctx: Ctx, item: CstNode): number {
  const first = ctx.trivia.first(item);
  if (first === undefined) return item.location?.startOffset ?? 0;
  return Math.min(first.startOffset, ...ctx.trivia.leading(first).map((c) => c.token.startOffset));
}

function entries(ctx: Ctx, items: readonly CstNode[], tail: readonly Comment[], options: SequenceOptions): Entry[] {
  const out: Entry[] = [];
  let previous: CstNode | undefined;
  for (const item of items) {
    const forced = previous !== undefined && options.blankBetween?.(previous, item) === true;
    const comments = ctx.trivia.leading(item);
    comments.forEach((comment, i) => out.push({ kind: "comment", comment, blankBefore: (i === 0 && forced) || ctx.trivia.blankLineBefore(comment.token.startOffset) }));
    out.push({ kind: "item", node: item, blankBefore: (comments.length === 0 && forced) || ctx.trivia.blankLineBefore(itemStart(ctx, item)) });
    previous = item;
  }
  for (const comment of tail) out.push({ kind: "comment", comment, blankBefore: ctx.trivia.blankLineBefore(comment.token.startOffset) });
  return out;
}

/** The `name = value` binding an item consists of, if it is one. */
function bindingOf(item: CstNode): CstNode | undefined {
  const binding = item.name === "binding" ? item : node(item, "binding");
  return binding !== undefined && token(binding, "Equals") !== undefined ? binding : undefined;
}

interface Aligned {
  readonly index: number;
  readonly item: CstNode;
  readonly key: Doc;
  readonly keyWidth: number;
  readonly rest: Doc;
  /** The comments of the binding node itself, when the item is a wrapper around it. */
  readonly wrap: (body: Doc) => Doc;
}

function alignable(ctx: Ctx, index: number, item: CstNode): Aligned | undefined {
  const binding = bindingOf(item);
  const value = binding === undefined ? undefined : node(binding, "expression");
  if (binding === undefined || value === undefined) return undefined;
  const key = tok(ctx, token(binding, "Identifier")!);
  const rest: Doc = [" ", tok(ctx, token(binding, "Equals")!), " ", ctx.print(value)];
  const wrap = (body: Doc): Doc => (binding === item ? body : withComments(ctx, binding, body));
  return { index, item, key, keyWidth: measure(ctx, key).length, rest, wrap };
}

/** The code of a doc laid out at the sequence's indentation, trailing comments left out. */
function measure(ctx: Ctx, doc: Doc): string {
  return layout(doc, { width: ctx.width - 2 * ctx.depth, commentColumn: 0, suffixes: false });
}

/**
 * Pads the names of a run so the `=` signs line up, and puts the run's trailing comments in one
 * column. A binding that no longer fits on one line once padded leaves the run.
 */
function alignRun(ctx: Ctx, run: readonly Aligned[], out: Map<number, Doc>): void {
  if (run.length === 0) return;
  const width = Math.max(...run.map((b) => b.keyWidth));
  const docs = run.map((b) => b.wrap([b.key, " ".repeat(width - b.keyWidth), b.rest]));
  const misfit = run.length > 1 ? docs.findIndex((doc) => measure(ctx, doc).includes("\n")) : -1;
  if (misfit >= 0) {
    alignRun(ctx, run.slice(0, misfit), out);
    alignRun(ctx, [run[misfit]!], out);
    alignRun(ctx, run.slice(misfit + 1), out);
    return;
  }
  let column = COMMENT_COLUMN;
  run.forEach((b, i) => {
    const code = measure(ctx, docs[i]!);
    const withSuffixes = layout(docs[i]!, { width: ctx.width - 2 * ctx.depth, commentColumn: 0 });
    const lineComment = ctx.trivia.trailing(b.item).some((c) => c.text.startsWith("//")) || withSuffixes.slice(code.length).includes("//");
    if (lineComment) column = Math.max(column, 2 * ctx.depth + code.length + 2);
  });
  run.forEach((b, i) => out.set(b.index, commentColumn(column, [docs[i]!, trailingDoc(ctx, b.item)])));
}

export function sequence(ctx: Ctx, items: readonly CstNode[], tail: readonly Comment[], options: SequenceOptions = {}): Doc {
  const list = entries(ctx, items, tail, options);
  const aligned = new Map<number, Doc>();
  let run: Aligned[] = [];
  const flush = (): void => {
    if (run.length > 0) alignRun(ctx, run, aligned);
    run = [];
  };
  list.forEach((entry, index) => {
    const candidate = entry.kind === "item" ? alignable(ctx, index, entry.node) : undefined;
    if (candidate === undefined || measure(ctx, candidate.wrap([candidate.key, candidate.rest])).includes("\n")) {
      flush();
      return;
    }
    if (entry.blankBefore) flush();
    run.push(candidate);
  });
  flush();

  return list.map((entry, index) => {
    const separator: Doc = index === 0 ? "" : [hardline, entry.blankBefore ? hardline : ""];
    if (entry.kind === "comment") return [separator, entry.comment.text];
    return [separator, aligned.get(index) ?? [ctx.body(entry.node), trailingDoc(ctx, entry.node)]];
  });
}
