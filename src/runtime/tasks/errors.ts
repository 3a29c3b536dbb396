/**
 * Typed errors of the built-in tasks. Each carries a `_tag` so the runtime and the CLI can tell a
 * tokenizer failure from a bad task parameter without matching message text.
 */

/** `encode` met text that no token of the vocabulary starts with. */
export class UnknownCharacterError extends Error {
  readonly _tag = "UnknownCharacterError" as const;
  constructor(
    /** The whole text being encoded. */
    readonly text: string,
    /** Index (UTF-16 code unit) of the first character no token matches. */
    readonly position: number,
  ) {
    const ch = String.fromCodePoint(text.codePointAt(position) ?? 0);
    const hint = ch === "<" ? " (no special token of the vocabulary starts here)" : "";
    super(`cannot tokenize ${JSON.stringify(ch)} at position ${position} of ${JSON.stringify(text)}${hint}`);
    this.name = "UnknownCharacterError";
  }

  /** The offending character (a whole code point). */
  get character(): string {
    return String.fromCodePoint(this.text.codePointAt(this.position) ?? 0);
  }
}

/** `decode` met an id outside the vocabulary. */
export class UnknownTokenIdError extends Error {
  readonly _tag = "UnknownTokenIdError" as const;
  constructor(
    readonly id: number,
    /** Index of the id in the sequence. */
    readonly position: number,
    readonly vocabSize: number,
  ) {
    super(`token id ${id} at position ${position} is outside the vocabulary (ids 0..${vocabSize - 1})`);
    this.name = "UnknownTokenIdError";
  }
}

/** A task, demonstration or evaluation parameter is out of range. */
export class TaskParamError extends Error {
  readonly _tag = "TaskParamError" as const;
  constructor(
    /** Parameter name, e.g. `digits`, `ops`, `count`. */
    readonly param: string,
    readonly detail: string,
  ) {
    super(`arith: ${param}: ${detail}`);
    this.name = "TaskParamError";
  }
}
