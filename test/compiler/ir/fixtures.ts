/**
 * Hand-built IR documents for the IR and emitter tests, written the way the compiler lowers the
 * design's examples (shared/design/rlp.md §2): a GRPO graph, an HBPO graph with a declared level
 * `budget`, and a tiny graph for the renderers.
 */
import { withIrHash } from "../../../src/compiler/ir/hash.js";
import type { IrDocument, IrNode, IrSpan, JsonValue } from "../../../src/compiler/ir/types.js";

type Extra = { name?: string; params?: Record<string, JsonValue>; span?: IrSpan };

function node(id: string, kind: IrNode["kind"], op: string, section: IrNode["section"], dtype: IrNode["dtype"], level: string[], inputs: [string, string][] = [], extra: Extra = {}): IrNode {
  return {
    id,
    kind,
    op,
    ...(extra.name === undefined ? {} : { name: extra.name }),
    section,
    dtype,
    level,
    params: extra.params ?? {},
    inputs: inputs.map(([port, from]) => ({ port, node: from })),
    ...(extra.span === undefined ? {} : { span: extra.span }),
  };
}

const span = (file: string, start: number, end: number, line: number, column: number): IrSpan => ({ file, start, end, line, column });
const konst = (id: string, value: JsonValue, section: IrNode["section"], name?: string): IrNode =>
  node(id, "const", "const", section, typeof value === "number" && Number.isInteger(value) ? "i32" : "f32", [], [], { params: { value }, ...(name === undefined ? {} : { name }) });

const PS = ["prompt", "sample"];

export function grpoIr(): IrDocument {
  const file = "pipelines/grpo.rlp";
  return withIrHash({
    format_version: 1,
    rlp_version: "0.1.0",
    pipeline: "grpo",
    source: file,
    hierarchy: ["prompt", "sample", "token"],
    rollout: { prompts: 32, samples: 8, temperature: 1, top_p: 1, max_tokens: 48, stop: [], levels: [], filters: [], on_reward_error: "fail", train_prefill: false },
    optimize: { optimizer: "optimizer", seed: 1, steps: 200 },
    nodes: [
      node("policy", "model", "tiny_lm", "model", "model", [], [], { name: "policy", params: { preset: "arith" }, span: span(file, 120, 146, 6, 15) }),
      node("reference", "model", "frozen", "model", "model", [], [["model", "policy"]], { name: "reference" }),
      node("data", "data", "arith", "data", "dataset", [], [], { name: "data", params: { digits: [1, 6], split: "train" } }),
      node("text", "field", "text", "rollout", "text", PS),
      node("answer", "field", "answer", "rollout", "text", PS),
      node("target", "field", "target", "rollout", "text", ["prompt"]),
      node("correct", "call", "exact_match", "reward", "bool", PS, [["answer", "answer"], ["target", "target"]], { name: "correct", span: span(file, 400, 430, 15, 5) }),
      node("r1", "call", "well_formed", "reward", "bool", PS, [["text", "text"]]),
      node("r2", "op", "not", "reward", "bool", PS, [["operand", "r1"]]),
      konst("r3", -1, "reward"),
      node("score", "op", "if", "reward", "f32", PS, [["cond", "r2"], ["then", "r3"], ["else", "correct"]], { name: "score" }),
      node("a1", "reduce", "mean", "advantage", "f32", ["prompt"], [["x", "score"]], { params: { by: ["prompt"] } }),
      node("a2", "op", "sub", "advantage", "f32", PS, [["lhs", "score"], ["rhs", "a1"]]),
      node("a3", "reduce", "std", "advantage", "f32", ["prompt"], [["x", "score"]], { params: { by: ["prompt"] } }),
      konst("a4", 1e-6, "advantage"),
      node("a5", "op", "add", "advantage", "f32", ["prompt"], [["lhs", "a3"], ["rhs", "a4"]]),
      node("A", "op", "div", "advantage", "f32", PS, [["lhs", "a2"], ["rhs", "a5"]], { name: "A" }),
      node("l1", "loss", "ppo_clip", "loss", "loss", [], [["advantage", "A"], ["policy", "policy"]], { params: { agg: "seq_mean_token_mean", eps: 0.2 } }),
      node("l2", "loss", "kl", "loss", "loss", [], [["policy", "policy"], ["reference", "reference"]], { params: { estimator: "k3" } }),
      konst("l3", 0.04, "loss"),
      node("l4", "op", "mul", "loss", "loss", [], [["lhs", "l3"], ["rhs", "l2"]]),
      node("loss", "loss", "sum", "loss", "loss", [], [["terms/0", "l1"], ["terms/1", "l4"]], { name: "loss" }),
      node("optimizer", "optimizer", "adam", "optimize", "optimizer", [], [["loss", "loss"], ["policy", "policy"]], { name: "optimizer", params: { lr: 3e-4 } }),
    ],
    outputs: { policy: "policy", reference: "reference", data: "data", loss: "loss", optimizer: "optimizer", terms: { correct: "correct", score: "score", A: "A" } },
  });
}

