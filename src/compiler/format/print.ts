/** Binds the printers of every grammar rule into a `Ctx`: the CST-to-Doc half of the formatter. */
import type { CstNode } from "chevrotain";
import { tok, withComments, type Ctx } from "./context.js";
import type { Doc } from "./doc.js";
import { children, isToken } from "./cst.js";
import { declPrinters } from "./print-decl.js";
import { exprPrinters, type Printer } from "./print-expr.js";
import type { Trivia } from "./trivia.js";

const PRINTERS: Readonly<Record<string, Printer>> = { ...exprPrinters, ...declPrinters };

/** Every token of the node, separators included, one space apart. */
const generic: Printer = (ctx, node) => children(node).map((c, i) => [i === 0 ? "" : " ", isToken(c) ? tok(ctx, c) : ctx.print(c)]);

/** The grammar rules the formatter has a printer for (a test checks they cover the parser). */
export const PRINTED_RULES: readonly string[] = Object.keys(PRINTERS);

export function printContext(trivia: Trivia, width: number, depth = 0): Ctx {
  const body = (node: CstNode): Doc => {
    // A rule without a printer (one added to the grammar since) is printed token by token with
    // spaces between: valid text, and the output is verified before it is used.
    const printer = PRINTERS[node.name] ?? generic;
    return printer(ctx, node);
  };
  const ctx: Ctx = {
    trivia,
    width,
    depth,
    print: (node) => withComments(ctx, node, body(node)),
    body,
    nested: () => printContext(trivia, width, depth + 1),
  };
  return ctx;
}
