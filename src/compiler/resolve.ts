/**
 * Stage `resolve`: AST → HIR. Builds each file's scope from the prelude, its `use` imports and its
 * own declarations (with import-cycle detection); instantiates the algorithm a pipeline `uses`
 * (arguments bound to parameters, pipeline members overriding the algorithm's); and resolves every
 * name to what it means, with did-you-mean suggestions for the ones that resolve to nothing.
 */
import type * as A from "./ast.js";
import { diagnostic, type Diagnostic } from "./diagnostics/diagnostic.js";
import { didYouMean, suggestions } from "./diagnostics/suggest.js";
import {
  BUILTIN_FIELDS,
  REDUCTIONS,
  type BaseType,
  type Decl,
  type FunctionSig,
  type HArg,
  type HExpr,
  type HFilter,
  type HLevel,
  type HPipeline,
  type ParamSig,
  type ReduceOp,
  type Ref,
} from "./hir.js";
import { PRELUDE, STD_MODULES, type Module, type ModuleLoader } from "./modules.js";
import type { Span } from "./source.js";

type ScopeEntry =
  | { readonly kind: "extern"; readonly sig: FunctionSig; readonly module: Module }
  | { readonly kind: "const"; readonly decl: A.ConstDecl; readonly module: Module }
  | { readonly kind: "algorithm"; readonly decl: A.AlgorithmDecl; readonly module: Module };

interface Import {
  readonly entry: ScopeEntry;
  readonly span: Span;
  used: boolean;
}

interface Scope {
  readonly module: Module;
  readonly entries: Map<string, ScopeEntry>;
  readonly imports: Map<string, Import>;
  /** Names a failed `use` tried to import: already reported, so their uses stay quiet. */
  readonly unresolvedImports: Set<string>;
}

/** What a name means where an expression is resolved. */
interface Ctx {
  readonly scope: Scope;
  /** Algorithm parameters in force (innermost algorithm first). */
  readonly params: ReadonlyMap<string, { readonly expr: A.Expr; readonly ctx: Ctx }>;
  readonly origin?: string;
}

type Expect = "value" | "symbol" | "level";

export interface ResolveResult {
  readonly pipelines: readonly HPipeline[];
  readonly diagnostics: readonly Diagnostic[];
}

export function astToHir(root: Module, loader: ModuleLoader): ResolveResult {
  const resolver = new Resolver(loader);
  const rootScope = resolver.scopeOf(root, undefined);
  const pipelines: HPipeline[] = [];
  for (const decl of root.pipelines.values()) {
    const pipeline = resolver.pipeline(decl, rootScope);
    if (pipeline !== undefined) pipelines.push(pipeline);
  }
  resolver.reportUnusedImports(rootScope);
  return { pipelines, diagnostics: resolver.diagnostics };
}

/** Where each standard-library name lives, for "add `use std.x.{name}`" hints. */
function stdHome(loader: ModuleLoader): Map<string, string> {
  const home = new Map<string, string>();
  for (const name of STD_MODULES) {
    const module = loader.std(name);
    if (module === undefined) continue;
    for (const fn of module.externs.keys()) home.set(fn, `std.${name}`);
    for (const c of module.consts.keys()) home.set(c, `std.${name}`);
  }
  return home;
}

class Resolver {
  readonly diagnostics: Diagnostic[] = [];
  private readonly scopes = new Map<string, Scope>();
  private readonly building: { id: string; span: Span | undefined }[] = [];
  private home: Map<string, string> | undefined;

  constructor(private readonly loader: ModuleLoader) {}

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  // ------------------------------------------------------------ scopes and imports

  scopeOf(module: Module, importedAt: Span | undefined): Scope {
    const cached = this.scopes.get(module.id);
    if (cached !== undefined) return cached;
    const entries = new Map<string, ScopeEntry>();
    const imports = new Map<string, Import>();
    const scope: Scope = { module, entries, imports, unresolvedImports: new Set() };
    this.building.push({ id: module.id, span: importedAt });
    try {
      if (!module.isStd) {
        for (const name of PRELUDE) {
          const std = this.loader.std(name);
          if (std !== undefined) this.addModuleExports(entries, std);
        }
      }
      for (const item of module.ast.items) if (item.kind === "use") this.use(scope, item);
      for (const [name, sig] of module.externs) entries.set(name, { kind: "extern", sig, module });
      for (const [name, decl] of module.consts) entries.set(name, { kind: "const", decl, module });
      for (const [name, decl] of module.algorithms) {
        const imported = imports.get(name);
        if (imported !== undefined) {
          this.report(
            diagnostic("RLP0103", `\`${name}\` is both imported and declared here`)
              .primary(decl.name.span, "declared here")
              .secondary(imported.span, "imported here")
              .build(),
          );
        }
        entries.set(name, { kind: "algorithm", decl, module });
      }
    } finally {
      this.building.pop();
    }
    this.scopes.set(module.id, scope);
    return scope;
  }

