/**
 * Where each JSON pointer's value (and, for object members, its key) lies in a JSON text, so that
 * problems found in a parsed IR document can be shown at their line and column. The scanner also
 * checks the syntax (RFC 8259) and gives the offset of the first error, which JSON.parse's
 * messages do not always include. Values themselves come from JSON.parse.
 */

export interface JsonLocation {
  readonly start: number;
  readonly end: number;
  /** The span of the member's key, for values inside an object. */
  readonly key?: { readonly start: number; readonly end: number };
}

export type JsonScan = { readonly locations: ReadonlyMap<string, JsonLocation> } | { readonly error: { readonly offset: number; readonly message: string } };

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

export function scanJson(text: string): JsonScan {
  const locations = new Map<string, JsonLocation>();
  let pos = 0;

  const fail = (message: string): never => {
    throw new ScanError(message, pos);
  };
  const skipSpace = (): void => {
    while (pos < text.length && " \t\n\r".includes(text[pos]!)) pos++;
  };
  const expect = (char: string, what: string): void => {
    skipSpace();
    if (text[pos] !== char) fail(`expected ${what}`);
    pos++;
  };
  const string = (): string => {
    const start = pos;
    pos++;
    STRING_BODY.lastIndex = pos;
    STRING_BODY.exec(text);
    pos = STRING_BODY.lastIndex;
    if (text[pos] !== '"') fail(pos >= text.length || text[pos] === "\n" ? "unterminated string" : "invalid character in string");
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (pointer: string, key?: JsonLocation["key"]): void => {
    skipSpace();
    const start = pos;
    const c = text[pos];
    if (c === "{") {
      pos++;
      skipSpace();
      const names = new Set<string>();
      if (text[pos] === "}") pos++;
      else
        for (;;) {
          skipSpace();
          if (text[pos] !== '"') fail("expected a field name in double quotes");
          const keyStart = pos;
          const name = string();
          // JSON.parse would silently keep the last of two equal keys; an IR document never has them.
          if (names.has(name)) {
            pos = keyStart;
            fail(`duplicate field \`${name}\``);
          }
          names.add(name);
          const keySpan = { start: keyStart, end: pos };
          expect(":", "`:` after the field name");
          value(`${pointer}/${escapePointerToken(name)}`, keySpan);
          skipSpace();
          if (text[pos] === ",") pos++;
          else if (text[pos] === "}") {
            pos++;
            break;
          } else fail("expected `,` or `}`");
        }
    } else if (c === "[") {
      pos++;
      skipSpace();
      if (text[pos] === "]") pos++;
      else
        for (let index = 0; ; index++) {
          value(`${pointer}/${index}`);
          skipSpace();
          if (text[pos] === ",") pos++;
          else if (text[pos] === "]") {
            pos++;
            break;
          } else fail("expected `,` or `]`");
        }
    } else if (c === '"') {
      string();
    } else if (text.startsWith("true", pos) || text.startsWith("null", pos)) {
      pos += 4;
    } else if (text.startsWith("false", pos)) {
      pos += 5;
    } else {
      NUMBER.lastIndex = pos;
      if (NUMBER.exec(text) === null) fail(pos >= text.length ? "unexpected end of the document" : "expected a value");
      pos = NUMBER.lastIndex;
    }
    locations.set(pointer, key === undefined ? { start, end: pos } : { start, end: pos, key });
  };

  try {
    value("");
    skipSpace();
    if (pos < text.length) fail("unexpected text after the document");
    return { locations };
  } catch (error) {
    if (error instanceof ScanError) return { error: { offset: error.offset, message: error.message } };
    throw error;
  }
}
