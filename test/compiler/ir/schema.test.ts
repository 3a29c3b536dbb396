import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { IR_SCHEMA } from "../../../src/compiler/ir/schema.js";
import type { Dtype, IrNode, NodeKind } from "../../../src/compiler/ir/types.js";
import { grpoIr, hbpoIr, tinyIr } from "./fixtures.js";

// Records over the TypeScript unions: adding a kind, dtype or section to types.ts fails to compile
// here until it is listed, and the test below then fails until the schema lists it too.
const KINDS: Record<NodeKind, true> = { model: true, data: true, field: true, const: true, op: true, call: true, reduce: true, term: true, filter: true, loss: true, optimizer: true };
const DTYPES: Record<Dtype, true> = { f32: true, i32: true, bool: true, text: true, model: true, dataset: true, optimizer: true, loss: true, alloc: true };
const SECTIONS: Record<IrNode["section"], true> = { model: true, data: true, rollout: true, reward: true, advantage: true, loss: true, optimize: true };

const defs = IR_SCHEMA["$defs"] as Record<string, any>;

describe("IR_SCHEMA", () => {
  it("is a strict draft 2020-12 schema that the fixtures satisfy", () => {
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(IR_SCHEMA);
    for (const ir of [grpoIr(), hbpoIr(), tinyIr()]) expect(validate(JSON.parse(JSON.stringify(ir))), JSON.stringify(validate.errors)).toBe(true);
    expect(IR_SCHEMA["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("lists exactly the node kinds, dtypes and sections of types.ts", () => {
    expect([...defs["node"].properties.kind.enum].sort()).toEqual(Object.keys(KINDS).sort());
    expect([...defs["node"].properties.dtype.enum].sort()).toEqual(Object.keys(DTYPES).sort());
    expect([...defs["node"].properties.section.enum].sort()).toEqual(Object.keys(SECTIONS).sort());
  });

  it("closes every structural object", () => {
    const open: string[] = [];
    const walk = (schema: unknown, at: string): void => {
      if (schema === null || typeof schema !== "object") return;
      const s = schema as Record<string, unknown>;
      if (s["properties"] !== undefined && s["additionalProperties"] !== false) open.push(at);
      for (const [k, v] of Object.entries(s)) walk(v, `${at}/${k}`);
    };
    walk(IR_SCHEMA, "#");
    expect(open).toEqual([]);
  });

  it("requires every field that types.ts does not mark optional", () => {
    expect(IR_SCHEMA["required"]).toEqual(["format_version", "rlp_version", "pipeline", "source", "hash", "hierarchy", "rollout", "optimize", "nodes", "outputs"]);
    expect(defs["node"].required).toEqual(["id", "kind", "op", "section", "dtype", "level", "params", "inputs"]);
    expect(defs["rollout"].required).toEqual(["prompts", "samples", "temperature", "top_p", "max_tokens", "stop", "levels", "filters", "on_reward_error", "train_prefill"]);
    expect(defs["level"].required).toEqual(["name", "values"]);
  });
});
