/**
 * The reference pipelines through the back half of the compiler: each compiles to an IR that
 * reads back unchanged, layers cleanly, and draws as its golden DOT and Mermaid.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { irToDot } from "../../../src/compiler/emit/dot.js";
import { irToMermaid } from "../../../src/compiler/emit/mermaid.js";
import { compileFile } from "../../../src/compiler/index.js";
import { irLayers } from "../../../src/compiler/ir/graph.js";
import { irReader, irToJson } from "../../../src/compiler/ir/json.js";
import { expectGolden } from "../ir/golden.js";

const PIPELINES = readdirSync("pipelines").filter((f) => f.endsWith(".rlp")).sort();
const golden = (name: string) => new URL(`golden/pipelines/${name}`, import.meta.url).pathname;
const read = irReader();

describe.each(PIPELINES)("pipelines/%s", (file) => {
  const name = file.replace(/\.rlp$/, "");

  it("compiles to an IR that reads back unchanged and layers cleanly", async () => {
    const { ir, diagnostics } = await compileFile(`pipelines/${file}`);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const text = irToJson(ir!);
    const back = read(text, `${name}.ir.json`);
    expect("ir" in back ? irToJson(back.ir) : back.diagnostics).toBe(text);
    expect(irLayers(ir!).flat().sort()).toEqual(ir!.nodes.map((n) => n.id).sort());
  });

  it("draws as its golden DOT and Mermaid", async () => {
    const { ir } = await compileFile(`pipelines/${file}`);
    expectGolden(golden(`${name}.dot`), irToDot(ir!));
    expectGolden(golden(`${name}.mmd`), irToMermaid(ir!));
  });
});
