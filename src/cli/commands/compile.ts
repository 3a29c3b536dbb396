/**
 * `rlp compile FILE [--emit ir|dot|mermaid|ast] [-o OUT|-] [--pipeline NAME] [--json]`: compiles
 * a pipeline and writes one intermediate form. stdout (or OUT) carries only that form; diagnostics,
 * warnings included, go to stderr (as a JSON report with `--json`). Exit 0 written, 1 errors in the
 * file, 2 usage. Also the shared front half of `rlp graph`.
 */
import { stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type * as A from "../../compiler/ast.js";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { renderJson } from "../../compiler/diagnostics/render-json.js";
import { renderText, summaryLine } from "../../compiler/diagnostics/render-text.js";
import { irToDot } from "../../compiler/emit/dot.js";
import { irToMermaid } from "../../compiler/emit/mermaid.js";
import { compileFile, type CompileOptions, type CompileResult } from "../../compiler/index.js";
import { irToJson } from "../../compiler/ir/json.js";
import type { IrDocument } from "../../compiler/ir/types.js";
import type { SourceMap } from "../../compiler/source.js";
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type CliIO, type Command } from "../io.js";

const EMITS = ["ir", "dot", "mermaid", "ast"] as const;
type Emit = (typeof EMITS)[number];

const FLAGS: Record<string, FlagSpec> = {
  emit: { kind: "string", choices: EMITS, description: "what to write (default: ir)" },
  out: { kind: "string", short: "o", description: "write to this file instead of stdout (`-` is stdout)" },
  pipeline: { kind: "string", description: "the pipeline to compile when the file declares several" },
  json: { kind: "boolean", description: "report diagnostics as versioned JSON (on stderr)" },
};

const USAGE = [
  "usage: rlp compile FILE [--emit ir|dot|mermaid|ast] [-o OUT|-] [--pipeline NAME] [--json]",
  "",
  "Compiles a pipeline and writes one of its intermediate forms:",
  "  ir       the checked dataflow graph as canonical JSON (its schema: `rlp schema ir`)",
  "  dot      the graph in Graphviz DOT, one cluster per section",
  "  mermaid  the graph as a Mermaid flowchart, for Markdown",
  "  ast      the syntax tree as JSON, without source spans (stops after parsing)",
  "",
  "stdout carries only the output; diagnostics go to stderr.",
  "",
  "options:",
  formatFlags(FLAGS),
  "",
  "examples:",
  "  rlp compile pipelines/grpo.rlp -o grpo.ir.json",
  "  rlp compile pipelines/hbpo.rlp --emit mermaid",
  "",
  "exit status: 0 written, 1 errors in the file, 2 usage error",
].join("\n");

export const compileCommand: Command = {
  name: "compile",
  summary: "compile a pipeline and print an intermediate form (ir, dot, mermaid, ast)",
  usage: USAGE,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    const file = singleFile(positionals, "compile");
    const emit = (flags["emit"] as Emit | undefined) ?? "ir";
    const pipeline = flags["pipeline"] as string | undefined;
    const json = flags["json"] === true;
    if (emit === "ast") {
      const result = await compileChecked(file, { stopAfter: "lower" }, io, json);
      if (typeof result === "number") return result;
      await writeOutput(io, flags["out"] as string | undefined, astToJson(result.ast!));
      return EXIT.ok;
    }
    const ir = await compileToIr(file, pipeline, io, json);
    if (typeof ir === "number") return ir;
    await writeOutput(io, flags["out"] as string | undefined, emit === "ir" ? irToJson(ir) : emit === "dot" ? irToDot(ir) : irToMermaid(ir));
    return EXIT.ok;
  },
};

/** The one FILE argument, which must exist (a missing file is a usage error, as in `rlp check`). */
export function singleFile(positionals: readonly string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? `\`rlp ${command}\` needs a pipeline file` : `\`rlp ${command}\` takes one file, got ${positionals.length}`, `e.g. \`rlp ${command} pipelines/grpo.rlp\``);
  return positionals[0]!;
}

async function ensureReadable(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new UsageError(`cannot read \`${file}\`: no such file or directory`);
  if (info.isDirectory()) throw new UsageError(`\`${file}\` is a directory; give one pipeline file`);
}

/** Compiles and reports diagnostics on stderr; returns the exit code when there were errors. */
async function compileChecked(file: string, options: CompileOptions, io: CliIO, json: boolean): Promise<CompileResult | number> {
  await ensureReadable(file);
  const result = await compileFile(file, options);
  reportDiagnostics(result.diagnostics, result.sources, file, io, json);
  return hasErrors(result.diagnostics) ? EXIT.diagnostics : result;
}

/** The IR of the chosen pipeline, or the exit code after reporting why there is none. */
export async function compileToIr(file: string, pipeline: string | undefined, io: CliIO, json: boolean): Promise<IrDocument | number> {
  const result = await compileChecked(file, pipeline === undefined ? {} : { pipeline }, io, json);
  if (typeof result === "number") return result;
  if (result.ir !== undefined) return result.ir;
  const names = (result.ast?.items ?? []).filter((i): i is A.PipelineDecl => i.kind === "pipeline").map((p) => p.name.name);
  if (names.length === 0) throw new UsageError(`\`${file}\` declares no pipeline`, "only files with a `pipeline` declaration compile to a graph");
  if (pipeline === undefined && names.length > 1) throw new UsageError(`\`${file}\` declares ${names.length} pipelines`, `choose one with \`--pipeline NAME\`: ${names.map((n) => `\`${n}\``).join(", ")}`);
  throw new Error(`the compiler reported no errors but built no IR for \`${file}\``);
}

function reportDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceMap, file: string, io: CliIO, json: boolean): void {
  if (json) {
    if (diagnostics.length > 0) io.stderr(renderJson(diagnostics, sources));
    return;
  }
  if (diagnostics.length === 0) return;
  io.stderr(renderText(diagnostics, sources, { color: io.color }));
  const line = summaryLine(diagnostics, { verb: "compile", target: file, color: io.color });
  if (line !== "") io.stderr(`${line}\n`);
}

/** Writes to stdout for no OUT or `-`, else to the file (relative to the working directory). */
export async function writeOutput(io: CliIO, out: string | undefined, text: string | Uint8Array): Promise<void> {
  if (out === undefined || out === "-") {
    if (typeof text !== "string") throw new UsageError("binary output cannot be written to stdout", "give a file name with the option");
    io.stdout(text);
    return;
  }
  try {
    await writeFile(resolve(io.cwd, out), text);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new UsageError(`cannot write \`${out}\`: ${reason === "ENOENT" ? "its directory does not exist" : reason}`);
  }
}

/** The AST as JSON, without spans: they change with every edit and would drown the structure. */
export function astToJson(ast: A.File): string {
  return `${JSON.stringify(ast, (_key, value: unknown) => (isSpan(value) ? undefined : value), 2)}\n`;
}

function isSpan(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 3 && "file" in value && "start" in value && "end" in value;
}