  private addModuleExports(entries: Map<string, ScopeEntry>, module: Module): void {
    for (const [name, sig] of module.externs) entries.set(name, { kind: "extern", sig, module });
    for (const [name, decl] of module.consts) entries.set(name, { kind: "const", decl, module });
    for (const [name, decl] of module.algorithms) entries.set(name, { kind: "algorithm", decl, module });
  }

  private use(scope: Scope, decl: A.UseDecl): void {
    const target = this.importTarget(scope.module, decl);
    if (target === undefined) {
      if (decl.names !== "all") for (const n of decl.names) scope.unresolvedImports.add((n.alias ?? n.name).name);
      return;
    }
    const exports = new Map<string, ScopeEntry>();
    this.addModuleExports(exports, target);
    if (decl.names === "all") {
      for (const [name, entry] of exports) scope.entries.set(name, entry);
      return;
    }
    for (const n of decl.names) {
      const entry = exports.get(n.name.name);
      if (entry === undefined) {
        this.report(
          diagnostic("RLP0105", `\`${target.id.startsWith("std.") ? target.id : this.loader.displayPath(target.id)}\` has no \`${n.name.name}\``)
            .primary(n.name.span, "not declared there")
            .help(didYouMean(n.name.name, exports.keys()))
            .build(),
        );
        scope.unresolvedImports.add((n.alias ?? n.name).name);
        continue;
      }
      const local = n.alias ?? n.name;
      scope.entries.set(local.name, entry);
      scope.imports.set(local.name, { entry, span: n.span, used: false });
    }
  }

