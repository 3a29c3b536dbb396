/**
 * Stage `check`: HIR → typed HIR. Gives every expression a dtype and a level (the set of hierarchy
 * levels it varies over), folds constants, and checks the pipeline's structure: required
 * declarations, cycles between terms, the rollout layout and its budgets, group sizes, filters,
 * loss composition and unused declarations. Errors name both places involved where there are two.
 */
import { diagnostic, type Diagnostic } from "./diagnostics/diagnostic.js";
import { BUILTIN_FIELDS, type BaseType, type Decl, type HArg, type HExpr, type HLevel, type HPipeline, type LevelConstraint, type Ref } from "./hir.js";
import type { Dtype } from "./ir/types.js";
import type { Span } from "./source.js";

export type Kind = Dtype | "symbol" | "level" | "list" | "range" | "error";

export interface VType {
  readonly kind: Kind;
  /** The hierarchy levels the value varies over; empty = one value per step. */
  readonly axes: ReadonlySet<string>;
}

export type CValue = number | string | boolean | readonly CValue[] | { readonly min: number; readonly max: number } | { readonly symbol: string } | { readonly level: string };

export interface TypedPipeline {
  readonly hir: HPipeline;
  /** Coarsest first: `prompt`, declared levels, `sample`, `token`. */
  readonly hierarchy: readonly string[];
  readonly types: ReadonlyMap<HExpr, VType>;
  readonly levelValues: ReadonlyMap<string, readonly (number | string)[]>;
  /** Rollouts per innermost group when fixed; the minimum a sampling rule can give otherwise. */
  readonly groupSize: number | undefined;
  readonly termOrder: readonly { readonly section: "reward" | "advantage"; readonly name: string }[];
  constValue(expr: HExpr, env?: ReadonlyMap<string, number | string>): CValue | undefined;
}

const STEP: ReadonlySet<string> = new Set();
const ERROR_TYPE: VType = { kind: "error", axes: STEP };

function numeric(kind: Kind): boolean {
  return kind === "f32" || kind === "i32" || kind === "bool";
}

function union(...sets: ReadonlySet<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const x of s) out.add(x);
  return out;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

