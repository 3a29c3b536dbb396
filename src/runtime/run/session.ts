/**
 * One CLI training session (`rlp run` or `rlp resume`): sinks (metrics.jsonl, the console progress,
 * the summary), the SIGINT handler (first press: finish the step, checkpoint, exit 130; second:
 * quit at once), the Effect program, and the exit code with a located message on failure.
 */
import { join } from "node:path";
import { Cause, Effect, Exit, Option } from "effect";
import type { IrDocument } from "../../compiler/ir/types.js";
import type { SourceMap } from "../../compiler/source.js";
import { readLatestName } from "../services/checkpoint-files.js";
import type { RuntimeError } from "../services/errors.js";
import type { ExecutorInfo } from "../services/executor.js";
import { JsonlSink } from "../services/metrics-jsonl.js";
import type { RunSettings } from "./settings.js";
import type { StopSignal } from "../scheduler/loop.js";
import { trainProgram } from "./program.js";
import { ProgressSink } from "./progress.js";
import { renderRuntimeError } from "./report.js";
import { SummarySink, type HeldOutSummary } from "./summary.js";
import { evaluateCheckpoint } from "../eval/evaluate.js";
import { mostFrequentOpening } from "../tasks/eval.js";

/** What a session may print to and read of its terminal (a subset of the CLI's io). */
export interface SessionIO {
  stderr(text: string): void;
  readonly color: boolean;
  readonly isTTY: boolean;
}

export interface SessionParams extends RunSettings {
  readonly io: SessionIO;
  readonly ir: IrDocument;
  readonly sources?: SourceMap;
  readonly dir: string;
  readonly resume: boolean;
  /** Held-out problems scored greedily after a finished run for the summary (default 48; 0: none). */
  readonly heldOut?: number;
  /** Runs once the executor is up (the run command writes the manifest here). */
  readonly onReady?: (info: ExecutorInfo, startStep: number) => void;
}

export const EXIT_CODES = { ok: 0, diagnostics: 1, runtime: 4, interrupted: 130 } as const;

function lastCheckpoint(dir: string): { step: number; path: string } | undefined {
  const name = readLatestName(join(dir, "checkpoints"));
  return name === undefined ? undefined : { step: Number(name.slice(5)), path: join(dir, "checkpoints", name) };
}

/** The summary's held-out numbers; none when the task is not `arith` or anything fails (it never fails the run). */
async function heldOutSummary(ir: IrDocument, checkpoint: string | undefined, n: number): Promise<HeldOutSummary | undefined> {
  if (checkpoint === undefined || n <= 0) return undefined;
  try {
    const results = await evaluateCheckpoint(ir, checkpoint, n);
    const free = results.find((r) => r.prefill === "");
    return {
      n,
      rows: results.map((r) => ({ label: r.prefill === "" ? "no prefill" : r.budget !== undefined ? `budget ${r.budget}` : r.prefill, accuracy: r.accuracy, meanTokens: r.meanTokens })),
      ...(free === undefined ? {} : { byDifficulty: free.byDifficulty.map((d) => ({ difficulty: d.difficulty, accuracy: d.accuracy, meanTokens: d.meanTokens, opening: mostFrequentOpening(d.openings) ?? "<think>" })) }),
    };
  } catch {
    return undefined;
  }
}

export async function executeRun(p: SessionParams): Promise<number> {
  const { io } = p;
  const stop: StopSignal = { requested: false };
  const summary = new SummarySink();
  let progress: ProgressSink | undefined;
  let presses = 0;
  const onSigint = () => {
    presses++;
    if (presses === 1) {
      stop.requested = true;
      io.stderr("\ninterrupt: finishing this step, then saving a checkpoint (press Ctrl-C again to quit without saving)\n");
    } else process.exit(EXIT_CODES.interrupted);
  };
  process.on("SIGINT", onSigint);
  const started = performance.now();
  try {
    const jsonl = new JsonlSink(join(p.dir, "metrics.jsonl"));
    const exit = await Effect.runPromiseExit(
      trainProgram({
        ir: p.ir,
        dir: p.dir,
        seed: p.seed,
        backend: p.backend,
        steps: p.steps,
        checkpointEvery: p.checkpointEvery,
        keepCheckpoints: p.keepCheckpoints,
        workers: p.workers,
        resume: p.resume,
        stop,
        // The progress sink is created lazily below, once the start step is known.
        sinks: [jsonl, summary, { name: "console", write: (r) => progress?.write(r), note: (t) => (progress === undefined ? io.stderr(`${t}\n`) : progress.note(t)), close: () => progress?.close() }],
        onReady: (info, startStep) => {
          p.onReady?.(info, startStep);
          io.stderr(
            `${p.resume ? "resuming" : "running"} ${p.ir.pipeline} (ir ${p.ir.hash.slice(0, 12)}) from step ${startStep} to ${p.steps}, seed ${p.seed}, ${info.model} on ${info.backend} (${info.device}) → ${p.dir}\n`,
          );
          progress = new ProgressSink({ write: (t) => io.stderr(t), tty: io.isTTY, label: p.ir.pipeline, total: p.steps, initial: startStep, columns: process.stderr.columns ?? 100 });
          progress.start();
        },
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (Exit.isSuccess(exit)) {
      const heldOut = await heldOutSummary(p.ir, exit.value.checkpoint, p.heldOut ?? 48);
      io.stderr(`${summary.lines({ total: p.steps, dir: p.dir, checkpoint: exit.value.checkpoint, seconds, heldOut }).join("\n")}\n`);
      return EXIT_CODES.ok;
    }
    const error = Cause.findErrorOption(exit.cause) as Option.Option<RuntimeError>;
    if (Option.isNone(error)) throw Cause.squash(exit.cause);
    const e = error.value;
    if (e._tag === "Interrupted") {
      io.stderr(`interrupted after step ${e.step}; checkpoint saved to ${e.checkpoint}\ncontinue with \`rlp resume ${p.dir}\`\n`);
      return EXIT_CODES.interrupted;
    }
    const checkpoint = lastCheckpoint(p.dir);
    io.stderr(
      renderRuntimeError(e, {
        ir: p.ir,
        color: io.color,
        dir: p.dir,
        ...(p.sources === undefined ? {} : { sources: p.sources }),
        ...(checkpoint === undefined ? {} : { checkpoint }),
      }),
    );
    return e._tag === "PlanError" ? EXIT_CODES.diagnostics : EXIT_CODES.runtime;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
