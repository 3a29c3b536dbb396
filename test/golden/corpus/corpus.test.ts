/**
 * One corpus through every stage (PRQL's phase snapshots): each shipped pipeline and each file in
 * `corpus/input/` is snapshotted as tokens, AST, IR JSON, DOT and Mermaid, under
 * `corpus/output/<name>/<phase>.out`. The IR must also read back through its JSON Schema unchanged.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { lex } from "../../../grammar/lexer.js";
import { irToDot } from "../../../src/compiler/emit/dot.js";
import { irToMermaid } from "../../../src/compiler/emit/mermaid.js";
import { compileSource, Stdlib } from "../../../src/compiler/index.js";
import { irToJson, jsonToIr } from "../../../src/compiler/ir/json.js";
import { packageRoot } from "../../../src/compiler/paths.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import { checkGolden, defaultNormalisation } from "../harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = packageRoot();
const stdlib = new Stdlib(root);
const update = process.env["UPDATE_GOLDEN"] === "1";

const corpus = [
  ...readdirSync(join(root, "pipelines")).filter((f) => f.endsWith(".rlp")).map((f) => join(root, "pipelines", f)),
  ...readdirSync(join(here, "input")).filter((f) => f.endsWith(".rlp")).map((f) => join(here, "input", f)),
].sort();

function stripSpans(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === "span" || key === "opSpan" || key === "keyword" ? undefined : v)));
}

function snapshot(name: string, phase: string, text: string): void {
  const verdict = checkGolden(here, `${name}/${phase}.rlp`, { out: text }, { update, normalisation: defaultNormalisation() });
  if (verdict.kind === "fail") expect.fail(verdict.message);
  if (verdict.kind === "mismatch") expect(verdict.actual, `${relative(here, verdict.path)} is out of date (UPDATE_GOLDEN=1 rewrites it)`).toBe(verdict.expected);
}

describe("corpus through every stage", () => {
  for (const path of corpus) {
    const name = path.split("/").pop()!.replace(/\.rlp$/, "");
    describe(name, () => {
      const text = readFileSync(path, "utf8");
      const file = new SourceFile(relative(root, path), text);
      const result = compileSource(file, new SourceMap(), { stdlib });

      test("compiles without diagnostics", () => {
        expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
        expect(result.ir).toBeDefined();
      });

      test("tokens", () => {
        const lexed = lex(file);
        const all = [...lexed.tokens, ...lexed.comments].sort((a, b) => a.startOffset - b.startOffset);
        snapshot(name, "tokens", all.map((t) => `${file.position(t.startOffset).line}:${file.position(t.startOffset).column} ${t.tokenType.name} ${JSON.stringify(t.image)}`).join("\n") + "\n");
      });

      test("ast", () => snapshot(name, "ast", `${JSON.stringify(stripSpans(result.ast), null, 1)}\n`));

      test("ir.json, which reads back through its schema unchanged", () => {
        const json = irToJson(result.ir!);
        snapshot(name, "ir.json", json);
        const back = jsonToIr(json, `${name}.ir.json`);
        expect("diagnostics" in back ? back.diagnostics.map((d) => d.message) : []).toEqual([]);
        if ("ir" in back) expect(back.ir).toEqual(JSON.parse(json));
      });

      test("dot", () => snapshot(name, "dot", irToDot(result.ir!)));
      test("mermaid", () => snapshot(name, "mermaid", irToMermaid(result.ir!)));
    });
  }
});
