/**
 * `npm run repro -- hbpo [--steps N] [--out DIR] [--quick] ...`: the HBPO-vs-GRPO reproduction.
 *
 * 1. SFT warm start: `rlp run pipelines/sft.rlp --out DIR/sft` (or `--sft RUN_DIR`, a finished one).
 * 2. GRPO and HBPO from that checkpoint, with the same seed and the same rollouts per step
 *    (16 prompts x 16 samples; HBPO's 16 are 4 budgets x 4): `bench/repro/{grpo,hbpo}.rlp` with
 *    their `from` pointed at the SFT run, written to DIR/pipelines/ and run with `rlp run`.
 * 3. `rlp eval --json` on the SFT run and both RL runs (DIR/<run>/eval.json).
 * 4. DIR/results.md (tables), DIR/{training,hbpo_budget_lengths,difficulty}.{svg,png} and their
 *    Vega-Lite specs (.vl.json), then one last stdout line of JSON:
 *    {"grpo": {"accuracy": …, "mean_tokens": …}, "hbpo": {…}}.
 *
 * Every child is `node bin/rlp.js …`, so each run is a normal run directory (resumable, evaluable).
 * Children's output goes to stderr; stdout carries only the final JSON line. See docs/repro.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, UsageError, type FlagSpec } from "../src/cli/args.js";
import {
  budgetLengthsSpec,
  difficultySpec,
  difficultyTable,
  evalConditions,
  normalizeEval,
  readMetrics,
  renderPlot,
  resultsTable,
  trainingCurvesSpec,
  type EvalCondition,
  type EvalResult,
  type MetricRecord,
} from "../src/runtime/report/index.js";

const FLAGS: Record<string, FlagSpec> = {
  steps: { kind: "number", description: "RL steps of each algorithm (default 100; --quick 3)" },
  out: { kind: "string", short: "o", description: "output directory (default runs/repro/hbpo-<time>)" },
  quick: { kind: "boolean", description: "a smoke run: 20 SFT steps, 3 RL steps of 4 prompts, 24 eval problems" },
  seed: { kind: "number", description: "root seed of every run (default 1)" },
  sft: { kind: "string", description: "reuse this finished SFT run directory instead of training one" },
  "sft-steps": { kind: "number", description: "SFT steps (default: pipelines/sft.rlp's; --quick 20)" },
  prompts: { kind: "number", description: "prompts per RL step, the same for both (default 16; --quick 4)" },
  n: { kind: "number", description: "held-out problems per evaluation (default 200; --quick 24)" },
  backend: { kind: "string", choices: ["wasm", "cpu", "webgpu", "tensorflow"], description: "tensor backend of every run" },
};

/** The repository root (this file runs as dist/bench/repro.js). */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RLP = join(ROOT, "bin", "rlp.js");
/** The `from` of the templates, replaced by the SFT run directory. */
const FROM_PLACEHOLDER = '"cache:pipelines/sft.rlp"';

function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
}

function log(line: string): void {
  process.stderr.write(`repro: ${line}\n`);
}

/** Runs `node bin/rlp.js ARGS`; its output goes to stderr, or stdout is returned when `capture`. */
function rlp(args: readonly string[], capture = false): Promise<string> {
  log(`rlp ${args.join(" ")}`);
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [RLP, ...args], { stdio: ["ignore", capture ? "pipe" : 2, 2] });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", fail);
    child.on("close", (code, signal) =>
      code === 0 ? ok(out) : fail(new Error(`\`rlp ${args.join(" ")}\` exited with ${code ?? signal}`)),
    );
  });
}

interface Options {
  readonly out: string;
  readonly steps: number;
  readonly seed: number;
  readonly sftRun?: string;
  readonly sftSteps?: number;
  readonly prompts?: number;
  readonly n: number;
  readonly backend?: string;
}

interface Evaluated {
  readonly json: unknown;
  readonly result: EvalResult;
}

/** Whether this checkout's `rlp` has the `eval` command (it is landing separately). */
function hasEval(): boolean {
  return spawnSync(process.execPath, [RLP, "eval", "--help"], { stdio: "ignore" }).status === 0;
}

