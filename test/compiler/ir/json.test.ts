import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/compiler/diagnostics/diagnostic.js";
import { irReader, irToJson, jsonToIr } from "../../../src/compiler/ir/json.js";
import { withIrHash } from "../../../src/compiler/ir/hash.js";
import type { IrDocument } from "../../../src/compiler/ir/types.js";
import { grpoIr, hbpoIr, tinyIr } from "./fixtures.js";
import { expectGolden } from "./golden.js";

const golden = (name: string) => new URL(`golden/${name}`, import.meta.url).pathname;
const read = irReader();

/** A mutable deep copy of a fixture, as parsed JSON. */
function draft(ir: IrDocument = grpoIr()): any {
  return JSON.parse(irToJson(ir));
}

/** Reads `doc` (pretty-printed, not canonical) and returns the diagnostics with the text they point into. */
function problems(doc: unknown): { text: string; diagnostics: readonly Diagnostic[] } {
  const text = JSON.stringify(doc, null, 2);
  const result = read(text, "doc.ir.json");
  if ("ir" in result) throw new Error("expected the document to be rejected");
  return { text, diagnostics: result.diagnostics };
}

function primaryText(text: string, d: Diagnostic): string {
  const label = d.labels.find((l) => l.primary)!;
  expect(label.span.file).toBe("doc.ir.json");
  return text.slice(label.span.start, label.span.end);
}

describe("irToJson", () => {
  it("writes the documents canonically (golden)", () => {
    expectGolden(golden("grpo.ir.json"), irToJson(grpoIr()));
    expectGolden(golden("hbpo.ir.json"), irToJson(hbpoIr()));
  });

  it("uses the schema's key order, 2-space indent and a final newline", () => {
    const text = irToJson(tinyIr());
    expect(text.split("\n").slice(0, 4)).toEqual(['{', '  "format_version": 1,', '  "rlp_version": "0.1.0",', '  "pipeline": "tiny",']);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toMatch(/\n {6}"id": "policy",\n {6}"kind": "model",\n {6}"op": "tiny_lm",/);
  });

  it("does not depend on the order objects were built in", () => {
    const ir = grpoIr();
    const reversed = (o: object): any => Object.fromEntries(Object.entries(o).reverse());
    const shuffled = { ...reversed(ir), nodes: ir.nodes.map(reversed), rollout: reversed(ir.rollout), outputs: reversed({ ...ir.outputs, terms: reversed(ir.outputs.terms) }) };
    expect(irToJson(shuffled)).toBe(irToJson(ir));
  });

  it("sorts free-form keys by code unit, integer-like keys included", () => {
    const ir = withIrHash({ ...tinyIr(), optimize: { b: 1, "10": 2, a: { z: 1, y: [2, { d: 0, c: 1 }] }, "2": 3 } });
    const text = irToJson(ir);
    expect(text).toContain('"optimize": {\n    "10": 2,\n    "2": 3,\n    "a": {\n      "y": [\n        2,\n        { "c": 1, "d": 0 }\n      ],\n      "z": 1\n    },\n    "b": 1\n  }');
  });

  it("writes containers of scalars on one line", () => {
    const text = irToJson(hbpoIr());
    expect(text).toContain('"stop": [],');
    expect(text).toContain('"params": {},');
    expect(text).toContain('"hierarchy": ["prompt", "budget", "sample", "token"],');
    expect(text).toContain('{ "port": "lhs", "node": "pi" },');
    expect(text).toContain('"params": { "agg": "token_mean", "dual_clip": 3, "eps_high": 0.28, "eps_low": 0.2 },');
  });
});