export function hbpoIr(): IrDocument {
  const PBS = ["prompt", "budget", "sample"];
  return withIrHash({
    format_version: 1,
    rlp_version: "0.1.0",
    pipeline: "hbpo",
    source: "pipelines/hbpo.rlp",
    hierarchy: ["prompt", "budget", "sample", "token"],
    rollout: {
      prompts: 16,
      samples: 4,
      temperature: 1,
      top_p: 1,
      max_tokens: 64,
      stop: [],
      levels: [{ name: "budget", values: [8, 16, 32, 48], samples: 4, prefill: [{ text: "<think budget=" }, { var: "budget" }, { text: ">" }] }],
      filters: [],
      on_reward_error: "fail",
      train_prefill: false,
    },
    optimize: { optimizer: "optimizer", steps: 300 },
    nodes: [
      node("policy", "model", "tiny_lm", "model", "model", [], [], { name: "policy", params: { preset: "arith" } }),
      node("data", "data", "arith", "data", "dataset", [], [], { name: "data", params: { digits: [1, 8] } }),
      konst("L", 64, "reward", "L"),
      konst("pi", Math.PI, "reward", "pi"),
      node("text", "field", "text", "rollout", "text", PBS),
      node("answer", "field", "answer", "rollout", "text", PBS),
      node("target", "field", "target", "rollout", "text", ["prompt"]),
      node("tokens", "field", "tokens", "rollout", "i32", PBS),
      node("budget", "field", "budget", "rollout", "i32", ["budget"]),
      node("correct", "call", "exact_match", "reward", "bool", PBS, [["answer", "answer"], ["target", "target"]], { name: "correct" }),
      // f1 = 4 * cos(pi * tokens / (2 * L)) - abs(tokens - budget) / L
      konst("c4", 4, "reward"),
      konst("c2", 2, "reward"),
      node("f1a", "op", "mul", "reward", "f32", PBS, [["lhs", "pi"], ["rhs", "tokens"]]),
      node("f1b", "op", "mul", "reward", "i32", [], [["lhs", "c2"], ["rhs", "L"]]),
      node("f1c", "op", "div", "reward", "f32", PBS, [["lhs", "f1a"], ["rhs", "f1b"]]),
      node("f1d", "call", "cos", "reward", "f32", PBS, [["x", "f1c"]]),
      node("f1e", "op", "mul", "reward", "f32", PBS, [["lhs", "c4"], ["rhs", "f1d"]]),
      node("f1f", "op", "sub", "reward", "i32", PBS, [["lhs", "tokens"], ["rhs", "budget"]]),
      node("f1g", "call", "abs", "reward", "i32", PBS, [["x", "f1f"]]),
      node("f1h", "op", "div", "reward", "f32", PBS, [["lhs", "f1g"], ["rhs", "L"]]),
      node("f1", "op", "sub", "reward", "f32", PBS, [["lhs", "f1e"], ["rhs", "f1h"]], { name: "f1" }),
      // f2 = 4 * cos(pi * budget / (2 * L)): one value per budget, the same for every prompt
      node("f2a", "op", "mul", "reward", "f32", ["budget"], [["lhs", "pi"], ["rhs", "budget"]]),
      node("f2b", "op", "div", "reward", "f32", ["budget"], [["lhs", "f2a"], ["rhs", "f1b"]]),
      node("f2c", "call", "cos", "reward", "f32", ["budget"], [["x", "f2b"]]),
      node("f2", "op", "mul", "reward", "f32", ["budget"], [["lhs", "c4"], ["rhs", "f2c"]], { name: "f2" }),
      // score = if !well_formed(text) then -1 else if !correct then 0 else if tokens <= budget then f2 else f1
      node("s1", "call", "well_formed", "reward", "bool", PBS, [["text", "text"]]),
      node("s2", "op", "not", "reward", "bool", PBS, [["operand", "s1"]]),
      node("s3", "op", "not", "reward", "bool", PBS, [["operand", "correct"]]),
      node("s4", "op", "le", "reward", "bool", PBS, [["lhs", "tokens"], ["rhs", "budget"]]),
      node("s5", "op", "if", "reward", "f32", PBS, [["cond", "s4"], ["then", "f2"], ["else", "f1"]]),
      konst("s6", 0, "reward"),
      node("s7", "op", "if", "reward", "f32", PBS, [["cond", "s3"], ["then", "s6"], ["else", "s5"]]),
      konst("s8", -1, "reward"),
      node("score", "op", "if", "reward", "f32", PBS, [["cond", "s2"], ["then", "s8"], ["else", "s7"]], { name: "score" }),
      // inter = (score - mean(score by prompt)) / (std(score by prompt) + 1e-6)
      node("i1", "reduce", "mean", "advantage", "f32", ["prompt"], [["x", "score"]], { params: { by: ["prompt"] } }),
      node("i2", "op", "sub", "advantage", "f32", PBS, [["lhs", "score"], ["rhs", "i1"]]),
      node("i3", "reduce", "std", "advantage", "f32", ["prompt"], [["x", "score"]], { params: { by: ["prompt"] } }),
      konst("i4", 1e-6, "advantage"),
      node("i5", "op", "add", "advantage", "f32", ["prompt"], [["lhs", "i3"], ["rhs", "i4"]]),
      node("inter", "op", "div", "advantage", "f32", PBS, [["lhs", "i2"], ["rhs", "i5"]], { name: "inter" }),
      // intra = mean(score by prompt, budget) - f2
      node("j1", "reduce", "mean", "advantage", "f32", ["prompt", "budget"], [["x", "score"]], { params: { by: ["prompt", "budget"] } }),
      node("intra", "op", "sub", "advantage", "f32", ["prompt", "budget"], [["lhs", "j1"], ["rhs", "f2"]], { name: "intra" }),
      node("A", "op", "add", "advantage", "f32", PBS, [["lhs", "inter"], ["rhs", "intra"]], { name: "A" }),
      node("loss", "loss", "ppo_clip", "loss", "loss", [], [["advantage", "A"], ["policy", "policy"]], { name: "loss", params: { agg: "token_mean", dual_clip: 3, eps_high: 0.28, eps_low: 0.2 } }),
      node("optimizer", "optimizer", "adam", "optimize", "optimizer", [], [["loss", "loss"], ["policy", "policy"]], { name: "optimizer", params: { lr: 3e-4 } }),
    ],
    outputs: { policy: "policy", data: "data", loss: "loss", optimizer: "optimizer", terms: { A: "A", correct: "correct", f1: "f1", f2: "f2", inter: "inter", intra: "intra", score: "score" } },
  });
}

