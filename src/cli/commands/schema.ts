/**
 * `rlp schema [NAME]`: prints a JSON Schema (draft 2020-12). `ir` (the default) is the schema of
 * the documents `rlp compile --emit ir` writes. `schemaFor` is the one place that maps names to
 * schemas, so primitive parameter schemas (`rlp schema ppo_clip`) are added there.
 */
import { didYouMean } from "../../compiler/diagnostics/suggest.js";
import { IR_SCHEMA } from "../../compiler/ir/schema.js";
import { ModuleLoader, STD_MODULES } from "../../compiler/modules.js";
import { SourceMap } from "../../compiler/source.js";
import { Stdlib } from "../../compiler/stdlib.js";
import { parseArgs, UsageError } from "../args.js";
import { EXIT, type Command } from "../io.js";

/** The standard library's parameter schemas by function name, and its block schemas. */
function stdlibSchemas(): Map<string, object> {
  const loader = new ModuleLoader(new SourceMap(), [], new Stdlib());
  const out = new Map<string, object>();
  for (const name of STD_MODULES) {
    const module = loader.std(name);
    if (module === undefined) continue;
    for (const [fn, entry] of module.schemas) {
      const sig = module.externs.get(fn);
      out.set(fn, { $schema: "https://json-schema.org/draft/2020-12/schema", title: `std.${name}.${fn}`, ...(sig?.doc ? { description: sig.doc } : {}), ...entry.schema });
    }
    for (const [block, entry] of module.blockSchemas) out.set(block, { $schema: "https://json-schema.org/draft/2020-12/schema", title: `the settings of a \`${block}\` block`, ...entry.schema });
  }
  return out;
}

/** Names `schemaFor` knows, for help and did-you-mean. */
export function schemaNames(): string[] {
  return ["ir", ...[...stdlibSchemas().keys()].sort()];
}

export function schemaFor(name: string): object | undefined {
  return name === "ir" ? IR_SCHEMA : stdlibSchemas().get(name);
}

const USAGE = [
  "usage: rlp schema [NAME]",
  "",
  "Prints a JSON Schema (draft 2020-12). NAME is one of:",
  "  ir                        the IR document written by `rlp compile --emit ir` (the default)",
  "  rollout | level | optimize  the settings of that block",
  "  a primitive's name        its constant parameters, e.g. `rlp schema ppo_clip`",
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
