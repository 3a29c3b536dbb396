/**
 * Lexing: text → tokens + comment tokens + diagnostics. Malformed tokens (unterminated strings,
 * bad numbers) become diagnostics and are replaced by well-formed tokens, so parsing goes on.
 */
import { Lexer, createTokenInstance, type IToken } from "chevrotain";
import { diagnostic, type Diagnostic } from "../src/compiler/diagnostics/diagnostic.js";
import type { SourceFile } from "../src/compiler/source.js";
import * as T from "./tokens.js";

const lexer = new Lexer(T.allTokens, { positionTracking: "full", ensureOptimizations: false });

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

function retype(token: IToken, tokenType: T.TokenTypeLike, image: string): IToken {
  return createTokenInstance(
    tokenType,
    image,
    token.startOffset,
    token.endOffset ?? token.startOffset,
    token.startLine ?? 0,
    token.endLine ?? 0,
    token.startColumn ?? 0,
    token.endColumn ?? 0,
  );
}

export function lex(file: SourceFile): LexResult {
  const result = lexer.tokenize(file.text);
  const diagnostics: Diagnostic[] = [];
  for (const error of result.errors) {
    const ch = file.text.slice(error.offset, error.offset + error.length);
    const shown = ch.length === 1 ? describeChar(ch) : `\`${ch}\``;
    diagnostics.push(
      diagnostic("RLP0001", `unexpected character ${shown}`)
        .primary(file.span(error.offset, error.offset + error.length), "not part of any token")
        .help(helpForChar(ch))
        .build(),
    );
  }
  const tokens: IToken[] = [];
  for (const token of result.tokens) {
    const span = file.span(token.startOffset, (token.endOffset ?? token.startOffset) + 1);
    switch (token.tokenType) {
      case T.UnterminatedString:
        diagnostics.push(
          diagnostic("RLP0002", "this string is not closed")
            .primary(span, "missing a closing `\"` on this line")
            .help("strings cannot span lines; write `\\n` for a line break")
            .build(),
        );
        tokens.push(retype(token, T.StringLiteral, `${token.image}"`));
        break;
      case T.BadNumber:
        diagnostics.push(badNumber(token.image, span));
        tokens.push(retype(token, T.NumberLiteral, repairNumber(token.image)));
        break;
      default:
        tokens.push(token);
    }
  }
  const comments: IToken[] = [];
  for (const token of result.groups["comments"] ?? []) {
    if (token.tokenType === T.HashComment) {
      const span = file.span(token.startOffset, token.startOffset + 1);
      diagnostics.push(
        diagnostic("RLP0001", "unexpected character `#`")
          .primary(span, "comments start with `//`")
          .replaceWith(span, "//", "write `//` to start a comment")
          .build(),
      );
      comments.push(retype(token, T.LineComment, `//${token.image.slice(1)}`));
    } else comments.push(token);
  }
  // An unterminated block comment is lexed as an ordinary token so that it can be reported.
  const kept: IToken[] = [];
  for (const token of tokens) {
    if (token.tokenType === T.UnterminatedComment) {
      diagnostics.push(
        diagnostic("RLP0003", "this block comment is never closed")
          .primary(file.span(token.startOffset, token.startOffset + 2), "opened here")
          .help("close it with `*/`")
          .build(),
      );
    } else kept.push(token);
  }
  return { tokens: kept, comments, diagnostics };
}

function badNumber(image: string, span: import("../src/compiler/source.js").Span): Diagnostic {
  if (image.startsWith(".")) {
    return diagnostic("RLP0007", `malformed number \`${image}\``)
      .primary(span, "a number needs a digit before the decimal point")
      .replaceWith(span, `0${image}`)
      .build();
  }
  return diagnostic("RLP0007", `malformed number \`${image}\``)
    .primary(span, "the exponent has no digits")
    .help("write the exponent in full, for example `1e-6`")
    .build();
}

function repairNumber(image: string): string {
  if (image.startsWith(".")) return `0${image}`;
  return image.replace(/[eE][+-]?$/, "");
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 32 || code === 127) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `\`${ch}\``;
}

function helpForChar(ch: string): string | undefined {
  switch (ch) {
    case "'":
      return "strings use double quotes: \"...\"";
    case "&":
      return "logical and is `&&`";
    case "|":
      return "logical or is `||`";
    case "^":
      return "there is no power operator; use `pow(x, y)`";
    default:
      return ch.charCodeAt(0) > 127 ? "identifiers are ASCII letters, digits and `_`" : undefined;
  }
}
