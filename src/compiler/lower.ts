/**
 * Stage `lower`: CST → AST. A Chevrotain CST visitor that builds plain AST objects with spans,
 * decodes literals (numbers, string escapes and `{name}` template holes), attaches `///` doc
 * comments, and reports what the grammar accepted only for recovery's sake (stray tokens,
 * misplaced declarations, chained comparisons). Pure: the same CST always gives the same AST.
 */
import type { CstNode, IToken } from "chevrotain";
import type * as C from "../../grammar/cst.js";
import { parser } from "../../grammar/parser.js";
import { BINARY_PRECEDENCE, NON_ASSOCIATIVE } from "../../grammar/tokens.js";
import { describeToken } from "../../grammar/index.js";
import type * as A from "./ast.js";
import { diagnostic, type Diagnostic } from "./diagnostics/diagnostic.js";
import { spanUnion, type SourceFile, type Span } from "./source.js";
import { suggestions } from "./diagnostics/suggest.js";

const BLOCK_WORDS = ["rollout", "reward", "advantage", "optimize"];

export interface LowerResult {
  readonly ast: A.File;
  readonly diagnostics: readonly Diagnostic[];
}

const BaseVisitor = parser.getBaseCstVisitorConstructor();

type Node = CstNode | IToken;

function isToken(node: Node): node is IToken {
  return (node as IToken).tokenType !== undefined;
}

function startOf(node: Node): number {
  return isToken(node) ? node.startOffset : (node.location?.startOffset ?? Number.NaN);
}

/** All children of a node, in source order (Chevrotain groups them by name). */
function ordered(children: Record<string, Node[] | undefined>): Node[] {
  const all: Node[] = [];
  for (const list of Object.values(children)) if (list !== undefined) all.push(...list);
  return all.filter((n) => !isToken(n) || !n.isInsertedInRecovery).sort((a, b) => startOf(a) - startOf(b));
}

function present(token: IToken | undefined): token is IToken {
  return token !== undefined && !token.isInsertedInRecovery && Number.isFinite(token.startOffset);
}

const OPS: Record<string, A.BinaryOp> = {
  Plus: "+",
  Minus: "-",
  Star: "*",
  Slash: "/",
  Percent: "%",
  EqEq: "==",
  NotEq: "!=",
  Less: "<",
  LessEq: "<=",
  Greater: ">",
  GreaterEq: ">=",
  AndAnd: "&&",
  OrOr: "||",
};