/** Small enough for fast rendering tests; one value feeds two ports of one node (`x * x`). */
export function tinyIr(): IrDocument {
  return withIrHash({
    format_version: 1,
    rlp_version: "0.1.0",
    pipeline: "tiny",
    source: "tiny.rlp",
    hierarchy: ["prompt", "sample", "token"],
    rollout: { prompts: 2, samples: 2, temperature: 1, top_p: 1, max_tokens: 8, stop: [], levels: [], filters: [], on_reward_error: "zero", train_prefill: false },
    optimize: { optimizer: "optimizer", steps: 1 },
    nodes: [
      node("policy", "model", "tiny_lm", "model", "model", [], [], { name: "policy" }),
      node("data", "data", "arith", "data", "dataset", []),
      node("tokens", "field", "tokens", "rollout", "i32", PS),
      node("sq", "op", "mul", "reward", "f32", PS, [["lhs", "tokens"], ["rhs", "tokens"]], { name: "score" }),
      node("loss", "loss", "reinforce", "loss", "loss", [], [["advantage", "sq"]], { name: "loss" }),
      node("optimizer", "optimizer", "sgd", "optimize", "optimizer", [], [["loss", "loss"]], { name: "optimizer", params: { lr: 0.1 } }),
    ],
    outputs: { policy: "policy", data: "data", loss: "loss", optimizer: "optimizer", terms: { score: "sq" } },
  });
}
