/**
 * `rlp explain CODE...` prints the long form of diagnostic codes (title, explanation, an example
 * that triggers the code, and its fix); `rlp explain --list` lists every code. `--json` gives
 * the same as versioned JSON. Codes may be written `RLP0204`, `rlp0204` or `204`.
 */
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type CliIO, type Command } from "../io.js";
import { CODES, isCode, type Code, type CodeInfo } from "../../compiler/diagnostics/codes.js";
import { didYouMean } from "../../compiler/diagnostics/suggest.js";

const FLAGS: Record<string, FlagSpec> = {
  list: { kind: "boolean", short: "l", description: "list every code with its title" },
  json: { kind: "boolean", description: "print versioned JSON instead of text" },
  help: { kind: "boolean", short: "h", description: "show this help" },
};

const USAGE = [
  "usage: rlp explain CODE... [--json]",
  "       rlp explain --list [--json]",
  "",
  "Explains a diagnostic code: what the rule is and why, a small program that breaks it, and the",
  "fix. CODE may be written `RLP0204`, `rlp0204` or `204`.",
  "",
  "options:",
  formatFlags(FLAGS),
  "",
  "examples:",
  "  rlp explain RLP0204",
  "  rlp explain --list",
  "",
  "exit status: 0 ok, 2 usage error (such as an unknown code)",
].join("\n");

/** Headings for `--list` and docs/diagnostics.md, by the code's hundreds. */
export const CODE_GROUPS: Readonly<Record<string, string>> = {
  "00": "Syntax",
  "01": "Names and imports",
  "02": "Types and levels",
  "03": "Parameters",
  "04": "Pipeline structure",
  "05": "Warnings",
  "06": "IR documents",
  "09": "Internal errors",
};

export function codeGroup(code: string): string {
  const hundreds = code.slice(3, 5);
  return CODE_GROUPS[hundreds] ?? `RLP${hundreds}xx`;
}

/** `RLP0204`, `rlp0204`, `RLP204` and `204` all name RLP0204; anything else is not a code. */
export function normalizeCode(input: string): string | undefined {
  const match = /^(?:rlp)?(\d{1,4})$/i.exec(input.trim());
  return match === null ? undefined : `RLP${match[1]!.padStart(4, "0")}`;
}

function resolveCode(input: string): Code {
  const normalized = normalizeCode(input);
  const known = Object.keys(CODES);
  if (normalized === undefined) {
    throw new UsageError(
      `\`${input}\` is not a diagnostic code`,
      didYouMean(input.toUpperCase(), known) ?? "codes look like `RLP0204`; run `rlp explain --list` to see them all",
    );
  }
  if (!isCode(normalized)) {
    throw new UsageError(`unknown diagnostic code \`${normalized}\``, didYouMean(normalized, known) ?? "run `rlp explain --list` to see every code");
  }
  return normalized;
}

const WIDTH = 80;

/** Greedy word wrap that keeps a backticked span (which may hold spaces) on one line. */
export function wrap(text: string, width = WIDTH, indent = ""): string {
  return text
    .split("\n")
    .map((paragraph) => {
      const words = paragraph.match(/`[^`]*`\S*|\S+/g) ?? [];
      const lines: string[] = [];
      let line = "";
      for (const word of words) {
        if (line !== "" && indent.length + line.length + 1 + word.length > width) {
          lines.push(indent + line);
          line = word;
        } else line = line === "" ? word : `${line} ${word}`;
      }
      lines.push(indent + line);
      return lines.join("\n");
    })
    .join("\n");
}

function block(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? "" : `    ${l}`))
    .join("\n");
}

/** The catalogue writes `(none)` where no program can trigger a code, such as an internal error. */
const NO_EXAMPLE = "(none)";

/** The long form, as text. */
export function explainText(code: Code): string {
  const info: CodeInfo = CODES[code];
  const head = [`${info.severity}[${code}]: ${info.title}`, "", wrap(info.explanation), ""];
  if (info.example === NO_EXAMPLE) return head.join("\n");
  return [...head, `Example, reported as ${code}:`, "", block(info.example), "", "Fix:", "", block(info.fix), ""].join("\n");
}

/** Every code with its severity and title, under group headings. */
export function listText(): string {
  const codes = Object.keys(CODES) as Code[];
  const out: string[] = [];
  let group: string | undefined;
  for (const code of codes) {
    const heading = codeGroup(code);
    if (heading !== group) {
      if (group !== undefined) out.push("");
      out.push(`${heading}:`);
      group = heading;
    }
    const info = CODES[code];
    out.push(`  ${code}  ${info.severity.padEnd(7)}  ${info.title}`);
  }
  out.push("", "Run `rlp explain CODE` for the long form of one code.", "");
  return out.join("\n");
}

function codeJson(code: Code): Record<string, string> {
  const info = CODES[code];
  return { code, severity: info.severity, group: codeGroup(code), title: info.title, explanation: info.explanation, example: info.example, fix: info.fix };
}

export const explainCommand: Command = {
  name: "explain",
  summary: "explain a diagnostic code, e.g. `rlp explain RLP0204`",
  usage: USAGE,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (flags["help"] === true) {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    const list = flags["list"] === true;
    if (list && positionals.length > 0) throw new UsageError("`--list` takes no codes", "run `rlp explain --list`, or `rlp explain CODE`");
    if (!list && positionals.length === 0) throw new UsageError("no diagnostic code given", "run `rlp explain RLP0204`, or `rlp explain --list` to see every code");
    const codes = list ? (Object.keys(CODES) as Code[]) : positionals.map(resolveCode);
    if (flags["json"] === true) {
      io.stdout(`${JSON.stringify({ format_version: "1", codes: codes.map(codeJson) }, null, 2)}\n`);
    } else {
      io.stdout(list ? listText() : codes.map(explainText).join("\n"));
    }
    return EXIT.ok;
  },
};
