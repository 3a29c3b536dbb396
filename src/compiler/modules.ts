/**
 * Loading modules: standard-library modules (`std.rewards` → stdlib/rewards.rlp plus
 * stdlib/schemas/rewards.json) and relative files (`use "./algos.rlp"`), with import-cycle
 * detection. One `ModuleLoader` per compilation; it caches what it has read.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from "node:path";
import type * as A from "./ast.js";
import { diagnostic, type Diagnostic } from "./diagnostics/diagnostic.js";
import type { BaseType, FunctionSig, LevelConstraint, ParamSig } from "./hir.js";
import { rlpToAst } from "./syntax.js";
import { scanJson } from "./json-locate.js";
import { stdlibDir } from "./paths.js";
import { SourceFile, type SourceMap, type Span } from "./source.js";
import { Stdlib, type StdEntry } from "./stdlib.js";

export const STD_MODULES = ["math", "models", "tasks", "rewards", "advantages", "losses", "optim", "rollout"] as const;
/** Modules every file sees without `use`. */
export const PRELUDE = ["math", "models", "advantages", "losses", "optim", "rollout"] as const;

/** A parsed JSON file and where each value (and, with `#key`, each member's key) lies in it. */
export interface JsonLocated {
  readonly value: unknown;
  readonly spans: ReadonlyMap<string, readonly [number, number]>;
}

function locateJson(text: string): JsonLocated {
  const scan = scanJson(text);
  const spans = new Map<string, readonly [number, number]>();
  if ("locations" in scan) {
    for (const [pointer, loc] of scan.locations) {
      spans.set(pointer, [loc.start, loc.end]);
      if (loc.key !== undefined) spans.set(`${pointer}#key`, [loc.key.start, loc.key.end]);
    }
  }
  return { value: JSON.parse(text) as unknown, spans };
}

export interface SchemaEntry {
  readonly schema: Record<string, unknown>;
  /** JSON pointer of this entry within its file, e.g. `/functions/ppo_clip`. */
  readonly pointer: string;
  readonly file: SourceFile;
  readonly located: JsonLocated;
}

export interface Module {
  /** `std.rewards`, or the file's path. */
  readonly id: string;
  readonly isStd: boolean;
  readonly file: SourceFile;
  readonly ast: A.File;
  readonly externs: ReadonlyMap<string, FunctionSig>;
  readonly consts: ReadonlyMap<string, A.ConstDecl>;
  readonly algorithms: ReadonlyMap<string, A.AlgorithmDecl>;
  readonly pipelines: ReadonlyMap<string, A.PipelineDecl>;
  readonly schemas: ReadonlyMap<string, SchemaEntry>;
  /** Schemas of the `rollout`, `level` and `optimize` blocks (only std.rollout has them). */
  readonly blockSchemas: ReadonlyMap<string, SchemaEntry>;
}

const BASE_TYPES: ReadonlySet<string> = new Set(["f32", "i32", "bool", "text", "num", "any", "model", "dataset", "optimizer", "loss", "alloc", "level", "symbol", "str", "range", "list"]);
const LEVELS: ReadonlySet<string> = new Set(["step", "prompt", "sample", "token"]);

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !isAbsolute(rel) && rel.length < path.length ? rel : path;
}

export class ModuleLoader {
  private readonly cache = new Map<string, Module | null>();

  constructor(
    private readonly sources: SourceMap,
    readonly diagnostics: Diagnostic[],
    readonly stdlib: Stdlib = new Stdlib(),
  ) {
    this.cwd = stdlib.cwd;
  }

  private readonly cwd: string;

  /** The module of an already-read user file (the root of a compilation). */
  root(file: SourceFile, ast: A.File): Module {
    const id = resolvePath(this.cwd, file.path);
    const module = this.build(id, false, file, ast);
    this.cache.set(id, module);
    return module;
  }

  std(name: string): Module | undefined {
    const id = `std.${name}`;
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const entry = this.stdlib.module(name, () => this.buildStd(name));
    for (const f of entry.files) this.sources.add(f);
    this.diagnostics.push(...entry.diagnostics);
    this.cache.set(id, entry.module ?? null);
    return entry.module;
  }

  private buildStd(name: string): StdEntry {
    const path = join(stdlibDir(), `${name}.rlp`);
    if (!(STD_MODULES as readonly string[]).includes(name) || !existsSync(path)) return { module: undefined, files: [], diagnostics: [] };
    const before = this.diagnostics.length;
    const added: SourceFile[] = [];
    const file = new SourceFile(displayPath(path, this.cwd), readFileSync(path, "utf8"));
    added.push(file);
    this.sources.add(file);
    const { ast, diagnostics } = rlpToAst(file);
    this.diagnostics.push(...diagnostics);
    const module = this.build(`std.${name}`, true, file, ast);
    if (module.schemas.size > 0 || module.blockSchemas.size > 0) added.push((module.schemas.values().next().value ?? module.blockSchemas.values().next().value)!.file);
    // What building reported is kept with the entry and replayed into every compilation that uses it.
    return { module, files: added, diagnostics: this.diagnostics.splice(before) };
  }

