/**
 * `rlp run FILE`: compile (diagnostics → exit 1), apply `--set` overrides, check the plan, write
 * the run manifest and train with a progress bar (plain lines off a terminal), metrics.jsonl and
 * atomic checkpoints. Exit 0 when done, 4 on a runtime failure (located, last good checkpoint
 * kept), 130 on SIGINT after a checkpoint.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Effect, Exit, Cause, Option } from "effect";
import { compileFile } from "../../compiler/index.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { renderText, summaryLine } from "../../compiler/diagnostics/render-text.js";
import { makeManifest, manifestPath, writeManifest } from "../../runtime/run/manifest.js";
import { applyOverrides, OverrideError, parseOverrides } from "../../runtime/run/overrides.js";
import { checkPlan } from "../../runtime/run/program.js";
import { renderRuntimeError } from "../../runtime/run/report.js";
import { executeRun } from "../../runtime/run/session.js";
import { prepareWarmStart } from "../../runtime/eval/warm-start-cache.js";
import { WarmStartError } from "../../runtime/executor/warm-start.js";
import { runSettings, RUN_BACKENDS, SettingError } from "../../runtime/run/settings.js";
import type { PlanError } from "../../runtime/services/errors.js";
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type Command } from "../io.js";

const FLAGS: Record<string, FlagSpec> = {
  steps: { kind: "number", description: "training steps (default: the pipeline's `optimize.steps`)" },
  backend: { kind: "string", choices: RUN_BACKENDS, description: "tensor backend (default: the pipeline's, else wasm)" },
  seed: { kind: "number", description: "root seed (default: the pipeline's `optimize.seed`)" },
  out: { kind: "string", short: "o", description: "run directory (default: runs/<pipeline>/<timestamp>)" },
  "checkpoint-every": { kind: "number", description: "checkpoint every K steps (default: the pipeline's, else 10)" },
  "keep-checkpoints": { kind: "number", description: "checkpoints to keep (default 3)" },
  workers: { kind: "number", description: "worker threads for data parallelism (default 0; results depend on it)" },
  pipeline: { kind: "string", description: "which pipeline of the file to run when it declares several" },
  set: { kind: "strings", description: "override a setting, e.g. --set rollout.prompts=4 (repeatable)" },
};

function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
}

export const runCommand: Command = {
  name: "run",
  summary: "train a pipeline on the local executor",
  usage: [
    "usage: rlp run FILE [options]",
    "",
    "Compiles FILE, then trains it, writing DIR/manifest.json, DIR/metrics.jsonl (one line per step)",
    "and atomic checkpoints under DIR/checkpoints. Continue a stopped run with `rlp resume DIR`.",
    "",
    "options:",
    formatFlags(FLAGS),
    "",
    "settable with --set: rollout.{prompts,samples,temperature,top_p,max_tokens,on_reward_error,train_prefill},",
    "optimize.{grad_clip,ppo_epochs,mini_batches,checkpoint_every}, optimizer.{lr,beta1,beta2,eps,weight_decay},",
    "data.digits (MIN..MAX)",
    "",
    "exit codes: 0 done, 1 errors in the pipeline, 2 usage, 4 the run failed, 130 interrupted (checkpoint saved)",
  ].join("\n"),
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length !== 1) throw new UsageError("`rlp run` needs exactly one pipeline file", "e.g. `rlp run pipelines/grpo.rlp --steps 20`");
    const file = positionals[0]!;
    if (!existsSync(file)) throw new UsageError(`cannot read \`${file}\`: no such file or directory`);
    let overrides;
    try {
      overrides = parseOverrides((flags["set"] as string[] | undefined) ?? []);
    } catch (e) {
      if (e instanceof OverrideError) throw new UsageError(e.message, e.help);
      throw e;
    }
    const pipelineOption = flags["pipeline"] as string | undefined;
    const compiled = await compileFile(file, pipelineOption === undefined ? {} : { pipeline: pipelineOption });
    if (compiled.diagnostics.length > 0) io.stderr(renderText(compiled.diagnostics, compiled.sources, { color: io.color }));
    if (compiled.ir === undefined || hasErrors(compiled.diagnostics)) {
      const line = summaryLine(compiled.diagnostics, { target: file, color: io.color });
      io.stderr(line === "" ? `error: ${file} declares ${pipelineOption === undefined ? "several pipelines; choose one with --pipeline NAME" : "no runnable pipeline"}\n` : `${line}\n`);
      return EXIT.diagnostics;
    }
    const ir = applyOverrides(compiled.ir, overrides);
    const planned = await Effect.runPromiseExit(checkPlan(ir));
    if (Exit.isFailure(planned)) {
      const e = Option.getOrThrow(Cause.findErrorOption(planned.cause)) as PlanError;
      io.stderr(renderRuntimeError(e, { ir, sources: compiled.sources, color: io.color }));
      return EXIT.diagnostics;
    }
    let settings;
    try {
      settings = runSettings(planned.value, {
        steps: flags["steps"] as number | undefined,
        seed: flags["seed"] as number | undefined,
        backend: flags["backend"] as string | undefined,
        checkpointEvery: flags["checkpoint-every"] as number | undefined,
        keepCheckpoints: flags["keep-checkpoints"] as number | undefined,
        workers: flags["workers"] as number | undefined,
      });
    } catch (e) {
      if (e instanceof SettingError) throw new UsageError(e.message);
      throw e;
    }
    const dir = (flags["out"] as string | undefined) ?? join("runs", ir.pipeline, timestamp(new Date()));
    if (existsSync(manifestPath(dir))) throw new UsageError(`\`${dir}\` already holds a run`, `continue it with \`rlp resume ${dir}\`, or choose another --out`);
    // `tiny_lm(from: "cache:FILE")`: train FILE into .rlp-cache/ first when it is not cached.
    try {
      const warm = await prepareWarmStart(ir, { io, cwd: io.cwd, backend: settings.backend });
      if (warm !== EXIT.ok) return warm;
    } catch (e) {
      if (e instanceof WarmStartError) {
        io.stderr(`error: ${e.message}\n`);
        return EXIT.diagnostics;
      }
      throw e;
    }
    const created = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    const code = await executeRun({
      io,
      ir,
      sources: compiled.sources,
      dir,
      ...settings,
      resume: false,
      onReady: (info) =>
        writeManifest(
          dir,
          makeManifest({ ir, file, sourcePath: resolve(io.cwd, file), pipelineOption, overrides, settings, info, argv: ["run", ...argv], cwd: io.cwd }),
        ),
    });
    // A run that never started (no backend, no model) leaves no directory behind.
    if (created && !existsSync(manifestPath(dir))) rmSync(dir, { recursive: true, force: true });
    return code;
  },
};
