/**
 * `npm run repro -- hbpo [--steps N] [--out DIR] [--quick] ...`: the HBPO-vs-GRPO reproduction.
 *
 * 1. SFT warm start: `rlp run pipelines/sft.rlp --out DIR/sft --steps 3000` (or `--sft RUN_DIR`).
 *    GRPO and HBPO then run 300 steps each (the committed pipelines say 1,800 and 250, for a
 *    main command under 5 minutes).
 * 2. GRPO and HBPO from that checkpoint, side by side, with the same seed and the same rollouts per
 *    step (16 prompts x 16 samples; HBPO's 16 are 4 budgets x 4): `bench/repro/grpo.rlp` and
 *    `pipelines/hbpo.rlp` with their `from` pointed at the SFT run, written to DIR/pipelines/.
 * 3. `rlp eval --json` on the SFT run and both RL runs (DIR/<run>/eval.json).
 * 4. DIR/results.md (tables), DIR/{training,hbpo_budget_lengths,difficulty}.{svg,png} and their
 *    Vega-Lite specs (.vl.json), then one last stdout line of JSON:
 *    {"grpo": {"accuracy": …, "mean_tokens": …}, "hbpo": {…}}.
 *
 * Every child is `node bin/rlp.js …`, so each run is a normal run directory (resumable, evaluable).
 * Children's output goes to stderr; stdout carries only the final JSON line. See docs/repro.md.
 */
import { spawn } from "node:child_process";
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
  levelOrder,
  openingsTable,
  type EvalResult,
} from "../src/runtime/report/index.js";

const FLAGS: Record<string, FlagSpec> = {
  steps: { kind: "number", description: "RL steps of each algorithm (default 300; --quick 3)" },
  out: { kind: "string", short: "o", description: "output directory (default runs/repro/hbpo-<time>)" },
  quick: { kind: "boolean", description: "a smoke run: 20 SFT steps, 3 RL steps of 4 prompts, 24 eval problems" },
  seed: { kind: "number", description: "root seed of every run (default 1)" },
  sft: { kind: "string", description: "reuse this finished SFT run directory instead of training one" },
  "sft-steps": { kind: "number", description: "SFT steps of the warm start (default 3000; --quick 20)" },
  prompts: { kind: "number", description: "prompts per RL step, the same for both (default 16; --quick 4)" },
  n: { kind: "number", description: "held-out problems per evaluation (default 400; --quick 24)" },
  backend: { kind: "string", choices: ["wasm", "cpu", "webgpu", "tensorflow"], description: "tensor backend of every run" },
};

/** The repository root (this file runs as dist/bench/repro.js). */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RLP = join(ROOT, "bin", "rlp.js");
/** The `from` of the pipelines, replaced by the SFT run directory. */
const FROM_PLACEHOLDER = JSON.stringify("cache:pipelines/sft.rlp");
/**
 * Steps of the reproduction's runs: longer than the committed pipelines' (`sft.rlp` 1,800,
 * `hbpo.rlp` 250, which keep the README's main command under 5 minutes on 2 cores). The longer
 * warm start answers 2-digit sums directly more often, which is what short budgets need.
 */
const REPRO_SFT_STEPS = 3000;
const REPRO_RL_STEPS = 300;
/** The pipelines the reproduction runs: GRPO's is a template for it, HBPO's is the README's main pipeline. */
const TEMPLATES = { grpo: join("bench", "repro", "grpo.rlp"), hbpo: join("pipelines", "hbpo.rlp") } as const;

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
  readonly sftSteps: number;
  readonly prompts?: number;
  readonly n: number;
  readonly backend?: string;
}

interface Evaluated {
  readonly json: unknown;
  readonly result: EvalResult;
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

  // 1. The warm start: pipelines/sft.rlp trained for o.sftSteps into DIR/sft, or a finished run.
  const sft = o.sftRun ?? join(o.out, "sft");
  if (o.sftRun === undefined) {
    if (existsSync(join(sft, "manifest.json"))) throw new UsageError(`\`${sft}\` already holds a run`, "choose another --out, or reuse it with --sft");
    await rlp(["run", join(ROOT, "pipelines", "sft.rlp"), "--out", sft, "--seed", String(o.seed), "--steps", String(o.sftSteps), ...backend]);
  } else if (!existsSync(join(sft, "checkpoints"))) {
    throw new UsageError(`--sft \`${sft}\` has no checkpoints`, "pass a run directory `rlp run pipelines/sft.rlp` wrote");
  }

