/**
 * Stage `build`: typed, validated HIR → IR document (the dataflow graph in JSON form). Every term,
 * field, constant, operation, primitive call and reduction becomes a node with its dtype, level,
 * constant parameters and source span; shared sub-expressions (a term used twice, a field) become
 * one node. Node ids are deterministic: names where there are names, a counter in visiting order
 * elsewhere.
 */
import type { TypedPipeline, VType } from "./check.js";
import type { HExpr, Ref } from "./hir.js";
import { withIrHash } from "./ir/hash.js";
import { IR_FORMAT_VERSION, type Dtype, type IrDocument, type IrInput, type IrLevel, type IrNode, type IrSpan, type IrTemplate, type JsonValue, type NodeKind } from "./ir/types.js";
import type { SourceMap, Span } from "./source.js";
import { toJson, type ValidatedParams } from "./validate.js";

type Section = IrNode["section"];

const EMPTY: string[] = [];

const OP_NAMES: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "%": "mod",
  "==": "eq",
  "!=": "ne",
  "<": "lt",
  "<=": "le",
  ">": "gt",
  ">=": "ge",
  "&&": "and",
  "||": "or",
};

export function typedToIr(typed: TypedPipeline, validated: ValidatedParams, sources: SourceMap, rlpVersion: string): IrDocument {
  return new Builder(typed, validated, sources).build(rlpVersion);
}