  private importTarget(from: Module, decl: A.UseDecl): Module | undefined {
    const source = decl.source;
    if (source.kind === "std") {
      const [first, ...rest] = source.path;
      const valid = first?.name === "std" && rest.length === 1;
      const name = rest[0]?.name ?? first?.name ?? "";
      const module = valid ? this.loader.std(name) : undefined;
      if (module === undefined) {
        const candidates = STD_MODULES.map((m) => `std.${m}`);
        const written = source.path.map((p) => p.name).join(".");
        this.report(
          diagnostic("RLP0104", `there is no module \`${written}\``)
            .primary(source.span, "unknown module")
            .help(didYouMean(written, candidates) ?? `standard modules are ${candidates.map((c) => `\`${c}\``).join(", ")}; files are imported with \`use "./file.rlp"\``)
            .build(),
        );
      }
      return module;
    }
    const module = this.loader.file(from.file.path, source.path, source.span);
    if (module === undefined) return undefined;
    const cycleAt = this.building.findIndex((b) => b.id === module.id);
    if (cycleAt >= 0) {
      const chain = [...this.building.slice(cycleAt).map((b) => b.id), module.id].map((p) => this.loader.displayPath(p));
      const builder = diagnostic("RLP0106", `import cycle: ${chain.join(" → ")}`).primary(source.span, "this import closes the cycle");
      for (const b of this.building.slice(cycleAt + 1)) builder.secondary(b.span, "imported here");
      this.report(builder.help("move the declarations both files need into a third file that both import").build());
      return undefined;
    }
    this.scopeOf(module, source.span);
    return module;
  }

  reportUnusedImports(scope: Scope): void {
    for (const [name, imp] of scope.imports) {
      if (imp.used) continue;
      this.report(diagnostic("RLP0503", `\`${name}\` is imported but never used`).primary(imp.span, "unused import").build());
    }
  }

  private lookup(ctx: Ctx, name: string): ScopeEntry | undefined {
    const entry = ctx.scope.entries.get(name);
    const imp = ctx.scope.imports.get(name);
    if (imp !== undefined) imp.used = true;
    return entry;
  }

  private importHint(name: string): string | undefined {
    this.home ??= stdHome(this.loader);
    const module = this.home.get(name);
    return module === undefined ? undefined : `\`${name}\` is in \`${module}\`: add \`use ${module}.{${name}}\``;
  }

  // ------------------------------------------------------------ pipelines

  pipeline(decl: A.PipelineDecl, scope: Scope): HPipeline | undefined {
    const base: Ctx = { scope, params: new Map() };
    const collected = new PipelineMembers();
    if (decl.uses !== undefined && !this.instantiate(decl.uses, base, collected, [decl.name.name])) collected.incomplete = true;
    collected.add(decl.members, base, undefined);
    return new PipelineResolution(this, decl, collected, base).run();
  }

  /** Adds an algorithm's members (and those of the algorithms it uses) with its parameters bound. */
  /** Returns false when the algorithm could not be found, so later checks can keep quiet about what it would have declared. */
  private instantiate(uses: A.UsesClause, callerCtx: Ctx, into: PipelineMembers, chain: string[]): boolean {
    const entry = this.lookup(callerCtx, uses.name.name);
    if (entry === undefined || entry.kind !== "algorithm") {
      const algorithms = [...callerCtx.scope.entries].filter(([, e]) => e.kind === "algorithm").map(([n]) => n);
      this.report(
        diagnostic("RLP0108", entry === undefined ? `there is no algorithm \`${uses.name.name}\`` : `\`${uses.name.name}\` is not an algorithm`)
          .primary(uses.name.span, entry === undefined ? "not declared or imported" : `a ${entry.kind === "extern" ? "function" : "constant"}`)
          .help(didYouMean(uses.name.name, algorithms) ?? (algorithms.length > 0 ? `algorithms in scope: ${algorithms.map((a) => `\`${a}\``).join(", ")}` : undefined))
          .build(),
      );
      return false;
    }
    const algorithm = entry.decl;
    if (chain.includes(algorithm.name.name)) {
      this.report(
        diagnostic("RLP0401", `algorithm \`${algorithm.name.name}\` uses itself: ${[...chain, algorithm.name.name].join(" → ")}`)
          .primary(uses.name.span, "closes the cycle")
          .build(),
      );
      return false;
    }
    const algScope = this.scopeOf(entry.module, undefined);
    const params = new Map<string, { expr: A.Expr; ctx: Ctx }>();
    const defaults: Ctx = { scope: algScope, params: new Map(), origin: `algorithm ${algorithm.name.name}` };
    const given = new Map<string, A.Arg>();
    uses.args.forEach((arg, index) => {
      const param = arg.name !== undefined ? algorithm.params.find((p) => p.name.name === arg.name!.name) : algorithm.params[index];
      if (param === undefined) {
        this.report(
          diagnostic("RLP0109", arg.name !== undefined ? `\`${algorithm.name.name}\` has no parameter \`${arg.name.name}\`` : `\`${algorithm.name.name}\` takes ${algorithm.params.length} parameters`)
            .primary(arg.name?.span ?? arg.span, arg.name !== undefined ? "unknown parameter" : "one too many")
            .secondary(algorithm.name.span, "algorithm declared here")
            .help(arg.name !== undefined ? (didYouMean(arg.name.name, algorithm.params.map((p) => p.name.name)) ?? paramList(algorithm)) : paramList(algorithm))
            .build(),
        );
        return;
      }
      if (given.has(param.name.name)) {
        this.report(diagnostic("RLP0112", `\`${param.name.name}\` is given twice`).primary(arg.span, "second value").secondary(given.get(param.name.name)!.span, "first value").build());
        return;
      }
      given.set(param.name.name, arg);
      params.set(param.name.name, { expr: arg.value, ctx: callerCtx });
    });
    for (const p of algorithm.params) {
      if (params.has(p.name.name)) continue;
      if (p.default === undefined) {
        this.report(
          diagnostic("RLP0109", `\`${algorithm.name.name}\` needs a value for \`${p.name.name}\``)
            .primary(uses.span, "missing argument")
            .secondary(p.span, "parameter declared here without a default")
            .help(`pass it as \`${uses.name.name}(${p.name.name}: ...)\``)
            .build(),
        );
        continue;
      }
      params.set(p.name.name, { expr: p.default, ctx: defaults });
    }
    const ctx: Ctx = { scope: algScope, params, origin: `algorithm ${algorithm.name.name}` };
    const inner = algorithm.uses === undefined || this.instantiate(algorithm.uses, ctx, into, [...chain, algorithm.name.name]);
    into.add(algorithm.members, ctx, `algorithm ${algorithm.name.name}`);
    return inner;
  }

  // ------------------------------------------------------------ expressions

  expr(e: A.Expr, ctx: Ctx, names: NameTable, expect: Expect = "value"): HExpr {
    switch (e.kind) {
      case "number":
        return { kind: "number", value: e.value, isInt: e.isInt, span: e.span };
      case "bool":
        return { kind: "bool", value: e.value, span: e.span };
      case "string":
        return {
          kind: "string",
          parts: e.parts.map((p) => {
            if (p.kind === "text") return p.value;
            const resolved = this.name(p.name.name, p.name.span, ctx, names, "value");
            return resolved.kind === "ref" ? { ref: resolved.ref, span: p.name.span } : "";
          }),
          span: e.span,
        };
      case "name":
        return this.name(e.name, e.span, ctx, names, expect);
      case "unary":
        return { kind: "unary", op: e.op, operand: this.expr(e.operand, ctx, names), opSpan: e.opSpan, span: e.span };
      case "binary":
        return { kind: "binary", op: e.op, left: this.expr(e.left, ctx, names), right: this.expr(e.right, ctx, names), opSpan: e.opSpan, span: e.span };
      case "if":
        return { kind: "if", cond: this.expr(e.cond, ctx, names), then: this.expr(e.then, ctx, names), else: this.expr(e.else, ctx, names), span: e.span };
      case "list":
        return { kind: "list", items: e.items.map((i) => this.expr(i, ctx, names, expect)), span: e.span };
      case "range":
        return { kind: "range", lo: this.expr(e.lo, ctx, names), hi: this.expr(e.hi, ctx, names), span: e.span };
      case "call":
        return this.call(e, ctx, names);
      case "error":
        return { kind: "error", span: e.span };
    }
  }

  private name(name: string, span: Span, ctx: Ctx, names: NameTable, expect: Expect): HExpr {
    const param = ctx.params.get(name);
    if (param !== undefined) return this.expr(param.expr, param.ctx, names, expect);
    if (expect === "level") {
      if (names.levels.includes(name)) return { kind: "ref", ref: { kind: "levelName", name }, span };
      this.report(
        diagnostic("RLP0113", `\`${name}\` is not a level`)
          .primary(span, "expected a level")
          .help(didYouMean(name, names.levels) ?? `levels are ${names.levels.map((l) => `\`${l}\``).join(", ")}`)
          .build(),
      );
      return { kind: "error", span };
    }
    const local = names.lookup(name);
    if (local !== undefined) return { kind: "ref", ref: local, span };
    const entry = this.lookup(ctx, name);
    if (entry?.kind === "const") {
      const decl = this.moduleConst(entry, names);
      return { kind: "ref", ref: { kind: "const", name, decl }, span };
    }
    if (entry !== undefined) {
      this.report(
        diagnostic("RLP0114", `\`${name}\` is ${entry.kind === "extern" ? "a function" : "an algorithm"}, not a value`)
          .primary(span, entry.kind === "extern" ? "call it with arguments" : "used as a value")
          .help(entry.kind === "extern" ? `write \`${name}(${entry.sig.params.filter((p) => !p.isConst).map((p) => p.name).join(", ")})\`` : "algorithms are used with `pipeline NAME uses ALGORITHM(...)`")
          .build(),
      );
      return { kind: "error", span };
    }
    if (names.levels.includes(name) && !names.levelVars.has(name)) {
      this.report(
        diagnostic("RLP0114", `\`${name}\` is a level, not a value`)
          .primary(span, "a level name")
          .help(`levels are used to group: \`mean(x by ${name})\``)
          .build(),
      );
      return { kind: "error", span };
    }
    if (expect === "symbol") return { kind: "ref", ref: { kind: "symbol", name }, span };
    if (ctx.scope.unresolvedImports.has(name)) return { kind: "error", span };
    const candidates = [...names.visible(), ...ctx.params.keys(), ...[...ctx.scope.entries].filter(([, e]) => e.kind === "const").map(([n]) => n)];
    const hint = BOOLEAN_WORDS.has(name.toLowerCase()) ? "booleans are written `true` and `false`" : (didYouMean(name, candidates) ?? this.importHint(name));
    this.report(diagnostic("RLP0101", `unknown name \`${name}\``).primary(span, "not defined in this pipeline").help(hint).build());
    return { kind: "error", span };
  }

  private moduleConst(entry: Extract<ScopeEntry, { kind: "const" }>, names: NameTable): Decl {
    const key = `${entry.module.id}#${entry.decl.name.name}`;
    const cached = names.moduleConsts.get(key);
    if (cached !== undefined) return cached;
    // Module constants see only their own module's scope (constants and literals). While one is
    // being resolved, a reference to it (a cycle) finds this error-valued entry instead of looping.
    const scope = this.scopeOf(entry.module, undefined);
    const inProgress: Decl = { name: entry.decl.name.name, nameSpan: entry.decl.name.span, value: { kind: "error", span: entry.decl.span }, span: entry.decl.span };
    names.moduleConsts.set(key, inProgress);
    const value = this.expr(entry.decl.value, { scope, params: new Map() }, NameTable.empty(names), "value");
    const decl: Decl = { ...inProgress, value };
    names.moduleConsts.set(key, decl);
    return decl;
  }

  private call(e: A.CallExpr, ctx: Ctx, names: NameTable): HExpr {
    const callee = e.callee.name;
    const first = e.args[0];
    const reduceArg = e.args.find((a) => a.reduce !== undefined);
    const positional = e.args.filter((a) => a.name === undefined);
    const isReduction =
      REDUCTIONS.has(callee) &&
      ctx.params.get(callee) === undefined &&
      (callee === "min" || callee === "max" ? reduceArg !== undefined || positional.length === 1 : true);
    if (isReduction) return this.reduction(e, callee as ReduceOp, ctx, names);
    if (reduceArg !== undefined) {
      this.report(
        diagnostic("RLP0011", `\`by\` belongs to a group reduction, not to \`${callee}\``)
          .primary(reduceArg.reduce!.span, "not allowed here")
          .help("group reductions are `mean`, `std`, `min`, `max`, `sum` and `count`, e.g. `mean(score by prompt)`")
          .build(),
      );
    }
    if ((callee === "min" || callee === "max") && ctx.scope.entries.get(callee) === undefined) {
      const alias = this.lookup(ctx, callee === "min" ? "minimum" : "maximum");
      if (alias?.kind === "extern") return this.applyCall(e, alias.sig, ctx, names);
    }
    const local = names.lookup(callee) ?? (ctx.params.has(callee) ? ({ kind: "binding", name: callee } as Ref) : undefined);
    const entry = this.lookup(ctx, callee);
    if (entry?.kind === "extern") return this.applyCall(e, entry.sig, ctx, names);
    if (local !== undefined || entry !== undefined) {
      this.report(
        diagnostic("RLP0114", `\`${callee}\` is not a function`)
          .primary(e.callee.span, entry?.kind === "algorithm" ? "an algorithm" : "a value")
          .help(entry?.kind === "algorithm" ? "algorithms are used with `pipeline NAME uses ALGORITHM(...)`" : undefined)
          .build(),
      );
      return { kind: "error", span: e.span };
    }
    if (ctx.scope.unresolvedImports.has(callee)) {
      for (const a of e.args) this.expr(a.value, ctx, names);
      return { kind: "error", span: e.span };
    }
    const functions = [...ctx.scope.entries].filter(([, v]) => v.kind === "extern").map(([n]) => n);
    const hint = didYouMean(callee, [...functions, ...REDUCTIONS]) ?? this.importHint(callee);
    this.report(diagnostic("RLP0102", `unknown function \`${callee}\``).primary(e.callee.span, "not defined or imported").help(hint).build());
    for (const a of e.args) this.expr(a.value, ctx, names); // still resolve the arguments, to report their errors too
    void first;
    return { kind: "error", span: e.span };
  }

  private reduction(e: A.CallExpr, op: ReduceOp, ctx: Ctx, names: NameTable): HExpr {
    const positional = e.args.filter((a) => a.name === undefined);
    const valueArg = positional[0];
    if (valueArg === undefined) {
      this.report(
        diagnostic("RLP0111", `\`${op}\` needs a value to reduce`)
          .primary(e.span, "missing value")
          .help(`write \`${op}(x by prompt)\``)
          .build(),
      );
      return { kind: "error", span: e.span };
    }
    if (valueArg !== e.args[0]) {
      this.report(diagnostic("RLP0011", "the reduced value must come first").primary(valueArg.span, "move this first").build());
    }
    for (const extra of positional.slice(1)) {
      this.report(
        diagnostic("RLP0111", `\`${op}\` reduces one value`)
          .primary(extra.span, "unexpected argument")
          .help(op === "min" || op === "max" ? `for the ${op === "min" ? "smaller" : "larger"} of two values write \`${op}(a, b)\` without \`by\`` : "list levels after `by`: `mean(x by prompt, budget)`")
          .build(),
      );
    }
    for (const other of e.args) if (other.reduce !== undefined && other !== valueArg) this.report(diagnostic("RLP0011", "only the reduced value takes a `by` clause").primary(other.reduce.span).build());
    const by: A.Ident[] = [];
    for (const level of valueArg.reduce?.by ?? []) {
      if (!names.levels.includes(level.name)) {
        this.report(
          diagnostic("RLP0113", `\`${level.name}\` is not a level`)
            .primary(level.span, "expected a level")
            .help(didYouMean(level.name, names.levels) ?? `levels are ${names.levels.map((l) => `\`${l}\``).join(", ")}`)
            .build(),
        );
        continue;
      }
      by.push(level);
    }
    const value = this.expr(valueArg.value, ctx, names);
    const whereExpr = valueArg.reduce?.where;
    const where = whereExpr === undefined ? undefined : this.expr(whereExpr, ctx, names);
    let empty: HExpr | undefined;
    const seen = new Set<string>();
    for (const named of e.args.filter((a) => a.name !== undefined)) {
      const n = named.name!;
      if (n.name !== "empty") {
        this.report(
          diagnostic("RLP0110", `\`${op}\` has no argument \`${n.name}\``)
            .primary(n.span, "unknown argument")
            .help(didYouMean(n.name, ["empty"]) ?? "a reduction takes the value, `by LEVELS`, `where COND` and `empty: VALUE` (the result for an empty group)")
            .build(),
        );
        continue;
      }
      if (seen.has(n.name)) this.report(diagnostic("RLP0112", "`empty` is given twice").primary(named.span).build());
      seen.add(n.name);
      empty = this.expr(named.value, ctx, names);
    }
    return { kind: "reduce", op, value, by, span: e.span, ...(where ? { where } : {}), ...(empty ? { empty } : {}) };
  }

  private applyCall(e: A.CallExpr, fn: FunctionSig, ctx: Ctx, names: NameTable): HExpr {
    const bound = new Map<string, HArg>();
    let position = 0;
    const positionalParams = fn.params;
    for (const arg of e.args) {
      let param: ParamSig | undefined;
      if (arg.name !== undefined) {
        param = fn.params.find((p) => p.name === arg.name!.name);
        if (param === undefined) {
          this.report(
            diagnostic("RLP0110", `\`${fn.name}\` has no argument \`${arg.name.name}\``)
              .primary(arg.name.span, "unknown argument")
              .secondary(fn.span, "declared here")
              .help(didYouMean(arg.name.name, fn.params.map((p) => p.name)) ?? `its arguments are ${fn.params.map((p) => `\`${p.name}\``).join(", ")}`)
              .build(),
          );
          this.expr(arg.value, ctx, names);
          continue;
        }
      } else {
        param = positionalParams[position++];
        if (param === undefined) {
          this.report(
            diagnostic("RLP0111", `\`${fn.name}\` takes at most ${fn.params.length} argument${fn.params.length === 1 ? "" : "s"}`)
              .primary(arg.span, "one too many")
              .secondary(fn.span, "declared here")
              .build(),
          );
          continue;
        }
      }
      const previous = bound.get(param.name);
      if (previous !== undefined) {
        this.report(
          diagnostic("RLP0112", `\`${param.name}\` is given twice`)
            .primary(arg.span, "second value")
            .secondary(previous.span, "first value")
            .build(),
        );
        continue;
      }
      const expect: Expect = param.type === "level" ? "level" : param.type === "symbol" || param.type === "list" ? "symbol" : "value";
      bound.set(param.name, { param, value: this.expr(arg.value, ctx, names, expect), span: arg.span });
    }
    const args: HArg[] = [];
    for (const param of fn.params) {
      const given = bound.get(param.name);
      if (given !== undefined) {
        args.push(given);
        continue;
      }
      if (param.default !== undefined) {
        const defScope = this.scopeOf(this.moduleOf(fn), undefined);
        const expect: Expect = param.type === "level" ? "level" : param.type === "symbol" || param.type === "list" ? "symbol" : "value";
        args.push({ param, value: this.expr(param.default, { scope: defScope, params: new Map() }, names, expect) });
        continue;
      }
      if (!param.isConst) {
        this.report(
          diagnostic("RLP0111", `\`${fn.name}\` needs an argument \`${param.name}\``)
            .primary(e.span, "missing argument")
            .secondary(param.span, "parameter declared here")
            .help(`write \`${fn.name}(${fn.params.filter((p) => !p.isConst).map((p) => p.name).join(", ")})\``)
            .build(),
        );
      }
      // Constant parameters without a default are optional unless their schema requires them (checked by `validate`).
    }
    return { kind: "call", fn, args, calleeSpan: e.callee.span, span: e.span };
  }

  private moduleOf(fn: FunctionSig): Module {
    return this.loader.std(fn.module.replace(/^std\./, "")) ?? [...this.scopes.values()].find((s) => s.module.id === fn.module)!.module;
  }
}

