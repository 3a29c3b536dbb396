/**
 * `rlp eval RUN_DIR`: scores a run's latest checkpoint on the held-out split of its task, greedy,
 * without a prefill and then under each budget prefill the pipeline declares. Exit 0, 2 for usage
 * (no such run, no checkpoint), 4 when evaluation fails.
 */
import { EvalError, evaluateRun, evaluationJson, formatResults } from "../../runtime/eval/evaluate.js";
import { ManifestError } from "../../runtime/run/manifest.js";
import { BACKEND_NAMES, type BackendName } from "../../runtime/tfjs/backend.js";
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type Command } from "../io.js";

const FLAGS: Record<string, FlagSpec> = {
  n: { kind: "number", description: "held-out problems, balanced over the difficulties (default 200)" },
  json: { kind: "boolean", description: "print a versioned JSON object instead of the table" },
  budget: { kind: "strings", description: "also evaluate under the prefill `<think budget=N>` (repeatable, or N,M,...)" },
  "no-prefill": { kind: "boolean", description: "only the condition without a budget prefill" },
  backend: { kind: "string", choices: BACKEND_NAMES, description: "tensor backend (default: the run's)" },
};

export const evalCommand: Command = {
  name: "eval",
  summary: "score a run's latest checkpoint on the held-out split (accuracy, tokens by difficulty)",
  usage: [
    "usage: rlp eval RUN_DIR [options]",
    "",
    "Loads RUN_DIR's manifest and latest checkpoint and greedy-decodes N held-out problems of the",
    "pipeline's task (the same number per difficulty): first without a prefill, then under each budget",
    "prefill the pipeline declares. Prints accuracy, well-formed rate and mean response tokens, overall",
    "and by difficulty. See docs/eval.md.",
    "",
    "options:",
    formatFlags(FLAGS),
    "",
    "exit codes: 0 done, 2 usage (not a run directory, no checkpoint), 4 evaluation failed",
  ].join("\n"),
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length !== 1) throw new UsageError("`rlp eval` needs exactly one run directory", "e.g. `rlp eval runs/sft/2026-01-01T00-00-00`");
    const dir = positionals[0]!;
    const n = (flags["n"] as number | undefined) ?? 200;
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--n must be a positive integer, got ${n}`);
    const budgets = ((flags["budget"] as string[] | undefined) ?? []).flatMap((v) => v.split(",")).map((v) => {
      const b = Number(v);
      if (!Number.isSafeInteger(b) || b < 1) throw new UsageError(`--budget must be a positive integer, got \`${v}\``);
      return b;
    });
    let evaluation;
    try {
      evaluation = await evaluateRun(dir, {
        n,
        ...(flags["backend"] === undefined ? {} : { backend: flags["backend"] as BackendName }),
        prefills: flags["no-prefill"] !== true,
        budgets,
      });
    } catch (e) {
      if (e instanceof EvalError || e instanceof ManifestError) {
        io.stderr(`error: ${e.message}\n  = help: pass a directory \`rlp run\` wrote (it holds manifest.json and checkpoints/)\n`);
        return EXIT.usage;
      }
      io.stderr(`error: evaluation failed: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.runtime;
    }
    if (flags["json"] === true) {
      io.stdout(`${JSON.stringify(evaluationJson(evaluation), null, 2)}\n`);
      return EXIT.ok;
    }
    const e = evaluation;
    io.stdout(
      [
        `eval ${e.manifest.pipeline} step ${e.step} (${e.checkpoint}): ${e.n} held-out problems, greedy, ${e.backend}, ${e.seconds.toFixed(1)}s`,
        "",
        ...formatResults(e.results),
        "",
        "columns by difficulty: accuracy / mean response tokens",
      ].join("\n") + "\n",
    );
    return EXIT.ok;
  },
};
