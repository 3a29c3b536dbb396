/**
 * `rlp check FILE...`: runs every compiler stage on each file (no execution) and reports all
 * diagnostics. Exit 0 when no file has errors (warnings allowed), 1 otherwise.
 */
import { compileFile, Stdlib, type Phase } from "../../compiler/index.js";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { renderJson } from "../../compiler/diagnostics/render-json.js";
import { renderText, summaryLine } from "../../compiler/diagnostics/render-text.js";
import { SourceMap } from "../../compiler/source.js";
import { parseArgs, UsageError, formatFlags, type FlagSpec } from "../args.js";
import { EXIT, type Command } from "../io.js";
import { rlpFiles } from "../paths.js";

const PHASES: readonly Phase[] = ["parse", "lower", "resolve", "check", "validate", "build"];

const FLAGS: Record<string, FlagSpec> = {
  json: { kind: "boolean", description: "print a versioned JSON report instead of text" },
  "stop-after": { kind: "string", choices: PHASES, description: "stop after a compiler stage" },
  "deny-warnings": { kind: "boolean", description: "treat warnings as errors (exit 1)" },
  quiet: { kind: "boolean", short: "q", description: "print nothing when there are no diagnostics" },
};

export const checkCommand: Command = {
  name: "check",
  summary: "check pipeline files for errors without running them",
  usage: ["usage: rlp check FILE... [options]", "", "Checks each file (or every .rlp file under a directory) through every compiler stage.", "", "options:", formatFlags(FLAGS)].join("\n"),
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length === 0) throw new UsageError("`rlp check` needs at least one file", "e.g. `rlp check pipelines/grpo.rlp`");
    const files: string[] = [];
    for (const p of positionals) for (const f of await rlpFiles(p, io.cwd)) files.push(f.shown);
    const stopAfter = flags["stop-after"] as Phase | undefined;
    const all: Diagnostic[] = [];
    const sources = new SourceMap();
    const perFile: { file: string; valid: boolean; errors: number; warnings: number }[] = [];
    const stdlib = new Stdlib();
    for (const file of files) {
      const result = await compileFile(file, stopAfter === undefined ? { stdlib } : { stopAfter, stdlib });
      for (const s of result.sources.all()) sources.add(s);
      all.push(...result.diagnostics);
      const errors = result.diagnostics.filter((d) => d.severity === "error").length;
      const warnings = result.diagnostics.filter((d) => d.severity === "warning").length;
      perFile.push({ file, valid: errors === 0, errors, warnings });
      if (flags["json"] !== true && result.diagnostics.length > 0) io.stderr(renderText(result.diagnostics, result.sources, { color: io.color }));
    }
    const failed = hasErrors(all) || (flags["deny-warnings"] === true && all.length > 0);
    if (flags["json"] === true) {
      io.stdout(`${renderJson(all, sources, { files: perFile }).trimEnd()}\n`);
    } else if (all.length > 0) {
      const line = summaryLine(all, { target: files.length === 1 ? files[0]! : `${files.length} files`, color: io.color });
      if (line !== "") io.stderr(`\n${line}\n`);
    } else if (flags["quiet"] !== true) {
      io.stderr(`ok: ${files.length === 1 ? files[0] : `${files.length} files`} checked, no problems\n`);
    }
    return failed ? EXIT.diagnostics : EXIT.ok;
  },
};