describe("jsonToIr", () => {
  it("reads back what irToJson wrote, unchanged", () => {
    for (const ir of [grpoIr(), hbpoIr(), tinyIr()]) {
      const text = irToJson(ir);
      const result = jsonToIr(text, "x.ir.json");
      expect(result).toEqual({ ir });
      if ("ir" in result) expect(irToJson(result.ir)).toBe(text);
    }
  });

  it("reports invalid JSON at the offending character", () => {
    const cases: [string, string, string][] = [
      ['{\n  "format_version": 1,\n  "pipeline": }', "expected a value", "}"],
      ['{ "a": 1 } x', "unexpected text after the document", "x"],
      ['{ "a": 1, "a": 2 }', "duplicate field `a`", '"'],
      ['{ "a": "x\n" }', "unterminated string", "\n"],
      ["[1, 2", "expected `,` or `]`", ""],
      ["{ a: 1 }", "expected a field name in double quotes", "a"],
    ];
    for (const [text, message, at] of cases) {
      const result = read(text, "doc.ir.json");
      if ("ir" in result) throw new Error(`accepted ${text}`);
      expect(result.diagnostics).toHaveLength(1);
      const d = result.diagnostics[0]!;
      expect(d).toMatchObject({ code: "RLP0601", path: "", message: `the IR document is not valid JSON: ${message}` });
      expect(primaryText(text, d)).toBe(at);
    }
  });

  it("reports a missing field at the object that lacks it, with the field's pointer", () => {
    const doc = draft();
    delete doc.rollout.top_p;
    const { text, diagnostics } = problems(doc);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "RLP0601", path: "/rollout/top_p", message: "`/rollout` is missing the field `top_p`" });
    expect(primaryText(text, diagnostics[0]!)).toBe("{");
    expect(text.slice(diagnostics[0]!.labels[0]!.span.start - 11, diagnostics[0]!.labels[0]!.span.start)).toBe('"rollout": ');
  });

  it("reports an unknown field at its key, with a did-you-mean", () => {
    const doc = draft();
    doc.rollout.temprature = 1;
    const { text, diagnostics } = problems(doc);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ path: "/rollout/temprature", message: "unknown field `temprature` in `/rollout`", help: ["did you mean `temperature`?"] });
    expect(primaryText(text, diagnostics[0]!)).toBe('"temprature"');
  });

  it("reports a value outside an enum with the allowed values", () => {
    const doc = draft();
    doc.nodes[3].kind = "feild";
    const { text, diagnostics } = problems(doc);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.path).toBe("/nodes/3/kind");
    expect(diagnostics[0]!.message).toContain('is the string "feild", which is not one of `model`, `data`, `field`');
    expect(diagnostics[0]!.help).toEqual(["did you mean `field`?"]);
    expect(primaryText(text, diagnostics[0]!)).toBe('"feild"');
  });

  it("explains a document from another format version", () => {
    const doc = draft();
    doc.format_version = 2;
    const { diagnostics } = problems(doc);
    expect(diagnostics).toMatchObject([{ path: "/format_version", message: "this IR document has format_version `2`; this rlp reads format_version 1" }]);
  });

  it("reports wrong types and ranges with what was found", () => {
    const doc = draft();
    doc.rollout.prompts = "32";
    doc.rollout.max_tokens = 0;
    doc.hash = "abc";
    const { diagnostics } = problems(doc);
    expect(diagnostics.map((d) => [d.path, d.message])).toEqual([
      ["/hash", '`/hash` is the string "abc", which does not match `^[0-9a-f]{64}$`'],
      ["/rollout/prompts", '`/rollout/prompts` must be an integer, found the string "32"'],
      ["/rollout/max_tokens", "`/rollout/max_tokens` must be >= 1, found `0`"],
    ]);
  });

  it("reports the branch a oneOf value was meant for, or else the accepted forms", () => {
    const rule = draft();
    rule.rollout.samples = { rule: "knapsack" };
    expect(problems(rule).diagnostics.map((d) => d.message)).toEqual(["`/rollout/samples` is missing the field `params`"]);
    const small = draft();
    small.rollout.samples = 0;
    expect(problems(small).diagnostics.map((d) => d.message)).toEqual(["`/rollout/samples` must be >= 1, found `0`"]);
    const text = draft();
    text.rollout.samples = "eight";
    expect(problems(text).diagnostics.map((d) => d.message)).toEqual(['`/rollout/samples` must be an integer ≥ 1, or an object with fields `rule` and `params`; found the string "eight"']);
  });

  it("reports every schema problem, sorted by position", () => {
    const doc = draft();
    doc.nodes[0].dtype = "float";
    doc.nodes[5].level = "prompt";
    delete doc.outputs.loss;
    const { diagnostics } = problems(doc);
    expect(diagnostics.map((d) => d.path)).toEqual(["/nodes/0/dtype", "/nodes/5/level", "/outputs/loss"]);
  });

  it("reports a duplicate node id at the second use, pointing back at the first", () => {
    const doc = draft();
    doc.nodes[4].id = "text";
    const { text, diagnostics } = problems(doc);
    const dup = diagnostics.find((d) => d.message === "duplicate node id `text`")!;
    expect(dup.path).toBe("/nodes/4/id");
    expect(dup.labels.map((l) => [l.primary, text.slice(l.span.start, l.span.end), l.message])).toEqual([
      [true, '"text"', ""],
      [false, '"text"', "first used here"],
    ]);
  });

  it("reports references to nodes that do not exist", () => {
    const doc = draft();
    doc.nodes[6].inputs[0].node = "answr";
    doc.outputs.terms.score = "scor";
    doc.rollout.filters = [{ node: "keep", refill: 2 }];
    const { diagnostics } = problems(doc);
    expect(diagnostics.map((d) => [d.path, d.message, d.help])).toEqual([
      ["/rollout/filters/0/node", "`/rollout/filters/0/node` refers to node `keep`, which does not exist", []],
      ["/nodes/6/inputs/0/node", "`/nodes/6/inputs/0/node` refers to node `answr`, which does not exist", ["did you mean `answer`?"]],
      ["/outputs/terms/score", "`/outputs/terms/score` refers to node `scor`, which does not exist", ["did you mean `score`?"]],
    ]);
  });

  it("reports levels that are not in the hierarchy and per-value lists of the wrong length", () => {
    const doc = draft(hbpoIr());
    doc.nodes[8].level = ["budgt"];
    doc.rollout.levels[0].max_tokens = [8, 16];
    doc.rollout.levels[0].temperature = [1, 1, 1, 0, 0];
    const { diagnostics } = problems(doc);
    expect(diagnostics.map((d) => [d.path, d.message, d.help])).toEqual([
      ["/rollout/levels/0/max_tokens", "level `budget` has 4 values but 2 max_tokens entries", ["give one max_tokens entry per level value, in the same order"]],
      ["/rollout/levels/0/temperature", "level `budget` has 4 values but 5 temperature entries", ["give one temperature entry per level value, in the same order"]],
      ["/nodes/8/level/0", "level of node `budget`, `budgt` is not a level of the hierarchy", ["did you mean `budget`?"]],
    ]);
  });

  it("reports a cycle with the nodes on it in dataflow order", () => {
    const doc = draft();
    const a5 = doc.nodes.findIndex((n: any) => n.id === "a5");
    doc.nodes[a5].inputs[0].node = "A"; // A = a2 / a5 and a5 = A + 1e-6
    const { text, diagnostics } = problems(doc);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe("the node graph has a cycle: `a5` → `A` → `a5`");
    expect(diagnostics[0]!.path).toBe(`/nodes/${a5}`);
    expect(primaryText(text, diagnostics[0]!)).toBe("{");
    expect(diagnostics[0]!.labels.filter((l) => !l.primary).map((l) => text.slice(l.span.start, l.span.end))).toEqual(['"A"']);
  });

  it("reports a hash that does not match the content (RLP0602)", () => {
    const doc = draft();
    doc.rollout.prompts = 64;
    const { diagnostics } = problems(doc);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "RLP0602", path: "/hash", message: "the document's hash does not match its content" });
    expect(diagnostics[0]!.help[0]).toContain(withIrHash({ ...grpoIr(), rollout: { ...grpoIr().rollout, prompts: 64 } }).hash);
  });

  it("points into the right line of a pretty-printed file", () => {
    const doc = draft();
    doc.nodes[1].section = "models";
    const { text, diagnostics } = problems(doc);
    const start = diagnostics[0]!.labels[0]!.span.start;
    const line = text.slice(0, start).split("\n").length;
    expect(text.split("\n")[line - 1]!.trim()).toBe('"section": "models",');
  });
});