class Lowering extends BaseVisitor {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly source: SourceFile,
    private readonly comments: readonly IToken[],
  ) {
    super();
    this.validateVisitor();
  }

  /** Chevrotain passes only a node's children to its rule method; pass the node itself too. */
  override visit(node: CstNode | CstNode[]): unknown {
    const single = Array.isArray(node) ? node[0] : node;
    return single === undefined ? undefined : super.visit(single, single);
  }

  // ------------------------------------------------------------ helpers

  private span(start: number, end: number): Span {
    return this.source.span(start, end);
  }

  private tokenSpan(token: IToken): Span {
    return this.span(token.startOffset, (token.endOffset ?? token.startOffset) + 1);
  }

  private nodeSpan(node: Node | undefined, fallback?: Span): Span {
    if (node === undefined) return fallback ?? this.span(this.source.text.length, this.source.text.length);
    if (isToken(node)) return present(node) ? this.tokenSpan(node) : (fallback ?? this.span(0, 0));
    const loc = node.location;
    if (loc === undefined || !Number.isFinite(loc.startOffset)) return fallback ?? this.span(0, 0);
    const end = loc.endOffset !== undefined && Number.isFinite(loc.endOffset) ? loc.endOffset + 1 : loc.startOffset;
    return this.span(loc.startOffset, Math.max(end, loc.startOffset));
  }

  private ident(token: IToken | undefined): A.Ident | undefined {
    return present(token) ? { name: token.image, span: this.tokenSpan(token) } : undefined;
  }

  private expr(node: CstNode | undefined, fallback: Span): A.Expr {
    if (node === undefined || node.recoveredNode === true && node.location === undefined) return { kind: "error", span: fallback };
    const result = this.visit(node) as A.Expr | undefined;
    return result ?? { kind: "error", span: this.nodeSpan(node, fallback) };
  }

  /** `///` lines directly above `offset` (no blank line between) form the doc comment. */
  private docBefore(offset: number): string | undefined {
    const lines: string[] = [];
    let cursor = offset;
    for (let i = this.comments.length - 1; i >= 0; i--) {
      const c = this.comments[i]!;
      const end = (c.endOffset ?? c.startOffset) + 1;
      if (end > cursor) continue;
      const between = this.source.text.slice(end, cursor);
      if (!/^[ \t]*\r?\n?[ \t]*$/.test(between) || !c.image.startsWith("///")) break;
      lines.unshift(c.image.slice(3).replace(/^ /, ""));
      cursor = c.startOffset;
    }
    return lines.length > 0 ? lines.join("\n") : undefined;
  }

  private misplaced(span: Span, message: string, help?: string): void {
    this.diagnostics.push(diagnostic("RLP0012", message).primary(span, "not allowed here").help(help).build());
  }

  private reportJunk(tokens: readonly IToken[], context: string): void {
    // Consecutive stray tokens are one mistake: report the run once.
    let run: IToken[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const span = this.span(first.startOffset, (last.endOffset ?? last.startOffset) + 1);
      const builder = diagnostic("RLP0004", `unexpected ${describeToken(first)}`).primary(span, `cannot start ${context}`);
      if (first.image === "}") builder.help("this `}` has no matching `{`");
      else if (first.image === "=") builder.help("is the expression on the line above missing an operand?");
      this.diagnostics.push(builder.build());
      run = [];
    };
    let previousEnd = -1;
    for (const token of tokens) {
      const gap = this.source.text.slice(previousEnd + 1, token.startOffset);
      if (run.length > 0 && gap.includes("\n")) flush();
      run.push(token);
      previousEnd = token.endOffset ?? token.startOffset;
    }
    flush();
  }

  // ------------------------------------------------------------ file

  file(ctx: C.FileCstChildren): A.File {
    const items: A.Item[] = [];
    const stray: IToken[] = [];
    for (const child of ordered(ctx as Record<string, Node[] | undefined>)) {
      if (isToken(child)) continue; // `;`
      switch (child.name) {
        case "strayToken": {
          const c = (child as C.StrayTokenCstNode).children;
          stray.push(...(c.Junk ?? []), ...(c.RCurly ?? []));
          continue;
        }
        case "binding":
        case "rolloutBlock":
        case "section": {
          this.reportJunk(stray.splice(0), "a declaration");
          const what = child.name === "binding" ? "bindings" : child.name === "rolloutBlock" ? "`rollout` blocks" : "blocks";
          this.misplaced(this.nodeSpan(child), `${what} must be inside a \`pipeline\` or \`algorithm\``, "wrap the declarations in `pipeline NAME { ... }`");
          continue;
        }
        default: {
          this.reportJunk(stray.splice(0), "a declaration");
          const item = this.visit(child) as A.Item | undefined;
          if (item !== undefined) items.push(item);
        }
      }
    }
    this.reportJunk(stray, "a declaration");
    return { path: this.source.path, items, span: this.span(0, this.source.text.length) };
  }

  strayToken(): undefined {
    return undefined;
  }

  junk(): undefined {
    return undefined;
  }

  useDecl(ctx: C.UseDeclCstChildren, node: CstNode): A.UseDecl | undefined {
    const span = this.nodeSpan(node);
    let source: A.UseSource;
    const str = ctx.StringLiteral?.[0];
    if (present(str)) {
      source = { kind: "file", path: this.decodeString(str).parts.map((p) => (p.kind === "text" ? p.value : `{${p.name.name}}`)).join(""), span: this.tokenSpan(str) };
    } else {
      const path = (ctx.pathSegment ?? [])
        .map((seg) => seg.children.Identifier?.[0] ?? seg.children.Keyword?.[0])
        .filter(present)
        .map((t) => this.ident(t)!);
      if (path.length === 0) return undefined;
      source = { kind: "std", path, span: this.span(path[0]!.span.start, path[path.length - 1]!.span.end) };
    }
    const names: A.UseName[] | "all" = ctx.LCurly !== undefined ? (ctx.useName ?? []).map((n) => this.visit(n) as A.UseName | undefined).filter((n): n is A.UseName => n !== undefined) : "all";
    return { kind: "use", source, names, span };
  }

  pathSegment(): undefined {
    return undefined; // read by `useDecl`
  }

  useName(ctx: C.UseNameCstChildren, node: CstNode): A.UseName | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const alias = this.ident(ctx.Identifier?.[1]);
    return alias === undefined ? { name, span: this.nodeSpan(node) } : { name, alias, span: this.nodeSpan(node) };
  }

  pipelineDecl(ctx: C.PipelineDeclCstChildren, node: CstNode): A.PipelineDecl | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    const uses = ctx.usesClause?.[0] === undefined ? undefined : (this.visit(ctx.usesClause[0]) as A.UsesClause | undefined);
    const members = ctx.block?.[0] === undefined ? [] : (this.visit(ctx.block[0]) as A.Member[]);
    const doc = this.docBefore(span.start);
    return { kind: "pipeline", name, members, span, ...(uses ? { uses } : {}), ...(doc ? { doc } : {}) };
  }

  algorithmDecl(ctx: C.AlgorithmDeclCstChildren, node: CstNode): A.AlgorithmDecl | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    const params = ctx.paramList?.[0] === undefined ? [] : (this.visit(ctx.paramList[0]) as A.Param[]);
    const uses = ctx.usesClause?.[0] === undefined ? undefined : (this.visit(ctx.usesClause[0]) as A.UsesClause | undefined);
    const members = ctx.block?.[0] === undefined ? [] : (this.visit(ctx.block[0]) as A.Member[]);
    const doc = this.docBefore(span.start);
    return { kind: "algorithm", name, params, members, span, ...(uses ? { uses } : {}), ...(doc ? { doc } : {}) };
  }

  usesClause(ctx: C.UsesClauseCstChildren, node: CstNode): A.UsesClause | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const args = ctx.argList?.[0] === undefined ? [] : (this.visit(ctx.argList[0]) as A.Arg[]);
    return { name, args, span: this.nodeSpan(node) };
  }

  paramList(ctx: C.ParamListCstChildren): A.Param[] {
    return (ctx.param ?? []).map((p) => this.visit(p) as A.Param | undefined).filter((p): p is A.Param => p !== undefined);
  }

  param(ctx: C.ParamCstChildren, node: CstNode): A.Param | undefined {
    const name = this.ident(ctx.Identifier?.[0] ?? ctx.Keyword?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    const type = ctx.typeRef?.[0] === undefined ? undefined : (this.visit(ctx.typeRef[0]) as A.TypeRef | undefined);
    const def = ctx.expression?.[0] === undefined ? undefined : this.expr(ctx.expression[0], span);
    return { name, span, ...(type ? { type } : {}), ...(def ? { default: def } : {}) };
  }

  externDecl(ctx: C.ExternDeclCstChildren, node: CstNode): A.ExternDecl | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    const params = ctx.paramList?.[0] === undefined ? [] : (this.visit(ctx.paramList[0]) as A.Param[]);
    const returns = ctx.typeRef?.[0] === undefined ? undefined : (this.visit(ctx.typeRef[0]) as A.TypeRef | undefined);
    const doc = this.docBefore(span.start);
    return { kind: "extern", name, params, span, ...(returns ? { returns } : {}), ...(doc ? { doc } : {}) };
  }

  typeRef(ctx: C.TypeRefCstChildren, node: CstNode): A.TypeRef | undefined {
    // The type name may be a keyword (`level`); the level after `@` is always an identifier.
    const idents = (ctx.Identifier ?? []).filter(present);
    const keyword = ctx.Keyword?.[0];
    const nameToken = keyword !== undefined && present(keyword) ? keyword : idents[0];
    const name = this.ident(nameToken);
    if (name === undefined) return undefined;
    const fields = (ctx.typeField ?? []).map((f) => this.visit(f) as { name: A.Ident; type: A.TypeRef } | undefined).filter((f) => f !== undefined);
    const levelToken = ctx.At !== undefined ? idents[nameToken === keyword ? 0 : 1] : undefined;
    const levelName = this.ident(levelToken);
    const level = levelName === undefined ? undefined : { name: levelName, orFiner: ctx.Plus !== undefined };
    return { isConst: ctx.Const !== undefined, name, fields, span: this.nodeSpan(node), ...(level ? { level } : {}) };
  }

  typeField(ctx: C.TypeFieldCstChildren): { name: A.Ident; type: A.TypeRef } | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    const type = ctx.typeRef?.[0] === undefined ? undefined : (this.visit(ctx.typeRef[0]) as A.TypeRef | undefined);
    return name === undefined || type === undefined ? undefined : { name, type };
  }

  // ------------------------------------------------------------ members

  block(ctx: C.BlockCstChildren): A.Member[] {
    return this.members(ctx.member ?? []);
  }

  private members(nodes: readonly C.MemberCstNode[]): A.Member[] {
    const members: A.Member[] = [];
    const junk: IToken[] = [];
    for (const m of nodes) {
      const c = m.children;
      if (c.junk !== undefined) {
        junk.push(...c.junk.flatMap((j) => j.children.Junk ?? []));
        continue;
      }
      this.reportJunk(junk.splice(0), "a member");
      if (c.levelDecl !== undefined || c.keepDecl !== undefined) {
        const what = c.levelDecl !== undefined ? "`level` declarations" : "`keep groups where` filters";
        this.misplaced(this.nodeSpan(m), `${what} belong inside \`rollout { ... }\``);
        continue;
      }
      const child = c.constDecl?.[0] ?? c.rolloutBlock?.[0] ?? c.section?.[0] ?? c.binding?.[0];
      if (child === undefined) continue;
      const member = this.visit(child) as A.Member | undefined;
      if (member !== undefined) members.push(member);
    }
    this.reportJunk(junk, "a member");
    return members;
  }

  member(): undefined {
    return undefined; // handled by `members`, which needs to see neighbouring junk
  }

  constDecl(ctx: C.ConstDeclCstChildren, node: CstNode): A.ConstDecl | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    return { kind: "const", name, value: this.expr(ctx.expression?.[0], span), span };
  }

  binding(ctx: C.BindingCstChildren, node: CstNode): A.Binding | A.RolloutBlock | A.Section | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    if (ctx.rolloutBody?.[0] !== undefined) return this.misspeltBlock(name, ctx.rolloutBody[0], span);
    return { kind: "binding", name, value: this.expr(ctx.expression?.[0], this.span(name.span.end, name.span.end)), span };
  }

  /** `rolout { ... }`: report it, then read it as the block it most resembles so checking goes on. */
  private misspeltBlock(name: A.Ident, body: C.RolloutBodyCstNode, span: Span): A.RolloutBlock | A.Section | undefined {
    const guess = suggestions(name.name, BLOCK_WORDS, 1)[0];
    const builder = diagnostic("RLP0004", `\`${name.name}\` is not a block`).primary(name.span, "expected `=` or a block keyword");
    if (guess !== undefined) builder.help(`did you mean \`${guess}\`?`).replaceWith(name.span, guess);
    else builder.help("blocks are `rollout`, `reward`, `advantage` and `optimize`; a setting is written `name = value`");
    this.diagnostics.push(builder.build());
    const items = this.visit(body) as A.RolloutItem[];
    if (guess === "rollout") return { kind: "rollout", items, keyword: name.span, span };
    if (guess === "reward" || guess === "advantage" || guess === "optimize") {
      const bindings = items.filter((i): i is A.Binding => i.kind === "binding");
      return { kind: "section", section: guess, bindings, keyword: name.span, span };
    }
    return undefined;
  }

  rolloutBlock(ctx: C.RolloutBlockCstChildren, node: CstNode): A.RolloutBlock {
    const items = ctx.rolloutBody?.[0] === undefined ? [] : (this.visit(ctx.rolloutBody[0]) as A.RolloutItem[]);
    const keyword = present(ctx.Rollout?.[0]) ? this.tokenSpan(ctx.Rollout[0]) : this.nodeSpan(node);
    return { kind: "rollout", items, keyword, span: this.nodeSpan(node) };
  }

  rolloutBody(ctx: C.RolloutBodyCstChildren): A.RolloutItem[] {
    const items: A.RolloutItem[] = [];
    const junk: IToken[] = [];
    for (const item of ctx.rolloutItem ?? []) {
      const c = item.children;
      if (c.junk !== undefined) {
        junk.push(...c.junk.flatMap((j) => j.children.Junk ?? []));
        continue;
      }
      this.reportJunk(junk.splice(0), "a rollout setting");
      if (c.section !== undefined || c.constDecl !== undefined) {
        const word = c.section?.[0] !== undefined ? this.sectionWord(c.section[0]) : "const";
        this.misplaced(
          this.nodeSpan(item),
          `\`${word}\` cannot be declared inside \`rollout\``,
          c.section !== undefined ? "is a `}` missing before it?" : "declare constants at the pipeline level",
        );
        continue;
      }
      const child = c.binding?.[0] ?? c.levelDecl?.[0] ?? c.keepDecl?.[0];
      if (child === undefined) continue;
      const lowered = this.visit(child) as A.RolloutItem | A.RolloutBlock | A.Section | undefined;
      if (lowered !== undefined && lowered.kind !== "rollout" && lowered.kind !== "section") items.push(lowered);
    }
    this.reportJunk(junk, "a rollout setting");
    return items;
  }

  private sectionWord(node: C.SectionCstNode): string {
    const c = node.children;
    return c.Reward !== undefined ? "reward" : c.Advantage !== undefined ? "advantage" : "optimize";
  }

  rolloutItem(): undefined {
    return undefined; // handled by `rolloutBody`
  }

  levelDecl(ctx: C.LevelDeclCstChildren, node: CstNode): A.LevelDecl | undefined {
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return undefined;
    const span = this.nodeSpan(node);
    const values = this.expr(ctx.expression?.[0], name.span);
    const items = ctx.rolloutBody?.[0] === undefined ? [] : (this.visit(ctx.rolloutBody[0]) as A.RolloutItem[]);
    return { kind: "level", name, values, items, span };
  }

  keepDecl(ctx: C.KeepDeclCstChildren, node: CstNode): A.KeepDecl {
    const span = this.nodeSpan(node);
    const cond = this.expr(ctx.expression?.[0], span);
    const refillNode = ctx.expression?.[1];
    return refillNode === undefined ? { kind: "keep", cond, span } : { kind: "keep", cond, refill: this.expr(refillNode, span), span };
  }

  section(ctx: C.SectionCstChildren, node: CstNode): A.Section {
    const kw = ctx.Reward?.[0] ?? ctx.Advantage?.[0] ?? ctx.Optimize?.[0];
    const section: A.SectionName = ctx.Reward !== undefined ? "reward" : ctx.Advantage !== undefined ? "advantage" : "optimize";
    const bindings: A.Binding[] = [];
    for (const b of ctx.binding ?? []) {
      const lowered = this.visit(b) as A.Binding | A.RolloutBlock | A.Section | undefined;
      if (lowered?.kind === "binding") bindings.push(lowered);
    }
    this.reportJunk((ctx.junk ?? []).flatMap((j) => j.children.Junk ?? []), "a term");
    const keyword = kw !== undefined && present(kw) ? this.tokenSpan(kw) : this.nodeSpan(node);
    return { kind: "section", section, bindings, keyword, span: this.nodeSpan(node) };
  }

  // ------------------------------------------------------------ expressions

  /**
   * `a + b * c < d`: the parser gives a flat list of operands and operators; this folds it by
   * precedence (shunting-yard, iterative, so long chains cost no stack), reporting chained
   * comparisons and ranges, which do not associate.
   */
  expression(ctx: C.ExpressionCstChildren, node: CstNode): A.Expr {
    const operands = ctx.unaryExpr ?? [];
    const ops = (ctx.BinaryOp ?? []).filter(present);
    if (ops.length === 0 || operands.length !== ops.length + 1) {
      if (operands.length === 1 || ops.length === 0) return this.expr(operands[0], this.nodeSpan(node));
      return { kind: "error", span: this.nodeSpan(node) };
    }
    const out: A.Expr[] = [];
    const pending: IToken[] = [];
    // Results of non-associative operators made in this chain (parentheses start a new chain).
    const madeBy = new Map<A.Expr, IToken>();
    const reduce = () => {
      const op = pending.pop()!;
      const right = out.pop()!;
      const left = out.pop()!;
      const prec = BINARY_PRECEDENCE[op.image]!;
      if (NON_ASSOCIATIVE.has(prec)) {
        const inner = madeBy.get(left) ?? madeBy.get(right);
        if (inner !== undefined && BINARY_PRECEDENCE[inner.image] === prec) this.chained(inner, op);
      }
      // Recovered operands may carry a fallback span, so take the union rather than trusting order.
      const span = spanUnion(left.span, right.span);
      const made: A.Expr =
        op.image === ".." ? { kind: "range", lo: left, hi: right, span } : { kind: "binary", op: OPS[op.tokenType.name]!, left, right, opSpan: this.tokenSpan(op), span };
      if (NON_ASSOCIATIVE.has(prec)) madeBy.set(made, op);
      out.push(made);
    };
    const fallback = this.nodeSpan(node);
    out.push(this.expr(operands[0], fallback));
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const prec = BINARY_PRECEDENCE[op.image]!;
      while (pending.length > 0 && BINARY_PRECEDENCE[pending[pending.length - 1]!.image]! >= prec) reduce();
      pending.push(op);
      out.push(this.expr(operands[i + 1], fallback));
    }
    while (pending.length > 0) reduce();
    return out[0]!;
  }

  private chained(first: IToken, second: IToken): void {
    const range = first.image === "..";
    this.diagnostics.push(
      diagnostic("RLP0010", range ? "ranges do not chain" : "comparison operators do not chain")
        .primary(this.tokenSpan(second), range ? "second `..`" : "second comparison")
        .secondary(this.tokenSpan(first), range ? "first `..`" : "first comparison")
        .help(range ? "a range is `lo..hi`" : "combine two comparisons with `&&`, for example `a < b && b < c`")
        .build(),
    );
  }

  unaryExpr(ctx: C.UnaryExprCstChildren, node: CstNode): A.Expr {
    const span = this.nodeSpan(node);
    if (ctx.primary?.[0] !== undefined) return this.expr(ctx.primary[0], span);
    const opToken = ctx.Minus?.[0] ?? ctx.Bang?.[0];
    const operand = this.expr(ctx.unaryExpr?.[0], span);
    if (!present(opToken)) return operand;
    // Fold `-<number>` into a literal so constants and the formatter see `-1` as one value.
    if (opToken.image === "-" && operand.kind === "number") {
      return { kind: "number", value: -operand.value, raw: `-${operand.raw}`, isInt: operand.isInt, span };
    }
    return { kind: "unary", op: opToken.image === "-" ? "-" : "!", operand, opSpan: this.tokenSpan(opToken), span };
  }

  primary(ctx: C.PrimaryCstChildren, node: CstNode): A.Expr {
    const span = this.nodeSpan(node);
    const num = ctx.NumberLiteral?.[0];
    if (present(num)) return { kind: "number", value: Number(num.image), raw: num.image, isInt: /^\d+$/.test(num.image), span };
    const str = ctx.StringLiteral?.[0];
    if (present(str)) return this.decodeString(str);
    if (ctx.True !== undefined) return { kind: "bool", value: true, span };
    if (ctx.False !== undefined) return { kind: "bool", value: false, span };
    const sub = ctx.callOrName?.[0] ?? ctx.parenExpr?.[0] ?? ctx.listExpr?.[0] ?? ctx.ifExpr?.[0];
    return this.expr(sub, span);
  }

  callOrName(ctx: C.CallOrNameCstChildren, node: CstNode): A.Expr {
    const span = this.nodeSpan(node);
    const name = this.ident(ctx.Identifier?.[0]);
    if (name === undefined) return { kind: "error", span };
    if (ctx.argList === undefined) return { kind: "name", name: name.name, span: name.span };
    const args = this.visit(ctx.argList[0]!) as A.Arg[];
    return { kind: "call", callee: name, args, span };
  }

  parenExpr(ctx: C.ParenExprCstChildren, node: CstNode): A.Expr {
    return this.expr(ctx.expression?.[0], this.nodeSpan(node));
  }

  listExpr(ctx: C.ListExprCstChildren, node: CstNode): A.Expr {
    const span = this.nodeSpan(node);
    return { kind: "list", items: (ctx.expression ?? []).map((e) => this.expr(e, span)), span };
  }

  ifExpr(ctx: C.IfExprCstChildren, node: CstNode): A.Expr {
    const span = this.nodeSpan(node);
    const [c, t, e] = ctx.expression ?? [];
    return { kind: "if", cond: this.expr(c, span), then: this.expr(t, span), else: this.expr(e, span), span };
  }

  argList(ctx: C.ArgListCstChildren): A.Arg[] {
    return (ctx.arg ?? []).map((a) => this.visit(a) as A.Arg | undefined).filter((a): a is A.Arg => a !== undefined);
  }

  arg(ctx: C.ArgCstChildren, node: CstNode): A.Arg | undefined {
    const span = this.nodeSpan(node);
    const nameToken = ctx.Identifier?.[0] ?? ctx.Keyword?.[0];
    const name = this.ident(nameToken);
    const value = this.expr(ctx.expression?.[0], span);
    const reduce = ctx.reduceClause?.[0] === undefined ? undefined : (this.visit(ctx.reduceClause[0]) as A.ReduceClause | undefined);
    return { value, span, ...(name ? { name } : {}), ...(reduce ? { reduce } : {}) };
  }

  reduceClause(ctx: C.ReduceClauseCstChildren, node: CstNode): A.ReduceClause {
    const span = this.nodeSpan(node);
    const by = (ctx.Identifier ?? []).filter(present).map((t) => this.ident(t)!);
    const where = ctx.expression?.[0] === undefined ? undefined : this.expr(ctx.expression[0], span);
    return { by, span, ...(where ? { where } : {}) };
  }

  // ------------------------------------------------------------ literals

  /** Decodes escapes and splits `{name}` holes out of a string literal. */
  private decodeString(token: IToken): A.StringExpr {
    const raw = token.image;
    const base = token.startOffset;
    const span = this.tokenSpan(token);
    const parts: A.StringPart[] = [];
    let text = "";
    const end = raw.endsWith('"') && raw.length > 1 ? raw.length - 1 : raw.length;
    for (let i = 1; i < end; i++) {
      const ch = raw[i]!;
      if (ch === "\\") {
        const next = raw[i + 1];
        const decoded = next === undefined ? undefined : ({ '"': '"', "\\": "\\", "{": "{", "}": "}", n: "\n", t: "\t" } as Record<string, string>)[next];
        if (decoded === undefined) {
          const escSpan = this.span(base + i, base + i + 2);
          this.diagnostics.push(
            diagnostic("RLP0008", `invalid escape \`\\${next ?? ""}\` in string`)
              .primary(escSpan, "not a known escape")
              .help("known escapes are `\\\"`, `\\\\`, `\\{`, `\\}`, `\\n` and `\\t`")
              .build(),
          );
          i++;
          continue;
        }
        text += decoded;
        i++;
      } else if (ch === "{") {
        const close = raw.indexOf("}", i + 1);
        const inner = close < 0 || close >= end ? undefined : raw.slice(i + 1, close);
        if (inner !== undefined && /^\s*[A-Za-z_][A-Za-z0-9_]*\s*$/.test(inner)) {
          if (text !== "") parts.push({ kind: "text", value: text });
          text = "";
          const lead = inner.length - inner.trimStart().length;
          const name = inner.trim();
          parts.push({ kind: "hole", name: { name, span: this.span(base + i + 1 + lead, base + i + 1 + lead + name.length) } });
          i = close;
        } else {
          const holeEnd = inner === undefined ? end : close + 1;
          this.diagnostics.push(
            diagnostic("RLP0009", inner === undefined ? "`{` opens a template hole that is never closed" : "a template hole may only name a value")
              .primary(this.span(base + i, base + holeEnd), inner === undefined ? "no closing `}`" : "not a name")
              .help("write `{name}` to insert a value, or `\\{` for a literal brace")
              .build(),
          );
          i = holeEnd - 1;
        }
      } else text += ch;
    }
    if (text !== "" || parts.length === 0) parts.push({ kind: "text", value: text });
    return { kind: "string", parts, span };
  }
}

export function cstToAst(source: SourceFile, cst: CstNode, comments: readonly IToken[]): LowerResult {
  const lowering = new Lowering(source, comments);
  const ast = lowering.visit(cst) as A.File;
  return { ast, diagnostics: lowering.diagnostics };
}
