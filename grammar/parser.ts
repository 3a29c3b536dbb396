/**
 * The CST parser. Grammar only — no embedded actions; `src/compiler/lower.ts` visits the CST.
 * `grammar/rlp.ebnf` is the normative grammar; the rule names here match its productions.
 *
 * Error recovery: Chevrotain's token insertion/deletion and re-sync are on, and every block also
 * has a `junk` alternative that swallows one unexpected token, so one mistake never hides the
 * rest of the file.
 */
import { CstParser, EOF, type CstNode, type IToken } from "chevrotain";
import * as T from "./tokens.js";


export class RlpParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: "onlyOffset", maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  private notEnd(): boolean {
    const t = this.LA(1).tokenType;
    return t !== EOF && t !== T.RCurly;
  }

  // file := item*
  public file = this.RULE("file", () => {
    this.MANY({
      GATE: () => this.LA(1).tokenType !== EOF,
      DEF: () => {
        this.OR({
          IGNORE_AMBIGUITIES: true,
          DEF: [
            { ALT: () => this.SUBRULE(this.useDecl) },
            { ALT: () => this.SUBRULE(this.pipelineDecl) },
            { ALT: () => this.SUBRULE(this.algorithmDecl) },
            { ALT: () => this.SUBRULE(this.constDecl) },
            { ALT: () => this.SUBRULE(this.externDecl) },
            // A binding or section at the top level is an error the lowering explains.
            { ALT: () => this.SUBRULE(this.binding) },
            { ALT: () => this.SUBRULE(this.rolloutBlock) },
            { ALT: () => this.SUBRULE(this.section) },
            { ALT: () => this.CONSUME(T.Semicolon) },
            { ALT: () => this.SUBRULE(this.strayToken) },
          ],
        });
      },
    });
  });

  // strayToken := junk token | "}"   (recovery at the top level; always reported)
  public strayToken = this.RULE("strayToken", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Junk) }, { ALT: () => this.CONSUME(T.RCurly) }]);
  });

  // junk := a token that cannot start a member (recovery inside blocks; always reported)
  public junk = this.RULE("junk", () => {
    this.CONSUME(T.Junk);
  });

  // useDecl := "use" modulePath ("." ("{" useName ("," useName)* ","? "}" | "*"))?
  public useDecl = this.RULE("useDecl", () => {
    this.CONSUME(T.Use);
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral) },
      {
        ALT: () => {
          this.SUBRULE(this.pathSegment);
          this.MANY({
            // `.{` and `.*` end the path; a segment may be a keyword (`std.rewards` vs `std.reward`).
            GATE: () => this.LA(1).tokenType === T.Dot && this.LA(2).tokenType !== T.LCurly && this.LA(2).tokenType !== T.Star,
            DEF: () => {
              this.CONSUME(T.Dot);
              this.SUBRULE2(this.pathSegment);
            },
          });
        },
      },
    ]);
    this.OPTION(() => {
      this.CONSUME2(T.Dot);
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.LCurly);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.useName) });
            this.CONSUME(T.RCurly);
          },
        },
        { ALT: () => this.CONSUME(T.Star) },
      ]);
    });
  });

  // pathSegment := IDENT | keyword
  public pathSegment = this.RULE("pathSegment", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Keyword) }],
    });
  });

  // useName := IDENT ("as" IDENT)?
  public useName = this.RULE("useName", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME2(T.Identifier);
    });
  });

  // pipelineDecl := "pipeline" IDENT usesClause? block
  public pipelineDecl = this.RULE("pipelineDecl", () => {
    this.CONSUME(T.Pipeline);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.usesClause));
    this.SUBRULE(this.block);
  });

  // algorithmDecl := "algorithm" IDENT paramList? usesClause? block
  public algorithmDecl = this.RULE("algorithmDecl", () => {
    this.CONSUME(T.Algorithm);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.OPTION2(() => this.SUBRULE(this.usesClause));
    this.SUBRULE(this.block);
  });

  // usesClause := "uses" IDENT argList?
  public usesClause = this.RULE("usesClause", () => {
    this.CONSUME(T.Uses);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  // paramList := "(" (param ("," param)* ","?)? ")"
  public paramList = this.RULE("paramList", () => {
    this.CONSUME(T.LParen);
    this.MANY(() => {
      this.SUBRULE(this.param);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  // param := (IDENT | keyword) (":" typeRef)? ("=" expression)?
  //   A parameter may be named like a keyword (`by`), as named arguments may.
  public param = this.RULE("param", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Keyword) }],
    });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression);
    });
  });

  // externDecl := "extern" "fn" IDENT "(" (param ("," param)* ","?)? ")" ("->" typeRef)?
  public externDecl = this.RULE("externDecl", () => {
    this.CONSUME(T.Extern);
    this.CONSUME(T.Fn);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.typeRef);
    });
  });

  // typeRef := "const"? (IDENT | keyword) typeFields? ("@" IDENT "+"?)?     (`level` is a type name)
  public typeRef = this.RULE("typeRef", () => {
    this.OPTION(() => this.CONSUME(T.Const));
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Keyword) }],
    });
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      this.MANY(() => {
        this.SUBRULE(this.typeField);
        this.OPTION3(() => this.CONSUME(T.Comma));
      });
      this.CONSUME(T.RParen);
    });
    this.OPTION4(() => {
      this.CONSUME(T.At);
      this.CONSUME2(T.Identifier);
      this.OPTION5(() => this.CONSUME(T.Plus));
    });
  });

  // typeField := IDENT ":" typeRef
  public typeField = this.RULE("typeField", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
  });

  // block := "{" member* "}"
  public block = this.RULE("block", () => {
    this.CONSUME(T.LCurly);
    this.MANY({ GATE: () => this.notEnd(), DEF: () => this.SUBRULE(this.member) });
    this.CONSUME(T.RCurly);
  });

  // member := constDecl | rolloutBlock | section | binding | ";"
  public member = this.RULE("member", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.constDecl) },
        { ALT: () => this.SUBRULE(this.rolloutBlock) },
        { ALT: () => this.SUBRULE(this.section) },
        { ALT: () => this.SUBRULE(this.binding) },
        { ALT: () => this.CONSUME(T.Semicolon) },
        // Members that belong elsewhere (a level or filter outside `rollout`) are parsed, then reported.
        { ALT: () => this.SUBRULE(this.levelDecl) },
        { ALT: () => this.SUBRULE(this.keepDecl) },
        { ALT: () => this.SUBRULE(this.junk) },
      ],
    });
  });

  // constDecl := "const" IDENT "=" expression
  public constDecl = this.RULE("constDecl", () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  // binding := IDENT "=" expression
  //   Recovery: `IDENT { ... }` (a misspelt block keyword) is parsed here too and reported by
  //   the lowering, which then treats it as the block it most resembles.
  public binding = this.RULE("binding", () => {
    this.CONSUME(T.Identifier);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expression);
        },
      },
      { ALT: () => this.SUBRULE(this.rolloutBody) },
    ]);
  });

  // rolloutBlock := "rollout" "{" rolloutItem* "}"
  public rolloutBlock = this.RULE("rolloutBlock", () => {
    this.CONSUME(T.Rollout);
    this.SUBRULE(this.rolloutBody);
  });

  // rolloutBody := "{" rolloutItem* "}"
  public rolloutBody = this.RULE("rolloutBody", () => {
    this.CONSUME(T.LCurly);
    this.MANY({ GATE: () => this.notEnd(), DEF: () => this.SUBRULE(this.rolloutItem) });
    this.CONSUME(T.RCurly);
  });

  // rolloutItem := binding | levelDecl | keepDecl | ";"
  public rolloutItem = this.RULE("rolloutItem", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.binding) },
        { ALT: () => this.SUBRULE(this.levelDecl) },
        { ALT: () => this.SUBRULE(this.keepDecl) },
        { ALT: () => this.CONSUME(T.Semicolon) },
        { ALT: () => this.SUBRULE(this.junk) },
        // A section inside `rollout` (usually a missing `}`) is parsed as itself and reported.
        { ALT: () => this.SUBRULE(this.section) },
        { ALT: () => this.SUBRULE(this.constDecl) },
      ],
    });
  });

  // levelDecl := "level" IDENT "in" expression rolloutBody
  public levelDecl = this.RULE("levelDecl", () => {
    this.CONSUME(T.Level);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.rolloutBody);
  });

  // keepDecl := "keep" "groups" "where" expression ("refill" "up" "to" expression)?
  public keepDecl = this.RULE("keepDecl", () => {
    this.CONSUME(T.Keep);
    this.CONSUME(T.Groups);
    this.CONSUME(T.Where);
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.Refill);
      this.CONSUME(T.Up);
      this.CONSUME(T.To);
      this.SUBRULE2(this.expression);
    });
  });

  // section := ("reward" | "advantage" | "optimize") "{" (binding | ";")* "}"
  public section = this.RULE("section", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Reward) }, { ALT: () => this.CONSUME(T.Advantage) }, { ALT: () => this.CONSUME(T.Optimize) }]);
    this.CONSUME(T.LCurly);
    this.MANY({
      GATE: () => this.notEnd(),
      DEF: () => {
        this.OR2({
          IGNORE_AMBIGUITIES: true,
          DEF: [
            { ALT: () => this.SUBRULE(this.binding) },
            { ALT: () => this.CONSUME(T.Semicolon) },
            { ALT: () => this.SUBRULE(this.junk) },
          ],
        });
      },
    });
    this.CONSUME(T.RCurly);
  });

  // ---- expressions, lowest precedence first ----

  // expression := unaryExpr (binaryOp unaryExpr)*
  //   Flat: precedence and associativity are applied by the lowering (tokens.BINARY_PRECEDENCE).
  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.unaryExpr);
    this.MANY(() => {
      this.CONSUME(T.BinaryOp);
      this.SUBRULE2(this.unaryExpr);
    });
  });

  // unaryExpr := ("-" | "!") unaryExpr | primary
  public unaryExpr = this.RULE("unaryExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Bang) }]);
          this.SUBRULE(this.unaryExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  // primary := NUMBER | STRING | "true" | "false" | callOrName | "(" expression ")" | list | ifExpr
  public primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.callOrName) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
    ]);
  });

  // callOrName := IDENT argList?
  public callOrName = this.RULE("callOrName", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  // parenExpr := "(" expression ")"
  public parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  // listExpr := "[" (expression ("," expression)* ","?)? "]"
  public listExpr = this.RULE("listExpr", () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.expression);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  // ifExpr := "if" expression "then" expression "else" expression
  public ifExpr = this.RULE("ifExpr", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expression);
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expression);
  });

  // argList := "(" (arg ("," arg)* ","?)? ")"
  public argList = this.RULE("argList", () => {
    this.CONSUME(T.LParen);
    this.MANY(() => {
      this.SUBRULE(this.arg);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  // arg := (argName ":")? expression reduceClause?
  //   argName is a name or a keyword: `by: prompt` names the `by` parameter.
  public arg = this.RULE("arg", () => {
    this.OPTION({
      GATE: () => (isIdentifier(this.LA(1)) || isKeyword(this.LA(1))) && this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.OR({
          IGNORE_AMBIGUITIES: true,
          DEF: [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Keyword) }],
        });
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.expression);
    this.OPTION2(() => this.SUBRULE(this.reduceClause));
  });

  // reduceClause := "by" IDENT ("," IDENT)* ("where" expression)?
  //   A comma continues the level list only when an identifier follows that is not itself
  //   followed by ":" (a named argument) or "(" (a call).
  public reduceClause = this.RULE("reduceClause", () => {
    this.CONSUME(T.By);
    this.CONSUME(T.Identifier);
    this.MANY({
      GATE: () =>
        this.LA(1).tokenType === T.Comma &&
        isIdentifier(this.LA(2)) &&
        this.LA(3).tokenType !== T.Colon &&
        this.LA(3).tokenType !== T.LParen,
      DEF: () => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.Identifier);
      },
    });
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression);
    });
  });
}

function isKeyword(token: IToken): boolean {
  return (token.tokenType.CATEGORIES ?? []).includes(T.Keyword);
}

function isIdentifier(token: IToken): boolean {
  return token.tokenType === T.Identifier || (token.tokenType.CATEGORIES ?? []).includes(T.Identifier);
}

/** One parser instance is reused: Chevrotain parsers are built once and reset per input. */
export const parser = new RlpParser();

export type { CstNode };
