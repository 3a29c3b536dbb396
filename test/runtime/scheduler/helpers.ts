/** Test helpers: pipelines compiled from files or inline text (with overrides), and the services a step needs. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { compileFile, compileSource } from "../../../src/compiler/index.js";
import type { IrDocument } from "../../../src/compiler/ir/types.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import { applyOverrides, parseOverrides } from "../../../src/runtime/run/overrides.js";
import { layers } from "../../../src/runtime/run/program.js";
import { planRun, type RunPlan } from "../../../src/runtime/scheduler/plan.js";
import type { Checkpoints } from "../../../src/runtime/services/checkpoints.js";
import type { Executor } from "../../../src/runtime/services/executor.js";
import { MemorySink, type Metrics } from "../../../src/runtime/services/metrics.js";
import type { Random } from "../../../src/runtime/services/random.js";
import type { Tasks } from "../../../src/runtime/services/tasks.js";
import type { BackendName } from "../../../src/runtime/tfjs/backend.js";

export const backend = (process.env["RLP_TEST_BACKEND"] ?? "wasm") as BackendName;

export async function compilePipeline(path: string, overrides: string[] = []): Promise<IrDocument> {
  const { ir, diagnostics } = await compileFile(path);
  if (ir === undefined) throw new Error(`${path} did not compile: ${diagnostics.map((d) => d.message).join("; ")}`);
  return applyOverrides(ir, parseOverrides(overrides));
}

export function compileText(text: string, overrides: string[] = []): IrDocument {
  const { ir, diagnostics } = compileSource(new SourceFile("inline.rlp", text), new SourceMap());
  if (ir === undefined) throw new Error(`inline pipeline did not compile: ${diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return applyOverrides(ir, parseOverrides(overrides));
}

/**
 * The pipeline in `path` from a freshly initialised model instead of its `cache:` warm start, so a
 * test neither needs nor trains the cached SFT run (a fresh clone has none).
 */
export function compileColdStart(path: string, overrides: string[] = []): IrDocument {
  const text = readFileSync(path, "utf8");
  const cold = text.replace(/,\s*from:\s*"cache:[^"]*"/g, "");
  if (cold === text) throw new Error(`${path} names no cache: warm start`);
  return compileText(cold, overrides);
}

/** A small pipeline around the given parts (defaults: GRPO-like, 2 prompts × 2 samples, 8 tokens). */
export function smallPipeline(parts: { rollout?: string; reward?: string; advantage?: string; loss?: string; optimize?: string; reference?: boolean } = {}): IrDocument {
  return compileText(`
use std.tasks.{arith}
use std.rewards.{exact_match, well_formed}
pipeline t {
  policy = tiny_lm(preset: "arith")
  ${parts.reference === true ? "reference = frozen(policy)" : ""}
  data   = arith(digits: 1..2)
  rollout { ${parts.rollout ?? "prompts = 2  samples = 2  max_tokens = 8"} }
  reward { ${parts.reward ?? "correct = exact_match(answer, target)  score = if !well_formed(text) then -1 else correct"} }
  advantage { ${parts.advantage ?? "A = (score - mean(score by prompt)) / (std(score by prompt) + 1e-6)"} }
  loss = ${parts.loss ?? "ppo_clip(A)"}
  optimize { optimizer = adam(lr: 1e-3)  ${parts.optimize ?? ""} }
}`);
}

/** Runs `effect` with every service a step needs (a fresh executor, a temporary run directory). */
type Services = Executor | Tasks | Random | Metrics | Checkpoints;

export function withServices<A, E>(ir: IrDocument, effect: (plan: RunPlan) => Effect.Effect<A, E, Services>, options: { seed?: number; sink?: MemorySink } = {}): Promise<A> {
  const plan = planRun(ir);
  const dir = mkdtempSync(join(tmpdir(), "rlp-step-"));
  const config = { ir, dir, seed: options.seed ?? 1, backend, steps: 1, checkpointEvery: 1, keepCheckpoints: 2, workers: 0, sinks: [options.sink ?? new MemorySink()], stop: { requested: false }, resume: false };
  return Effect.runPromise(Effect.scoped(effect(plan).pipe(Effect.provide(layers(config, plan)))));
}