function paramList(algorithm: A.AlgorithmDecl): string {
  return algorithm.params.length === 0 ? `\`${algorithm.name.name}\` takes no parameters` : `its parameters are ${algorithm.params.map((p) => `\`${p.name.name}\``).join(", ")}`;
}

// ---------------------------------------------------------------- pipeline members and names

interface Entry<T> {
  readonly node: T;
  readonly ctx: Ctx;
  readonly origin?: string;
}

/** Members gathered from the used algorithm(s) and the pipeline itself; later ones override. */
class PipelineMembers {
  readonly bindings = new Map<string, Entry<A.Binding>>();
  readonly consts = new Map<string, Entry<A.ConstDecl>>();
  readonly reward = new Map<string, Entry<A.Binding>>();
  readonly advantage = new Map<string, Entry<A.Binding>>();
  readonly optimize = new Map<string, Entry<A.Binding>>();
  readonly rolloutSettings = new Map<string, Entry<A.Binding>>();
  readonly levels: Entry<A.LevelDecl>[] = [];
  readonly filters: Entry<A.KeepDecl>[] = [];
  rolloutSpan: Span | undefined;
  optimizeSpan: Span | undefined;
  /** The used algorithm could not be instantiated: some members are missing for a known reason. */
  incomplete = false;
  /** Names declared by the pipeline itself, for duplicate detection (overrides are not duplicates). */
  readonly own: { name: string; span: Span; where: string }[] = [];

  add(members: readonly A.Member[], ctx: Ctx, origin: string | undefined): void {
    const mine = origin === undefined;
    const put = <T>(map: Map<string, Entry<T>>, name: A.Ident, node: T, where: string) => {
      map.set(name.name, origin === undefined ? { node, ctx } : { node, ctx, origin });
      if (mine) this.own.push({ name: name.name, span: name.span, where });
    };
    for (const m of members) {
      switch (m.kind) {
        case "binding":
          put(this.bindings, m.name, m, "binding");
          break;
        case "const":
          put(this.consts, m.name, m, "constant");
          break;
        case "section":
          if (m.section === "optimize") this.optimizeSpan = m.span;
          for (const b of m.bindings) put(this[m.section], b.name, b, m.section === "optimize" ? "optimize setting" : `${m.section} term`);
          break;
        case "rollout":
          this.rolloutSpan = m.span;
          this.addRollout(m.items, ctx, origin);
          break;
      }
    }
  }

  private addRollout(items: readonly A.RolloutItem[], ctx: Ctx, origin: string | undefined): void {
    for (const item of items) {
      const entry = origin === undefined ? { node: item, ctx } : { node: item, ctx, origin };
      if (item.kind === "binding") this.rolloutSettings.set(item.name.name, entry as Entry<A.Binding>);
      else if (item.kind === "keep") this.filters.push(entry as Entry<A.KeepDecl>);
      else {
        const existing = this.levels.findIndex((l) => l.node.name.name === item.name.name);
        if (existing >= 0) this.levels.splice(existing, 1);
        this.levels.push(entry as Entry<A.LevelDecl>);
      }
    }
  }
}

/** The names visible inside a pipeline, and their meanings. */
class NameTable {
  constructor(
    readonly terms: ReadonlyMap<string, "reward" | "advantage">,
    readonly bindings: ReadonlySet<string>,
    readonly consts: ReadonlyMap<string, Decl>,
    readonly levelVars: ReadonlySet<string>,
    readonly fields: ReadonlySet<string>,
    readonly levels: readonly string[],
    readonly moduleConsts: Map<string, Decl>,
  ) {}

  static empty(from: NameTable): NameTable {
    return new NameTable(new Map(), new Set(), new Map(), new Set(), new Set(), from.levels, from.moduleConsts);
  }

  lookup(name: string): Ref | undefined {
    const section = this.terms.get(name);
    if (section !== undefined) return { kind: "term", section, name };
    if (this.bindings.has(name)) return { kind: "binding", name };
    const c = this.consts.get(name);
    if (c !== undefined) return { kind: "const", name, decl: c };
    if (this.levelVars.has(name)) return { kind: "level", name };
    if (this.fields.has(name)) return { kind: "field", name };
    return undefined;
  }

  visible(): string[] {
    return [...this.terms.keys(), ...this.bindings, ...this.consts.keys(), ...this.levelVars, ...this.fields];
  }
}

class PipelineResolution {
  constructor(
    private readonly r: Resolver,
    private readonly decl: A.PipelineDecl,
    private readonly m: PipelineMembers,
    private readonly base: Ctx,
  ) {}

  run(): HPipeline {
    const { r, m } = this;
    this.reportDuplicates();
    const levelNames = m.levels.map((l) => l.node.name.name);
    const levels = ["prompt", ...levelNames, "sample", "token"];
    const dataFields = this.dataFields();
    const fields = new Set<string>([...BUILTIN_FIELDS.keys(), ...dataFields.keys()]);
    const terms = new Map<string, "reward" | "advantage">();
    for (const name of m.reward.keys()) terms.set(name, "reward");
    // On a duplicate (already reported), the first declaration keeps the name, to avoid cascades.
    for (const name of m.advantage.keys()) if (!terms.has(name)) terms.set(name, "advantage");
    this.reportReserved(new Set([...fields, ...levels]));
    // Constants are resolved first, in a table that has only constants and level variables.
    const constDecls = new Map<string, Decl>();
    const moduleConsts = new Map<string, Decl>();
    const constTable = new NameTable(new Map(), new Set(), constDecls, new Set(levelNames), new Set(), levels, moduleConsts);
    for (const [name, entry] of m.consts) {
      const value = r.expr(entry.node.value, entry.ctx, constTable);
      constDecls.set(name, this.decl_(entry, value));
    }
    const names = new NameTable(terms, new Set(m.bindings.keys()), constDecls, new Set(levelNames), fields, levels, moduleConsts);
    const resolveMap = (map: Map<string, Entry<A.Binding>>, expectFor?: (name: string) => "value" | "symbol"): Map<string, Decl> => {
      const out = new Map<string, Decl>();
      for (const [name, entry] of map) out.set(name, this.decl_(entry, r.expr(entry.node.value, entry.ctx, names, expectFor?.(name) ?? "value")));
      return out;
    };
    const symbolSettings = (name: string) => (SYMBOL_SETTINGS.has(name) ? "symbol" : "value");
    const bindings = resolveMap(m.bindings);
    const reward = resolveMap(m.reward);
    const advantage = resolveMap(m.advantage);
    const optimize = resolveMap(m.optimize, symbolSettings);
    const rolloutSettings = resolveMap(m.rolloutSettings, symbolSettings);
    const hLevels: HLevel[] = this.levels(names);
    const filters: HFilter[] = m.filters.map((f) => {
      const cond = r.expr(f.node.cond, f.ctx, names);
      const refill = f.node.refill === undefined ? undefined : r.expr(f.node.refill, f.ctx, names);
      return refill === undefined ? { cond, span: f.node.span } : { cond, refill, span: f.node.span };
    });
    const rollout = m.rolloutSpan === undefined && m.levels.length === 0 ? undefined : { settings: rolloutSettings, levels: hLevels, filters, span: m.rolloutSpan ?? this.decl.span };
    return {
      name: this.decl.name.name,
      nameSpan: this.decl.name.span,
      file: this.decl.span.file,
      span: this.decl.span,
      consts: constDecls,
      bindings,
      reward,
      advantage,
      optimize,
      dataFields,
      moduleConsts,
      incomplete: m.incomplete,
      ...(rollout ? { rollout } : {}),
      ...(m.optimizeSpan ? { optimizeSpan: m.optimizeSpan } : {}),
    };
  }

  private decl_(entry: Entry<A.Binding | A.ConstDecl>, value: HExpr): Decl {
    const d = { name: entry.node.name.name, nameSpan: entry.node.name.span, value, span: entry.node.span };
    return entry.origin === undefined ? d : { ...d, origin: entry.origin };
  }

  private levels(names: NameTable): HLevel[] {
    const out: HLevel[] = [];
    // Nested level blocks are flattened outermost first; each block's settings are its own bindings.
    const walk = (entry: Entry<A.LevelDecl>) => {
      const level = entry.node;
      const settings = new Map<string, Decl>();
      const nested: Entry<A.LevelDecl>[] = [];
      for (const item of level.items) {
        if (item.kind === "binding") {
          const expect = SYMBOL_SETTINGS.has(item.name.name) ? "symbol" : "value";
          settings.set(item.name.name, this.decl_({ node: item, ctx: entry.ctx }, this.r.expr(item.value, entry.ctx, names, expect)));
        } else if (item.kind === "level") nested.push({ node: item, ctx: entry.ctx });
        else {
          this.r.diagnostics.push(
            diagnostic("RLP0012", "`keep groups where` belongs directly inside `rollout`, not inside a level")
              .primary(item.span, "not allowed here")
              .build(),
          );
        }
      }
      out.push({ name: level.name.name, nameSpan: level.name.span, values: this.r.expr(level.values, entry.ctx, names), settings, span: level.span });
      for (const n of nested) walk(n);
    };
    for (const l of this.m.levels) walk(l);
    return out;
  }

  /** Fields of the dataset, read from the signature of the `data = ...` constructor. */
  private dataFields(): Map<string, BaseType> {
    const fields = new Map<string, BaseType>();
    const data = this.m.bindings.get("data");
    if (data === undefined || data.node.value.kind !== "call") return fields;
    const callee = data.node.value.callee.name;
    const entry = data.ctx.scope.entries.get(callee);
    if (entry?.kind === "extern") for (const f of entry.sig.fields) fields.set(f.name, f.type);
    return fields;
  }

  private reportDuplicates(): void {
    const first = new Map<string, { span: Span; where: string }>();
    for (const own of this.m.own) {
      const previous = first.get(own.name);
      if (previous === undefined) {
        first.set(own.name, own);
        continue;
      }
      // Rollout and optimize settings live in their own namespaces.
      const separate = (w: string) => w === "optimize setting";
      if (separate(own.where) !== separate(previous.where)) continue;
      this.r.diagnostics.push(
        diagnostic("RLP0103", `\`${own.name}\` is declared twice in pipeline \`${this.decl.name.name}\``)
          .primary(own.span, `declared again as a ${own.where}`)
          .secondary(previous.span, `first declared as a ${previous.where}`)
          .help("terms, constants and bindings of a pipeline share one namespace; rename one of them")
          .build(),
      );
    }
  }

  private reportReserved(reserved: ReadonlySet<string>): void {
    for (const own of this.m.own) {
      if (own.where === "optimize setting" || !reserved.has(own.name)) continue;
      const kind = BUILTIN_FIELDS.has(own.name) ? "a rollout field" : ["prompt", "sample", "token"].includes(own.name) ? "a level" : "a level or task field";
      this.r.diagnostics.push(
        diagnostic("RLP0115", `\`${own.name}\` is ${kind} and cannot be redefined`)
          .primary(own.span, "redefined here")
          .help(suggestions(`${own.name}_`, []).length === 0 ? `choose another name, e.g. \`${own.name}_term\`` : undefined)
          .build(),
      );
    }
  }
}

const BOOLEAN_WORDS: ReadonlySet<string> = new Set(["on", "off", "yes", "no", "true", "false", "none", "null"]);

/** Settings whose values are words from a fixed set (`on_reward_error = drop`). */
const SYMBOL_SETTINGS: ReadonlySet<string> = new Set(["on_reward_error", "backend"]);