export function hirToTyped(hir: HPipeline): { typed: TypedPipeline; diagnostics: Diagnostic[] } {
  const checker = new Checker(hir);
  const typed = checker.run();
  return { typed, diagnostics: checker.diagnostics };
}

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly types = new Map<HExpr, VType>();
  private readonly hierarchy: string[];
  private readonly levelValues = new Map<string, (number | string)[]>();
  private readonly levelKinds = new Map<string, Kind>();
  private readonly termTypes = new Map<string, VType>();
  private readonly visiting: { key: string; span: Span }[] = [];
  private readonly termOrder: { section: "reward" | "advantage"; name: string }[] = [];
  private readonly used = new Set<string>();
  private readonly budgetLevels = new Map<string, Span>();
  private groupSize: number | undefined;
  private readonly inProgress = new Set<string>();
  private readonly cycleReported = new Set<string>();
  private readonly constStack = new Set<HExpr>();

  constructor(private readonly p: HPipeline) {
    this.hierarchy = ["prompt", ...(p.rollout?.levels.map((l) => l.name) ?? []), "sample", "token"];
  }

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  run(): TypedPipeline {
    const p = this.p;
    this.checkLevels();
    this.checkRolloutLayout();
    for (const [name, decl] of p.consts) this.typeOf(decl.value), void name;
    for (const decl of p.bindings.values()) if (decl.name !== "loss") this.typeOf(decl.value);
    // Terms are typed in dependency order, so typing one never recurses through a chain of
    // others (long generated pipelines chain thousands of terms).
    for (const { section, name } of this.dependencyOrder()) this.termType(section, name, undefined);
    this.checkRolloutSettings();
    this.checkFilters();
    this.checkLoss();
    this.checkOptimize();
    this.checkRequired();
    this.checkBudgets();
    // Unused declarations are worth a warning only in a pipeline that otherwise checks: while
    // there are errors, half-written terms are expected and the warnings would bury them.
    if (!this.diagnostics.some((d) => d.severity === "error")) this.checkUnused();
    const self = this;
    return {
      hir: p,
      hierarchy: this.hierarchy,
      types: this.types,
      levelValues: this.levelValues,
      groupSize: this.groupSize,
      termOrder: this.termOrder,
      constValue: (expr, env) => self.constEval(expr, env ?? new Map()),
    };
  }

  // ------------------------------------------------------------ describing levels

  private describe(axes: ReadonlySet<string>): string {
    if (axes.size === 0) return "one value per step";
    const ordered = this.hierarchy.filter((h) => axes.has(h));
    const finest = ordered[ordered.length - 1]!;
    const prefix = this.hierarchy.slice(0, this.hierarchy.indexOf(finest) + 1);
    if (prefix.length === ordered.length) return `one value per ${finest === "sample" ? "rollout" : finest}`;
    return `one value per ${ordered.join(" × ")}`;
  }

  /** Axes of a value at a named level of a signature (`@sample` = everything down to sample). */
  private axesAt(level: LevelConstraint["level"]): Set<string> {
    if (level === "step") return new Set();
    if (level === "prompt") return new Set(["prompt"]);
    const upTo = this.hierarchy.indexOf(level);
    return new Set(this.hierarchy.slice(0, upTo + 1));
  }

  // ------------------------------------------------------------ typing

  private set(e: HExpr, t: VType): VType {
    this.types.set(e, t);
    return t;
  }

  typeOf(e: HExpr): VType {
    const cached = this.types.get(e);
    if (cached !== undefined) return cached;
    return this.set(e, this.compute(e));
  }

  private compute(e: HExpr): VType {
    switch (e.kind) {
      case "number":
        return { kind: e.isInt ? "i32" : "f32", axes: STEP };
      case "bool":
        return { kind: "bool", axes: STEP };
      case "string": {
        const axes = union(...e.parts.map((p) => (typeof p === "string" ? STEP : this.refType(p.ref, p.span).axes)));
        return { kind: "text", axes };
      }
      case "ref":
        return this.refType(e.ref, e.span);
      case "unary": {
        const t = this.typeOf(e.operand);
        if (t.kind === "error") return ERROR_TYPE;
        if (e.op === "!") {
          if (t.kind !== "bool") return this.mismatch(e.operand, t, "`!` needs a boolean", "RLP0202");
          return t;
        }
        if (t.kind === "loss") return t;
        if (!numeric(t.kind)) return this.mismatch(e.operand, t, "`-` needs a number");
        return { kind: t.kind === "bool" ? "i32" : t.kind, axes: t.axes };
      }
      case "binary":
        return this.binary(e);
      case "if": {
        const c = this.typeOf(e.cond);
        const a = this.typeOf(e.then);
        const b = this.typeOf(e.else);
        if (c.kind !== "error" && c.kind !== "bool") this.mismatch(e.cond, c, "an `if` condition must be a boolean", "RLP0202");
        if (a.kind === "error" || b.kind === "error") return ERROR_TYPE;
        const axes = union(c.axes, a.axes, b.axes);
        if (numeric(a.kind) && numeric(b.kind)) return { kind: promote(a.kind, b.kind), axes };
        if (a.kind === b.kind && (a.kind === "text" || a.kind === "symbol")) return { kind: a.kind, axes };
        this.report(
          diagnostic("RLP0203", `the branches of this \`if\` have different types: ${kindName(a.kind)} and ${kindName(b.kind)}`)
            .primary(e.else.span, kindName(b.kind))
            .secondary(e.then.span, kindName(a.kind))
            .help("both branches must be numbers (booleans count as 0/1), or both text")
            .build(),
        );
        return ERROR_TYPE;
      }
      case "list": {
        const items = e.items.map((i) => this.typeOf(i));
        return { kind: "list", axes: union(...items.map((t) => t.axes)) };
      }
      case "range": {
        for (const side of [e.lo, e.hi]) {
          const t = this.typeOf(side);
          if (t.kind !== "error" && t.kind !== "i32") this.mismatch(side, t, "range bounds must be integers");
        }
        return { kind: "range", axes: STEP };
      }
      case "call":
        return this.call(e);
      case "reduce":
        return this.reduce(e);
      case "error":
        return ERROR_TYPE;
    }
  }

  private mismatch(e: HExpr, t: VType, message: string, code: "RLP0201" | "RLP0202" = "RLP0201"): VType {
    const builder = diagnostic(code, message).primary(e.span, `this is ${kindName(t.kind)}`);
    if (code === "RLP0202" && numeric(t.kind)) builder.help("numbers do not convert to booleans; compare explicitly, e.g. `x > 0`");
    if (t.kind === "text") builder.help("text never converts to a number");
    this.report(builder.build());
    return ERROR_TYPE;
  }

  private refType(ref: Ref, span: Span): VType {
    switch (ref.kind) {
      case "field": {
        const builtin = BUILTIN_FIELDS.get(ref.name);
        if (builtin !== undefined) return { kind: baseKind(builtin.type), axes: this.axesAt(builtin.level) };
        const dataType = this.p.dataFields.get(ref.name);
        return { kind: baseKind(dataType ?? "any"), axes: new Set(["prompt"]) };
      }
      case "level":
        return { kind: this.levelKinds.get(ref.name) ?? "error", axes: new Set([ref.name]) };
      case "levelName":
        return { kind: "level", axes: STEP };
      case "symbol":
        return { kind: "symbol", axes: STEP };
      case "const": {
        this.used.add(`const:${ref.name}`);
        return this.guarded(`const:${ref.name}`, ref.decl, span, () => this.typeOf(ref.decl.value));
      }
      case "binding": {
        this.used.add(`binding:${ref.name}`);
        const decl = this.p.bindings.get(ref.name);
        if (decl === undefined) return ERROR_TYPE;
        if (ref.name === "loss") {
          this.report(diagnostic("RLP0211", "`loss` cannot be used inside another expression").primary(span, "used here").build());
          return ERROR_TYPE;
        }
        return this.guarded(`binding:${ref.name}`, decl, span, () => this.typeOf(decl.value));
      }
      case "term":
        return this.termType(ref.section, ref.name, span);
    }
  }

  /** Term references of an expression, found without recursion. */
  private termRefs(e: HExpr): { section: "reward" | "advantage"; name: string; span: Span }[] {
    const out: { section: "reward" | "advantage"; name: string; span: Span }[] = [];
    const stack: HExpr[] = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x.kind === "ref" && x.ref.kind === "term") out.push({ section: x.ref.section, name: x.ref.name, span: x.span });
      if (x.kind === "ref" && x.ref.kind === "binding") {
        const b = this.p.bindings.get(x.ref.name);
        if (b !== undefined && x.ref.name !== "loss") stack.push(b.value);
      }
      forEachChild(x, (c) => stack.push(c));
    }
    return out;
  }

  /**
   * Every term, dependencies first (iterative depth-first search). A cycle is reported once, with
   * every term on it, and its terms are typed as errors.
   */
  private dependencyOrder(): { section: "reward" | "advantage"; name: string }[] {
    type Key = string;
    const decls = new Map<Key, { section: "reward" | "advantage"; name: string; decl: Decl }>();
    for (const [name, decl] of this.p.reward) decls.set(`reward:${name}`, { section: "reward", name, decl });
    for (const [name, decl] of this.p.advantage) if (!decls.has(`reward:${name}`)) decls.set(`advantage:${name}`, { section: "advantage", name, decl });
    const state = new Map<Key, "open" | "done">();
    const order: { section: "reward" | "advantage"; name: string }[] = [];
    for (const root of decls.keys()) {
      if (state.has(root)) continue;
      const stack: { key: Key; deps: { key: Key; span: Span }[]; next: number }[] = [];
      const push = (key: Key) => {
        const d = decls.get(key)!;
        state.set(key, "open");
        const deps = this.termRefs(d.decl.value).map((r) => ({ key: `${r.section}:${r.name}`, span: r.span })).filter((r) => decls.has(r.key));
        stack.push({ key, deps, next: 0 });
      };
      push(root);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const dep = top.deps[top.next++];
        if (dep === undefined) {
          stack.pop();
          state.set(top.key, "done");
          const d = decls.get(top.key)!;
          order.push({ section: d.section, name: d.name });
          continue;
        }
        const s = state.get(dep.key);
        if (s === undefined) push(dep.key);
        else if (s === "open") this.reportCycle(stack.map((f) => f.key), dep, decls);
      }
    }
    return order;
  }

  private reportCycle(path: string[], closing: { key: string; span: Span }, decls: ReadonlyMap<string, { name: string; decl: Decl }>): void {
    const cycle = path.slice(path.indexOf(closing.key));
    const names = cycle.map((k) => decls.get(k)!.name);
    const builder = diagnostic("RLP0401", `\`${names[0]}\` depends on itself: ${[...names, names[0]!].map((c) => `\`${c}\``).join(" → ")}`).primary(closing.span, "this reference closes the cycle");
    for (const k of cycle) builder.secondary(decls.get(k)!.decl.nameSpan, `\`${decls.get(k)!.name}\` is defined here`);
    this.report(builder.help("terms are computed once per step from each other, so their definitions cannot form a cycle").build());
    for (const k of cycle) this.termTypes.set(k, ERROR_TYPE);
  }

  /** Typing a binding or constant that is already being typed means they define each other. */
  private guarded(key: string, decl: Decl, usedAt: Span, body: () => VType): VType {
    if (this.inProgress.has(key)) {
      if (!this.cycleReported.has(key)) {
        this.cycleReported.add(key);
        this.report(
          diagnostic("RLP0401", `\`${decl.name}\` is defined in terms of itself`)
            .primary(usedAt, "this reference closes the cycle")
            .secondary(decl.nameSpan, `\`${decl.name}\` is defined here`)
            .build(),
        );
      }
      return ERROR_TYPE;
    }
    this.inProgress.add(key);
    try {
      return body();
    } finally {
      this.inProgress.delete(key);
    }
  }

  private termType(section: "reward" | "advantage", name: string, usedAt: Span | undefined): VType {
    const key = `${section}:${name}`;
    if (usedAt !== undefined) this.used.add(`term:${name}`);
    const known = this.termTypes.get(key);
    if (known !== undefined) return known;
    const decl = (section === "reward" ? this.p.reward : this.p.advantage).get(name);
    if (decl === undefined) return ERROR_TYPE;
    const cycleAt = this.visiting.findIndex((v) => v.key === key);
    if (cycleAt >= 0) {
      const chain = [...this.visiting.slice(cycleAt).map((v) => v.key.split(":")[1]!), name];
      const builder = diagnostic("RLP0401", `\`${name}\` depends on itself: ${chain.map((c) => `\`${c}\``).join(" → ")}`).primary(usedAt ?? decl.nameSpan, "this reference closes the cycle");
      for (const v of this.visiting.slice(cycleAt)) {
        const [sec, n] = v.key.split(":") as ["reward" | "advantage", string];
        const d = (sec === "reward" ? this.p.reward : this.p.advantage).get(n);
        if (d !== undefined) builder.secondary(d.nameSpan, `\`${n}\` is defined here`);
      }
      this.report(builder.help("terms are computed once per step from each other, so their definitions cannot form a cycle").build());
      this.termTypes.set(key, ERROR_TYPE);
      return ERROR_TYPE;
    }
    this.visiting.push({ key, span: decl.nameSpan });
    const t = this.typeOf(decl.value);
    this.visiting.pop();
    if (t.kind === "loss") {
      this.report(
        diagnostic("RLP0211", `\`${name}\` is a loss term, which can only be part of \`loss\``)
          .primary(decl.value.span, "a loss")
          .help("move it into `loss = ...`")
          .build(),
      );
    } else if (t.kind !== "error" && !numeric(t.kind) && t.kind !== "text") {
      this.report(diagnostic("RLP0201", `the ${section} term \`${name}\` must be a number or a boolean, not ${kindName(t.kind)}`).primary(decl.value.span).build());
    }
    if (!this.termTypes.has(key)) this.termOrder.push({ section, name });
    const result = t.kind === "loss" ? ERROR_TYPE : t;
    this.termTypes.set(key, result);
    return result;
  }

  private binary(e: Extract<HExpr, { kind: "binary" }>): VType {
    const a = this.typeOf(e.left);
    const b = this.typeOf(e.right);
    if (a.kind === "error" || b.kind === "error") return ERROR_TYPE;
    const axes = union(a.axes, b.axes);
    const op = e.op;
    if (a.kind === "loss" || b.kind === "loss") return this.lossArithmetic(e, a, b);
    if (op === "&&" || op === "||") {
      for (const [side, t] of [[e.left, a], [e.right, b]] as const) if (t.kind !== "bool") return this.mismatch(side, t, `\`${op}\` needs booleans`, "RLP0202");
      return { kind: "bool", axes };
    }
    if (op === "==" || op === "!=") {
      if ((numeric(a.kind) && numeric(b.kind)) || a.kind === b.kind) return { kind: "bool", axes };
      return this.incompatible(e, a, b);
    }
    if (!numeric(a.kind) || !numeric(b.kind)) return this.incompatible(e, a, b);
    if (op === "<" || op === "<=" || op === ">" || op === ">=") return { kind: "bool", axes };
    if (op === "/" || op === "%") {
      const divisor = this.constEval(e.right, new Map());
      if (divisor === 0) {
        this.report(diagnostic("RLP0209", "division by zero").primary(e.right.span, "this is always 0").build());
        return ERROR_TYPE;
      }
    }
    return { kind: op === "/" ? "f32" : promote(a.kind, b.kind), axes };
  }

  private incompatible(e: Extract<HExpr, { kind: "binary" }>, a: VType, b: VType): VType {
    const bad = !numeric(a.kind) && a.kind !== "error" ? [e.left, a] as const : [e.right, b] as const;
    this.report(
      diagnostic("RLP0201", `\`${e.op}\` cannot combine ${kindName(a.kind)} and ${kindName(b.kind)}`)
        .primary(bad[0].span, `this is ${kindName(bad[1].kind)}`)
        .secondary(e.opSpan, "operator")
        .help(a.kind === "text" || b.kind === "text" ? "text never converts to a number; compare text with `==` or use a reward function" : undefined)
        .build(),
    );
    return ERROR_TYPE;
  }

  /** Losses add up, and scale by step-level constants; nothing else applies to them. */
  private lossArithmetic(e: Extract<HExpr, { kind: "binary" }>, a: VType, b: VType): VType {
    const isScale = (t: VType, x: HExpr) => numeric(t.kind) && this.constEval(x, new Map()) !== undefined;
    const ok =
      ((e.op === "+" || e.op === "-") && a.kind === "loss" && b.kind === "loss") ||
      (e.op === "*" && ((a.kind === "loss" && isScale(b, e.right)) || (b.kind === "loss" && isScale(a, e.left)))) ||
      (e.op === "/" && a.kind === "loss" && isScale(b, e.right));
    if (ok) return { kind: "loss", axes: STEP };
    this.report(
      diagnostic("RLP0211", `a loss cannot be combined with \`${e.op}\` here`)
        .primary(e.opSpan, "not allowed on a loss")
        .secondary(a.kind === "loss" ? e.left.span : e.right.span, "a loss")
        .help("`loss` is a sum of loss terms, each optionally multiplied by a constant: `ppo_clip(A) + 0.04 * kl(policy, reference)`")
        .build(),
    );
    return ERROR_TYPE;
  }

  private call(e: Extract<HExpr, { kind: "call" }>): VType {
    let axes = new Set<string>();
    let failed = false;
    for (const arg of e.args) {
      const t = this.typeOf(arg.value);
      if (t.kind === "error") {
        failed = true;
        continue;
      }
      if (!this.checkArg(e, arg, t)) failed = true;
      if (!arg.param.isConst) axes = union(axes, t.axes);
    }
    const byArg = e.args.find((a) => a.param.type === "level" && a.value.kind === "ref");
    const xArg = e.args.find((a) => !a.param.isConst);
    if (byArg !== undefined && xArg !== undefined && byArg.value.kind === "ref") {
      const level = byArg.value.ref.name;
      const xt = this.types.get(xArg.value);
      if (xt !== undefined && xt.kind !== "error" && !xt.axes.has(level)) this.groupingError(byArg.value.span, level, xArg.value, xt);
    }
    if (failed) return ERROR_TYPE;
    const kind = baseKind(e.fn.returns);
    if (e.fn.returnLevel !== undefined) return { kind, axes: this.axesAt(e.fn.returnLevel.level) };
    if (kind === "loss" || kind === "model" || kind === "dataset" || kind === "optimizer" || kind === "alloc") return { kind, axes: STEP };
    return { kind, axes };
  }

  private checkArg(e: Extract<HExpr, { kind: "call" }>, arg: HArg, t: VType): boolean {
    const param = arg.param;
    const where = arg.span ?? e.span;
    if (param.isConst) {
      if (param.type === "level") return t.kind === "level" || this.wrongKind(e, arg, t, "a level");
      if (this.constEval(arg.value, new Map()) === undefined) {
        this.report(
          diagnostic("RLP0208", `\`${param.name}\` of \`${e.fn.name}\` must be a constant`)
            .primary(arg.value.span, "depends on rollout data")
            .help("parameters are fixed before the run; compute per-rollout values in a term and pass them as the value argument")
            .build(),
        );
        return false;
      }
      return true;
    }
    if (!accepts(param.type, t.kind)) return this.wrongKind(e, arg, t, kindName(baseKind(param.type)));
    const constraint = param.level;
    if (constraint !== undefined) {
      const need = this.axesAt(constraint.level);
      const finestNeed = constraint.level;
      const has = constraint.orFiner ? [...this.axesAt(finestNeed)].every((a) => t.axes.has(a)) || t.axes.has("token") : sameSet(t.axes, need);
      if (!has) {
        const message = `\`${param.name}\` of \`${e.fn.name}\` must vary per ${finestNeed === "sample" ? "rollout" : finestNeed}, but this is ${this.describe(t.axes)}`;
        if (e.fn.returns === "loss" && finestNeed === "sample") {
          this.report(
            diagnostic("RLP0504", `the advantage given to \`${e.fn.name}\` is the same for every rollout of a group`)
              .primary(arg.value.span, this.describe(t.axes))
              .help("subtract a group baseline, e.g. `score - mean(score by prompt)`, or use `group_norm(score)`")
              .build(),
          );
          return true;
        }
        this.report(diagnostic("RLP0206", message).primary(where, this.describe(t.axes)).build());
        return false;
      }
    }
    return true;
  }

  private wrongKind(e: Extract<HExpr, { kind: "call" }>, arg: HArg, t: VType, expected: string): boolean {
    this.report(
      diagnostic("RLP0212", `\`${arg.param.name}\` of \`${e.fn.name}\` must be ${expected}, not ${kindName(t.kind)}`)
        .primary(arg.value.span, `this is ${kindName(t.kind)}`)
        .secondary(arg.param.span, "parameter declared here")
        .build(),
    );
    return false;
  }

  private groupingError(bySpan: Span, level: string, value: HExpr, t: VType): void {
    this.report(
      diagnostic("RLP0204", `cannot group by \`${level}\`: the value is ${this.describe(t.axes)}`)
        .primary(bySpan, `grouped by \`${level}\``)
        .secondary(value.span, `${this.describe(t.axes)}, not per \`${level}\``)
        .help(t.axes.size > 0 ? `group by levels the value varies over: ${this.hierarchy.filter((h) => t.axes.has(h)).map((h) => `\`${h}\``).join(", ")}` : "a value that is the same for the whole step has nothing to group")
        .build(),
    );
  }

  private reduce(e: Extract<HExpr, { kind: "reduce" }>): VType {
    const t = this.typeOf(e.value);
    const w = e.where === undefined ? undefined : this.typeOf(e.where);
    const empty = e.empty === undefined ? undefined : this.typeOf(e.empty);
    if (t.kind === "error") return ERROR_TYPE;
    if (!numeric(t.kind)) return this.mismatch(e.value, t, `\`${e.op}\` reduces numbers or booleans`);
    const by = new Set(e.by.map((b) => b.name));
    let ok = true;
    for (const b of e.by) {
      if (!t.axes.has(b.name)) {
        this.groupingError(b.span, b.name, e.value, t);
        ok = false;
      }
    }
    // `sample` and `token` only mean something together with every coarser level.
    for (const fine of ["sample", "token"]) {
      if (!ok || !by.has(fine)) continue;
      const needed = this.hierarchy.slice(0, this.hierarchy.indexOf(fine)).filter((h) => t.axes.has(h) && !by.has(h));
      if (needed.length > 0) {
        const at = e.by.find((b) => b.name === fine)!;
        this.report(
          diagnostic("RLP0205", `\`${fine}\` identifies a ${fine === "sample" ? "rollout" : "token"} only together with ${needed.map((n) => `\`${n}\``).join(", ")}`)
            .primary(at.span, "incomplete key")
            .help(`write \`by ${[...this.hierarchy.filter((h) => by.has(h) || needed.includes(h))].join(", ")}\``)
            .build(),
        );
        ok = false;
      }
    }
    if (w !== undefined && w.kind !== "error") {
      if (w.kind !== "bool") {
        this.mismatch(e.where!, w, "a `where` condition must be a boolean", "RLP0202");
        ok = false;
      } else if (![...w.axes].every((a) => t.axes.has(a))) {
        const extra = [...w.axes].filter((a) => !t.axes.has(a));
        this.report(
          diagnostic("RLP0204", `the \`where\` condition varies per ${extra.join(", ")}, which the reduced value does not`)
            .primary(e.where!.span, this.describe(w.axes))
            .secondary(e.value.span, this.describe(t.axes))
            .build(),
        );
        ok = false;
      }
    }
    if (empty !== undefined && empty.kind !== "error" && (!numeric(empty.kind) || this.constEval(e.empty!, new Map()) === undefined)) {
      this.report(diagnostic("RLP0208", "`empty:` must be a constant number").primary(e.empty!.span).build());
      ok = false;
    }
    if (!ok) return ERROR_TYPE;
    if (sameSet(by, t.axes) && e.op !== "count") {
      this.report(
        diagnostic("RLP0210", `this \`${e.op}\` groups the value by every level it varies over, so each group has one element`)
          .primary(e.span, "each group is a single value")
          .help(e.op === "std" ? "a standard deviation of one element is undefined" : "use the value directly")
          .build(),
      );
    } else if (e.op === "std" && e.where === undefined) {
      const size = this.groupSizeOf(t.axes, by);
      if (size !== undefined && size < 2) {
        this.report(
          diagnostic("RLP0404", `\`std\` needs at least two values per group, but each group here has ${size}`)
            .primary(e.span, `groups of ${size}`)
            .help("sample at least two rollouts per group (`samples = 2` or more)")
            .build(),
        );
      }
    }
    const kind: Kind = e.op === "mean" || e.op === "std" ? "f32" : e.op === "count" ? "i32" : t.kind === "bool" ? "i32" : t.kind;
    return { kind, axes: by };
  }

  /** Static size of the groups when reducing `axes` by `by` (undefined when tokens are involved). */
  private groupSizeOf(axes: ReadonlySet<string>, by: ReadonlySet<string>): number | undefined {
    let size = 1;
    for (const a of axes) {
      if (by.has(a)) continue;
      if (a === "token") return undefined;
      if (a === "sample") {
        if (this.groupSize === undefined) return undefined;
        size *= this.groupSize;
      } else if (a === "prompt") {
        const prompts = this.p.rollout?.settings.get("prompts");
        const n = prompts === undefined ? undefined : this.constEval(prompts.value, new Map());
        if (typeof n !== "number") return undefined;
        size *= n;
      } else {
        const values = this.levelValues.get(a);
        if (values === undefined) return undefined;
        size *= values.length;
      }
    }
    return size;
  }

  // ------------------------------------------------------------ constants

  constEval(e: HExpr, env: ReadonlyMap<string, number | string>): CValue | undefined {
    switch (e.kind) {
      case "number":
        return e.value;
      case "bool":
        return e.value;
      case "string": {
        let out = "";
        for (const part of e.parts) {
          if (typeof part === "string") out += part;
          else {
            const v = this.refConst(part.ref, env);
            if (v === undefined || typeof v === "object") return undefined;
            out += String(v);
          }
        }
        return out;
      }
      case "ref":
        return this.refConst(e.ref, env);
      case "unary": {
        const v = this.constEval(e.operand, env);
        if (e.op === "!") return typeof v === "boolean" ? !v : undefined;
        return typeof v === "number" ? -v : typeof v === "boolean" ? -Number(v) : undefined;
      }
      case "binary": {
        const a = this.constEval(e.left, env);
        const b = this.constEval(e.right, env);
        if (a === undefined || b === undefined) return undefined;
        return binaryConst(e.op, a, b);
      }
      case "if": {
        const c = this.constEval(e.cond, env);
        if (typeof c !== "boolean") return undefined;
        return this.constEval(c ? e.then : e.else, env);
      }
      case "list": {
        const items = e.items.map((i) => this.constEval(i, env));
        return items.every((i) => i !== undefined) ? (items as CValue[]) : undefined;
      }
      case "range": {
        const lo = this.constEval(e.lo, env);
        const hi = this.constEval(e.hi, env);
        return typeof lo === "number" && typeof hi === "number" ? { min: lo, max: hi } : undefined;
      }
      case "call": {
        // Pure maths of constants folds (e.g. `cos(pi / 4)`); other primitives never do.
        if (e.fn.module !== "std.math") return undefined;
        const args = e.args.map((a) => this.constEval(a.value, env));
        if (!args.every((a) => typeof a === "number")) return undefined;
        return mathConst(e.fn.name, args as number[]);
      }
      case "reduce":
      case "error":
        return undefined;
    }
  }

  private refConst(ref: Ref, env: ReadonlyMap<string, number | string>): CValue | undefined {
    switch (ref.kind) {
      case "const": {
        // A constant defined through itself has no value (the cycle is reported when typing).
        if (this.constStack.has(ref.decl.value)) return undefined;
        this.constStack.add(ref.decl.value);
        try {
          return this.constEval(ref.decl.value, env);
        } finally {
          this.constStack.delete(ref.decl.value);
        }
      }
      case "level":
        return env.get(ref.name);
      case "symbol":
        return { symbol: ref.name };
      case "levelName":
        return { level: ref.name };
      default:
        return undefined;
    }
  }

  // ------------------------------------------------------------ pipeline structure

  private checkLevels(): void {
    const seen = new Map<string, Span>();
    for (const level of this.p.rollout?.levels ?? []) {
      const previous = seen.get(level.name);
      if (previous !== undefined) {
        this.report(diagnostic("RLP0103", `level \`${level.name}\` is declared twice`).primary(level.nameSpan).secondary(previous, "first declared here").build());
      }
      seen.set(level.name, level.nameSpan);
      const raw = this.constEval(level.values, new Map());
      let values: (number | string)[] | undefined;
      if (Array.isArray(raw) && raw.every((v) => typeof v === "number" || typeof v === "string")) values = raw as (number | string)[];
      else if (raw !== undefined && typeof raw === "object" && "min" in raw) {
        values = [];
        for (let v = raw.min; v <= raw.max && values.length <= 4096; v++) values.push(v);
      }
      if (values === undefined) {
        this.report(
          diagnostic("RLP0405", `the values of level \`${level.name}\` must be a constant list or range`)
            .primary(level.values.span, "not a constant list")
            .help(`write e.g. \`level ${level.name} in [8, 16, 32]\` or \`in 1..4\``)
            .build(),
        );
        this.levelKinds.set(level.name, "error");
        continue;
      }
      if (values.length === 0) {
        this.report(diagnostic("RLP0405", `level \`${level.name}\` has no values`).primary(level.values.span, "empty").build());
      }
      const kinds = new Set(values.map((v) => (typeof v === "string" ? "text" : Number.isInteger(v) ? "i32" : "f32")));
      if (kinds.has("text") && kinds.size > 1) {
        this.report(diagnostic("RLP0405", `the values of level \`${level.name}\` mix text and numbers`).primary(level.values.span).build());
      }
      const dup = values.find((v, i) => values!.indexOf(v) !== i);
      if (dup !== undefined) {
        this.report(diagnostic("RLP0405", `level \`${level.name}\` lists \`${dup}\` twice`).primary(level.values.span, "values must be distinct").build());
      }
      this.levelValues.set(level.name, values);
      this.levelKinds.set(level.name, kinds.has("text") ? "text" : kinds.has("f32") ? "f32" : "i32");
      this.typeOf(level.values);
    }
  }

  private checkRolloutLayout(): void {
    const r = this.p.rollout;
    if (r === undefined) return;
    const levels = r.levels;
    const top = r.settings.get("samples");
    const innermost = levels[levels.length - 1];
    for (const [i, level] of levels.entries()) {
      const s = level.settings.get("samples");
      if (s !== undefined && i < levels.length - 1) {
        this.report(
          diagnostic("RLP0406", `\`samples\` belongs to the innermost level \`${innermost!.name}\`, not to \`${level.name}\``)
            .primary(s.nameSpan, "set on an outer level")
            .build(),
        );
      }
    }
    const inner = innermost?.settings.get("samples");
    if (top !== undefined && innermost !== undefined) {
      this.report(
        diagnostic("RLP0406", "`samples` is set both for the whole rollout and inside a level")
          .primary(top.nameSpan, "remove this")
          .secondary(inner?.nameSpan ?? innermost.nameSpan, inner !== undefined ? "also set here" : `the level \`${innermost.name}\` decides the group layout`)
          .help(`with levels, set \`samples\` inside the innermost level: rollouts per \`${innermost.name}\` value`)
          .build(),
      );
      return;
    }
    const decl = inner ?? top;
    if (decl === undefined) {
      this.report(
        diagnostic("RLP0406", "the rollout does not say how many samples to draw per prompt")
          .primary(innermost?.nameSpan ?? r.span, "no `samples`")
          .help(innermost !== undefined ? `add \`samples = 4\` inside \`level ${innermost.name}\`` : "add `samples = 8` to `rollout`")
          .build(),
      );
      return;
    }
    const t = this.typeOf(decl.value);
    if (t.kind === "alloc") {
      if (inner !== undefined) {
        this.report(diagnostic("RLP0406", "a sample-count rule applies to the whole rollout, not to a level").primary(decl.value.span).build());
      }
      const call = decl.value.kind === "call" ? decl.value : undefined;
      const minArg = call?.args.find((a) => a.param.name === "min" || a.param.name === "n");
      const min = minArg === undefined ? undefined : this.constEval(minArg.value, new Map());
      this.groupSize = typeof min === "number" ? min : undefined;
      return;
    }
    const n = this.constEval(decl.value, new Map());
    if (typeof n === "number") this.groupSize = n;
  }

  /** Every rollout and level setting must be constant (a level's may use its own value). */
  private checkRolloutSettings(): void {
    const r = this.p.rollout;
    if (r === undefined) return;
    for (const [name, decl] of r.settings) {
      const t = this.typeOf(decl.value);
      if (t.kind === "error" || t.kind === "alloc") continue;
      if (this.constEval(decl.value, new Map()) === undefined) this.notConstant(name, decl);
    }
    const env = new Map<string, number | string>();
    const walk = (i: number) => {
      const level = r.levels[i];
      if (level === undefined) return;
      for (const value of this.levelValues.get(level.name) ?? []) {
        env.set(level.name, value);
        if (value === this.levelValues.get(level.name)![0]) {
          for (const [name, decl] of level.settings) {
            const t = this.typeOf(decl.value);
            if (t.kind !== "error" && this.constEval(decl.value, env) === undefined) this.notConstant(name, decl);
          }
        }
        walk(i + 1);
      }
      env.delete(level.name);
    };
    walk(0);
  }

  private notConstant(name: string, decl: Decl): void {
    this.report(
      diagnostic("RLP0208", `the rollout setting \`${name}\` must be a constant`)
        .primary(decl.value.span, "depends on rollout data")
        .help("settings are fixed before sampling; they may use constants and the values of enclosing levels")
        .build(),
    );
  }

  private checkFilters(): void {
    for (const f of this.p.rollout?.filters ?? []) {
      const t = this.typeOf(f.cond);
      if (t.kind !== "error") {
        if (t.kind !== "bool") this.mismatch(f.cond, t, "a `keep groups where` condition must be a boolean", "RLP0202");
        else if (![...t.axes].every((a) => a === "prompt")) {
          this.report(
            diagnostic("RLP0207", `\`keep groups where\` needs one boolean per prompt group, but this is ${this.describe(t.axes)}`)
              .primary(f.cond.span, this.describe(t.axes))
              .help("reduce it to the prompt level, e.g. `std(correct by prompt) > 0`")
              .build(),
          );
        }
      }
      if (f.refill !== undefined) {
        const v = this.constEval(f.refill, new Map());
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
          this.report(
            diagnostic("RLP0208", "`refill up to` takes a constant whole number of extra sampling rounds")
              .primary(f.refill.span, "not a constant whole number")
              .build(),
          );
        }
      }
    }
  }

  private checkLoss(): void {
    const loss = this.p.bindings.get("loss");
    if (loss === undefined) return;
    this.used.add("binding:loss");
    const t = this.typeOf(loss.value);
    if (t.kind !== "error" && t.kind !== "loss") {
      this.report(
        diagnostic("RLP0211", `\`loss\` must be built from loss terms, but this is ${kindName(t.kind)}`)
          .primary(loss.value.span, `${kindName(t.kind)} ${this.describe(t.axes)}`)
          .help("use a loss primitive, e.g. `loss = ppo_clip(A)`; advantages go inside it")
          .build(),
      );
    }
  }

  private checkOptimize(): void {
    for (const [name, decl] of this.p.optimize) {
      const t = this.typeOf(decl.value);
      if (t.kind === "error") continue;
      if (name === "optimizer") {
        if (t.kind !== "optimizer") {
          this.report(
            diagnostic("RLP0212", `\`optimizer\` must be an optimiser, not ${kindName(t.kind)}`)
              .primary(decl.value.span)
              .help("e.g. `optimizer = adam(lr: 3e-4)`")
              .build(),
          );
        }
      } else if (this.constEval(decl.value, new Map()) === undefined) {
        this.report(diagnostic("RLP0208", `the optimize setting \`${name}\` must be a constant`).primary(decl.value.span).build());
      }
    }
  }

  private checkRequired(): void {
    const p = this.p;
    if (p.incomplete) return;
    const missing: { what: string; example: string }[] = [];
    const expect = (name: string, kind: Kind, example: string) => {
      const decl = p.bindings.get(name);
      if (decl === undefined) {
        missing.push({ what: `\`${name}\``, example });
        return;
      }
      this.used.add(`binding:${name}`);
      const t = this.typeOf(decl.value);
      if (t.kind !== "error" && t.kind !== kind && name !== "loss") {
        this.report(
          diagnostic("RLP0212", `\`${name}\` must be ${kindName(kind)}, not ${kindName(t.kind)}`)
            .primary(decl.value.span)
            .help(`e.g. \`${example}\``)
            .build(),
        );
      }
    };
    expect("policy", "model", 'policy = tiny_lm(preset: "arith")');
    expect("data", "dataset", "data = arith(digits: 1..6)");
    expect("loss", "loss", "loss = ppo_clip(A)");
    if (p.rollout === undefined) missing.push({ what: "`rollout` block", example: "rollout { prompts = 32  samples = 8  max_tokens = 48 }" });
    if (p.optimizeSpan === undefined) missing.push({ what: "`optimize` block", example: "optimize { optimizer = adam(lr: 3e-4)  steps = 200 }" });
    else if (!p.optimize.has("optimizer")) missing.push({ what: "`optimizer` in `optimize`", example: "optimizer = adam(lr: 3e-4)" });
    for (const m of missing) {
      this.report(
        diagnostic("RLP0402", `pipeline \`${p.name}\` is missing ${m.what}`)
          .primary(p.nameSpan, `missing ${m.what.replace(/`/g, "")}`)
          .help(`add \`${m.example}\``)
          .build(),
      );
    }
    if (p.rollout !== undefined && !p.rollout.settings.has("max_tokens") && !p.rollout.levels.some((l) => l.settings.has("max_tokens"))) {
      this.report(
        diagnostic("RLP0402", "the rollout has no `max_tokens`")
          .primary(p.rollout.span.start === p.span.start ? p.nameSpan : p.rollout.span, "missing max_tokens")
          .help("add `max_tokens = 64` (the longest response) to `rollout`")
          .build(),
      );
    }
  }

  /** A level is a token budget when its value is compared with, or subtracted from, `tokens`. */
  private findBudgetLevels(e: HExpr): void {
    const visit = (x: HExpr): void => {
      if (x.kind === "binary" && ["<", "<=", ">", ">=", "-", "==", "!="].includes(x.op)) {
        const sides = [x.left, x.right];
        const hasTokens = sides.some((s) => s.kind === "ref" && s.ref.kind === "field" && s.ref.name === "tokens");
        for (const s of sides) if (hasTokens && s.kind === "ref" && s.ref.kind === "level") this.budgetLevels.set(s.ref.name, s.span);
      }
      if (x.kind === "call" && x.fn.name === "hbpo_budget") {
        const b = x.args.find((a) => a.param.name === "budget")?.value;
        if (b?.kind === "ref" && b.ref.kind === "level") this.budgetLevels.set(b.ref.name, b.span);
      }
      forEachChild(x, visit);
    };
    visit(e);
  }

  private checkBudgets(): void {
    const r = this.p.rollout;
    if (r === undefined) return;
    const maxDecl = r.settings.get("max_tokens");
    const max = maxDecl === undefined ? undefined : this.constEval(maxDecl.value, new Map());
    if (typeof max !== "number" || maxDecl === undefined) return;
    for (const d of [...this.p.reward.values(), ...this.p.advantage.values()]) this.findBudgetLevels(d.value);
    for (const level of r.levels) {
      const values = this.levelValues.get(level.name) ?? [];
      const perLevelMax = level.settings.get("max_tokens");
      for (const value of values) {
        if (perLevelMax !== undefined) {
          const v = this.constEval(perLevelMax.value, new Map([[level.name, value]]));
          if (typeof v === "number" && v > max) {
            this.report(
              diagnostic("RLP0403", `level \`${level.name}\` = ${value} allows ${v} tokens, more than the rollout's max_tokens of ${max}`)
                .primary(perLevelMax.value.span, `${v} tokens when ${level.name} = ${value}`)
                .secondary(maxDecl.value.span, `max_tokens is ${max}`)
                .help("raise `max_tokens`, or lower the level's limit")
                .build(),
            );
            break;
          }
        }
        const usedAt = this.budgetLevels.get(level.name);
        if (usedAt !== undefined && typeof value === "number" && value > max) {
          this.report(
            diagnostic("RLP0403", `budget ${value} of level \`${level.name}\` exceeds max_tokens (${max})`)
              .primary(level.values.span, `contains ${value}`)
              .secondary(maxDecl.value.span, `max_tokens is ${max}`)
              .secondary(usedAt, `\`${level.name}\` is used as a token budget here`)
              .help(`a response can never reach ${value} tokens; raise \`max_tokens\` to at least ${value} or drop the value`)
              .build(),
          );
          break;
        }
      }
    }
  }

  private checkUnused(): void {
    // Reachability from what the run consumes: the loss, filters, settings and optimize (a worklist,
    // not recursion, for the same reason as `dependencyOrder`).
    const reached = new Set<string>();
    const work: HExpr[] = [];
    const visitExpr = (e: HExpr): void => {
      work.push(e);
    };
    const visitRef = (ref: Ref): void => {
      const key = ref.kind === "term" ? `term:${ref.name}` : ref.kind === "const" ? `const:${ref.name}` : ref.kind === "binding" ? `binding:${ref.name}` : undefined;
      if (key === undefined || reached.has(key)) return;
      reached.add(key);
      const decl = ref.kind === "term" ? (ref.section === "reward" ? this.p.reward : this.p.advantage).get(ref.name) : ref.kind === "const" ? ref.decl : ref.kind === "binding" ? this.p.bindings.get(ref.name) : undefined;
      if (decl !== undefined) work.push(decl.value);
    };
    for (const name of ["loss", "policy", "data", "reference"]) visitRef({ kind: "binding", name });
    for (const f of this.p.rollout?.filters ?? []) {
      visitExpr(f.cond);
      if (f.refill) visitExpr(f.refill);
    }
    for (const d of this.p.rollout?.settings.values() ?? []) visitExpr(d.value);
    for (const l of this.p.rollout?.levels ?? []) {
      visitExpr(l.values);
      for (const d of l.settings.values()) visitExpr(d.value);
    }
    for (const d of this.p.optimize.values()) visitExpr(d.value);
    while (work.length > 0) {
      const e = work.pop()!;
      if (e.kind === "ref") visitRef(e.ref);
      if (e.kind === "string") for (const part of e.parts) if (typeof part !== "string") visitRef(part.ref);
      forEachChild(e, (c) => work.push(c));
    }
    for (const [section, map] of [["reward", this.p.reward], ["advantage", this.p.advantage]] as const) {
      for (const [name, decl] of map) {
        if (reached.has(`term:${name}`) || name.startsWith("_") || decl.origin !== undefined) continue;
        this.report(
          diagnostic("RLP0501", `the ${section} term \`${name}\` is never used`)
            .primary(decl.nameSpan, "unused")
            .help(`it is still computed and logged as \`${section}/${name}\`; start its name with \`_\` to say that is intended, or remove it`)
            .build(),
        );
      }
    }
    for (const [name, decl] of this.p.consts) {
      if (reached.has(`const:${name}`) || name.startsWith("_") || decl.origin !== undefined) continue;
      this.report(diagnostic("RLP0502", `the constant \`${name}\` is never used`).primary(decl.nameSpan, "unused").build());
    }
  }
}

