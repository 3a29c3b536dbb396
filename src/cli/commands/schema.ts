/**
 * `rlp schema [NAME]`: prints a JSON Schema (draft 2020-12). `ir` (the default) is the schema of
 * the documents `rlp compile --emit ir` writes. `schemaFor` is the one place that maps names to
 * schemas, so primitive parameter schemas (`rlp schema ppo_clip`) are added there.
 */
import { didYouMean } from "../../compiler/diagnostics/suggest.js";
import { IR_SCHEMA } from "../../compiler/ir/schema.js";
import { parseArgs, UsageError } from "../args.js";
import { EXIT, type Command } from "../io.js";

/** Names `schemaFor` knows, for help and did-you-mean. */
export function schemaNames(): string[] {
  return ["ir"];
}

export function schemaFor(name: string): object | undefined {
  return name === "ir" ? IR_SCHEMA : undefined;
}

const USAGE = [
  "usage: rlp schema [NAME]",
  "",
  "Prints a JSON Schema (draft 2020-12). NAME is one of:",
  "  ir   the IR document written by `rlp compile --emit ir` (the default)",
  "",
  "exit status: 0 printed, 2 unknown name",
].join("\n");

export const schemaCommand: Command = {
  name: "schema",
  summary: "print the JSON Schema of the IR or of a primitive's parameters",
  usage: USAGE,
  async run(argv, io) {
    const { positionals } = parseArgs(argv, {}); // no options: any flag is a usage error
    if (positionals.length > 1) throw new UsageError(`\`rlp schema\` takes one name, got ${positionals.length}`);
    const name = positionals[0] ?? "ir";
    const schema = schemaFor(name);
    if (schema === undefined) throw new UsageError(`no schema named \`${name}\``, didYouMean(name, schemaNames()) ?? `known: ${schemaNames().map((n) => `\`${n}\``).join(", ")}`);
    io.stdout(`${JSON.stringify(schema, null, 2)}\n`);
    return EXIT.ok;
  },
};
