/** Declarations and blocks: `use`, `pipeline`, `algorithm`, `extern fn`, members and sections. */
import type { CstNode, IToken } from "chevrotain";
import { tok, trailingDoc, type Ctx } from "./context.js";
import { childNodes, children, isSeparator, isToken, nodes, startOf, token } from "./cst.js";
import { group, hardline, indent, line, type Doc } from "./doc.js";
import { sequence } from "./items.js";
import { delimited } from "./lists.js";
import type { Printer } from "./print-expr.js";

/** Declarations of these kinds may follow each other without a blank line (imports, constants). */
const COMPACT = new Set(["useDecl", "constDecl", "externDecl"]);

function file(ctx: Ctx, n: CstNode): Doc {
  const blankBetween = (previous: CstNode, next: CstNode): boolean => previous.name !== next.name || !COMPACT.has(next.name);
  return sequence(ctx, childNodes(n), ctx.trivia.dangling, { blankBetween });
}

/** `{ members }`: one member per line; `{}` when empty; comments before `}` stay inside. */
function braces(ctx: Ctx, open: IToken, items: readonly CstNode[], close: IToken): Doc {
  const tail = ctx.trivia.leading(close);
  const closeDoc: Doc = [close.image, trailingDoc(ctx, close)];
  if (items.length === 0 && tail.length === 0) {
    return ctx.trivia.trailing(open).length === 0 ? [tok(ctx, open), closeDoc] : [tok(ctx, open), hardline, closeDoc];
  }
  return [tok(ctx, open), indent([hardline, sequence(ctx.nested(), items, tail)]), hardline, closeDoc];
}

/** Members that are only a `;` separator print nothing; their comments live on neighbours. */
function members(n: CstNode, key: string): CstNode[] {
  return nodes(n, key).filter((m) => m.name === "binding" || childNodes(m).length > 0);
}

/** Tokens and nodes as written, one space between each: `const L = 64`, `level b in [8, 16] {`. */
function spaced(ctx: Ctx, n: CstNode): Doc {
  const parts = children(n).filter((c) => !isToken(c) || !isSeparator(c));
  return parts.map((c, i) => [i === 0 ? "" : " ", isToken(c) ? tok(ctx, c) : ctx.print(c)]);
}

function block(ctx: Ctx, n: CstNode): Doc {
  return braces(ctx, token(n, "LCurly")!, members(n, "member"), token(n, "RCurly")!);
}

function rolloutBody(ctx: Ctx, n: CstNode): Doc {
  return braces(ctx, token(n, "LCurly")!, members(n, "rolloutItem"), token(n, "RCurly")!);
}

function section(ctx: Ctx, n: CstNode): Doc {
  const keyword = token(n, "Reward") ?? token(n, "Advantage") ?? token(n, "Optimize");
  return [keyword === undefined ? "" : [tok(ctx, keyword), " "], braces(ctx, token(n, "LCurly")!, members(n, "binding"), token(n, "RCurly")!)];
}

/** `member` and `rolloutItem` wrap exactly one declaration. */
function wrapper(ctx: Ctx, n: CstNode): Doc {
  return childNodes(n).map((c) => ctx.print(c));
}

/** `keep groups where COND refill up to N`; breaks before `refill` when too long. */
function keepDecl(ctx: Ctx, n: CstNode): Doc {
  const [cond, refill] = nodes(n, "expression");
  const head: Doc = [tok(ctx, token(n, "Keep")!), " ", tok(ctx, token(n, "Groups")!), " ", tok(ctx, token(n, "Where")!), " ", cond === undefined ? "" : ctx.print(cond)];
  if (refill === undefined) return head;
  const tail: Doc = [tok(ctx, token(n, "Refill")!), " ", tok(ctx, token(n, "Up")!), " ", tok(ctx, token(n, "To")!), " ", ctx.print(refill)];
  return group([head, indent([line, tail])]);
}

/** `pipeline NAME uses ALG(args) {`, `algorithm NAME(params) {`, `extern fn NAME(params) -> T`. */
function declaration(ctx: Ctx, n: CstNode): Doc {
  return children(n).map((c, i) => {
    if (isToken(c)) return [i === 0 ? "" : " ", tok(ctx, c)];
    const glued = c.name === "paramList";
    return [glued ? "" : " ", ctx.print(c)];
  });
}

/** `use std.rewards.{exact_match, well_formed}`, `use "file.rlp"`, `use std.tasks.*`. */
function useDecl(ctx: Ctx, n: CstNode): Doc {
  const lcurly = token(n, "LCurly");
  const [keyword, ...path] = children(n).filter((c) => !(isToken(c) && isSeparator(c)) && (lcurly === undefined || startOf(c) < lcurly.startOffset));
  return [
    keyword !== undefined && isToken(keyword) ? tok(ctx, keyword) : "",
    " ",
    path.map((c) => (isToken(c) ? tok(ctx, c) : ctx.print(c))),
    // The grammar takes no trailing comma after the last imported name.
    lcurly === undefined ? "" : delimited(ctx, lcurly, nodes(n, "useName"), token(n, "RCurly")!, false),
  ];
}

/** `name: Type = default`. */
function param(ctx: Ctx, n: CstNode): Doc {
  return children(n).map((c) => {
    if (!isToken(c)) return ctx.print(c);
    if (c.image === ":") return [tok(ctx, c), " "];
    if (c.image === "=") return [" ", tok(ctx, c), " "];
    return tok(ctx, c);
  });
}

/** `const f32(a: i32) @sample+`: fields in a list, the level glued to its `@`. */
function typeRef(ctx: Ctx, n: CstNode): Doc {
  const lparen = token(n, "LParen");
  const rparen = token(n, "RParen");
  return children(n).map((c) => {
    if (!isToken(c)) return "";
    if (c === lparen && rparen !== undefined) return delimited(ctx, c, nodes(n, "typeField"), rparen);
    if (c === rparen || isSeparator(c)) return "";
    if (c.image === "const") return [tok(ctx, c), " "];
    if (c.image === "@") return [" ", tok(ctx, c)];
    return tok(ctx, c);
  });
}

export const declPrinters: Record<string, Printer> = {
  file,
  useDecl,
  useName: spaced,
  pathSegment: spaced,
  pipelineDecl: declaration,
  algorithmDecl: declaration,
  usesClause: (ctx, n) => children(n).map((c, i) => (isToken(c) ? [i === 0 ? "" : " ", tok(ctx, c)] : ctx.print(c))),
  paramList: (ctx, n) => delimited(ctx, token(n, "LParen")!, nodes(n, "param"), token(n, "RParen")!),
  param,
  externDecl: declaration,
  typeRef,
  typeField: param,
  block,
  member: wrapper,
  rolloutItem: wrapper,
  constDecl: spaced,
  binding: spaced,
  rolloutBlock: spaced,
  rolloutBody,
  levelDecl: spaced,
  keepDecl,
  section,
};
