/**
 * Expressions: operator chains that break before the operator with continuation lines under
 * the start of the chain, calls and lists that break one item per line, `if … else if …` chains
 * with each `else` under its `if`, and everything else exactly as written.
 */
import type { CstNode, IToken } from "chevrotain";
import { leadingDoc, tok, trailingDoc, type Ctx } from "./context.js";
import { children, isToken, node, nodes, token } from "./cst.js";
import { align, glue, group, join, line, type Doc } from "./doc.js";
import { delimited } from "./lists.js";

export type Printer = (ctx: Ctx, node: CstNode) => Doc;

/**
 * `a + b - c`: operands and operators alternate; the group breaks before every operator, and the
 * operator hangs left so that the operands line up (`loss = ppo_clip(...)` / `     + 0.04 * kl(...)`).
 */
function chain(ctx: Ctx, n: CstNode): Doc {
  const [first, ...rest] = children(n);
  if (first === undefined || isToken(first)) return "";
  if (rest.length === 0) return ctx.print(first);
  const parts: Doc[] = [ctx.print(first)];
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const op = rest[i] as IToken;
    const operand = rest[i + 1] as CstNode;
    // An own-line comment before an operand goes before its operator, where the line starts.
    parts.push([line, leadingDoc(ctx, operand), tok(ctx, op), " ", ctx.body(operand), trailingDoc(ctx, operand)]);
  }
  return align(group(parts), -((rest[0] as IToken).image.length + 1));
}

/** The `if` expression an `else` branch consists of, when it is nothing else. */
function elseIf(ctx: Ctx, expression: CstNode): CstNode | undefined {
  let current = expression;
  for (;;) {
    // Comments on the way down would have no place in the flattened chain: keep it nested.
    if ((current !== expression && ctx.trivia.leading(current).length > 0) || ctx.trivia.trailing(current).length > 0) return undefined;
    if (current.name === "ifExpr") return current;
    const kids = children(current);
    const only = kids[0];
    if (kids.length !== 1 || only === undefined || isToken(only)) return undefined;
    current = only;
  }
}

/**
 * `if A then B else if C then D else E`: one line when it fits and the user wrote it on one
 * line; otherwise each `else if` starts a line under the first `if`, and the final `else` joins
 * the last line unless it does not fit there or the user put it on its own line.
 */
function ifChain(ctx: Ctx, first: CstNode): Doc {
  const parts: Doc[] = [];
  let userBroken = false;
  let current = first;
  for (;;) {
    const [cond, then, otherwise] = nodes(current, "expression");
    const elseToken = token(current, "Else")!;
    parts.push(tok(ctx, token(current, "If")!), " ", ctx.print(cond!), " ", tok(ctx, token(current, "Then")!), " ", ctx.print(then!));
    const next = elseIf(ctx, otherwise!);
    if (next === undefined) {
      parts.push(group([line, tok(ctx, elseToken), " ", ctx.print(otherwise!)], ctx.trivia.newlineBefore(elseToken)));
      break;
    }
    userBroken ||= ctx.trivia.newlineBefore(elseToken);
    parts.push(line, leadingDoc(ctx, otherwise!), tok(ctx, elseToken), " ");
    current = next;
  }
  return align(group(parts, userBroken));
}

function unaryExpr(ctx: Ctx, n: CstNode): Doc {
  const op = token(n, "Minus") ?? token(n, "Bang");
  const operand = node(n, "unaryExpr") ?? node(n, "primary");
  return [op === undefined ? "" : tok(ctx, op), operand === undefined ? "" : ctx.print(operand)];
}

/** Children as written, with no space between them: literals, calls, parentheses, ranges. */
function passThrough(ctx: Ctx, n: CstNode): Doc {
  return children(n).map((child) => (isToken(child) ? tok(ctx, child) : ctx.print(child)));
}

function argList(ctx: Ctx, n: CstNode): Doc {
  return delimited(ctx, token(n, "LParen")!, nodes(n, "arg"), token(n, "RParen")!);
}

function listExpr(ctx: Ctx, n: CstNode): Doc {
  return delimited(ctx, token(n, "LBracket")!, nodes(n, "expression"), token(n, "RBracket")!);
}

/** `name: value`, `x by prompt, budget where cond`. */
function arg(ctx: Ctx, n: CstNode): Doc {
  const out: Doc[] = [];
  for (const child of children(n)) {
    if (isToken(child)) out.push(tok(ctx, child), child.image === ":" ? " " : "");
    else if (child.name === "reduceClause") out.push(" ", ctx.print(child));
    else out.push(ctx.print(child));
  }
  return out;
}

function reduceClause(ctx: Ctx, n: CstNode): Doc {
  const levels = (n.children["Identifier"] ?? []).filter(isToken).map((t) => tok(ctx, t));
  const where = token(n, "Where");
  const cond = node(n, "expression");
  return [tok(ctx, token(n, "By")!), " ", join([glue(","), " "], levels), where === undefined || cond === undefined ? "" : [" ", tok(ctx, where), " ", ctx.print(cond)]];
}

export const exprPrinters: Record<string, Printer> = {
  expression: passThrough,
  orExpr: chain,
  andExpr: chain,
  compareExpr: chain,
  rangeExpr: passThrough,
  addExpr: chain,
  mulExpr: chain,
  unaryExpr,
  primary: passThrough,
  callOrName: passThrough,
  parenExpr: passThrough,
  listExpr,
  ifExpr: ifChain,
  argList,
  arg,
  reduceClause,
};
