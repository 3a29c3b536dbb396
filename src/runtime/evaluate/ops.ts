/**
 * Operators (`op` nodes): arithmetic, comparison, logic, `if` and string templates, element by
 * element over the node's level set; inputs arrive already broadcast to it. Booleans are 0/1.
 * `%` is JavaScript's remainder (sign of the dividend), as the compiler's constant folding uses.
 */
import type { IrNode, JsonValue } from "../../compiler/ir/types.js";
import { UnsupportedNode } from "./errors.js";
import type { LevelIndex, LevelSet } from "./levels.js";
import { elementwiseTaint, selectTaint } from "./taint.js";
import { num, text, type NumValue, type TextValue, type Value } from "./values.js";

type Binary = (a: number, b: number) => number;

const ARITHMETIC: Readonly<Record<string, Binary>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  mod: (a, b) => a % b,
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  and: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  or: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
};

function numeric(node: IrNode, port: string, v: Value | undefined): NumValue {
  if (v === undefined) throw new UnsupportedNode(node.id, node.op, `no value on port \`${port}\``);
  if (v.kind !== "num") throw new UnsupportedNode(node.id, node.op, `port \`${port}\` is text, a number or boolean is needed`);
  return v;
}

function asText(v: Value, f: number): string {
  return v.kind === "text" ? v.data[f]! : String(v.data[f]);
}

/** Evaluates an `op` node; `inputs` are by port, broadcast to `set`. */
export function evalOp(node: IrNode, set: LevelSet, inputs: ReadonlyMap<string, Value>, index: LevelIndex): Value {
  const n = set.size;
  switch (node.op) {
    case "neg":
    case "not": {
      const x = numeric(node, "x", inputs.get("x"));
      const out = new Float64Array(n);
      if (node.op === "neg") for (let f = 0; f < n; f++) out[f] = -x.data[f]!;
      else for (let f = 0; f < n; f++) out[f] = x.data[f] === 0 ? 1 : 0;
      return num(set, out, elementwiseTaint(node, set, out, [x]));
    }
    case "if":
      return evalIf(node, set, inputs);
    case "format":
      return evalFormat(node, set, index);
    default: {
      const fn = ARITHMETIC[node.op];
      if (fn === undefined) throw new UnsupportedNode(node.id, node.op, "unknown operator");
      const lhs = inputs.get("lhs");
      const rhs = inputs.get("rhs");
      if ((node.op === "eq" || node.op === "ne") && (lhs?.kind === "text" || rhs?.kind === "text") && lhs !== undefined && rhs !== undefined) {
        // Text compares as text (`mode == "greedy"`); text never converts to a number.
        const want = node.op === "eq";
        const out = new Float64Array(n);
        for (let f = 0; f < n; f++) out[f] = (asText(lhs, f) === asText(rhs, f)) === want ? 1 : 0;
        return num(set, out);
      }
      const a = numeric(node, "lhs", lhs);
      const b = numeric(node, "rhs", rhs);
      const out = new Float64Array(n);
      for (let f = 0; f < n; f++) out[f] = fn(a.data[f]!, b.data[f]!);
      return num(set, out, elementwiseTaint(node, set, out, [a, b]));
    }
  }
}

function evalIf(node: IrNode, set: LevelSet, inputs: ReadonlyMap<string, Value>): Value {
  const cond = numeric(node, "cond", inputs.get("cond"));
  const then = inputs.get("then");
  const otherwise = inputs.get("else");
  if (then === undefined || otherwise === undefined) throw new UnsupportedNode(node.id, node.op, "`if` needs `then` and `else`");
  const n = set.size;
  if (then.kind === "text" || otherwise.kind === "text") {
    const out = new Array<string>(n);
    for (let f = 0; f < n; f++) out[f] = asText(cond.data[f] !== 0 ? then : otherwise, f);
    return text(set, out);
  }
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) out[f] = cond.data[f] !== 0 ? then.data[f]! : otherwise.data[f]!;
  return num(set, out, selectTaint(node, set, out, cond, then, otherwise));
}

/** A `{level}` template filled with each element's level values (`"<think budget={budget}>"`). */
function evalFormat(node: IrNode, set: LevelSet, index: LevelIndex): TextValue {
  const template = node.params["template"];
  if (!Array.isArray(template)) throw new UnsupportedNode(node.id, node.op, "no `template` parameter");
  const parts = template.map((p: JsonValue) => {
    if (p !== null && typeof p === "object" && !Array.isArray(p)) {
      if (typeof p["text"] === "string") return { text: p["text"] };
      if (typeof p["var"] === "string") {
        if (!set.levels.includes(p["var"])) throw new UnsupportedNode(node.id, node.op, `template variable \`${p["var"]}\` is not a level of the node`);
        return { var: p["var"] };
      }
    }
    throw new UnsupportedNode(node.id, node.op, `bad template part ${JSON.stringify(p)}`);
  });
  const out = new Array<string>(set.size);
  for (let f = 0; f < set.size; f++) {
    const key = index.keyOf(set, f);
    out[f] = parts.map((p) => ("text" in p ? p.text : String(key[p.var]))).join("");
  }
  return text(set, out);
}
