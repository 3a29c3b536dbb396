/**
 * Random valid `.rlp` programs for property tests. Programs are built as token lists (so any
 * layout is possible) and joined with random whitespace — sometimes none, sometimes blank lines —
 * and, optionally, comments of every kind at random token boundaries. Comment texts are unique
 * so that a lost or duplicated comment shows.
 */
import fc from "fast-check";

type Tokens = string[];

const NAMES = ["a", "b", "x", "score", "prompt", "budget", "correct", "tokens", "eps_low", "L", "really_long_variable_name_for_width"];
const CALLEES = ["mean", "std", "f", "ppo_clip", "exact_match", "kl", "a_function_with_a_long_name"];
const NUMBERS = ["0", "1", "4", "0.2", "3e-4", "1e-6", "64", "1.5E+3"];
const STRINGS = ['"arith"', '"<think budget={budget}>"', '"a\\nb"', '""'];

const name = fc.constantFrom(...NAMES);

function sepBy(items: Tokens[], sep: string, trailing: boolean): Tokens {
  const out: Tokens = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(sep);
    out.push(...item);
  });
  if (trailing && items.length > 0) out.push(sep);
  return out;
}

/** An expression's tokens and the precedence of its outermost operator (7: atom, 0: `if`). */
interface Expr {
  readonly tokens: Tokens;
  readonly prec: number;
}

const BINARY: readonly (readonly [string, number])[] = [
  ["||", 1], ["&&", 2], ["==", 3], ["!=", 3], ["<", 3], ["<=", 3], [">", 3], [">=", 3],
  ["..", 4], ["+", 5], ["-", 5], ["*", 6], ["/", 6], ["%", 6],
];

function wrap(e: Expr, bare: boolean): Tokens {
  return bare ? e.tokens : ["(", ...e.tokens, ")"];
}

/**
 * `left op right` with parentheses only where the text would not parse back as a binary node at
 * the top: comparisons and ranges do not chain, and an `if` would swallow what follows it.
 */
function binary(op: string, prec: number, left: Expr, right: Expr): Expr {
  const chains = prec !== 3 && prec !== 4;
  const leftBare = left.prec > prec || (chains && left.prec === prec);
  const rightBare = right.prec > prec;
  return { tokens: [...wrap(left, leftBare), op, ...wrap(right, rightBare)], prec };
}

/** Expressions, depth-limited so that programs stay small. */
const exprNode: fc.Memo<Expr> = fc.memo((depth) => {
  const leaf = fc.oneof(
    fc.constantFrom(...NUMBERS),
    fc.constantFrom(...STRINGS),
    fc.constantFrom("true", "false"),
    name,
  ).map((t): Expr => ({ tokens: [t], prec: 7 }));
  if (depth <= 1) return leaf;
  const sub = exprNode(depth - 1);
  const subTokens = sub.map((e) => e.tokens);
  const reduce = fc.record({ levels: fc.array(name, { minLength: 1, maxLength: 2 }), where: fc.option(subTokens, { nil: undefined }) }).map(({ levels, where }) => [
    "by",
    ...sepBy(levels.map((l) => [l]), ",", false),
    ...(where === undefined ? [] : ["where", ...where]),
  ]);
  const arg = fc.tuple(fc.option(fc.constantFrom("eps", "by", "agg", "estimator"), { nil: undefined }), subTokens).map(([n, value]) => [...(n === undefined ? [] : [n, ":"]), ...value]);
  // A reduction clause goes on the last argument: after `by a, b` a positional name would read as
  // one more level.
  const args = fc.tuple(fc.array(arg, { maxLength: 3 }), fc.option(reduce, { nil: undefined }), fc.boolean()).map(([as, r, trailing]) => {
    const items = as.map((a, i) => (i === as.length - 1 && r !== undefined ? [...a, ...r] : a));
    return sepBy(items, ",", trailing);
  });
  const atom = (tokens: fc.Arbitrary<Tokens>) => tokens.map((t): Expr => ({ tokens: t, prec: 7 }));
  const call = atom(fc.tuple(fc.constantFrom(...CALLEES), args).map(([callee, a]) => [callee, "(", ...a, ")"]));
  const list = atom(fc.tuple(fc.array(subTokens, { maxLength: 3 }), fc.boolean()).map(([items, trailing]) => ["[", ...sepBy(items, ",", trailing), "]"]));
  const paren = atom(subTokens.map((e) => ["(", ...e, ")"]));
  const unary = fc.tuple(fc.constantFrom(["-"], ["!"], ["-", "-"]), sub).map(([ops, e]): Expr => ({ tokens: [...ops, ...wrap(e, e.prec === 7)], prec: 7 }));
  const ifExpr = fc.tuple(subTokens, subTokens, subTokens).map(([c, t, e]): Expr => ({ tokens: ["if", ...c, "then", ...t, "else", ...e], prec: 0 }));
  const bin = fc.tuple(fc.constantFrom(...BINARY), sub, sub).map(([[op, prec], l, r]) => binary(op, prec, l, r));
  return fc.oneof({ weight: 2, arbitrary: leaf }, call, list, paren, unary, ifExpr, { weight: 3, arbitrary: bin });
});

const expr = (depth: number): fc.Arbitrary<Tokens> => exprNode(depth).map((e) => e.tokens);

const binding = fc.tuple(name, expr(3)).map(([n, e]) => [n, "=", ...e]);
const constDecl = fc.tuple(fc.constantFrom("L", "K", "MAX_TOKENS"), expr(2)).map(([n, e]) => ["const", n, "=", ...e]);
const maybeSemi = (item: fc.Arbitrary<Tokens>) => fc.tuple(item, fc.boolean()).map(([t, semi]) => (semi ? [...t, ";"] : t));