/** Without `rlp eval`: the training metrics' accuracy and mean length over the last 10 steps. */
function fromMetrics(records: readonly MetricRecord[]): Evaluated {
  const tail = records.slice(-10);
  const mean = (k: string) => tail.reduce((s, r) => s + (r.data[k] ?? 0), 0) / Math.max(1, tail.length);
  return { json: undefined, result: { accuracy: mean("accuracy"), meanTokens: mean("response_length/mean"), byDifficulty: [] } };
}

/** `rlp eval DIR --json`, kept as `save` (default DIR/eval.json). */
async function evaluate(dir: string, o: Options, save = join(dir, "eval.json")): Promise<Evaluated> {
  const text = await rlp(["eval", dir, "--json", "--n", String(o.n), ...(o.backend === undefined ? [] : ["--backend", o.backend])], true);
  writeFileSync(save, text);
  const json = JSON.parse(text) as unknown;
  return { json, result: normalizeEval(json) };
}

function budgetTable(conditions: readonly EvalCondition[]): string {
  const lines = ["| prefill | accuracy | mean tokens |", "|---|---:|---:|"];
  for (const c of conditions) lines.push(`| ${c.budget === null ? "none" : `\`<think budget=${c.budget}>\``} | ${c.result.accuracy.toFixed(3)} | ${c.result.meanTokens.toFixed(1)} |`);
  return `${lines.join("\n")}\n`;
}

async function reproHbpo(o: Options): Promise<Record<string, { accuracy: number; mean_tokens: number }>> {
  mkdirSync(join(o.out, "pipelines"), { recursive: true });
  const backend = o.backend === undefined ? [] : ["--backend", o.backend];
  const started = Date.now();

  // 1. The warm start.
  const sft = o.sftRun ?? join(o.out, "sft");
  if (o.sftRun === undefined) {
    if (existsSync(join(sft, "manifest.json"))) throw new UsageError(`\`${sft}\` already holds a run`, "choose another --out, or reuse it with --sft");
    await rlp(["run", join(ROOT, "pipelines", "sft.rlp"), "--out", sft, "--seed", String(o.seed), ...(o.sftSteps === undefined ? [] : ["--steps", String(o.sftSteps)]), ...backend]);
  } else if (!existsSync(join(sft, "checkpoints"))) {
    throw new UsageError(`--sft \`${sft}\` has no checkpoints`, "pass a run directory `rlp run pipelines/sft.rlp` wrote");
  }

  // 2. GRPO and HBPO from it, the same seed and rollouts per step.
  const runs: Record<string, string> = {};
  for (const name of ["grpo", "hbpo"] as const) {
    const template = readFileSync(join(ROOT, "bench", "repro", `${name}.rlp`), "utf8");
    if (!template.includes(FROM_PLACEHOLDER)) throw new Error(`bench/repro/${name}.rlp no longer warm-starts from ${FROM_PLACEHOLDER}`);
    const file = join(o.out, "pipelines", `${name}.rlp`);
    writeFileSync(file, template.replace(FROM_PLACEHOLDER, JSON.stringify(resolve(sft))));
    runs[name] = join(o.out, name);
    const set = o.prompts === undefined ? [] : ["--set", `rollout.prompts=${o.prompts}`];
    await rlp(["run", file, "--out", runs[name]!, "--steps", String(o.steps), "--seed", String(o.seed), ...set, ...backend]);
  }

  // 3. Held-out evaluation (the training metrics' last steps when `rlp eval` is missing).
  const grpoMetrics = { name: "GRPO", metrics: readMetrics(join(runs["grpo"]!, "metrics.jsonl")) };
  const hbpoMetrics = { name: "HBPO", metrics: readMetrics(join(runs["hbpo"]!, "metrics.jsonl")) };
  const heldOut = hasEval();
  if (!heldOut) log("`rlp eval` is not available in this checkout: reporting the training metrics of the last 10 steps instead");
  const evals = heldOut
    ? { sft: await evaluate(sft, o, o.sftRun === undefined ? undefined : join(o.out, "sft_eval.json")), grpo: await evaluate(runs["grpo"]!, o), hbpo: await evaluate(runs["hbpo"]!, o) }
    : { sft: undefined, grpo: fromMetrics(grpoMetrics.metrics), hbpo: fromMetrics(hbpoMetrics.metrics) };

  // 4. Report.
  const rows = [
    { algorithm: "GRPO", eval: evals.grpo.result },
    { algorithm: "HBPO", eval: evals.hbpo.result },
    ...(evals.sft === undefined ? [] : [{ algorithm: "SFT (warm start)", eval: evals.sft.result }]),
  ];
  const plots = {
    training: trainingCurvesSpec([grpoMetrics, hbpoMetrics]),
    hbpo_budget_lengths: budgetLengthsSpec(hbpoMetrics),
    ...(heldOut ? { difficulty: difficultySpec(rows.map((r) => ({ name: r.algorithm, eval: r.eval }))) } : {}),
  };
  for (const [name, spec] of Object.entries(plots)) {
    const { svg, png } = await renderPlot(spec);
    writeFileSync(join(o.out, `${name}.svg`), svg);
    writeFileSync(join(o.out, `${name}.png`), png);
    writeFileSync(join(o.out, `${name}.vl.json`), `${JSON.stringify(spec, null, 2)}\n`);
  }
  const rel = (p: string) => relative(o.out, p) || ".";
  const md = [
    "# HBPO vs GRPO",
    "",
    `GRPO and HBPO trained ${o.steps} steps each from the same SFT checkpoint (\`${rel(sft)}\`), seed ${o.seed}, the same`,
    `rollouts per step (${o.prompts ?? 16} prompts × 16; HBPO: 4 budgets × 4), then ` +
      (heldOut
        ? `evaluated greedily without a prefill on ${o.n} held-out problems (\`rlp eval --json\`, \`*/eval.json\`).`
        : "**not** evaluated on held-out problems (`rlp eval` was missing): accuracy and mean tokens are the training metrics' means over the last 10 steps."),
    "Token changes are relative, accuracy changes in points.",
    "",
    resultsTable(rows, "GRPO"),
    ...(heldOut
      ? ["## By difficulty (mean tokens, accuracy)", "", difficultyTable(rows), "## HBPO under each budget prefill", "", budgetTable(evalConditions(evals.hbpo.json))]
      : []),
    "## Plots",
    "",
    "![training](training.png)",
    "",
    "![per-budget lengths during HBPO training](hbpo_budget_lengths.png)",
    "",
    ...(heldOut ? ["![held-out tokens by difficulty](difficulty.png)", ""] : []),
    "## Runs",
    "",
    `- SFT: \`${rel(sft)}\``,
    `- GRPO: \`${rel(runs["grpo"]!)}\` (\`pipelines/grpo.rlp\`)`,
    `- HBPO: \`${rel(runs["hbpo"]!)}\` (\`pipelines/hbpo.rlp\`)`,
    `- wall time: ${((Date.now() - started) / 1000).toFixed(0)} s`,
    "",
  ].join("\n");
  writeFileSync(join(o.out, "results.md"), md);
  log(`wrote ${join(o.out, "results.md")} and the plots`);
  const headline = (e: EvalResult) => ({ accuracy: e.accuracy, mean_tokens: e.meanTokens });
  return { grpo: headline(evals.grpo.result), hbpo: headline(evals.hbpo.result) };
}

