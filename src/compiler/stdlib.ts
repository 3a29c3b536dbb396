/**
 * What compilations can share: the parsed standard library and the compiled ajv validators of its
 * schemas. Both are immutable once built, and building them dominates the cost of checking a small
 * file, so a CLI run or a test suite creates one `Stdlib` and passes it to every compilation.
 */
import { Ajv, type ValidateFunction } from "ajv";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import type { Module } from "./modules.js";
import type { SourceFile } from "./source.js";

export interface StdEntry {
  readonly module: Module | undefined;
  /** Files read to build it (the .rlp and its schema), to add to each compilation's source map. */
  readonly files: readonly SourceFile[];
  readonly diagnostics: readonly Diagnostic[];
}

export class Stdlib {
  private readonly modules = new Map<string, StdEntry>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<object, ValidateFunction>();

  /** Display paths of stdlib files depend on the working directory, so a Stdlib belongs to one. */
  constructor(readonly cwd: string = process.cwd()) {}

  module(name: string, build: () => StdEntry): StdEntry {
    let entry = this.modules.get(name);
    if (entry === undefined) {
      entry = build();
      this.modules.set(name, entry);
    }
    return entry;
  }

  validator(schema: object): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (fn === undefined) {
      fn = this.ajv.compile(schema);
      this.compiled.set(schema, fn);
    }
    return fn;
  }
}