  // 2. GRPO and HBPO from it, the same seed and rollouts per step, side by side (each run is
  //    mostly one core's work, and they share nothing but the read-only warm start).
  const runs: Record<string, string> = {};
  await Promise.all(
    (["grpo", "hbpo"] as const).map((name) => {
      const template = readFileSync(join(ROOT, TEMPLATES[name]), "utf8");
      if (!template.includes(FROM_PLACEHOLDER)) throw new Error(`${TEMPLATES[name]} no longer warm-starts from ${FROM_PLACEHOLDER}`);
      const file = join(o.out, "pipelines", `${name}.rlp`);
      writeFileSync(file, template.replace(FROM_PLACEHOLDER, JSON.stringify(resolve(sft))));
      runs[name] = join(o.out, name);
      const set = o.prompts === undefined ? [] : ["--set", `rollout.prompts=${o.prompts}`];
      return rlp(["run", file, "--out", runs[name]!, "--steps", String(o.steps), "--seed", String(o.seed), ...set, ...backend]);
    }),
  );

  // 3. Held-out evaluation.
  const grpoMetrics = { name: "GRPO", metrics: readMetrics(join(runs["grpo"]!, "metrics.jsonl")) };
  const hbpoMetrics = { name: "HBPO", metrics: readMetrics(join(runs["hbpo"]!, "metrics.jsonl")) };
  const evals = { sft: await evaluate(sft, o, o.sftRun === undefined ? undefined : join(o.out, "sft_eval.json")), grpo: await evaluate(runs["grpo"]!, o), hbpo: await evaluate(runs["hbpo"]!, o) };

  // 4. Report.
  const rows = [
    { algorithm: "GRPO", eval: evals.grpo.result },
    { algorithm: "HBPO", eval: evals.hbpo.result },
    { algorithm: "SFT (warm start)", eval: evals.sft.result },
  ];
  const plots = {
    training: trainingCurvesSpec([grpoMetrics, hbpoMetrics]),
    hbpo_budget_lengths: budgetLengthsSpec(hbpoMetrics),
    difficulty: difficultySpec(rows.map((r) => ({ name: r.algorithm, eval: r.eval }))),
  };
  for (const [name, spec] of Object.entries(plots)) {
    const { svg, png } = await renderPlot(spec);
    writeFileSync(join(o.out, `${name}.svg`), svg);
    writeFileSync(join(o.out, `${name}.png`), png);
    writeFileSync(join(o.out, `${name}.vl.json`), `${JSON.stringify(spec, null, 2)}\n`);
  }
  const order = levelOrder(hbpoMetrics.metrics, "budget");
  const orderLine =
    order.largest === undefined
      ? `Per-budget mean lengths were in budget order at all ${order.steps} HBPO steps.`
      : `Per-budget mean lengths were in budget order at ${order.steps - order.unordered.length} of ${order.steps} HBPO steps; ` +
        `the largest inversion was ${order.largest.tokens.toFixed(2)} tokens (budget ${order.largest.upper} below budget ${order.largest.lower}, step ${order.largest.step}).`;
  const rel = (p: string) => relative(o.out, p) || ".";
  const md = [
    "# HBPO vs GRPO",
    "",
    `GRPO and HBPO trained ${hbpoMetrics.metrics.at(-1)?.step ?? 0} steps each from the same SFT checkpoint (\`${rel(sft)}\`), seed ${o.seed}, the same`,
    `rollouts per step (${o.prompts ?? 16} prompts × 16; HBPO: 4 budgets × 4), then ` +
      `evaluated greedily without a prefill on ${o.n} held-out problems (\`rlp eval --json\`, \`*/eval.json\`).`,
    "Token changes are relative, accuracy changes in points.",
    "",
    resultsTable(rows, "GRPO"),
    "## By difficulty (mean tokens, accuracy)",
    "",
    difficultyTable(rows),
    "## The opening each policy writes without a prefill (most frequent, its share)",
    "",
    openingsTable(rows),
    "## HBPO under each budget prefill",
    "",
    budgetTable(evalConditions(evals.hbpo.json)),
    orderLine,
    "",
    "## Plots",
    "",
    "![training](training.png)",
    "",
    "![per-budget lengths during HBPO training](hbpo_budget_lengths.png)",
    "",
    "![held-out tokens by difficulty](difficulty.png)",
    "",
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
  const steps = positive("steps", num("steps") ?? (quick ? 3 : undefined));
  const opts: Options = {
    out: (flags["out"] as string | undefined) ?? join("runs", "repro", `hbpo-${timestamp(new Date())}`),
    steps: steps ?? REPRO_RL_STEPS,
    seed: num("seed") ?? 1,
    n: positive("n", num("n") ?? (quick ? 24 : 400))!,
    ...(flags["sft"] === undefined ? {} : { sftRun: flags["sft"] as string }),
    sftSteps: sftSteps ?? REPRO_SFT_STEPS,
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
