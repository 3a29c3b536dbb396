/**
 * The grammar's facade: `parse(file)` lexes and parses one file into a CST, the comment tokens
 * (for the formatter) and syntax diagnostics. It never throws for any input text.
 */
import { EOF, type CstNode, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import { diagnostic, type Diagnostic } from "../src/compiler/diagnostics/diagnostic.js";
import type { SourceFile, Span } from "../src/compiler/source.js";
import { lex } from "./lexer.js";
import { parser } from "./parser.js";
import * as T from "./tokens.js";

export interface ParseResult {
  readonly cst: CstNode;
  readonly tokens: readonly IToken[];
  readonly comments: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
}

const OPENERS = new Map<TokenType, TokenType>([
  [T.LCurly, T.RCurly],
  [T.LParen, T.RParen],
  [T.LBracket, T.RBracket],
]);
const CLOSERS = new Set<TokenType>([T.RCurly, T.RParen, T.RBracket]);

/** What each rule is called in messages when nothing in it matched. */
const RULE_DESCRIPTIONS: Record<string, string> = {
  file: "a declaration (`use`, `pipeline`, `algorithm`, `const`)",
  member: "a member (`name = value`, `const`, `rollout`, `reward`, `advantage`, `optimize`)",
  rolloutItem: "a rollout setting (`name = value`, `level`, `keep groups where`)",
  section: "a term (`name = value`)",
  useDecl: "a module path (`std.rewards`) or a file name in quotes",
  primary: "an expression",
  unaryExpr: "an expression",
  expression: "an expression",
};

export function tokenSpan(file: SourceFile, token: IToken): Span {
  const start = Number.isFinite(token.startOffset) ? token.startOffset : 0;
  const end = token.endOffset !== undefined && Number.isFinite(token.endOffset) ? token.endOffset + 1 : start;
  return file.span(start, end);
}

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  if (token.tokenType === T.Identifier) return `\`${token.image}\``;
  if (token.tokenType === T.StringLiteral) return "a string";
  return `\`${token.image}\``;
}

function describeType(tokenType: TokenType): string {
  if (tokenType === T.Identifier) return "a name";
  if (tokenType === T.NumberLiteral) return "a number";
  if (tokenType === T.StringLiteral) return "a string";
  if (tokenType === EOF) return "the end of the file";
  const label = tokenType.LABEL ?? tokenType.name.toLowerCase();
  return `\`${label.replace(/^'(.*)'$/, "$1")}\``;
}

/** Unmatched brackets are found on the token stream: clearer than the parser's view of them. */
function bracketDiagnostics(file: SourceFile, tokens: readonly IToken[]): { diagnostics: Diagnostic[]; unclosed: boolean } {
  const stack: IToken[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const token of tokens) {
    if (OPENERS.has(token.tokenType)) stack.push(token);
    else if (CLOSERS.has(token.tokenType)) {
      const top = stack[stack.length - 1];
      if (top !== undefined && OPENERS.get(top.tokenType) === token.tokenType) stack.pop();
      else if (top !== undefined && stack.some((t) => OPENERS.get(t.tokenType) === token.tokenType)) {
        // A closer that skips an opener: the inner opener is the one left unclosed.
        while (stack.length > 0 && OPENERS.get(stack[stack.length - 1]!.tokenType) !== token.tokenType) {
          const open = stack.pop()!;
          diagnostics.push(
            diagnostic("RLP0006", `\`${open.image}\` is not closed`)
              .primary(tokenSpan(file, open), "opened here")
              .secondary(tokenSpan(file, token), `\`${token.image}\` closes an outer bracket first`)
              .build(),
          );
        }
        stack.pop();
      }
    }
  }
  for (const open of stack) {
    const close = describeType(OPENERS.get(open.tokenType)!);
    diagnostics.push(
      diagnostic("RLP0006", `\`${open.image}\` is not closed`)
        .primary(tokenSpan(file, open), "opened here")
        .secondary(file.span(file.text.length, file.text.length), "the file ends here")
        .help(`add the missing ${close}`)
        .build(),
    );
  }
  return { diagnostics, unclosed: diagnostics.length > 0 };
}

