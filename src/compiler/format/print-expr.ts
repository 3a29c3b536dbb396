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
import { BINARY_PRECEDENCE, NON_ASSOCIATIVE } from "../../../grammar/tokens.js";

export type Printer = (ctx: Ctx, node: CstNode) => Doc;

/** An operand chain rebuilt by precedence: leaves are the CST's `unaryExpr` nodes. */
type Tree = { readonly leaf: CstNode } | { readonly first: Tree; readonly rest: readonly { readonly op: IToken; readonly operand: Tree }[] };

/** The flat `a + b * c` list folded by precedence; a run of one precedence stays one chain. */
function fold(operands: readonly CstNode[], ops: readonly IToken[]): Tree {
  const out: Tree[] = [{ leaf: operands[0]! }];
  const pending: IToken[] = [];
  const prec = (t: IToken) => BINARY_PRECEDENCE[t.image] ?? 0;
  const reduce = () => {
    const op = pending.pop()!;
    const right = out.pop()!;
    const left = out.pop()!;
    // `a + b + c` is one chain of two operators, not a chain inside a chain.
    const merged: Tree = "rest" in left && left.rest.length > 0 && prec(left.rest[0]!.op) === prec(op) && !NON_ASSOCIATIVE.has(prec(op))
      ? { first: left.first, rest: [...left.rest, { op, operand: right }] }
      : { first: left, rest: [{ op, operand: right }] };
    out.push(merged);
  };
  ops.forEach((op, i) => {
    while (pending.length > 0 && prec(pending[pending.length - 1]!) >= prec(op)) reduce();
    pending.push(op);
    out.push({ leaf: operands[i + 1]! });
  });
  while (pending.length > 0) reduce();
  return out[0]!;
}

function firstLeaf(t: Tree): CstNode {
  return "leaf" in t ? t.leaf : firstLeaf(t.first);
}

/**
 * One chain: operands and operators alternate; the group breaks before every operator, and the
 * operator hangs left so that the operands line up (`loss = ppo_clip(...)` / `     + 0.04 * kl(...)`).
 * `..` is written without spaces. `skipLeading`: the caller already printed the first leaf's
 * comments (they go before an operator, where the line starts).
 */
function printTree(ctx: Ctx, t: Tree, skipLeading: boolean): Doc {
  if ("leaf" in t) return skipLeading ? [ctx.body(t.leaf), trailingDoc(ctx, t.leaf)] : ctx.print(t.leaf);
  const first = printTree(ctx, t.first, skipLeading);
  const range = t.rest.length === 1 && t.rest[0]!.op.image === "..";
  if (range) return [first, tok(ctx, t.rest[0]!.op), printTree(ctx, t.rest[0]!.operand, false)];
  const parts: Doc[] = [first];
  for (const { op, operand } of t.rest) {
    // An own-line comment before an operand goes before its operator, where the line starts.
    parts.push([line, leadingDoc(ctx, firstLeaf(operand)), tok(ctx, op), " ", printTree(ctx, operand, true)]);
  }
  return align(group(parts), -(t.rest[0]!.op.image.length + 1));
}

function expression(ctx: Ctx, n: CstNode): Doc {
  const operands = nodes(n, "unaryExpr");
  const ops = (n.children["BinaryOp"] ?? []).filter(isToken);
  if (ops.length === 0 || operands.length !== ops.length + 1) return passThrough(ctx, n);
  return printTree(ctx, fold(operands, ops), false);
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
  expression,
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