class Builder {
  private readonly nodes: IrNode[] = [];
  private readonly byExpr = new Map<HExpr, string>();
  private readonly byKey = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly typed: TypedPipeline,
    private readonly validated: ValidatedParams,
    private readonly sources: SourceMap,
  ) {}

  private irSpan(span: Span | undefined): IrSpan | undefined {
    if (span === undefined) return undefined;
    const file = this.sources.get(span.file);
    const pos = file?.position(span.start) ?? { line: 0, column: 0 };
    return { file: span.file, start: span.start, end: span.end, line: pos.line, column: pos.column };
  }

  /** Level lists are shared between nodes with the same levels (most nodes are per rollout). */
  private readonly levelLists = new Map<string, string[]>();

  private levelOf(t: VType | undefined): string[] {
    if (t === undefined || t.axes.size === 0) return EMPTY;
    const list = this.typed.hierarchy.filter((h) => t.axes.has(h));
    const key = list.join(",");
    const shared = this.levelLists.get(key);
    if (shared !== undefined) return shared;
    this.levelLists.set(key, list);
    return list;
  }

  private dtypeOf(t: VType | undefined, fallback: Dtype = "f32"): Dtype {
    const k = t?.kind;
    if (k === undefined || k === "error" || k === "symbol" || k === "level" || k === "list" || k === "range") return fallback;
    return k;
  }

  private add(node: Omit<IrNode, "id">, id?: string): string {
    const nodeId = id ?? `n${++this.counter}`;
    this.nodes.push({ id: nodeId, ...node });
    return nodeId;
  }

  private keyed(key: string, make: () => string): string {
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    const id = make();
    this.byKey.set(key, id);
    return id;
  }

  build(rlpVersion: string): IrDocument {
    const p = this.typed.hir;
    const policy = this.binding("policy");
    const data = this.binding("data");
    const reference = p.bindings.has("reference") ? this.binding("reference") : undefined;
    const terms: Record<string, string> = {};
    for (const { section, name } of this.typed.termOrder) terms[name] = this.term(section, name);
    const filters = (p.rollout?.filters ?? []).map((f, i) => {
      const cond = this.expr(f.cond, "rollout");
      const refill = f.refill === undefined ? 0 : Number(this.typed.constValue(f.refill) ?? 0);
      const id = this.add(
        { kind: "filter", op: "keep_groups", section: "rollout", dtype: "bool", level: ["prompt"], params: { refill }, inputs: [{ port: "cond", node: cond }], ...this.spanField(f.span) },
        `filter.${i}`,
      );
      return { node: id, refill };
    });
    const lossDecl = p.bindings.get("loss")!;
    const lossValue = this.expr(lossDecl.value, "loss");
    const loss = this.add(
      { kind: "loss", op: "total", name: "loss", section: "loss", dtype: "loss", level: [], params: {}, inputs: [{ port: "value", node: lossValue }], ...this.spanField(lossDecl.span) },
      "loss",
    );
    const optimizerDecl = p.optimize.get("optimizer")!;
    const optimizer = this.expr(optimizerDecl.value, "optimize", "optimizer");
    const optimize: Record<string, JsonValue> = { optimizer };
    for (const [name, d] of p.optimize) {
      if (name === "optimizer") continue;
      const v = this.typed.constValue(d.value);
      if (v !== undefined) optimize[name] = toJson(v);
    }
    optimize["steps"] ??= 100;
    optimize["seed"] ??= 0;
    const doc: Omit<IrDocument, "hash"> = {
      format_version: IR_FORMAT_VERSION,
      rlp_version: rlpVersion,
      pipeline: p.name,
      source: p.file,
      hierarchy: this.typed.hierarchy,
      rollout: this.rollout(filters),
      optimize,
      nodes: this.nodes,
      outputs: { policy, data, loss, optimizer, terms, ...(reference ? { reference } : {}) },
    };
    return withIrHash(doc);
  }

  private spanField(span: Span | undefined): { span?: IrSpan } {
    const s = this.irSpan(span);
    return s === undefined ? {} : { span: s };
  }

  private binding(name: string): string {
    const decl = this.typed.hir.bindings.get(name)!;
    const section: Section = name === "data" ? "data" : "model";
    const id = name === "data" ? "data" : `model.${name}`;
    return this.keyed(`binding:${name}`, () => {
      const inner = this.expr(decl.value, section, id);
      return inner;
    });
  }

  private term(section: "reward" | "advantage", name: string): string {
    return this.keyed(`term:${name}`, () => {
      const decl = (section === "reward" ? this.typed.hir.reward : this.typed.hir.advantage).get(name)!;
      const value = this.expr(decl.value, section);
      const t = this.typed.types.get(decl.value);
      return this.add(
        { kind: "term", op: "term", name, section, dtype: this.dtypeOf(t), level: this.levelOf(t), params: {}, inputs: [{ port: "value", node: value }], ...this.spanField(decl.span) },
        `${section}.${name}`,
      );
    });
  }

  private ref(ref: Ref, section: Section): string {
    switch (ref.kind) {
      case "field":
        return this.keyed(`field:${ref.name}`, () => {
          return this.add({ kind: "field", op: ref.name, name: ref.name, section: "rollout", ...this.fieldType(ref.name), params: {}, inputs: [] }, `field.${ref.name}`);
        });
      case "level":
        return this.keyed(`level:${ref.name}`, () => {
          const values = this.typed.levelValues.get(ref.name) ?? [];
          const dtype: Dtype = values.some((v) => typeof v === "string") ? "text" : values.every((v) => Number.isInteger(v)) ? "i32" : "f32";
          return this.add({ kind: "field", op: "level", name: ref.name, section: "rollout", dtype, level: [ref.name], params: { values: [...values] }, inputs: [] }, `level.${ref.name}`);
        });
      case "term":
        return this.term(ref.section, ref.name);
      case "binding":
        return this.binding(ref.name);
      case "const": {
        const v = this.typed.constValue(ref.decl.value);
        if (v === undefined) return this.expr(ref.decl.value, section);
        return this.constant(toJson(v), this.dtypeOf(this.typed.types.get(ref.decl.value)), ref.name);
      }
      case "symbol":
      case "levelName":
        return this.constant(ref.name, "text");
    }
  }

  private fieldType(name: string): { dtype: Dtype; level: string[] } {
    const h = this.typed.hierarchy;
    const upTo = (l: string) => h.slice(0, h.indexOf(l) + 1);
    switch (name) {
      case "text":
      case "answer":
        return { dtype: "text", level: upTo("sample") };
      case "tokens":
        return { dtype: "i32", level: upTo("sample") };
      case "finished":
        return { dtype: "bool", level: upTo("sample") };
      case "logp":
      case "entropy":
        return { dtype: "f32", level: [...h] };
      case "prompt_tokens":
        return { dtype: "i32", level: ["prompt"] };
      default: {
        const t = this.typed.hir.dataFields.get(name);
        return { dtype: t === "text" ? "text" : t === "i32" ? "i32" : t === "bool" ? "bool" : "f32", level: ["prompt"] };
      }
    }
  }

  private constant(value: JsonValue, dtype: Dtype, name?: string): string {
    const key = `const:${name ?? ""}:${dtype}:${JSON.stringify(value)}`;
    return this.keyed(key, () =>
      this.add({ kind: "const", op: "const", section: "rollout", dtype, level: [], params: { value }, inputs: [], ...(name ? { name } : {}) }, name ? `const.${name}` : undefined),
    );
  }

  private expr(e: HExpr, section: Section, id?: string): string {
    const known = this.byExpr.get(e);
    if (known !== undefined) return known;
    const made = this.make(e, section, id);
    this.byExpr.set(e, made);
    return made;
  }

  /** What every node made from an expression carries (computed only for nodes that are made). */
  private base(e: HExpr, section: Section): { section: Section; dtype: Dtype; level: string[]; span?: IrSpan } {
    const t = this.typed.types.get(e);
    const span = this.irSpan(e.span);
    const b = { section, dtype: this.dtypeOf(t), level: this.levelOf(t) };
    return span === undefined ? b : { ...b, span };
  }

  private make(e: HExpr, section: Section, id?: string): string {
    switch (e.kind) {
      case "number":
        return this.constant(e.value, e.isInt ? "i32" : "f32");
      case "bool":
        return this.constant(e.value, "bool");
      case "string": {
        const v = this.typed.constValue(e);
        if (typeof v === "string") return this.constant(v, "text");
        return this.add({ ...this.base(e, section), kind: "op", op: "format", params: { template: templateJson(this.template(e)) }, inputs: [] }, id);
      }
      case "ref":
        return this.ref(e.ref, section);
      case "unary":
        return this.add({ ...this.base(e, section), kind: "op", op: e.op === "-" ? "neg" : "not", params: {}, inputs: [{ port: "x", node: this.expr(e.operand, section) }] }, id);
      case "binary": {
        const base = this.base(e, section);
        const kind: NodeKind = base.dtype === "loss" ? "loss" : "op";
        return this.add({ ...base, kind, op: OP_NAMES[e.op]!, params: {}, inputs: [{ port: "lhs", node: this.expr(e.left, section) }, { port: "rhs", node: this.expr(e.right, section) }] }, id);
      }
      case "if":
        return this.add(
          {
            ...this.base(e, section),
            kind: "op",
            op: "if",
            params: {},
            inputs: [
              { port: "cond", node: this.expr(e.cond, section) },
              { port: "then", node: this.expr(e.then, section) },
              { port: "else", node: this.expr(e.else, section) },
            ],
          },
          id,
        );
      case "call": {
        const inputs: IrInput[] = [];
        for (const arg of e.args) if (!arg.param.isConst) inputs.push({ port: arg.param.name, node: this.expr(arg.value, section) });
        const params = this.validated.calls.get(e) ?? {};
        const ret = e.fn.returns;
        const kind: NodeKind = ret === "loss" ? "loss" : ret === "model" ? "model" : ret === "dataset" ? "data" : ret === "optimizer" ? "optimizer" : "call";
        return this.add({ ...this.base(e, section), kind, op: e.fn.name, params: { ...params }, inputs }, id);
      }
      case "reduce": {
        const inputs: IrInput[] = [{ port: "value", node: this.expr(e.value, section) }];
        if (e.where !== undefined) inputs.push({ port: "where", node: this.expr(e.where, section) });
        const empty = e.empty === undefined ? undefined : this.typed.constValue(e.empty);
        const params: Record<string, JsonValue> = { by: e.by.map((b) => b.name) };
        if (typeof empty === "number") params["empty"] = empty;
        return this.add({ ...this.base(e, section), kind: "reduce", op: e.op, params, inputs }, id);
      }
      case "list":
      case "range": {
        const v = this.typed.constValue(e);
        return this.constant(v === undefined ? null : toJson(v), "f32");
      }
      case "error":
        throw new Error("IR lowering reached an expression with errors; the checker should have stopped it");
    }
  }

  private template(e: Extract<HExpr, { kind: "string" }>): IrTemplate {
    return e.parts.map((part) => {
      if (typeof part === "string") return { text: part };
      if (part.ref.kind === "level") return { var: part.ref.name };
      const v = this.typed.constValue({ kind: "ref", ref: part.ref, span: part.span });
      return { text: v === undefined ? "" : String(toJson(v)) };
    });
  }

  private templateOf(e: HExpr | undefined): IrTemplate | undefined {
    if (e === undefined) return undefined;
    if (e.kind === "string") return this.template(e);
    const v = this.typed.constValue(e);
    return typeof v === "string" ? [{ text: v }] : undefined;
  }

  private rollout(filters: { node: string; refill: number }[]): IrDocument["rollout"] {
    const r = this.typed.hir.rollout!;
    const num = (name: string, fallback: number): number => {
      const d = r.settings.get(name);
      const v = d === undefined ? undefined : this.typed.constValue(d.value);
      return typeof v === "number" ? v : fallback;
    };
    const samplesDecl = r.settings.get("samples");
    let samples: IrDocument["rollout"]["samples"] = 1;
    if (samplesDecl !== undefined) {
      const t = this.typed.types.get(samplesDecl.value);
      if (t?.kind === "alloc" && samplesDecl.value.kind === "call") samples = { rule: samplesDecl.value.fn.name, params: { ...(this.validated.calls.get(samplesDecl.value) ?? {}) } };
      else samples = num("samples", 1);
    }
    const levels: IrLevel[] = r.levels.map((level, i) => {
      const values = this.typed.levelValues.get(level.name) ?? [];
      const out: { -readonly [K in keyof IrLevel]: IrLevel[K] } = { name: level.name, values: [...values] };
      const s = level.settings.get("samples");
      if (s !== undefined) {
        const v = this.typed.constValue(s.value);
        if (typeof v === "number") out.samples = v;
      }
      if (i === r.levels.length - 1 && samplesDecl === undefined && out.samples === undefined) out.samples = 1;
      const prefill = this.templateOf(level.settings.get("prefill")?.value);
      if (prefill !== undefined) out.prefill = prefill;
      const max = level.settings.get("max_tokens");
      if (max !== undefined) out.max_tokens = values.map((v) => Number(this.typed.constValue(max.value, new Map([[level.name, v]])) ?? 0));
      const temp = level.settings.get("temperature");
      if (temp !== undefined) out.temperature = values.map((v) => Number(this.typed.constValue(temp.value, new Map([[level.name, v]])) ?? 1));
      return out;
    });
    const stopDecl = r.settings.get("stop");
    const stopValue = stopDecl === undefined ? undefined : this.typed.constValue(stopDecl.value);
    const onError = r.settings.get("on_reward_error");
    const onErrorValue = onError === undefined ? undefined : toJson(this.typed.constValue(onError.value) ?? "fail");
    const prefill = this.templateOf(r.settings.get("prefill")?.value);
    const trainPrefill = r.settings.get("train_prefill");
    return {
      prompts: num("prompts", 1),
      samples,
      temperature: num("temperature", 1),
      top_p: num("top_p", 1),
      max_tokens: num("max_tokens", 1),
      stop: Array.isArray(stopValue) ? stopValue.map(String) : [],
      levels,
      filters,
      on_reward_error: onErrorValue === "zero" || onErrorValue === "drop" ? onErrorValue : "fail",
      ...(prefill ? { prefill } : {}),
      train_prefill: trainPrefill !== undefined && this.typed.constValue(trainPrefill.value) === true,
    };
  }
}

function templateJson(t: IrTemplate): JsonValue {
  return t.map((p): JsonValue => ("text" in p ? { text: p.text } : { var: p.var }));
}
