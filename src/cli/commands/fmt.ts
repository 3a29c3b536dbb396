/**
 * `rlp fmt [paths...] [--check] [--diff] [--stdout]`: rewrites `.rlp` files in the canonical
 * layout (docs/formatting.md). Files are rewritten atomically and only when they change; files
 * with syntax errors are reported and left alone while the others are still formatted.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { renderText, summaryLine } from "../../compiler/diagnostics/render-text.js";
import { unifiedDiff } from "../../compiler/format/diff.js";
import { formatSource } from "../../compiler/format/index.js";
import { SourceFile, SourceMap } from "../../compiler/source.js";
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type CliIO, type Command } from "../io.js";
import { rlpFiles } from "../paths.js";

const FLAGS: Record<string, FlagSpec> = {
  check: { kind: "boolean", description: "write nothing; list the files that are not formatted and exit 1 if there are any" },
  diff: { kind: "boolean", description: "write nothing; print a unified diff of what formatting would change" },
  stdout: { kind: "boolean", description: "print the formatted text instead of rewriting the files" },
};

const USAGE = [
  "usage: rlp fmt [paths...] [--check] [--diff] [--stdout]",
  "",
  "Formats .rlp files in the canonical layout (see docs/formatting.md). Directories are searched",
  "for .rlp files. `-`, or no path with input piped in, formats standard input to standard output.",
  "Files with syntax errors are reported and left unchanged; the others are still formatted.",
  "",
  "examples:",
  "  rlp fmt pipelines/          rewrite every .rlp file under pipelines/ that is not formatted",
  "  rlp fmt --check .           list the files that are not formatted (for CI)",
  "  rlp fmt --diff grpo.rlp     show what formatting would change",
  "  cat grpo.rlp | rlp fmt      format standard input",
  "",
  "options:",
  formatFlags(FLAGS),
  "",
  "exit codes: 0 ok; 1 a file has syntax errors, or --check found files that are not formatted;",
  "2 usage error (unknown option, missing path)",
].join("\n");

/** What to format: a file (by the path the user gave and its absolute path) or standard input. */
type Target = { readonly kind: "file"; readonly shown: string; readonly path: string } | { readonly kind: "stdin" };

const STDIN_NAME = "<stdin>";

async function targets(positionals: readonly string[], cwd: string): Promise<Target[]> {
  // With no path, read standard input when something is piped in; at a terminal, say what to do.
  if (positionals.length === 0) {
    if (process.stdin.isTTY === true) throw new UsageError("`rlp fmt` needs files or directories to format", "e.g. `rlp fmt pipelines/`, or `rlp fmt -` to format standard input");
    return [{ kind: "stdin" }];
  }
  if (positionals.filter((p) => p === "-").length > 1) throw new UsageError("`-` (standard input) may be given only once");
  const out: Target[] = [];
  for (const p of positionals) {
    if (p === "-") {
      out.push({ kind: "stdin" });
      continue;
    }
    for (const file of await rlpFiles(p, cwd)) out.push({ kind: "file", ...file });
  }
  return out;
}

/** Write-then-rename in the same directory, so a reader never sees a half-written file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const mode = (await stat(path)).mode;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { mode });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

interface Options {
  readonly check: boolean;
  readonly diff: boolean;
  readonly stdout: boolean;
}

/** Formats one target; returns whether it was refused and whether it was not formatted. */
async function formatTarget(target: Target, options: Options, io: CliIO): Promise<{ refused: boolean; unformatted: boolean }> {
  const shown = target.kind === "stdin" ? STDIN_NAME : target.shown;
  const text = target.kind === "stdin" ? await io.readStdin() : await readFile(target.path, "utf8");
  const file = new SourceFile(shown, text);
  const result = formatSource(file);
  if (!result.ok) {
    const sources = new SourceMap();
    sources.add(file);
    io.stderr(renderText(result.diagnostics, sources, { color: io.color }));
    io.stderr(`\n${summaryLine(result.diagnostics, { verb: "format", target: shown, color: io.color })}\n`);
    return { refused: true, unformatted: false };
  }
  const changed = result.text !== text;
  if (options.check && changed) io.stdout(`${shown}\n`);
  if (options.diff) io.stdout(unifiedDiff(text, result.text, `a/${shown}`, `b/${shown}`));
  if (options.check || options.diff) return { refused: false, unformatted: changed };
  if (options.stdout || target.kind === "stdin") io.stdout(result.text);
  else if (changed) {
    await writeAtomically(target.path, result.text);
    io.stderr(`formatted ${shown}\n`);
  }
  return { refused: false, unformatted: changed };
}

export const fmtCommand: Command = {
  name: "fmt",
  summary: "format pipeline files in the canonical layout",
  usage: USAGE,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    const options: Options = { check: flags["check"] === true, diff: flags["diff"] === true, stdout: flags["stdout"] === true };
    if (options.stdout && (options.check || options.diff)) throw new UsageError("`--stdout` cannot be combined with `--check` or `--diff`");
    let refused = 0;
    let unformatted = 0;
    for (const target of await targets(positionals, io.cwd)) {
      const outcome = await formatTarget(target, options, io);
      if (outcome.refused) refused++;
      if (outcome.unformatted) unformatted++;
    }
    if (options.check && unformatted > 0) {
      io.stderr(`${unformatted} ${unformatted === 1 ? "file is" : "files are"} not formatted; run \`rlp fmt\` on ${unformatted === 1 ? "it" : "them"}\n`);
    }
    return refused > 0 || (options.check && unformatted > 0) ? EXIT.diagnostics : EXIT.ok;
  },
};
