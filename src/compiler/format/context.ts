/**
 * What every printer function receives, and the helpers that turn attached comments into docs.
 * Printing a node or token through `print`/`tok` always prints its comments; printers that place
 * comments themselves (blocks, operator chains) ask for `body` and the comment docs separately.
 */
import type { CstNode, IToken } from "chevrotain";
import { breakParent, freshLine, hardline, lineEnd, lineSuffix, type Doc } from "./doc.js";
import type { Node } from "./cst.js";
import type { Comment, Trivia } from "./trivia.js";

export interface Ctx {
  readonly trivia: Trivia;
  /** Line width the layout aims for. */
  readonly width: number;
  /** Block nesting of the members being printed: their indentation is `2 * depth`. */
  readonly depth: number;
  /** A node with its own comments. */
  print(node: CstNode): Doc;
  /** A node without its own comments (the caller prints them). */
  body(node: CstNode): Doc;
  /** The context for the members of a block one level deeper. */
  nested(): Ctx;
}

/** The column trailing comments start at when the code leaves room, as in the design's examples. */
export const COMMENT_COLUMN = 48;

function leadingComment(comment: Comment): Doc {
  if (comment.placement === "inline") return [comment.text, " "];
  return [freshLine, comment.text, hardline];
}

export function leadingDoc(ctx: Ctx, node: Node): Doc {
  return ctx.trivia.leading(node).map(leadingComment);
}

/**
 * Trailing comments go at the end of the line (after any separator) and end it: a comment that
 * ends a line in the input ends a line in the output, so it stays on the code it follows.
 */
export function trailingDoc(ctx: Ctx, node: Node): Doc {
  const comments = ctx.trivia.trailing(node);
  if (comments.length === 0) return "";
  return [comments.map((c) => lineSuffix(c.text, c.text.startsWith("//"))), breakParent, lineEnd];
}

export function withComments(ctx: Ctx, node: Node, body: Doc): Doc {
  return [leadingDoc(ctx, node), body, trailingDoc(ctx, node)];
}

/** A token as written, with its comments. */
export function tok(ctx: Ctx, token: IToken): Doc {
  return withComments(ctx, token, token.image);
}