  /** A relative import, resolved against the importing file; reports a missing file. */
  file(from: string, request: string, span: Span): Module | undefined {
    const path = resolvePath(dirname(resolvePath(this.cwd, from)), request);
    const cached = this.cache.get(path);
    if (cached !== undefined) return cached ?? undefined;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      this.diagnostics.push(
        diagnostic("RLP0107", `cannot read \`${request}\``)
          .primary(span, "no such file")
          .note(`looked for ${displayPath(path, this.cwd)}`)
          .help("paths in `use` are relative to the importing file")
          .build(),
      );
      this.cache.set(path, null);
      return undefined;
    }
    const file = this.sources.add(new SourceFile(displayPath(path, this.cwd), text));
    const { ast, diagnostics } = rlpToAst(file);
    this.diagnostics.push(...diagnostics);
    const module = this.build(path, false, file, ast);
    this.cache.set(path, module);
    return module;
  }

  /** The text a span covers, in any file this loader has read (or the root file). */
  sourceText(span: Span): string {
    return this.sources.get(span.file)?.slice(span) ?? "";
  }

  displayPath(path: string): string {
    return displayPath(path, this.cwd);
  }

  private build(id: string, isStd: boolean, file: SourceFile, ast: A.File): Module {
    const externs = new Map<string, FunctionSig>();
    const consts = new Map<string, A.ConstDecl>();
    const algorithms = new Map<string, A.AlgorithmDecl>();
    const pipelines = new Map<string, A.PipelineDecl>();
    const seen = new Map<string, Span>();
    const declare = (name: A.Ident): boolean => {
      const previous = seen.get(name.name);
      if (previous !== undefined) {
        this.diagnostics.push(
          diagnostic("RLP0103", `\`${name.name}\` is declared twice in this file`)
            .primary(name.span, "second declaration")
            .secondary(previous, "first declared here")
            .build(),
        );
        return false;
      }
      seen.set(name.name, name.span);
      return true;
    };
    for (const item of ast.items) {
      switch (item.kind) {
        case "extern":
          if (declare(item.name)) externs.set(item.name.name, this.signature(item, id));
          break;
        case "const":
          if (declare(item.name)) consts.set(item.name.name, item);
          break;
        case "algorithm":
          if (declare(item.name)) algorithms.set(item.name.name, item);
          break;
        case "pipeline":
          if (declare(item.name)) pipelines.set(item.name.name, item);
          break;
        case "use":
          break;
      }
    }
    const { schemas, blockSchemas } = isStd ? this.schemas(id.slice(4)) : { schemas: new Map(), blockSchemas: new Map() };
    return { id, isStd, file, ast, externs, consts, algorithms, pipelines, schemas, blockSchemas };
  }

  private signature(decl: A.ExternDecl, module: string): FunctionSig {
    const params: ParamSig[] = decl.params.map((p) => {
      const type = this.baseType(p.type?.name);
      const level = this.levelConstraint(p.type);
      return {
        name: p.name.name,
        type,
        isConst: p.type?.isConst ?? false,
        span: p.span,
        ...(level ? { level } : {}),
        ...(p.default ? { default: p.default } : {}),
      };
    });
    const returnLevel = this.levelConstraint(decl.returns);
    const fields = (decl.returns?.fields ?? []).map((f) => ({ name: f.name.name, type: this.baseType(f.type.name) }));
    return {
      name: decl.name.name,
      module,
      params,
      returns: this.baseType(decl.returns?.name),
      fields,
      span: decl.name.span,
      ...(returnLevel ? { returnLevel } : {}),
      ...(decl.doc ? { doc: decl.doc } : {}),
    };
  }

  private baseType(name: A.Ident | undefined): BaseType {
    if (name === undefined) return "any";
    if (BASE_TYPES.has(name.name)) return name.name as BaseType;
    this.diagnostics.push(diagnostic("RLP0101", `unknown type \`${name.name}\``).primary(name.span, "not a type").note(`types are ${[...BASE_TYPES].join(", ")}`).build());
    return "any";
  }

  private levelConstraint(type: A.TypeRef | undefined): LevelConstraint | undefined {
    const level = type?.level;
    if (level === undefined) return undefined;
    if (!LEVELS.has(level.name.name)) {
      this.diagnostics.push(diagnostic("RLP0113", `\`${level.name.name}\` is not a level a signature can name`).primary(level.name.span).note("signatures name `step`, `prompt`, `sample` or `token`").build());
      return undefined;
    }
    return { level: level.name.name as LevelConstraint["level"], orFiner: level.orFiner };
  }

  private schemas(name: string): { schemas: Map<string, SchemaEntry>; blockSchemas: Map<string, SchemaEntry> } {
    const schemas = new Map<string, SchemaEntry>();
    const blockSchemas = new Map<string, SchemaEntry>();
    const path = join(stdlibDir(), "schemas", `${name}.json`);
    if (!existsSync(path)) return { schemas, blockSchemas };
    const file = this.sources.add(new SourceFile(displayPath(path, this.cwd), readFileSync(path, "utf8")));
    const located = locateJson(file.text);
    const doc = located.value as { functions?: Record<string, Record<string, unknown>>; blocks?: Record<string, Record<string, unknown>> };
    for (const [fn, schema] of Object.entries(doc.functions ?? {})) schemas.set(fn, { schema, pointer: `/functions/${fn}`, file, located });
    for (const [block, schema] of Object.entries(doc.blocks ?? {})) blockSchemas.set(block, { schema, pointer: `/blocks/${block}`, file, located });
    return { schemas, blockSchemas };
  }
}
