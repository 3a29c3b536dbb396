/**
 * The JSON Schema (draft 2020-12) of `IrDocument` (types.ts). It is kept as a TypeScript module,
 * not a .json file, so that it ships in dist/ with no copy step and type-checks against its users.
 *
 * The schema is also the canonical key order of `irToJson`: structural objects are written in the
 * order of their `properties` here, so reorder them only together with the golden files.
 *
 * What JSON Schema cannot say is checked in code by `jsonToIr`: node ids are unique, every
 * reference (inputs, outputs, filters) names an existing node, levels are in the hierarchy, the
 * node graph is acyclic, and the hash matches the content.
 */
import { IR_FORMAT_VERSION } from "./types.js";

export type JsonSchema = { readonly [keyword: string]: unknown };

const NODE_KINDS = ["model", "data", "field", "const", "op", "call", "reduce", "term", "filter", "loss", "optimizer"] as const;
const DTYPES = ["f32", "i32", "bool", "text", "model", "dataset", "optimizer", "loss", "alloc"] as const;
const SECTIONS = ["model", "data", "rollout", "reward", "advantage", "loss", "optimize"] as const;

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const id: JsonSchema = { type: "string", minLength: 1 };
const count = (minimum: number): JsonSchema => ({ type: "integer", minimum });
const object = (properties: Record<string, JsonSchema>, required: readonly string[], description?: string): JsonSchema => ({
  type: "object",
  ...(description === undefined ? {} : { description }),
  properties,
  required,
  additionalProperties: false,
});

export const IR_SCHEMA: JsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: `urn:rlp:ir:${IR_FORMAT_VERSION}`,
  title: "rlp IR document",
  description: "A checked rlp pipeline as a typed dataflow graph (`rlp compile --emit ir`).",
  ...object(
    {
      format_version: { const: IR_FORMAT_VERSION },
      rlp_version: { type: "string" },
      pipeline: id,
      source: { type: "string" },
      hash: { type: "string", pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the content without rlp_version, hash and node spans (see irHash)." },
      hierarchy: {
        type: "array",
        description: "Levels from coarsest to finest: prompt, declared levels, sample, token.",
        items: id,
        uniqueItems: true,
      },
      rollout: ref("rollout"),
      optimize: { type: "object", additionalProperties: ref("json") },
      nodes: { type: "array", items: ref("node") },
      outputs: object(
        {
          policy: id,
          reference: id,
          data: id,
          loss: id,
          optimizer: id,
          terms: { type: "object", description: "Reward and advantage terms by name → node id.", additionalProperties: id },
        },
        ["policy", "data", "loss", "optimizer", "terms"],
      ),
    },
    ["format_version", "rlp_version", "pipeline", "source", "hash", "hierarchy", "rollout", "optimize", "nodes", "outputs"],
  ),
  $defs: {
    json: { description: "Any JSON value." },
    span: object(
      { file: { type: "string" }, start: count(0), end: count(0), line: count(1), column: count(1) },
      ["file", "start", "end", "line", "column"],
    ),
    input: object({ port: id, node: id }, ["port", "node"]),
    node: object(
      {
        id,
        kind: { enum: NODE_KINDS },
        op: id,
        name: id,
        section: { enum: SECTIONS },
        dtype: { enum: DTYPES },
        level: { type: "array", items: id, uniqueItems: true },
        params: { type: "object", additionalProperties: ref("json") },
        inputs: { type: "array", items: ref("input") },
        span: ref("span"),
      },
      ["id", "kind", "op", "section", "dtype", "level", "params", "inputs"],
    ),
    template: {
      type: "array",
      description: "A string with `{name}` holes filled per level value.",
      items: { oneOf: [object({ text: { type: "string" } }, ["text"]), object({ var: id }, ["var"])] },
    },
    level: object(
      {
        name: id,
        values: { type: "array", items: { type: ["number", "string"] }, minItems: 1, uniqueItems: true },
        samples: count(1),
        prefill: ref("template"),
        max_tokens: { type: "array", description: "Per value, in the order of `values`.", items: count(1) },
        temperature: { type: "array", description: "Per value, in the order of `values` (0 = greedy).", items: { type: "number", minimum: 0 } },
      },
      ["name", "values"],
    ),
    rollout: object(
      {
        prompts: count(1),
        samples: {
          oneOf: [count(1), object({ rule: id, params: { type: "object", additionalProperties: ref("json") } }, ["rule", "params"])],
        },
        temperature: { type: "number", minimum: 0 },
        top_p: { type: "number", exclusiveMinimum: 0, maximum: 1 },
        max_tokens: count(1),
        stop: { type: "array", items: { type: "string" } },
        prefill: ref("template"),
        train_prefill: { type: "boolean", description: "Forced prefill tokens get the loss mask of sampled tokens (false: masked out)." },
        levels: { type: "array", items: ref("level") },
        filters: { type: "array", items: object({ node: id, refill: count(0) }, ["node", "refill"]) },
        on_reward_error: { enum: ["fail", "zero", "drop"] },
      },
      ["prompts", "samples", "temperature", "top_p", "max_tokens", "stop", "levels", "filters", "on_reward_error", "train_prefill"],
    ),
  },
};