async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (positionals[0] !== "hbpo" || positionals.length !== 1) {
    throw new UsageError("usage: npm run repro -- hbpo [--steps N] [--out DIR] [--quick] [--seed S] [--sft RUN_DIR] [--sft-steps N] [--prompts P] [--n N] [--backend B]");
  }
  const quick = flags["quick"] === true;
  const num = (k: string) => flags[k] as number | undefined;
  const positive = (k: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new UsageError(`--${k} must be a positive integer, got ${v}`);
    return v;
  };
  const sftSteps = positive("sft-steps", num("sft-steps") ?? (quick ? 20 : undefined));
  const prompts = positive("prompts", num("prompts") ?? (quick ? 4 : undefined));
  const opts: Options = {
    out: (flags["out"] as string | undefined) ?? join("runs", "repro", `hbpo-${timestamp(new Date())}`),
    steps: positive("steps", num("steps") ?? (quick ? 3 : 100))!,
    seed: num("seed") ?? 1,
    n: positive("n", num("n") ?? (quick ? 24 : 200))!,
    ...(flags["sft"] === undefined ? {} : { sftRun: flags["sft"] as string }),
    ...(sftSteps === undefined ? {} : { sftSteps }),
    ...(prompts === undefined ? {} : { prompts }),
    ...(flags["backend"] === undefined ? {} : { backend: flags["backend"] as string }),
  };
  const result = await reproHbpo(opts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`repro: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
