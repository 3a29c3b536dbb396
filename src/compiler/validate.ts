/**
 * Stage `validate`: checks every constant parameter against its primitive's JSON Schema (ajv),
 * and the settings of `rollout`, `level` and `optimize` blocks against theirs. Each ajv error is
 * mapped back to the span of the offending value in the user's file, and to the constraint's
 * line in the stdlib schema, with the allowed values and a did-you-mean.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import type { CValue, TypedPipeline } from "./check.js";
import { forEachChild } from "./check.js";
import { diagnostic, type Diagnostic, type DiagnosticBuilder } from "./diagnostics/diagnostic.js";
import { didYouMean, suggestions } from "./diagnostics/suggest.js";
import type { Decl, HExpr } from "./hir.js";
import type { JsonValue } from "./ir/types.js";
import type { ModuleLoader, SchemaEntry } from "./modules.js";
import type { Span } from "./source.js";

/** Where each part of a parameter object came from, by JSON pointer. */
type Origins = Map<string, Span>;

export interface ValidatedParams {
  /** Constant parameters of each call node, as JSON, defaults applied. */
  readonly calls: ReadonlyMap<HExpr, Record<string, JsonValue>>;
}

export function toJson(v: CValue): JsonValue {
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map(toJson);
  const o = v as Exclude<CValue, readonly CValue[] | number | string | boolean>;
  if ("symbol" in o) return o.symbol;
  if ("level" in o) return o.level;
  return { min: o.min, max: o.max };
}