const rolloutItems: fc.Memo<Tokens> = fc.memo((depth) => {
  const keep = fc.tuple(expr(3), fc.option(expr(2), { nil: undefined })).map(([c, r]) => ["keep", "groups", "where", ...c, ...(r === undefined ? [] : ["refill", "up", "to", ...r])]);
  const level = depth <= 1 ? keep : fc.tuple(name, expr(2), rolloutItems(depth - 1)).map(([n, e, body]) => ["level", n, "in", ...e, "{", ...body, "}"]);
  return fc.array(maybeSemi(fc.oneof({ weight: 4, arbitrary: binding }, keep, level)), { maxLength: 4 }).map((items) => items.flat());
});

const section = fc.tuple(fc.constantFrom("reward", "advantage", "optimize"), fc.array(maybeSemi(binding), { maxLength: 4 })).map(([kw, bs]) => [kw, "{", ...bs.flat(), "}"]);
const rollout = rolloutItems(2).map((body) => ["rollout", "{", ...body, "}"]);
const member = fc.oneof({ weight: 4, arbitrary: binding }, constDecl, rollout, section);
const block = fc.array(maybeSemi(member), { maxLength: 6 }).map((ms) => ["{", ...ms.flat(), "}"]);

const typeRef: fc.Arbitrary<Tokens> = fc
  .tuple(fc.boolean(), fc.constantFrom("f32", "i32", "text", "bool", "level"), fc.option(fc.constantFrom("sample", "token", "prompt"), { nil: undefined }), fc.boolean())
  .map(([isConst, t, level, finer]) => [...(isConst ? ["const"] : []), t, ...(level === undefined ? [] : ["@", level, ...(finer ? ["+"] : [])])]);
const param = fc.tuple(fc.oneof(name, fc.constant("by")), fc.option(typeRef, { nil: undefined }), fc.option(expr(2), { nil: undefined })).map(([n, t, d]) => [n, ...(t === undefined ? [] : [":", ...t]), ...(d === undefined ? [] : ["=", ...d])]);
const params = fc.tuple(fc.array(param, { maxLength: 4 }), fc.boolean()).map(([ps, trailing]) => ["(", ...sepBy(ps, ",", trailing), ")"]);
const callArgs = fc.array(expr(2), { maxLength: 3 }).map((as) => ["(", ...sepBy(as, ",", false), ")"]);

const useDecl = fc.oneof(
  // The parser takes no trailing comma after imported names.
  fc.tuple(fc.constantFrom(["std", "rewards"], ["std", "tasks"], ["std"], ["std", "reward"]), fc.array(fc.tuple(name, fc.option(name, { nil: undefined })), { maxLength: 3 })).map(([path, names]) => [
    "use",
    ...sepBy(path.map((p) => [p]), ".", false),
    ".",
    "{",
    ...sepBy(names.map(([n, alias]) => (alias === undefined ? [n] : [n, "as", alias])), ",", false),
    "}",
  ]),
  fc.constant(["use", "std", ".", "tasks", ".", "*"]),
  fc.constant(["use", '"lib/rewards.rlp"']),
);
const pipeline = fc.tuple(name, fc.option(fc.tuple(name, fc.option(callArgs, { nil: undefined })), { nil: undefined }), block).map(([n, uses, b]) => [
  "pipeline",
  n,
  ...(uses === undefined ? [] : ["uses", uses[0], ...(uses[1] ?? [])]),
  ...b,
]);
const algorithm = fc.tuple(name, fc.option(params, { nil: undefined }), block).map(([n, p, b]) => ["algorithm", n, ...(p ?? []), ...b]);
const externDecl = fc.tuple(name, params, fc.option(typeRef, { nil: undefined })).map(([n, p, r]) => ["extern", "fn", n, ...p, ...(r === undefined ? [] : ["->", ...r])]);
const item = fc.oneof(useDecl, constDecl, pipeline, algorithm, externDecl);

export const programTokens: fc.Arbitrary<Tokens> = fc.array(item, { maxLength: 4 }).map((items) => items.flat());

const SPACES = [" ", " ", " ", "\n", "  ", "\n\n", "\n    ", " \n\n\n  "];

/** Joins tokens with random whitespace; with `comments`, sometimes puts a comment in a gap. */
export function layoutTokens(tokens: Tokens, comments: boolean): fc.Arbitrary<string> {
  const gap = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...SPACES) },
    { weight: comments ? 1 : 0, arbitrary: fc.constantFrom(" // line\n", "\n// own line\n", " /* block */ ", "\n/* own block */\n", "\n/// doc\n", " /* multi\n   line */\n", "\n\n// after blank\n\n") },
  );
  return fc.array(gap, { minLength: tokens.length + 1, maxLength: tokens.length + 1 }).map((gaps) => {
    let counter = 0;
    // Unique comment texts: `line` → `line 3`, so the multiset check sees each one.
    const numbered = gaps.map((g) => g.replace(/(line|block|doc|blank)( \*\/)?/g, (_m, word: string, close: string | undefined) => `${word} ${++counter}${close ?? ""}`));
    return numbered[0]!.replace(/^\s+/, "") + tokens.map((t, i) => t + numbered[i + 1]!).join("");
  });
}

export const program = (comments: boolean): fc.Arbitrary<string> => programTokens.chain((tokens) => layoutTokens(tokens, comments));
