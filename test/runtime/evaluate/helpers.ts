/**
 * Test helpers: compiling pipelines (files or inline sources), hand-made rollouts, and a seeded
 * synthetic batch for any IR (right level values, group sizes from the IR or ragged on request).
 */
import { compileFile, compileSource } from "../../../src/compiler/index.js";
import type { IrDocument } from "../../../src/compiler/ir/types.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import type { EvalEnv, Rollout, RolloutBatch } from "../../../src/runtime/evaluate/index.js";

export async function compilePipeline(path: string): Promise<IrDocument> {
  const { ir, diagnostics } = await compileFile(path);
  if (ir === undefined) throw new Error(`${path} did not compile: ${diagnostics.map((d) => d.message).join("; ")}`);
  return ir;
}

export function compileText(source: string): IrDocument {
  const { ir, diagnostics } = compileSource(new SourceFile("inline.rlp", source), new SourceMap());
  if (ir === undefined) throw new Error(`inline pipeline did not compile: ${diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return ir;
}

/**
 * A small pipeline around the given blocks: one `budget` level (2 and 4) unless `rollout` is
 * given, `A = score` unless an advantage block is given, and a plain ppo_clip loss unless `loss` is.
 */
export function pipeline(parts: { reward?: string; advantage?: string; rollout?: string; loss?: string; uses?: string; header?: string }): IrDocument {
  return compileText(`
use std.tasks.{arith}
use std.rewards.{${parts.uses ?? "exact_match, well_formed"}}
${parts.header ?? ""}
pipeline t {
  policy    = tiny_lm(preset: "arith")
  reference = frozen(policy)
  data      = arith(digits: 1..2)
  rollout { ${parts.rollout ?? 'prompts = 2  max_tokens = 8  level budget in [2, 4] { samples = 2 }'} }
  reward { ${parts.reward ?? "score = tokens"} }
  advantage { ${parts.advantage ?? "A = score"} }
  loss = ${parts.loss ?? "ppo_clip(A)"}
  optimize { optimizer = adam(lr: 1e-3) }
}`);
}

/** Well-formed means "has </think>" in these tests. */
export const TASK_ENV: EvalEnv = { task: { wellFormed: (t) => t.includes("</think>") } };

export function rollout(r: Partial<Rollout> & { prompt: number; sample: number }): Rollout {
  const tokens = r.tokens ?? 3;
  const logp = r.logp ?? Float32Array.from({ length: tokens }, (_, t) => -0.5 - 0.1 * t);
  return {
    levels: {},
    text: "x</think>",
    answer: "",
    finished: true,
    entropy: new Float32Array(logp.length),
    ...r,
    tokens,
    logp,
  };
}

export function prompts(...targets: (string | number)[]): RolloutBatch["prompts"] {
  return targets.map((target, i) => ({ id: `p${i}`, fields: { target: String(target), difficulty: i + 1, prompt_tokens: 10 + i } }));
}

/** mulberry32: a small seeded generator, so synthetic batches are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  readonly prompts?: number;
  readonly seed?: number;
  /** Rollouts for one prompt and one combination of level values; default the IR's group size (2..6 for allocation rules). */
  readonly groupSize?: (prompt: number, levels: Readonly<Record<string, number | string>>, random: () => number) => number;
  readonly pCorrect?: number;
  readonly pWellFormed?: number;
  readonly refLogp?: boolean;
}

/** A plausible batch for any IR: every combination of level values per prompt, ragged where asked. */
export function syntheticBatch(ir: IrDocument, options: SyntheticOptions = {}): RolloutBatch {
  const random = rng(options.seed ?? 1);
  const promptCount = options.prompts ?? Math.min(ir.rollout.prompts, 8);
  const levels = ir.rollout.levels;
  const innermost = levels.at(-1)?.samples;
  const fixed = typeof ir.rollout.samples === "number" ? (innermost ?? ir.rollout.samples) : innermost;
  const groupSize = options.groupSize ?? ((_p: number, _l: unknown, r: () => number) => fixed ?? 2 + Math.floor(r() * 5));
  let combos: { values: Record<string, number | string>; maxTokens: number }[] = [{ values: {}, maxTokens: ir.rollout.max_tokens }];
  for (const level of levels) {
    combos = combos.flatMap((c) =>
      level.values.map((v, i) => ({ values: { ...c.values, [level.name]: v }, maxTokens: Math.min(c.maxTokens, level.max_tokens?.[i] ?? c.maxTokens) })),
    );
  }
  const batchPrompts = Array.from({ length: promptCount }, (_, p) => ({
    id: `prompt-${p}`,
    fields: { target: String(10 + Math.floor(random() * 90)), difficulty: 1 + (p % 8), prompt_tokens: 8 + p },
  }));
  const rollouts: Rollout[] = [];
  for (let p = 0; p < promptCount; p++) {
    for (const combo of combos) {
      const n = groupSize(p, combo.values, random);
      for (let s = 0; s < n; s++) {
        const tokens = 1 + Math.floor(random() * combo.maxTokens);
        const logp = Float32Array.from({ length: tokens }, () => -3 * random());
        const wellFormed = random() < (options.pWellFormed ?? 0.8);
        const correct = random() < (options.pCorrect ?? 0.5);
        const target = batchPrompts[p]!.fields.target;
        rollouts.push({
          prompt: p,
          levels: combo.values,
          sample: s,
          text: wellFormed ? `thinking</think>${target}` : "thinking",
          answer: correct ? target : "0",
          tokens,
          finished: tokens < combo.maxTokens,
          logp,
          entropy: Float32Array.from({ length: tokens }, () => 2 * random()),
          ...(options.refLogp === false ? {} : { refLogp: Float32Array.from(logp, (l) => l + 0.2 * (random() - 0.5)) }),
        });
      }
    }
  }
  return { prompts: batchPrompts, rollouts };
}
