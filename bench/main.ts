/**
 * `npm run bench -- <name> [options]`: runs one benchmark and prints its JSON on stdout.
 *   compile     [--lines N] [--runs N]          the full check of a generated pipeline
 *   train-step  [--compare] [--backend B] [--workers N]   the tiny LM's training step
 *   sample      [--compare] [--backend B] [--workers N]   sampling with a KV cache
 */
import { parseArgs, UsageError, type FlagSpec } from "../src/cli/args.js";

const FLAGS: Record<string, FlagSpec> = {
  lines: { kind: "number", description: "lines of the generated pipeline (compile)" },
  runs: { kind: "number", description: "timed runs (compile)" },
  compare: { kind: "boolean", description: "also run the PyTorch peer and print the ratio" },
  backend: { kind: "string", choices: ["wasm", "cpu", "webgpu", "tensorflow"], description: "tfjs backend" },
  workers: { kind: "number", description: "worker threads for data parallelism" },
  steps: { kind: "number", description: "timed steps" },
};

async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  const name = positionals[0];
  if (name === "compile") {
    const { benchCompile } = await import("./compile.js");
    const opts: { lines?: number; runs?: number } = {};
    if (typeof flags["lines"] === "number") opts.lines = flags["lines"];
    if (typeof flags["runs"] === "number") opts.runs = flags["runs"];
    console.log(JSON.stringify(await benchCompile(opts)));
    return 0;
  }
  if (name === "train-step" || name === "sample") {
    const model = await import("./model.js");
    const opts: Record<string, unknown> = {};
    if (typeof flags["backend"] === "string") opts["backend"] = flags["backend"];
    if (typeof flags["workers"] === "number") opts["workers"] = flags["workers"];
    if (typeof flags["steps"] === "number") opts["steps"] = flags["steps"];
    const ours = name === "train-step" ? await model.benchTrainStep(opts) : await model.benchSample(opts);
    if (flags["compare"] !== true) {
      console.log(JSON.stringify(ours));
      return 0;
    }
    const peer = await model.comparePeer();
    console.log(JSON.stringify({ rlp: ours, ...peer, ratio: model.compareRatio(name, ours, peer) ?? null }));
    return 0;
  }
  throw new UsageError(`unknown benchmark \`${name ?? ""}\``, "benchmarks: compile, train-step, sample");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? `error: ${error.message}${error.help ? `\n  = help: ${error.help}` : ""}` : error);
    process.exitCode = error instanceof UsageError ? 2 : 3;
  },
);
