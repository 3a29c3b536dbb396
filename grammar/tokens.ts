/**
 * Token types of the `.rlp` language. Comments are kept on their own channel (`group: "comments"`)
 * so the formatter can put them back; whitespace is skipped.
 *
 * Soft keywords (`groups`, `refill`, `up`, `to`) carry the Identifier category, so they remain
 * usable as names everywhere except right where the grammar expects them.
 */
import { createToken as createRawToken, Lexer, type ITokenConfig, type TokenType } from "chevrotain";

/**
 * Error recovery swallows "junk": any token that cannot start a member. Names, `}` and the
 * keywords that start declarations are not junk, so the parser commits to a member on seeing
 * them and can then say precisely what is missing (`samples 8` → "expected `=`").
 */
export const Junk = createRawToken({ name: "Junk", pattern: Lexer.NA });

function createToken(config: ITokenConfig & { junk?: boolean }): TokenType {
  const { junk = true, ...rest } = config;
  const categories = rest.categories === undefined ? [] : Array.isArray(rest.categories) ? rest.categories : [rest.categories];
  return createRawToken({ ...rest, categories: junk ? [...categories, Junk] : categories });
}

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
/** `#` is not a comment marker; it is lexed as one so that the rest of the line is not misread. */
export const HashComment = createToken({ name: "HashComment", pattern: /#[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: "comments", line_breaks: true });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, junk: false });

/** Categories used by the highlighter and by error messages. */
export const Keyword = createRawToken({ name: "Keyword", pattern: Lexer.NA });
export const Operator = createRawToken({ name: "Operator", pattern: Lexer.NA });
/** Every infix operator. Expressions are parsed as flat operand/operator lists (fewer CST nodes,
 *  a much faster parse); precedence is applied when lowering, from `BINARY_PRECEDENCE`. */
export const BinaryOp = createRawToken({ name: "BinaryOp", pattern: Lexer.NA });

/** Keywords that start a declaration or member; never swallowed as junk. */
const DECLARATION_WORDS = new Set(["use", "pipeline", "algorithm", "const", "extern", "rollout", "reward", "advantage", "optimize", "level", "keep"]);

function keyword(word: string, soft = false): TokenType {
  const name = word.charAt(0).toUpperCase() + word.slice(1);
  return createToken({
    name,
    pattern: new RegExp(`${word}\\b`),
    longer_alt: Identifier,
    categories: soft ? [Keyword, Identifier] : [Keyword],
    junk: !soft && !DECLARATION_WORDS.has(word),
  });
}

export const Use = keyword("use");
export const Pipeline = keyword("pipeline");
export const Algorithm = keyword("algorithm");
export const Uses = keyword("uses");
export const Const = keyword("const");
export const Extern = keyword("extern");
export const Fn = keyword("fn");
export const Rollout = keyword("rollout");
export const Level = keyword("level");
export const In = keyword("in");
export const Reward = keyword("reward");
export const Advantage = keyword("advantage");
export const Optimize = keyword("optimize");
export const Keep = keyword("keep");
export const Where = keyword("where");
export const By = keyword("by");
export const If = keyword("if");
export const Then = keyword("then");
export const Else = keyword("else");
export const True = keyword("true");
export const False = keyword("false");
export const As = keyword("as");
export const Groups = keyword("groups", true);
export const Refill = keyword("refill", true);
export const Up = keyword("up", true);
export const To = keyword("to", true);

// A number never ends in `.`, so that `1..6` lexes as a range.
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });
// Malformed numbers get their own token so the error can say exactly what is wrong.
export const BadNumber = createToken({ name: "BadNumber", pattern: /\.\d+(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?[eE][+-]?(?![\d+-])/ });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*/ });
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, line_breaks: true });

export const LCurly = createToken({ name: "LCurly", pattern: "{", label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: "}", label: "'}'", junk: false });
export const LParen = createToken({ name: "LParen", pattern: "(", label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: ")", label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: ",", label: "','" });
export const Colon = createToken({ name: "Colon", pattern: ":", label: "':'" });
export const Semicolon = createToken({ name: "Semicolon", pattern: ";", label: "';'" });
export const Arrow = createToken({ name: "Arrow", pattern: "->", label: "'->'" });
export const At = createToken({ name: "At", pattern: "@", label: "'@'" });
export const DotDot = createToken({ name: "DotDot", pattern: "..", label: "'..'", categories: [Operator, BinaryOp] });
export const Dot = createToken({ name: "Dot", pattern: ".", label: "'.'" });

export const EqEq = createToken({ name: "EqEq", pattern: "==", label: "'=='", categories: [Operator, BinaryOp] });
export const NotEq = createToken({ name: "NotEq", pattern: "!=", label: "'!='", categories: [Operator, BinaryOp] });
export const LessEq = createToken({ name: "LessEq", pattern: "<=", label: "'<='", categories: [Operator, BinaryOp] });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: ">=", label: "'>='", categories: [Operator, BinaryOp] });
export const Less = createToken({ name: "Less", pattern: "<", label: "'<'", categories: [Operator, BinaryOp] });
export const Greater = createToken({ name: "Greater", pattern: ">", label: "'>'", categories: [Operator, BinaryOp] });
export const Equals = createToken({ name: "Equals", pattern: "=", label: "'='" });
export const AndAnd = createToken({ name: "AndAnd", pattern: "&&", label: "'&&'", categories: [Operator, BinaryOp] });
export const OrOr = createToken({ name: "OrOr", pattern: "||", label: "'||'", categories: [Operator, BinaryOp] });
export const Bang = createToken({ name: "Bang", pattern: "!", label: "'!'", categories: [Operator] });
export const Plus = createToken({ name: "Plus", pattern: "+", label: "'+'", categories: [Operator, BinaryOp] });
export const Minus = createToken({ name: "Minus", pattern: "-", label: "'-'", categories: [Operator, BinaryOp] });
export const Star = createToken({ name: "Star", pattern: "*", label: "'*'", categories: [Operator, BinaryOp] });
export const Slash = createToken({ name: "Slash", pattern: "/", label: "'/'", categories: [Operator, BinaryOp] });
export const Percent = createToken({ name: "Percent", pattern: "%", label: "'%'", categories: [Operator, BinaryOp] });

/** Order matters: comments before `/`, longer operators before their prefixes, keywords before Identifier. */
export const allTokens: TokenType[] = [
  Junk,
  WhiteSpace,
  LineComment,
  HashComment,
  BlockComment,
  UnterminatedComment,
  Keyword,
  Operator,
  BinaryOp,
  Use,
  Pipeline,
  Algorithm,
  Uses,
  Const,
  Extern,
  Fn,
  Rollout,
  Level,
  In,
  Reward,
  Advantage,
  Optimize,
  Keep,
  Where,
  By,
  If,
  Then,
  Else,
  True,
  False,
  As,
  Groups,
  Refill,
  Up,
  To,
  Identifier,
  BadNumber,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Arrow,
  At,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  AndAnd,
  OrOr,
  Bang,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
];

export type TokenTypeLike = TokenType;

/**
 * Binding strength of the infix operators, loosest first. Comparisons and `..` do not associate:
 * `a < b < c` and `1..2..3` are errors. Unary `-` and `!` bind tighter than all of them.
 */
export const BINARY_PRECEDENCE: Readonly<Record<string, number>> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 3,
  "<=": 3,
  ">": 3,
  ">=": 3,
  "..": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};

export const NON_ASSOCIATIVE: ReadonlySet<number> = new Set([3, 4]);
