/**
 * Canonical JSON text of an IR value: the same document always gives the same bytes, whatever
 * order its objects were built in. Objects the schema describes field by field are written in the
 * schema's `properties` order (readable: `id`, `kind`, `op` first); free-form maps (`params`,
 * `optimize`, `terms`) are written with keys sorted by code unit. Containers of scalars only are
 * written on one line, everything else one member per line. We write the text ourselves because
 * JSON.stringify puts integer-like keys first, whatever order we ask for.
 */
import { IR_SCHEMA, type JsonSchema } from "./schema.js";

export interface CanonicalOptions {
  /** Spaces per level; 0 writes compact JSON on one line. */
  readonly indent: number;
}

/** `value` is an IR document, or a part of one when `schema` (a schema within IR_SCHEMA) says which. */
export function canonicalJson(value: unknown, options: CanonicalOptions, schema: JsonSchema = IR_SCHEMA): string {
  return write(value, schema, "", " ".repeat(options.indent));
}

function write(value: unknown, schema: JsonSchema | undefined, indent: string, step: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  // Containers of scalars only (`[8, 16]`, `{ "port": "lhs", "node": "a" }`) fit on one line.
  const flat = step === "" || Object.values(value).every((v) => v === null || typeof v !== "object");
  const inner = indent + step;
  const open = step === "" ? "" : flat ? (Array.isArray(value) ? "" : " ") : `\n${inner}`;
  const close = step === "" ? "" : flat ? (Array.isArray(value) ? "" : " ") : `\n${indent}`;
  const comma = step === "" ? "," : flat ? ", " : `,\n${inner}`;
  const resolved = resolve(schema, value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = resolved?.["items"] as JsonSchema | undefined;
    return `[${open}${value.map((v) => write(v, items, inner, step)).join(comma)}${close}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = orderedKeys(Object.keys(record).filter((k) => record[k] !== undefined), resolved);
  if (keys.length === 0) return "{}";
  const colon = step === "" ? ":" : ": ";
  const members = keys.map((k) => `${JSON.stringify(k)}${colon}${write(record[k], childSchema(resolved, k), inner, step)}`);
  return `{${open}${members.join(comma)}${close}}`;
}

function orderedKeys(keys: string[], schema: JsonSchema | undefined): string[] {
  const declared = Object.keys((schema?.["properties"] as JsonSchema | undefined) ?? {});
  const present = new Set(keys);
  const known = declared.filter((k) => present.has(k));
  const rest = keys.filter((k) => !declared.includes(k)).sort();
  return [...known, ...rest];
}

function childSchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  const properties = schema?.["properties"] as Record<string, JsonSchema> | undefined;
  const declared = properties?.[key];
  if (declared !== undefined) return declared;
  const additional = schema?.["additionalProperties"];
  return typeof additional === "object" && additional !== null ? (additional as JsonSchema) : undefined;
}

/** Follows `$ref` and picks the `oneOf` branch that describes an object with these keys. */
function resolve(schema: JsonSchema | undefined, value: object): JsonSchema | undefined {
  if (schema === undefined) return undefined;
  const target = schema["$ref"];
  if (typeof target === "string") return resolve(lookup(target), value);
  const branches = schema["oneOf"] as JsonSchema[] | undefined;
  if (branches === undefined) return schema;
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  for (const branch of branches) {
    const b = resolve(branch, value);
    if (b === undefined) continue;
    if (Array.isArray(value) ? b["type"] === "array" : b["type"] === "object" && keys!.every((k) => k in ((b["properties"] as object | undefined) ?? {}))) return b;
  }
  return undefined;
}

function lookup(pointer: string): JsonSchema | undefined {
  const name = pointer.replace(/^#\/\$defs\//, "");
  return (IR_SCHEMA["$defs"] as Record<string, JsonSchema>)[name];
}