export function forEachChild(e: HExpr, f: (child: HExpr) => void): void {
  switch (e.kind) {
    case "unary":
      f(e.operand);
      break;
    case "binary":
      f(e.left);
      f(e.right);
      break;
    case "if":
      f(e.cond);
      f(e.then);
      f(e.else);
      break;
    case "call":
      for (const a of e.args) f(a.value);
      break;
    case "reduce":
      f(e.value);
      if (e.where) f(e.where);
      if (e.empty) f(e.empty);
      break;
    case "list":
      for (const i of e.items) f(i);
      break;
    case "range":
      f(e.lo);
      f(e.hi);
      break;
    default:
      break;
  }
}

function promote(a: Kind, b: Kind): Kind {
  return a === "f32" || b === "f32" ? "f32" : "i32";
}

function baseKind(t: BaseType): Kind {
  switch (t) {
    case "num":
      return "f32";
    case "any":
      return "f32";
    case "str":
      return "text";
    default:
      return t;
  }
}

function accepts(param: BaseType, kind: Kind): boolean {
  switch (param) {
    case "f32":
    case "num":
      return numeric(kind);
    case "i32":
      return kind === "i32" || kind === "bool";
    case "any":
      return kind !== "loss";
    case "str":
      return kind === "text";
    default:
      return param === kind;
  }
}

