/**
 * Comment attachment and layout facts taken from the original text (where the user wrote line
 * breaks and blank lines). The policy is prettier-java's: a comment attaches to the largest CST
 * node that starts (or ends) at the token next to it, and is trailing only when it sits on the
 * same line as the code before it.
 *
 * - `//` after code on its line: trailing, printed at the end of that line.
 * - `//` or `/* *\/` alone on its line: an own-line comment before the node that follows it.
 * - `/* *\/` with code after it on its line: inline, printed just before the next token.
 * - `///` is a doc comment: always an own-line comment before what follows, so it stays glued
 *   to the declaration it documents.
 * - Own-line comments after the last token of the file are dangling, printed at the end.
 */
import type { CstNode, IToken } from "chevrotain";
import { children, isSeparator, isToken, preorder, tokensOf, type Node } from "./cst.js";

export type Placement = "ownLine" | "inline" | "trailing";

export interface Comment {
  readonly token: IToken;
  /** The text as printed: `\r\n` normalised, trailing blanks of line comments dropped. */
  readonly text: string;
  readonly placement: Placement;
}

export interface Trivia {
  /** Own-line and inline comments printed before a node or token. */
  leading(node: Node): readonly Comment[];
  /** Comments printed at the end of the line where a node or token ends. */
  trailing(node: Node): readonly Comment[];
  /** Own-line comments after the last token of the file. */
  readonly dangling: readonly Comment[];
  /** The first significant token of a node (separators do not count). */
  first(node: CstNode): IToken | undefined;
  /** Whether the user wrote a line break between the previous token and this one. */
  newlineBefore(token: IToken): boolean;
  /** Whether at least one blank line precedes this offset (only whitespace between). */
  blankLineBefore(offset: number): boolean;
}

function endOf(token: IToken): number {
  return (token.endOffset ?? token.startOffset) + 1;
}

function commentText(token: IToken): string {
  const text = token.image.replace(/\r\n?/g, "\n");
  return text.startsWith("//") ? text.trimEnd() : text;
}

/** Index of the first anchor starting at or after `offset` (binary search). */
function firstAtOrAfter(anchors: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function attachTrivia(text: string, root: CstNode, commentTokens: readonly IToken[]): Trivia {
  const anchors = tokensOf(root).filter((t) => !isSeparator(t));

  // First and last significant token of every node, bottom-up in one walk.
  const firstOf = new Map<CstNode, IToken>();
  const lastOf = new Map<CstNode, IToken>();
  const bounds = (node: CstNode): void => {
    let first: IToken | undefined;
    let last: IToken | undefined;
    for (const child of children(node)) {
      if (isToken(child)) {
        if (isSeparator(child)) continue;
        first ??= child;
        last = child;
      } else {
        bounds(child);
        first ??= firstOf.get(child);
        last = lastOf.get(child) ?? last;
      }
    }
    if (first !== undefined && last !== undefined) {
      firstOf.set(node, first);
      lastOf.set(node, last);
    }
  };
  bounds(root);

  // Outermost node starting / ending at each token: pre-order visits outer nodes first.
  const startsAt = new Map<IToken, CstNode>();
  const endsAt = new Map<IToken, CstNode>();
  for (const node of preorder(root)) {
    const first = firstOf.get(node);
    const last = lastOf.get(node);
    if (node === root || first === undefined || last === undefined) continue;
    if (!startsAt.has(first)) startsAt.set(first, node);
    if (!endsAt.has(last)) endsAt.set(last, node);
  }

  const leading = new Map<Node, Comment[]>();
  const trailing = new Map<Node, Comment[]>();
  const dangling: Comment[] = [];
  const add = (map: Map<Node, Comment[]>, key: Node, comment: Comment): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [comment]);
    else list.push(comment);
  };

  const sorted = [...commentTokens].sort((a, b) => a.startOffset - b.startOffset);
  let before: { end: number; trailing: boolean } | undefined;
  for (const token of sorted) {
    const prev = anchors[firstAtOrAfter(anchors, token.startOffset) - 1];
    const next = anchors[firstAtOrAfter(anchors, endOf(token))];
    // After code, or after a comment that itself trails code (`x /* a */ // b`), on this line.
    const prevEnd = prev === undefined ? -1 : endOf(prev);
    const afterComment = before !== undefined && before.end > prevEnd;
    const sameLinePrev =
      prev !== undefined && !text.slice(afterComment ? before!.end : prevEnd, token.startOffset).includes("\n") && (!afterComment || before!.trailing);
    const sameLineNext = next !== undefined && !text.slice(endOf(token), next.startOffset).includes("\n");
    const isLine = token.image.startsWith("//");
    const isDoc = token.image.startsWith("///");
    const ownLine = (): void => {
      const comment: Comment = { token, text: commentText(token), placement: "ownLine" };
      if (next === undefined) dangling.push(comment);
      else add(leading, startsAt.get(next) ?? next, comment);
    };
    const trail = (): void => add(trailing, endsAt.get(prev!) ?? prev!, { token, text: commentText(token), placement: "trailing" });
    let isTrailing = false;
    if (isLine) {
      isTrailing = sameLinePrev && !isDoc;
      if (isTrailing) trail();
      else ownLine();
    } else if (sameLineNext) add(leading, next, { token, text: commentText(token), placement: "inline" });
    else if (sameLinePrev) {
      isTrailing = true;
      trail();
    } else ownLine();
    before = { end: endOf(token), trailing: isTrailing };
  }

  return {
    leading: (node) => leading.get(node) ?? [],
    trailing: (node) => trailing.get(node) ?? [],
    dangling,
    first: (node) => firstOf.get(node),
    newlineBefore: (tok) => {
      const prev = anchors[firstAtOrAfter(anchors, tok.startOffset) - 1];
      return prev !== undefined && text.slice(endOf(prev), tok.startOffset).includes("\n");
    },
    blankLineBefore: (offset) => {
      let newlines = 0;
      for (let i = offset - 1; i >= 0; i--) {
        const ch = text.charCodeAt(i);
        if (ch === 10) newlines++;
        else if (ch !== 32 && ch !== 9 && ch !== 13) break;
      }
      return newlines >= 2;
    },
  };
}
