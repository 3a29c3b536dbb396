/**
 * Turns ajv's errors for an IR document into problems worded like the rest of rlp's diagnostics:
 * one per real mistake, with the offending key or value named and a did-you-mean where it helps.
 * ajv reports every failing branch of a `oneOf`; we keep the branch the value was evidently meant
 * for (the only one of its JSON type), or else one summary of the accepted forms.
 */
import type { ErrorObject } from "ajv/dist/2020.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { describeValue, where, type IrProblem } from "./problems.js";
import { escapePointerToken } from "../json-locate.js";
import { IR_FORMAT_VERSION } from "./types.js";
import type { JsonSchema } from "./schema.js";

export function schemaProblems(errors: readonly ErrorObject[]): IrProblem[] {
  return relevantErrors(errors).map(problemOf);
}

function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== "oneOf") continue;
    const branches = e.schema as JsonSchema[];
    const fitting = branches.flatMap((b, i) => (acceptsType(b, e.data) ? [i] : []));
    const keep = fitting.length === 1 ? `${e.schemaPath}/${fitting[0]}/` : undefined;
    if (keep !== undefined) dropped.add(e);
    for (const other of errors) {
      if (other.schemaPath.startsWith(`${e.schemaPath}/`) && other.instancePath.startsWith(e.instancePath) && (keep === undefined || !other.schemaPath.startsWith(keep))) dropped.add(other);
    }
  }
  return errors.filter((e) => !dropped.has(e));
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function acceptsType(schema: JsonSchema, value: unknown): boolean {
  const declared = schema["type"];
  if (declared === undefined) return true;
  const types = Array.isArray(declared) ? (declared as string[]) : [declared as string];
  const actual = jsonType(value);
  return types.includes(actual) || (actual === "integer" && types.includes("number"));
}

function describeSchema(schema: JsonSchema): string {
  const type = schema["type"];
  if (type === "object") {
    const fields = ((schema["required"] as string[] | undefined) ?? []).map((f) => `\`${f}\``);
    return `an object with ${fields.length === 1 ? "field" : "fields"} ${fields.join(" and ")}`;
  }
  if (type === "integer" && typeof schema["minimum"] === "number") return `an integer ≥ ${schema["minimum"] as number}`;
  return typeof type === "string" ? article(type) : "a valid value";
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function problemOf(e: ErrorObject): IrProblem {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  const base = { code: "RLP0601" as const, pointer: at };
  switch (e.keyword) {
    case "required": {
      const field = p["missingProperty"] as string;
      return { ...base, pointer: `${at}/${escapePointerToken(field)}`, at: "open", message: `${where(at)} is missing the field \`${field}\`` };
    }
    case "additionalProperties": {
      const field = p["additionalProperty"] as string;
      const allowed = Object.keys((e.parentSchema?.["properties"] as object | undefined) ?? {});
      const help = didYouMean(field, allowed) ?? `allowed fields: ${allowed.map((a) => `\`${a}\``).join(", ")}`;
      return { ...base, pointer: `${at}/${escapePointerToken(field)}`, at: "key", message: `unknown field \`${field}\` in ${where(at)}`, help };
    }
    case "enum": {
      const allowed = p["allowedValues"] as unknown[];
      const names = allowed.map((v) => `\`${String(v)}\``).join(", ");
      const hint = typeof e.data === "string" ? didYouMean(e.data, allowed.map(String)) : undefined;
      return { ...base, message: `${where(at)} is ${describeValue(e.data)}, which is not one of ${names}`, ...(hint === undefined ? {} : { help: hint }) };
    }
    case "const": {
      const expected = p["allowedValue"];
      if (at === "/format_version") {
        return { ...base, message: `this IR document has format_version ${describeValue(e.data)}; this rlp reads format_version ${IR_FORMAT_VERSION}`, help: "recompile the pipeline with this version of rlp" };
      }
      return { ...base, message: `${where(at)} must be \`${JSON.stringify(expected)}\`, found ${describeValue(e.data)}` };
    }
    case "type":
      return { ...base, message: `${where(at)} must be ${article(String(p["type"]).replace(",", " or "))}, found ${describeValue(e.data)}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { ...base, message: `${where(at)} must be ${String(p["comparison"])} ${String(p["limit"])}, found ${describeValue(e.data)}` };
    case "minLength":
      return { ...base, message: `${where(at)} must not be empty` };
    case "minItems":
      return { ...base, message: `${where(at)} must have at least ${String(p["limit"])} ${p["limit"] === 1 ? "item" : "items"}` };
    case "uniqueItems":
      return { ...base, pointer: `${at}/${String(p["i"])}`, message: `${where(at)} lists the same value twice (items ${String(p["j"])} and ${String(p["i"])})` };
    case "pattern":
      return { ...base, message: `${where(at)} is ${describeValue(e.data)}, which does not match \`${String(p["pattern"])}\``, ...(typeof e.parentSchema?.["description"] === "string" ? { help: e.parentSchema["description"] } : {}) };
    case "oneOf":
      return { ...base, message: `${where(at)} must be ${(e.schema as JsonSchema[]).map(describeSchema).join(", or ")}; found ${describeValue(e.data)}` };
    default:
      return { ...base, message: `${where(at)} ${e.message ?? "is invalid"}` };
  }
}
