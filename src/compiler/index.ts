/**
 * The compiler's public API: one function per stage (`<from>To<to>`, as in ARCHITECTURE.md) and
 * `compileFile`, which runs them all and collects every stage's diagnostics.
 */
import { readFile } from "node:fs/promises";
import type * as A from "./ast.js";
import { typedToIr } from "./build.js";
import { hirToTyped } from "./check.js";
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics/diagnostic.js";
import { didYouMean } from "./diagnostics/suggest.js";
import type { HPipeline } from "./hir.js";
import { ModuleLoader } from "./modules.js";
import { astToHir } from "./resolve.js";
import { Stdlib } from "./stdlib.js";
import { Validator } from "./validate.js";
import { version } from "./version.js";
import type { IrDocument } from "./ir/types.js";
import { rlpToAst } from "./syntax.js";
import { SourceFile, SourceMap } from "./source.js";

export interface CompileResult {
  /** Present when the pipeline compiled without errors (warnings allowed). */
  readonly ir?: IrDocument;
  readonly ast?: A.File;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: SourceMap;
}

export interface CompileOptions {
  /** Which pipeline of the file to compile when it declares several (default: the only one). */
  readonly pipeline?: string;
  /** Stop after this stage (for `rlp check --stop-after`). */
  readonly stopAfter?: Phase;
  /** The parsed standard library to reuse; pass one when compiling many files. */
  readonly stdlib?: Stdlib;
}

export type Phase = "parse" | "lower" | "resolve" | "check" | "validate" | "build";

export { rlpToAst, rlpToCst } from "./syntax.js";
export { Stdlib } from "./stdlib.js";

export async function compileFile(path: string, options: CompileOptions = {}): Promise<CompileResult> {
  const sources = new SourceMap();
  const text = await readFile(path, "utf8");
  const file = sources.add(new SourceFile(path, text));
  return compileSource(file, sources, options);
}

/**
 * Runs every stage on one file. Later stages still run when earlier ones found errors in other
 * declarations, so one run reports as much as it can; the IR is built only from an error-free pipeline.
 */
export function compileSource(file: SourceFile, sources: SourceMap, options: CompileOptions = {}): CompileResult {
  sources.add(file);
  const { ast, diagnostics } = rlpToAst(file);
  const done = (extra: Partial<CompileResult> = {}): CompileResult => ({ ast, ...extra, diagnostics: sortDiagnostics(quietWhenBroken(dedupe(diagnostics))), sources });
  if (options.stopAfter === "parse" || options.stopAfter === "lower") return done();
  const loader = new ModuleLoader(sources, diagnostics, options.stdlib ?? new Stdlib());
  const root = loader.root(file, ast);
  const resolved = astToHir(root, loader);
  diagnostics.push(...resolved.diagnostics);
  if (options.stopAfter === "resolve") return done();
  const chosen = choosePipeline(resolved.pipelines, root.ast, options.pipeline, file, diagnostics);
  let ir: IrDocument | undefined;
  const validator = new Validator(loader);
  for (const pipeline of resolved.pipelines) {
    const before = diagnostics.length;
    const { typed, diagnostics: typeDiagnostics } = hirToTyped(pipeline);
    diagnostics.push(...typeDiagnostics);
    if (options.stopAfter === "check") continue;
    const validated = validator.run(typed);
    diagnostics.push(...validator.diagnostics.splice(0));
    if (options.stopAfter === "validate" || pipeline !== chosen) continue;
    if (!hasErrors(diagnostics.slice(before)) && !hasErrors(diagnostics)) ir = typedToIr(typed, validated, sources, version());
  }
  return done(ir === undefined ? {} : { ir });
}

function choosePipeline(pipelines: readonly HPipeline[], ast: A.File, wanted: string | undefined, file: SourceFile, diagnostics: Diagnostic[]): HPipeline | undefined {
  if (wanted === undefined) return pipelines.length === 1 ? pipelines[0] : undefined;
  const found = pipelines.find((p) => p.name === wanted);
  if (found === undefined) {
    const names = ast.items.filter((i): i is A.PipelineDecl => i.kind === "pipeline").map((p) => p.name.name);
    diagnostics.push(
      diagnostic("RLP0101", `\`${file.path}\` has no pipeline \`${wanted}\``)
        .primary(file.span(0, 0), "looked here")
        .help(didYouMean(wanted, names) ?? (names.length > 0 ? `its pipelines are ${names.map((n) => `\`${n}\``).join(", ")}` : "it declares no pipeline"))
        .build(),
    );
  }
  return found;
}

/** "Unused" warnings only distract while a file has errors: half-written code is expected then. */
const UNUSED: ReadonlySet<string> = new Set(["RLP0501", "RLP0502", "RLP0503"]);

function quietWhenBroken(ds: readonly Diagnostic[]): Diagnostic[] {
  return hasErrors(ds) ? ds.filter((d) => !UNUSED.has(d.code)) : [...ds];
}

/** The same message at the same place from two stages is one problem. */
function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const s = d.labels.find((l) => l.primary)?.span;
    const key = `${d.code}|${d.message}|${s?.file}|${s?.start}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
