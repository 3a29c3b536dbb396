/**
 * The AST: the syntax of one `.rlp` file with every node carrying its source span. Produced by
 * `lower.ts` from the CST; consumed by `resolve.ts`. Names are not resolved yet.
 */
import type { Span } from "./source.js";

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------- expressions

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||";
export type UnaryOp = "-" | "!";

export interface NumberExpr {
  readonly kind: "number";
  readonly value: number;
  /** As written, so that the formatter and messages can repeat it exactly. */
  readonly raw: string;
  /** Written without a decimal point or exponent. */
  readonly isInt: boolean;
  readonly span: Span;
}

export type StringPart = { readonly kind: "text"; readonly value: string } | { readonly kind: "hole"; readonly name: Ident };

export interface StringExpr {
  readonly kind: "string";
  readonly parts: readonly StringPart[];
  readonly span: Span;
}

export interface BoolExpr {
  readonly kind: "bool";
  readonly value: boolean;
  readonly span: Span;
}

export interface NameExpr {
  readonly kind: "name";
  readonly name: string;
  readonly span: Span;
}

export interface UnaryExpr {
  readonly kind: "unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}

export interface BinaryExpr {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}

export interface IfExpr {
  readonly kind: "if";
  readonly cond: Expr;
  readonly then: Expr;
  readonly else: Expr;
  readonly span: Span;
}

export interface ReduceClause {
  readonly by: readonly Ident[];
  readonly where?: Expr;
  readonly span: Span;
}

export interface Arg {
  readonly name?: Ident;
  readonly value: Expr;
  readonly reduce?: ReduceClause;
  readonly span: Span;
}

export interface CallExpr {
  readonly kind: "call";
  readonly callee: Ident;
  readonly args: readonly Arg[];
  readonly span: Span;
}

export interface ListExpr {
  readonly kind: "list";
  readonly items: readonly Expr[];
  readonly span: Span;
}

export interface RangeExpr {
  readonly kind: "range";
  readonly lo: Expr;
  readonly hi: Expr;
  readonly span: Span;
}

/** Stands where the parser could not read an expression; already reported. */
export interface ErrorExpr {
  readonly kind: "error";
  readonly span: Span;
}

export type Expr =
  | NumberExpr
  | StringExpr
  | BoolExpr
  | NameExpr
  | UnaryExpr
  | BinaryExpr
  | IfExpr
  | CallExpr
  | ListExpr
  | RangeExpr
  | ErrorExpr;

// ---------------------------------------------------------------- declarations

export interface TypeRef {
  readonly isConst: boolean;
  readonly name: Ident;
  readonly fields: readonly { readonly name: Ident; readonly type: TypeRef }[];
  readonly level?: { readonly name: Ident; readonly orFiner: boolean };
  readonly span: Span;
}

export interface Param {
  readonly name: Ident;
  readonly type?: TypeRef;
  readonly default?: Expr;
  readonly span: Span;
}

export interface Binding {
  readonly kind: "binding";
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

export interface ConstDecl {
  readonly kind: "const";
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

export interface LevelDecl {
  readonly kind: "level";
  readonly name: Ident;
  readonly values: Expr;
  readonly items: readonly RolloutItem[];
  readonly span: Span;
}

export interface KeepDecl {
  readonly kind: "keep";
  readonly cond: Expr;
  readonly refill?: Expr;
  readonly span: Span;
}

export type RolloutItem = Binding | LevelDecl | KeepDecl;

export interface RolloutBlock {
  readonly kind: "rollout";
  readonly items: readonly RolloutItem[];
  readonly keyword: Span;
  readonly span: Span;
}

export type SectionName = "reward" | "advantage" | "optimize";

export interface Section {
  readonly kind: "section";
  readonly section: SectionName;
  readonly bindings: readonly Binding[];
  readonly keyword: Span;
  readonly span: Span;
}

export type Member = Binding | ConstDecl | RolloutBlock | Section;

export interface UsesClause {
  readonly name: Ident;
  readonly args: readonly Arg[];
  readonly span: Span;
}

export interface PipelineDecl {
  readonly kind: "pipeline";
  readonly name: Ident;
  readonly uses?: UsesClause;
  readonly members: readonly Member[];
  readonly doc?: string;
  readonly span: Span;
}

export interface AlgorithmDecl {
  readonly kind: "algorithm";
  readonly name: Ident;
  readonly params: readonly Param[];
  readonly uses?: UsesClause;
  readonly members: readonly Member[];
  readonly doc?: string;
  readonly span: Span;
}

export interface ExternDecl {
  readonly kind: "extern";
  readonly name: Ident;
  readonly params: readonly Param[];
  readonly returns?: TypeRef;
  readonly doc?: string;
  readonly span: Span;
}

export interface UseName {
  readonly name: Ident;
  readonly alias?: Ident;
  readonly span: Span;
}

export type UseSource =
  | { readonly kind: "std"; readonly path: readonly Ident[]; readonly span: Span }
  | { readonly kind: "file"; readonly path: string; readonly span: Span };

export interface UseDecl {
  readonly kind: "use";
  readonly source: UseSource;
  /** `all` for `use X` and `use X.*`. */
  readonly names: readonly UseName[] | "all";
  readonly span: Span;
}

export type Item = UseDecl | PipelineDecl | AlgorithmDecl | ConstDecl | ExternDecl;

export interface File {
  readonly path: string;
  readonly items: readonly Item[];
  readonly span: Span;
}
