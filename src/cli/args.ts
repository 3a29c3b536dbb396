/**
 * A small, strict argument parser: known flags only, `--flag value` or `--flag=value`,
 * `--` ends flags, unknown flags are usage errors with a did-you-mean.
 */
import { didYouMean } from "../compiler/diagnostics/suggest.js";

export type FlagKind = "boolean" | "string" | "number" | "strings";

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly short?: string;
  readonly description: string;
  /** For string flags: the allowed values. */
  readonly choices?: readonly string[];
}

export type FlagValues = Record<string, boolean | string | number | string[] | undefined>;

export interface ParsedArgs {
  readonly flags: FlagValues;
  readonly positionals: string[];
}

export class UsageError extends Error {
  readonly _tag = "UsageError";
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
  }
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const flags: FlagValues = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short !== undefined) byShort.set(s.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1));
      if (long === undefined) throw new UsageError(`unknown option \`${arg}\``, didYouMean(arg.slice(1), [...byShort.keys()].map((k) => `-${k}`)));
      name = long;
    }
    const s = spec[name];
    if (s === undefined) {
      const hint = didYouMean(name, Object.keys(spec));
      throw new UsageError(`unknown option \`--${name}\``, hint?.replace(/`([^`]+)`/g, "`--$1`"));
    }
    if (s.kind === "boolean") {
      if (inline !== undefined) throw new UsageError(`option \`--${name}\` takes no value`);
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option \`--${name}\` needs a value`);
    if (s.choices !== undefined && !s.choices.includes(value)) {
      throw new UsageError(`\`${value}\` is not a valid value for \`--${name}\``, `expected one of ${s.choices.map((c) => `\`${c}\``).join(", ")}${didYouMean(value, s.choices) ? `; ${didYouMean(value, s.choices)}` : ""}`);
    }
    if (s.kind === "number") {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`option \`--${name}\` needs a number, got \`${value}\``);
      flags[name] = n;
    } else if (s.kind === "strings") {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value);
      flags[name] = list;
    } else flags[name] = value;
  }
  return { flags, positionals };
}

export function formatFlags(spec: Record<string, FlagSpec>): string {
  const rows = Object.entries(spec).map(([name, s]) => {
    const left = `${s.short !== undefined ? `-${s.short}, ` : "    "}--${name}${s.kind === "boolean" ? "" : ` <${s.choices?.join("|") ?? (s.kind === "number" ? "n" : "value")}>`}`;
    return [left, s.description] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`).join("\n");
}