export function kindName(kind: Kind): string {
  switch (kind) {
    case "f32":
      return "a number (f32)";
    case "i32":
      return "an integer (i32)";
    case "bool":
      return "a boolean";
    case "text":
      return "text";
    case "model":
      return "a model";
    case "dataset":
      return "a dataset";
    case "optimizer":
      return "an optimiser";
    case "loss":
      return "a loss";
    case "alloc":
      return "a sample-count rule";
    case "symbol":
      return "a word";
    case "level":
      return "a level";
    case "list":
      return "a list";
    case "range":
      return "a range";
    case "error":
      return "an invalid value";
  }
}

function binaryConst(op: string, a: CValue, b: CValue): CValue | undefined {
  const num = (v: CValue) => (typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : undefined);
  if (op === "&&" || op === "||") return typeof a === "boolean" && typeof b === "boolean" ? (op === "&&" ? a && b : a || b) : undefined;
  if (op === "==" || op === "!=") {
    if (typeof a === "object" || typeof b === "object") return undefined;
    return op === "==" ? a === b : a !== b;
  }
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      return y === 0 ? undefined : x / y;
    case "%":
      return y === 0 ? undefined : x % y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
    default:
      return undefined;
  }
}

function mathConst(name: string, a: number[]): number | undefined {
  const [x = 0, y = 0, z = 0] = a;
  switch (name) {
    case "abs":
      return Math.abs(x);
    case "cos":
      return Math.cos(x);
    case "sin":
      return Math.sin(x);
    case "exp":
      return Math.exp(x);
    case "log":
      return Math.log(x);
    case "sqrt":
      return Math.sqrt(x);
    case "pow":
      return Math.pow(x, y);
    case "clip":
      return Math.min(Math.max(x, y), z);
    case "minimum":
      return Math.min(x, y);
    case "maximum":
      return Math.max(x, y);
    default:
      return undefined;
  }
}

export type { HLevel };
