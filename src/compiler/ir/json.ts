/**
 * IR documents as JSON text: `irToJson` writes the canonical form (`rlp compile --emit ir`,
 * `pipelines/*.resolved.json`); `jsonToIr` reads one back (the runtime's entry point) and reports
 * every problem as an RLP06xx diagnostic at its line in the JSON file, with its JSON pointer.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../source.js";
import { canonicalJson } from "./canonical.js";
import { irHash } from "./hash.js";
import { scanJson, type JsonLocation } from "../json-locate.js";
import type { IrProblem } from "./problems.js";
import { IR_SCHEMA } from "./schema.js";
import { schemaProblems } from "./schema-errors.js";
import { structureProblems } from "./structure.js";
import type { IrDocument } from "./types.js";

/** Canonical text: schema key order, sorted free-form maps, 2-space indent, final newline. */
export function irToJson(ir: IrDocument): string {
  return `${canonicalJson(ir, { indent: 2 })}\n`;
}

export type IrReadResult = { readonly ir: IrDocument } | { readonly diagnostics: readonly Diagnostic[] };

/**
 * Parses and checks an IR document. `path` names the text in diagnostic spans; to render them,
 * add `new SourceFile(path, text)` to the SourceMap given to the renderer.
 */
export function jsonToIr(text: string, path: string): IrReadResult {
  return irReader()(text, path);
}

/**
 * A `jsonToIr` that compiles the schema validator once (about 50 ms) for many documents: the
 * caller holds the reader, so no validator is cached at module level.
 */
export function irReader(): (text: string, path: string) => IrReadResult {
  const validate = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(IR_SCHEMA);
  const check = (value: unknown): IrProblem[] => {
    if (!validate(value)) return schemaProblems(validate.errors ?? []);
    return consistencyProblems(value as IrDocument);
  };
  return (text, path) => {
    const scan = scanJson(text);
    if ("error" in scan) {
      const { offset, message } = scan.error;
      const span = { file: path, start: offset, end: Math.min(offset + 1, text.length) };
      return { diagnostics: [diagnostic("RLP0601", `the IR document is not valid JSON: ${message}`).primary(span).at("").build()] };
    }
    const value: unknown = JSON.parse(text);
    const problems = check(value);
    if (problems.length === 0) return { ir: value as IrDocument };
    return { diagnostics: sortDiagnostics(problems.map((p) => toDiagnostic(p, path, scan.locations))) };
  };
}

/** Structure first: a hash over a broken graph would only add noise. */
function consistencyProblems(ir: IrDocument): IrProblem[] {
  const structural = structureProblems(ir);
  if (structural.length > 0) return structural;
  const expected = irHash(ir);
  if (ir.hash === expected) return [];
  return [
    {
      code: "RLP0602",
      pointer: "/hash",
      message: "the document's hash does not match its content",
      help: `the content hashes to ${expected}; regenerate the file with \`rlp compile --emit ir\` instead of editing it`,
    },
  ];
}

function toDiagnostic(problem: IrProblem, path: string, locations: ReadonlyMap<string, JsonLocation>): Diagnostic {
  const builder = diagnostic(problem.code, problem.message).primary(spanOf(problem.pointer, problem.at ?? "value", path, locations)).at(problem.pointer);
  for (const r of problem.related ?? []) builder.secondary(spanOf(r.pointer, "value", path, locations), r.message);
  return builder.help(problem.help).build();
}

function spanOf(pointer: string, at: NonNullable<IrProblem["at"]>, path: string, locations: ReadonlyMap<string, JsonLocation>): Span {
  let target = pointer;
  while (!locations.has(target) && target !== "") target = target.slice(0, target.lastIndexOf("/"));
  const found = locations.get(target)!;
  if (at === "key" && found.key !== undefined) return { file: path, ...found.key };
  if (at === "open" || target !== pointer) return { file: path, start: found.start, end: found.start + 1 };
  return { file: path, start: found.start, end: found.end };
}
