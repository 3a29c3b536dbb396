/**
 * `rlp resume DIR`: continues a run from its latest checkpoint (or from the start when it was
 * stopped before its first one). The recorded source is recompiled with the recorded overrides and
 * must give the recorded IR hash; metrics.jsonl keeps its lines up to the checkpoint's step and the
 * run appends from there, so a run killed at any moment ends with the lines an uninterrupted run
 * writes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource } from "../../compiler/index.js";
import { SourceFile, SourceMap } from "../../compiler/source.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { renderText, summaryLine } from "../../compiler/diagnostics/render-text.js";
import { irDifferences } from "../../runtime/run/ir-diff.js";
import { ManifestError, readManifest } from "../../runtime/run/manifest.js";
import { applyOverrides } from "../../runtime/run/overrides.js";
import { executeRun } from "../../runtime/run/session.js";
import { readLatestName } from "../../runtime/services/checkpoint-files.js";
import { truncateMetrics } from "../../runtime/services/metrics-jsonl.js";
import type { BackendName } from "../../runtime/tfjs/backend.js";
import { parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type Command } from "../io.js";

const FLAGS: Record<string, FlagSpec> = {};

export const resumeCommand: Command = {
  name: "resume",
  summary: "continue a stopped or killed run from its latest checkpoint",
  usage: [
    "usage: rlp resume DIR",
    "",
    "Continues the run in DIR (made by `rlp run`) to its recorded number of steps, with its recorded",
    "seed, backend and overrides. Refuses when the pipeline file changed since the run started.",
    "",
    "exit codes: 0 done, 1 the run cannot be resumed, 2 usage, 4 the run failed, 130 interrupted (checkpoint saved)",
  ].join("\n"),
  async run(argv, io) {
    const { positionals } = parseArgs(argv, FLAGS);
    if (positionals.length !== 1) throw new UsageError("`rlp resume` needs exactly one run directory", "e.g. `rlp resume runs/grpo/2026-11-27T10-00-00`");
    const dir = positionals[0]!;
    if (!existsSync(dir)) throw new UsageError(`cannot read \`${dir}\`: no such directory`);
    let manifest;
    try {
      manifest = readManifest(dir);
    } catch (e) {
      if (e instanceof ManifestError) {
        io.stderr(`error: cannot resume ${dir}: ${e.message}\n`);
        return EXIT.diagnostics;
      }
      throw e;
    }
    if (!existsSync(manifest.source_path)) {
      io.stderr(`error: cannot resume ${dir}: its pipeline file ${manifest.source_path} no longer exists\n`);
      return EXIT.diagnostics;
    }
    // Compiled under the path the run was started with: the IR records it, so the hash depends on it.
    const file = new SourceFile(manifest.source, readFileSync(manifest.source_path, "utf8"));
    const compiled = compileSource(file, new SourceMap(), manifest.pipeline_option === undefined ? {} : { pipeline: manifest.pipeline_option });
    if (compiled.ir === undefined || hasErrors(compiled.diagnostics)) {
      io.stderr(renderText(compiled.diagnostics, compiled.sources, { color: io.color }));
      io.stderr(`${summaryLine(compiled.diagnostics, { target: manifest.source_path, color: io.color })}\n`);
      return EXIT.diagnostics;
    }
    const ir = applyOverrides(compiled.ir, manifest.overrides);
    if (ir.hash !== manifest.ir_hash) {
      const changes = manifest.ir === undefined ? [] : irDifferences(manifest.ir, ir);
      io.stderr(
        [
          `error: cannot resume ${dir}: ${manifest.source_path} changed since the run started`,
          `  = note: the run's pipeline has IR hash ${manifest.ir_hash.slice(0, 12)}…, the file now compiles to ${ir.hash.slice(0, 12)}…`,
          ...changes.map((c) => `  = note: ${c}`),
          "  = help: restore the file, or start a new run that warm-starts from this one: tiny_lm(from: \"" + join(dir, "checkpoints") + "\")",
          "",
        ].join("\n"),
      );
      return EXIT.diagnostics;
    }
    const latest = readLatestName(join(dir, "checkpoints"));
    const step = latest === undefined ? 0 : Number(latest.slice("step_".length));
    if (step >= manifest.steps) {
      io.stderr(`${dir} is complete: step ${step} of ${manifest.steps}\n`);
      return EXIT.ok;
    }
    // Lines after the checkpoint come from the killed process; the resumed run writes them again.
    truncateMetrics(join(dir, "metrics.jsonl"), step);
    return executeRun({
      io,
      ir,
      sources: compiled.sources,
      dir,
      seed: manifest.seed,
      backend: manifest.backend as BackendName,
      steps: manifest.steps,
      checkpointEvery: manifest.checkpoint_every,
      keepCheckpoints: manifest.keep_checkpoints ?? 3,
      workers: manifest.workers ?? 0,
      resume: true,
    });
  },
};
