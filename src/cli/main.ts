/**
 * The `rlp` command line: global flags, dispatch to one module per command, exit codes
 * (0 ok, 1 diagnostics, 2 usage, 3 internal error, 4 runtime failure, 130 interrupted), and the
 * last line of defence that turns any unexpected exception into a bug report instead of a trace.
 */
import pc from "picocolors";
import { didYouMean } from "../compiler/diagnostics/suggest.js";
import { version } from "../compiler/version.js";
import { UsageError } from "./args.js";
import { EXIT, type CliIO, type Command } from "./io.js";

/** Commands load lazily so that `rlp check` never pays for the tensor runtime. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  check: { summary: "check pipeline files for errors without running them", load: async () => (await import("./commands/check.js")).checkCommand },
  compile: { summary: "compile a pipeline and print an intermediate form (ir, dot, mermaid, ast, tokens)", load: async () => (await import("./commands/compile.js")).compileCommand },
  fmt: { summary: "format pipeline files in the canonical layout", load: async () => (await import("./commands/fmt.js")).fmtCommand },
  graph: { summary: "render a pipeline's dataflow graph to SVG or PNG", load: async () => (await import("./commands/graph.js")).graphCommand },
  explain: { summary: "explain a diagnostic code, e.g. `rlp explain RLP0204`", load: async () => (await import("./commands/explain.js")).explainCommand },
  schema: { summary: "print the JSON Schema of the IR or of a primitive's parameters", load: async () => (await import("./commands/schema.js")).schemaCommand },
  run: { summary: "train a pipeline: progress, metrics.jsonl, checkpoints", load: async () => (await import("./commands/run.js")).runCommand },
  resume: { summary: "continue a run from its last checkpoint", load: async () => (await import("./commands/resume.js")).resumeCommand },
  eval: { summary: "score a run's checkpoint on the held-out split (accuracy, tokens by difficulty)", load: async () => (await import("./commands/eval.js")).evalCommand },
  conformance: { summary: "run numeric conformance fixtures against rlp's primitives", load: async () => (await import("./commands/conformance-entry.js")).conformanceEntry },
};

export { version };

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `rlp ${version()} — a language for RL post-training pipelines`,
    "",
    "usage: rlp <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "global options:",
    "  --color <auto|always|never>  colour diagnostics (default: auto; NO_COLOR is honoured)",
    "  -h, --help                   show help (also `rlp <command> --help`)",
    "  --version                    print the version",
    "",
    "exit codes: 0 ok, 1 errors in the input, 2 usage error, 3 internal error, 4 run failed",
  ].join("\n");
}

function nodeIO(color: boolean): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color,
    isTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

function colorSetting(argv: string[]): { color: "auto" | "always" | "never"; rest: string[] } {
  const rest: string[] = [];
  let color: "auto" | "always" | "never" = "auto";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a === "--color" ? argv[++i] : a.startsWith("--color=") ? a.slice(8) : undefined;
    if (value === undefined) {
      rest.push(a);
      continue;
    }
    if (value !== "auto" && value !== "always" && value !== "never") throw new UsageError(`\`${value}\` is not a valid value for \`--color\``, "expected `auto`, `always` or `never`");
    color = value;
  }
  return { color, rest };
}

export async function main(argv: readonly string[], io?: CliIO): Promise<number> {
  let out: CliIO | undefined = io;
  try {
    const { color, rest } = colorSetting([...argv]);
    const useColor = color === "always" || (color === "auto" && process.stderr.isTTY === true && process.env["NO_COLOR"] === undefined);
    out ??= nodeIO(useColor);
    const [name, ...args] = rest;
    if (name === undefined || name === "-h" || name === "--help" || name === "help") {
      out.stdout(`${help()}\n`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version" || name === "-V") {
      out.stdout(`rlp ${version()}\n`);
      return EXIT.ok;
    }
    const entry = COMMANDS[name];
    if (entry === undefined) {
      const hint = didYouMean(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command \`${name}\``, hint ?? "run `rlp --help` for the list of commands");
    }
    const command = await entry.load();
    if (args.includes("--help") || args.includes("-h")) {
      out.stdout(`${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(args, out);
  } catch (error) {
    const sink = out ?? nodeIO(false);
    if (error instanceof UsageError) {
      sink.stderr(`${sink.color ? pc.red(pc.bold("error")) : "error"}: ${error.message}\n`);
      if (error.help !== undefined) sink.stderr(`  = help: ${error.help}\n`);
      return EXIT.usage;
    }
    return reportInternalError(sink, error);
  }
}

/** An exception that escaped a command is a bug in rlp, never the user's fault: say so plainly. */
export function reportInternalError(io: CliIO, error: unknown): number {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr(
    [
      `error[RLP0900]: internal error in rlp ${version()}: ${detail}`,
      "  = note: this is a bug in rlp, not in your pipeline",
      "  = help: please report it with the command and the file that triggered it (set RLP_BACKTRACE=1 to include the stack trace)",
      "",
    ].join("\n"),
  );
  if (process.env["RLP_BACKTRACE"] === "1" && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
  return EXIT.internal;
}
