/** Binds the printers of every grammar rule into a `Ctx`: the CST-to-Doc half of the formatter. */
import type { CstNode } from "chevrotain";
import { withComments, type Ctx } from "./context.js";
import type { Doc } from "./doc.js";
import { declPrinters } from "./print-decl.js";
import { exprPrinters, type Printer } from "./print-expr.js";
import type { Trivia } from "./trivia.js";

const PRINTERS: Readonly<Record<string, Printer>> = { ...exprPrinters, ...declPrinters };

export function printContext(trivia: Trivia, width: number, depth = 0): Ctx {
  const body = (node: CstNode): Doc => {
    const printer = PRINTERS[node.name];
    // Recovery-only rules (stray tokens) never reach here: files with syntax errors are refused.
    if (printer === undefined) throw new Error(`rlp fmt: no printer for the grammar rule \`${node.name}\``);
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
