/** The standard library's declarations and schemas agree, and every primitive is documented. */
import { describe, expect, test } from "vitest";
import { diagnostic } from "../../src/compiler/diagnostics/diagnostic.js";
import { ModuleLoader, STD_MODULES } from "../../src/compiler/modules.js";
import { SourceMap } from "../../src/compiler/source.js";
import { Stdlib } from "../../src/compiler/stdlib.js";

const diagnostics: ReturnType<ReturnType<typeof diagnostic>["build"]>[] = [];
const loader = new ModuleLoader(new SourceMap(), diagnostics, new Stdlib());
const modules = STD_MODULES.map((m) => ({ name: m, module: loader.std(m)! }));

describe("stdlib", () => {
  test("every module loads without diagnostics", () => {
    for (const { name, module } of modules) expect(module, name).toBeDefined();
    expect(diagnostics.map((d) => d.message)).toEqual([]);
  });

  for (const { name, module } of modules) {
    describe(`std.${name}`, () => {
      test("every function has a doc comment", () => {
        for (const fn of module.externs.values()) expect(fn.doc, `${fn.name} has no /// doc line`).toBeTruthy();
      });

      test("every function's constant parameters are exactly its schema's properties", () => {
        for (const fn of module.externs.values()) {
          const entry = module.schemas.get(fn.name);
          expect(entry, `${fn.name} has no schema in stdlib/schemas/${name}.json`).toBeDefined();
          const props = Object.keys((entry!.schema["properties"] ?? {}) as object).sort();
          const consts = fn.params.filter((p) => p.isConst && p.type !== "level").map((p) => p.name);
          const levelParams = fn.params.filter((p) => p.isConst && p.type === "level").map((p) => p.name);
          expect(props, fn.name).toEqual([...consts, ...levelParams].sort());
          expect(entry!.schema["additionalProperties"], `${fn.name} schema must reject unknown keys`).toBe(false);
          for (const req of (entry!.schema["required"] ?? []) as string[]) {
            const p = fn.params.find((q) => q.name === req);
            expect(p?.default, `${fn.name}.${req} is required by its schema, so it cannot have a default`).toBeUndefined();
          }
        }
      });

      test("no schema describes a function that does not exist", () => {
        for (const fn of module.schemas.keys()) expect(module.externs.has(fn), `${fn} in schemas/${name}.json`).toBe(true);
      });
    });
  }
});
