/**
 * `--set KEY=VALUE` overrides of a compiled pipeline (verl-style dotted keys), for quick
 * experiments and small test runs: `rollout.prompts=4`, `rollout.max_tokens=16`,
 * `optimize.grad_clip=1`, `optimizer.lr=1e-3`, `data.digits=1..2`. Values are checked against the
 * same stdlib schemas the compiler uses; the result is a new IR with its own hash, which the run
 * manifest records together with the overrides so that `rlp resume` can rebuild it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { didYouMean } from "../../compiler/diagnostics/suggest.js";
import { withIrHash } from "../../compiler/ir/hash.js";
import type { IrDocument, IrLevel, IrNode, JsonValue } from "../../compiler/ir/types.js";
import { stdlibDir } from "../../compiler/paths.js";

export class OverrideError extends Error {
  override readonly name = "OverrideError";
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
  }
}

type Setter = (ir: Mutable, value: JsonValue) => void;

interface Mutable {
  rollout: Record<string, unknown> & { levels: IrLevel[] };
  optimize: Record<string, JsonValue>;
  nodes: IrNode[];
  outputs: IrDocument["outputs"];
}

const ROLLOUT_KEYS = ["prompts", "samples", "temperature", "top_p", "max_tokens", "on_reward_error", "train_prefill"] as const;
const OPTIMIZE_KEYS = ["grad_clip", "ppo_epochs", "mini_batches", "checkpoint_every"] as const;
const OPTIMIZER_KEYS = ["lr", "beta1", "beta2", "eps", "weight_decay"] as const;

function schemas(): { rollout: Record<string, object>; optimize: Record<string, object> } {
  const doc = JSON.parse(readFileSync(join(stdlibDir(), "schemas", "rollout.json"), "utf8")) as {
    blocks: { rollout: { properties: Record<string, object> }; optimize: { properties: Record<string, object> } };
  };
  return { rollout: doc.blocks.rollout.properties, optimize: doc.blocks.optimize.properties };
}

function parseValue(text: string): JsonValue {
  const range = /^(\d+)\.\.(\d+)$/.exec(text);
  if (range !== null) return { min: Number(range[1]), max: Number(range[2]) };
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function replaceNode(ir: Mutable, id: string, params: Record<string, JsonValue>): void {
  ir.nodes = ir.nodes.map((n) => (n.id === id ? { ...n, params } : n));
}

function setters(): Record<string, { validate: (v: JsonValue) => string | undefined; set: Setter }> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const s = schemas();
  const check = (fn: ValidateFunction) => (v: JsonValue) => (fn(v) ? undefined : ajv.errorsText(fn.errors, { dataVar: "value" }));
  const out: Record<string, { validate: (v: JsonValue) => string | undefined; set: Setter }> = {};
  for (const key of ROLLOUT_KEYS) {
    out[`rollout.${key}`] = {
      validate: check(ajv.compile(s.rollout[key]!)),
      set: (ir, v) => {
        if (key === "samples" && ir.rollout.levels.length > 0) {
          // With declared levels the group size lives on the innermost level.
          const last = ir.rollout.levels.length - 1;
          ir.rollout.levels = ir.rollout.levels.map((l, i) => (i === last ? { ...l, samples: v as number } : l));
          return;
        }
        if (key === "max_tokens") {
          const cap = v as number;
          const over = ir.rollout.levels.find((l) => (l.max_tokens ?? []).some((m) => m > cap));
          if (over !== undefined) throw new OverrideError(`rollout.max_tokens=${cap} is below a \`max_tokens\` of level \`${over.name}\``, "lower the level's max_tokens in the file instead");
        }
        ir.rollout[key] = v;
      },
    };
  }
  for (const key of OPTIMIZE_KEYS) {
    out[`optimize.${key}`] = { validate: check(ajv.compile(s.optimize[key]!)), set: (ir, v) => void (ir.optimize[key] = v) };
  }
  for (const key of OPTIMIZER_KEYS) {
    out[`optimizer.${key}`] = {
      validate: (v) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? undefined : "value must be a non-negative number"),
      set: (ir, v) => {
        const node = ir.nodes.find((n) => n.id === ir.outputs.optimizer);
        if (node !== undefined) replaceNode(ir, node.id, { ...node.params, [key]: v });
      },
    };
  }
  out["data.digits"] = {
    validate: (v) => {
      const d = v as { min?: unknown; max?: unknown };
      const ok = typeof v === "object" && v !== null && Number.isInteger(d.min) && Number.isInteger(d.max) && (d.min as number) >= 1 && (d.max as number) <= 12 && (d.min as number) <= (d.max as number);
      return ok ? undefined : "value must be a digit range MIN..MAX within 1..12";
    },
    set: (ir, v) => {
      const node = ir.nodes.find((n) => n.id === ir.outputs.data);
      if (node !== undefined) replaceNode(ir, node.id, { ...node.params, digits: v });
    },
  };
  return out;
}

export interface Override {
  readonly key: string;
  readonly value: JsonValue;
}

/** Parses and validates `KEY=VALUE` strings. Throws OverrideError with a did-you-mean. */
export function parseOverrides(items: readonly string[]): Override[] {
  const known = setters();
  return items.map((item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new OverrideError(`\`--set ${item}\` is not KEY=VALUE`, "e.g. `--set rollout.prompts=4`");
    const key = item.slice(0, eq);
    const entry = known[key];
    if (entry === undefined) {
      const hint = didYouMean(key, Object.keys(known));
      throw new OverrideError(`\`${key}\` cannot be set from the command line`, hint ?? `settable keys: ${Object.keys(known).join(", ")}`);
    }
    const value = parseValue(item.slice(eq + 1));
    const problem = entry.validate(value);
    if (problem !== undefined) throw new OverrideError(`invalid value for \`${key}\`: ${problem}`);
    return { key, value };
  });
}

/** The IR with the overrides applied and its hash recomputed. */
export function applyOverrides(ir: IrDocument, overrides: readonly Override[]): IrDocument {
  if (overrides.length === 0) return ir;
  const known = setters();
  const { hash: _hash, ...rest } = ir;
  const m: Mutable = {
    rollout: { ...ir.rollout, levels: [...ir.rollout.levels] } as Mutable["rollout"],
    optimize: { ...ir.optimize },
    nodes: [...ir.nodes],
    outputs: ir.outputs,
  };
  for (const o of overrides) known[o.key]!.set(m, o.value);
  return withIrHash({ ...rest, rollout: m.rollout as unknown as IrDocument["rollout"], optimize: m.optimize, nodes: m.nodes });
}
