/**
 * Reads a JSON document and records where each value sits in the text, by JSON pointer, so that
 * a schema constraint can be shown at its line in the stdlib (`"maximum": 1` ← "declared here").
 */

export interface JsonLocated {
  readonly value: unknown;
  /** JSON pointer → [start, end) of the value; for object members also `pointer + "#key"` → the key. */
  readonly spans: ReadonlyMap<string, readonly [number, number]>;
}

export class JsonSyntaxError extends Error {
  readonly _tag = "JsonSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function parseJsonWithPositions(text: string): JsonLocated {
  const spans = new Map<string, readonly [number, number]>();
  let i = 0;

  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`expected ${what} at offset ${i}`, i);
  };

  const parseString = (): string => {
    const start = i;
    if (text[i] !== '"') fail("a string");
    let end = i + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
    if (end >= text.length) fail("a closing quote");
    i = end + 1;
    return JSON.parse(text.slice(start, i)) as string;
  };

  const parseValue = (pointer: string): unknown => {
    ws();
    const start = i;
    let value: unknown;
    const ch = text[i];
    if (ch === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") i++;
      else {
        for (;;) {
          ws();
          const keyStart = i;
          const key = parseString();
          const child = `${pointer}/${escapePointer(key)}`;
          spans.set(`${child}#key`, [keyStart, i]);
          ws();
          if (text[i] !== ":") fail("`:`");
          i++;
          obj[key] = parseValue(child);
          ws();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === "}") {
            i++;
            break;
          }
          fail("`,` or `}`");
        }
      }
      value = obj;
    } else if (ch === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") i++;
      else {
        for (;;) {
          arr.push(parseValue(`${pointer}/${arr.length}`));
          ws();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === "]") {
            i++;
            break;
          }
          fail("`,` or `]`");
        }
      }
      value = arr;
    } else if (ch === '"') {
      value = parseString();
    } else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
      if (m === null) fail("a value");
      i += m![0].length;
      value = JSON.parse(m![0]);
    }
    spans.set(pointer, [start, i]);
    return value;
  };

  const value = parseValue("");
  ws();
  if (i !== text.length) fail("the end of the document");
  return { value, spans };
}
