/**
 * Bracketed, comma-separated lists (arguments, parameters, list literals, imported names, type
 * fields): `f(a, b)` when it fits, otherwise one item per line with a trailing comma. Commas are
 * written by the formatter; comments before the closing bracket stay inside the list.
 */
import type { CstNode, IToken } from "chevrotain";
import { tok, trailingDoc, type Ctx } from "./context.js";
import { glue, group, hardline, ifBreak, indent, join, line, lineSuffix, softline, type Doc } from "./doc.js";

export function delimited(ctx: Ctx, open: IToken, items: readonly CstNode[], close: IToken, trailingComma = true): Doc {
  const closing = ctx.trivia.leading(close);
  const closeDoc: Doc = [close.image, trailingDoc(ctx, close)];
  if (items.length === 0 && closing.length === 0) return [tok(ctx, open), closeDoc];

  const inner: Doc[] = [];
  if (items.length > 0) inner.push(softline, join([glue(","), line], items.map((item) => ctx.print(item))), trailingComma ? ifBreak(glue(",")) : "");
  // Inline comments before the closing bracket follow the last item: in a broken list they end
  // its line, after the comma, as trailing comments do. A comment after an own-line comment
  // starts a new line too, or it would be commented out.
  let afterOwnLine = false;
  for (const comment of closing) {
    const ownLine = comment.placement !== "inline";
    if (inner.length === 0) inner.push(softline, comment.text);
    else if (ownLine || afterOwnLine) inner.push(hardline, comment.text);
    else inner.push(ifBreak(lineSuffix(comment.text, false), [" ", comment.text]));
    afterOwnLine = ownLine || comment.text.startsWith("//");
  }
  const forced = closing.some((c) => c.placement !== "inline");
  return group([tok(ctx, open), indent(inner), softline, closeDoc], forced);
}
