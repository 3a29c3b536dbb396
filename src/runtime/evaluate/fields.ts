/**
 * Leaf nodes: constants, level variables, rollout fields (per rollout or per token) and prompt
 * fields (`target`, `difficulty`, `prompt_tokens`, ...), read for each element of the node's level
 * set through a rollout inside it.
 */
import type { IrNode } from "../../compiler/ir/types.js";
import type { Guard } from "./calls.js";
import type { EvalEnv } from "./env.js";
import { MissingInput, UnsupportedNode } from "./errors.js";
import type { LevelIndex, LevelSet } from "./levels.js";
import { elementwiseTaint } from "./taint.js";
import { num, text, type Value } from "./values.js";

export function evalConst(node: IrNode, set: LevelSet): Value {
  const v = node.params["value"];
  const n = set.size;
  if (typeof v === "number") return num(set, new Float64Array(n).fill(v));
  if (typeof v === "boolean") return num(set, new Float64Array(n).fill(v ? 1 : 0));
  if (typeof v === "string") return text(set, new Array<string>(n).fill(v));
  throw new UnsupportedNode(node.id, node.op, `the constant ${JSON.stringify(v)} is not a number, boolean or text`);
}

export function evalField(node: IrNode, set: LevelSet, index: LevelIndex, env: EvalEnv, guard: Guard): Value {
  const n = set.size;
  const rollout = (f: number) => index.rollout(set.rep[f]!);
  const numeric = (read: (f: number) => number) => {
    const out = new Float64Array(n);
    for (let f = 0; f < n; f++) out[f] = read(f);
    return num(set, out, elementwiseTaint(node, set, out, []));
  };
  const perToken = (read: (f: number, t: number) => number) => {
    if (!set.token) throw new UnsupportedNode(node.id, node.op, `\`${node.op}\` is per token`);
    return numeric((f) => read(f, set.pos![f]!));
  };
  switch (node.op) {
    case "level": {
      const level = node.name ?? "";
      const values = Array.from({ length: n }, (_, f) => index.levelValue(set.rep[f]!, level));
      return node.dtype === "text" ? text(set, values.map(String)) : numeric((f) => Number(values[f]));
    }
    case "text":
      return text(set, Array.from({ length: n }, (_, f) => rollout(f).text));
    case "answer": {
      const extract = env.task?.extractAnswer;
      if (extract === undefined) return text(set, Array.from({ length: n }, (_, f) => rollout(f).answer));
      return text(set, Array.from({ length: n }, (_, f) => guard.element(node, set, f, () => extract.call(env.task, rollout(f).text), "")));
    }
    case "tokens":
      return numeric((f) => rollout(f).tokens);
    case "finished":
      return numeric((f) => (rollout(f).finished ? 1 : 0));
    case "logp":
      return perToken((f, t) => rollout(f).logp[t]!);
    case "entropy":
      return perToken((f, t) => rollout(f).entropy[t]!);
    default:
      return promptField(node, set, index);
  }
}

function promptField(node: IrNode, set: LevelSet, index: LevelIndex): Value {
  const values = Array.from({ length: set.size }, (_, f) => {
    const p = index.rollout(set.rep[f]!).prompt;
    const v = index.batch.prompts[p]!.fields[node.op];
    if (v === undefined) throw new MissingInput(node.id, node.op, `the prompt field \`${node.op}\` (missing on prompt ${p}, id ${index.batch.prompts[p]!.id})`);
    return v;
  });
  if (node.dtype === "text") return text(set, values.map(String));
  // Task fields are strings or numbers; a boolean field may arrive as "true"/"false".
  const toNumber = (v: string | number) => (typeof v === "number" ? v : v === "true" ? 1 : v === "false" ? 0 : Number(v));
  const out = Float64Array.from(values, toNumber);
  return num(set, out, elementwiseTaint(node, set, out, []));
}