export class Validator {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly loader: ModuleLoader) {}

  private validator(schema: object): ValidateFunction {
    return this.loader.stdlib.validator(schema);
  }

  run(typed: TypedPipeline): ValidatedParams {
    const calls = new Map<HExpr, Record<string, JsonValue>>();
    const visit = (e: HExpr): void => {
      if (e.kind === "call" && !calls.has(e)) calls.set(e, this.call(typed, e));
      forEachChild(e, visit);
    };
    const p = typed.hir;
    const decls: Decl[] = [...p.consts.values(), ...p.bindings.values(), ...p.reward.values(), ...p.advantage.values(), ...p.optimize.values()];
    for (const d of decls) visit(d.value);
    for (const d of p.rollout?.settings.values() ?? []) visit(d.value);
    for (const f of p.rollout?.filters ?? []) visit(f.cond);
    this.blocks(typed);
    return { calls };
  }

  private schemaOf(module: string, fn: string): SchemaEntry | undefined {
    if (!module.startsWith("std.")) return undefined;
    return this.loader.std(module.slice(4))?.schemas.get(fn);
  }

  private call(typed: TypedPipeline, e: Extract<HExpr, { kind: "call" }>): Record<string, JsonValue> {
    const params: Record<string, JsonValue> = {};
    const origins: Origins = new Map();
    const given = new Set<string>();
    for (const arg of e.args) {
      if (!arg.param.isConst) continue;
      const v = typed.constValue(arg.value);
      if (v === undefined) continue;
      params[arg.param.name] = toJson(v);
      origins.set(`/${arg.param.name}`, arg.value.span);
      if (arg.value.kind === "list") arg.value.items.forEach((item, i) => origins.set(`/${arg.param.name}/${i}`, item.span));
      if (arg.span !== undefined) given.add(arg.param.name);
    }
    const entry = this.schemaOf(e.fn.module, e.fn.name);
    if (entry === undefined) return params;
    this.check(entry, params, origins, e.span, `\`${e.fn.name}\``, given);
    return params;
  }

  private check(entry: SchemaEntry, value: Record<string, JsonValue>, origins: Origins, whole: Span, owner: string, given: ReadonlySet<string>): boolean {
    const validate = this.validator(entry.schema);
    let ok = true;
    if (!validate(value)) {
      for (const error of validate.errors ?? []) {
        if (error.keyword === "if") continue;
        this.diagnostics.push(this.describe(error, entry, value, origins, whole, owner));
        ok = false;
      }
    }
    const conflicts = entry.schema["x-conflicts"];
    if (Array.isArray(conflicts)) {
      for (const pair of conflicts as string[][]) {
        const [a, b] = pair;
        if (a === undefined || b === undefined || !given.has(a) || !given.has(b)) continue;
        this.diagnostics.push(
          diagnostic("RLP0305", `${owner} takes \`${a}\` or \`${b}\`, not both`)
            .primary(origins.get(`/${b}`) ?? whole, `\`${b}\` given here`)
            .secondary(origins.get(`/${a}`), `\`${a}\` given here`)
            .help(`\`${a}\` sets both bounds; use \`eps_low\` and \`eps_high\` alone for asymmetric clipping`)
            .build(),
        );
        ok = false;
      }
    }
    return ok;
  }

  private constraintSpan(entry: SchemaEntry, error: ErrorObject): Span | undefined {
    const pointer = `${entry.pointer}${error.schemaPath.replace(/^#/, "")}`;
    const range = entry.located.spans.get(pointer) ?? entry.located.spans.get(pointer.replace(/\/[^/]+$/, ""));
    if (range === undefined) return undefined;
    // Show the keyword and its value: `"maximum": 1`.
    const keyRange = entry.located.spans.get(`${pointer}#key`);
    return entry.file.span(keyRange?.[0] ?? range[0], range[1]);
  }

  private describe(error: ErrorObject, entry: SchemaEntry, value: Record<string, JsonValue>, origins: Origins, whole: Span, owner: string): Diagnostic {
    const path = error.instancePath;
    const name = path.split("/").filter((s) => s !== "").join(".");
    const at = origins.get(path) ?? origins.get(path.replace(/\/[^/]+$/, "")) ?? whole;
    const found = lookup(value, path);
    const constraint = this.constraintSpan(entry, error);
    const declared = (b: DiagnosticBuilder) => b.secondary(constraint, "constraint declared here");
    const p = error.params as Record<string, unknown>;
    const shown = JSON.stringify(found);
    const description = propertyDescription(entry.schema, path);
    switch (error.keyword) {
      case "maximum":
      case "minimum":
      case "exclusiveMaximum":
      case "exclusiveMinimum": {
        const bound = p["limit"] as number;
        const words = { maximum: "at most", minimum: "at least", exclusiveMaximum: "less than", exclusiveMinimum: "greater than" }[error.keyword];
        return declared(diagnostic("RLP0301", `\`${name}\` of ${owner} must be ${words} ${bound}, found ${shown}`).primary(at, `must be ${words} ${bound}`))
          .help(description)
          .build();
      }
      case "multipleOf": {
        const step = p["multipleOf"] as number;
        return declared(diagnostic("RLP0301", `\`${name}\` of ${owner} must be a multiple of ${step}, found ${shown}`).primary(at, `must be a multiple of ${step}`))
          .help(description)
          .build();
      }
      case "enum": {
        const allowed = (p["allowedValues"] as unknown[]).map(String);
        const guess = typeof found === "string" ? suggestions(found, allowed, 1)[0] : undefined;
        const b = declared(diagnostic("RLP0302", `${shown} is not a valid \`${name}\` for ${owner}`).primary(at, "not one of the allowed values"));
        b.note(`allowed values: ${allowed.map((a) => `\`${a}\``).join(", ")}`);
        if (guess !== undefined) {
          const quoted = this.loader.sourceText(at).startsWith('"') ? JSON.stringify(guess) : guess;
          b.help(`did you mean \`${guess}\`?`).replaceWith(at, quoted);
        }
        return b.build();
      }
      case "type": {
        const expected = p["type"] as string;
        const words = expected === "integer" ? "a whole number" : expected === "number" ? "a number" : expected === "string" ? "text (in quotes)" : expected === "boolean" ? "`true` or `false`" : `of type ${expected}`;
        return declared(diagnostic("RLP0303", `\`${name}\` of ${owner} must be ${words}, found ${shown}`).primary(at, `expected ${words}`))
          .help(description)
          .build();
      }
      case "required": {
        const missing = p["missingProperty"] as string;
        return declared(diagnostic("RLP0304", `${owner} needs \`${missing}\``).primary(whole, `missing \`${missing}\``))
          .help(propertyDescription(entry.schema, `/${missing}`) ?? `pass \`${missing}: ...\``)
          .build();
      }
      case "additionalProperties": {
        const extra = p["additionalProperty"] as string;
        const known = Object.keys(((entry.schema["properties"] ?? {}) as Record<string, unknown>));
        return diagnostic("RLP0306", `${owner} has no setting \`${extra}\``)
          .primary(origins.get(`/${extra}#name`) ?? origins.get(`/${extra}`) ?? whole, "unknown setting")
          .help(didYouMean(extra, known) ?? `its settings are ${known.map((k) => `\`${k}\``).join(", ")}`)
          .build();
      }
      default:
        return declared(diagnostic("RLP0301", `\`${name || "value"}\` of ${owner} is invalid: ${error.message ?? error.keyword}`).primary(at, error.message ?? "invalid")).build();
    }
  }

  // ------------------------------------------------------------ blocks

  private blocks(typed: TypedPipeline): void {
    const rolloutModule = this.loader.std("rollout");
    const schema = (name: string) => rolloutModule?.blockSchemas.get(name);
    const p = typed.hir;
    const block = (entry: SchemaEntry | undefined, decls: ReadonlyMap<string, Decl>, env: Map<string, number | string>, owner: string, whole: Span, skip: (name: string, d: Decl) => boolean) => {
      if (entry === undefined) return;
      const value: Record<string, JsonValue> = {};
      const origins: Origins = new Map();
      for (const [name, d] of decls) {
        origins.set(`/${name}#name`, d.nameSpan);
        if (skip(name, d)) {
          value[name] = null;
          continue;
        }
        const v = typed.constValue(d.value, env);
        if (v === undefined) continue;
        value[name] = toJson(v);
        origins.set(`/${name}`, d.value.span);
      }
      // Settings that take primitives (samples = knapsack(...), optimizer = adam(...)) are checked as calls.
      const validate = this.validator(entry.schema);
      if (!validate(value)) {
        for (const error of validate.errors ?? []) {
          const key = error.instancePath.split("/")[1];
          if (key !== undefined && value[key] === null) continue;
          this.diagnostics.push(this.describe(error, entry, value, origins, whole, owner));
        }
      }
    };
    if (p.rollout !== undefined) {
      const isRule = (_: string, d: Decl) => typed.types.get(d.value)?.kind === "alloc";
      block(schema("rollout"), p.rollout.settings, new Map(), "`rollout`", p.rollout.span, isRule);
      const env = new Map<string, number | string>();
      for (const level of p.rollout.levels) {
        const first = typed.levelValues.get(level.name)?.[0];
        if (first !== undefined) env.set(level.name, first);
        for (const value of typed.levelValues.get(level.name) ?? []) {
          env.set(level.name, value);
          const before = this.diagnostics.length;
          block(schema("level"), level.settings, new Map(env), `level \`${level.name}\``, level.span, () => false);
          if (this.diagnostics.length > before) break; // one report per setting, not one per value
        }
        if (first !== undefined) env.set(level.name, first);
      }
    }
    if (p.optimizeSpan !== undefined) block(schema("optimize"), p.optimize, new Map(), "`optimize`", p.optimizeSpan, (name) => name === "optimizer");
  }
}

function lookup(value: unknown, pointer: string): unknown {
  let v = value;
  for (const seg of pointer.split("/").filter((s) => s !== "")) v = (v as Record<string, unknown> | undefined)?.[seg];
  return v;
}

function propertyDescription(schema: Record<string, unknown>, pointer: string): string | undefined {
  const key = pointer.split("/")[1];
  if (key === undefined) return undefined;
  const prop = ((schema["properties"] ?? {}) as Record<string, Record<string, unknown>>)[key];
  const d = prop?.["description"];
  return typeof d === "string" ? `\`${key}\`: ${d}` : undefined;
}