function syntaxDiagnostic(file: SourceFile, error: IRecognitionException, tokens: readonly IToken[]): Diagnostic {
  const token = error.token;
  const atEnd = token.tokenType === EOF || !Number.isFinite(token.startOffset);
  const span = atEnd ? file.span(file.text.length, file.text.length) : tokenSpan(file, token);
  const ruleStack = error.context?.ruleStack ?? [];
  const rule = ruleStack[ruleStack.length - 1] ?? "file";
  const previous = previousToken(tokens, atEnd ? file.text.length : token.startOffset);

  if (error.name === "MismatchedTokenException") {
    const expected = expectedFromMessage(error.message);
    const builder = diagnostic("RLP0004", `expected ${expected}, found ${describeToken(token)}`).primary(span, `expected ${expected}`);
    if (expected === "`=`" && previous !== undefined) builder.help(`settings and terms are written \`${previous.image} = value\``);
    if (expected === "`then`") builder.help("a conditional is written `if COND then A else B`");
    if (expected === "`else`") builder.help("every `if` needs an `else` branch: `if COND then A else B`");
    return builder.build();
  }
  if (error.name === "NotAllInputParsedException") {
    return diagnostic("RLP0004", `unexpected ${describeToken(token)}`).primary(span, "nothing is expected here").build();
  }
  if (rule === "binding" && previous !== undefined) {
    return diagnostic("RLP0004", `expected \`=\` after \`${previous.image}\`, found ${describeToken(token)}`)
      .primary(span, "expected `=`")
      .help(`settings and terms are written \`${previous.image} = value\``)
      .build();
  }
  const what = RULE_DESCRIPTIONS[rule] ?? "an expression";
  const builder = diagnostic("RLP0005", `expected ${what}, found ${describeToken(token)}`).primary(span, `expected ${what}`);
  if (token.tokenType === T.Equals && previous !== undefined && /[<>=!]/.test(previous.image)) {
    builder.help("comparison operators are `==`, `!=`, `<`, `<=`, `>`, `>=`");
  }
  return builder.build();
}

/** Chevrotain's mismatch message names the expected token; recover it without its wording. */
function expectedFromMessage(message: string): string {
  const match = /-->\s*(.+?)\s*<--/.exec(message);
  const name = match?.[1];
  if (name === undefined) return "something else";
  const tokenType = T.allTokens.find((t) => t.name === name || t.LABEL === name);
  return tokenType === undefined ? `\`${name}\`` : describeType(tokenType);
}

/** Whether the parser was expecting a closing bracket (the first `--> X <--` names what was expected). */
function expectsCloser(error: IRecognitionException): boolean {
  const expected = /-->\s*(.+?)\s*<--/.exec(error.message)?.[1];
  return error.name === "MismatchedTokenException" && expected !== undefined && ["')'", "'}'", "']'", "RParen", "RCurly", "RBracket"].includes(expected);
}

function previousToken(tokens: readonly IToken[], offset: number): IToken | undefined {
  let found: IToken | undefined;
  for (const token of tokens) {
    if (token.startOffset >= offset) break;
    found = token;
  }
  return found;
}

export function parse(file: SourceFile): ParseResult {
  const lexed = lex(file);
  parser.input = lexed.tokens;
  const cst = parser.file();
  const errors = parser.errors;
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const brackets = bracketDiagnostics(file, lexed.tokens);
  diagnostics.push(...brackets.diagnostics);
  const seen = new Set<number>();
  for (const error of errors) {
    const atEnd = error.token.tokenType === EOF || !Number.isFinite(error.token.startOffset);
    // Unclosed brackets are already reported with both ends; the parser's view adds nothing.
    if (brackets.unclosed && (atEnd || expectsCloser(error))) continue;
    const offset = atEnd ? file.text.length : error.token.startOffset;
    if (seen.has(offset)) continue;
    seen.add(offset);
    diagnostics.push(syntaxDiagnostic(file, error, lexed.tokens));
  }
  return { cst, tokens: lexed.tokens, comments: lexed.comments, diagnostics };
}

export { parser } from "./parser.js";
export * as tokens from "./tokens.js";
