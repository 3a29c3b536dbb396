/**
 * Every golden input and every `.rlp` file shipped in `pipelines/` and `stdlib/` (found when the
 * test runs) formats to a fixed point, means the same (AST without positions) and keeps every
 * comment.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CstNode } from "chevrotain";
import { describe, expect, test } from "vitest";
import { parse, parser } from "../../../grammar/index.js";
import { PRINTED_RULES } from "../../../src/compiler/format/print.js";
import { packageRoot } from "../../../src/compiler/paths.js";
import { SourceFile } from "../../../src/compiler/source.js";
import { astWithoutSpans, commentMultiset, format } from "./helpers.js";

const root = packageRoot();
const goldenInputs = join(root, "test/golden/fmt/input");

function rlpFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".rlp"))
    .sort()
    .map((f) => join(dir, f));
}

/** Golden inputs the formatter refuses (they test refusal), left out of the corpus checks. */
const REFUSED = new Set(["syntax-error.rlp"]);

const corpus = [...rlpFiles(goldenInputs).filter((f) => !REFUSED.has(f.slice(goldenInputs.length + 1))), ...rlpFiles(join(root, "pipelines")), ...rlpFiles(join(root, "stdlib"))];

describe("formatting the corpus", () => {
  for (const path of corpus) {
    const name = path.slice(root.length + 1);
    test(`${name}: idempotent, same AST, same comments`, () => {
      const text = readFileSync(path, "utf8");
      const once = format(text, name);
      expect(format(once, name)).toBe(once);
      expect(astWithoutSpans(once)).toBe(astWithoutSpans(text));
      expect(commentMultiset(once)).toEqual(commentMultiset(text));
    });
  }
});

describe("docs/formatting.md", () => {
  test("its examples are formatted", () => {
    const doc = readFileSync(join(root, "docs/formatting.md"), "utf8");
    const examples = [...doc.matchAll(/```rlp\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(format(example)).toBe(example);
  });
});

describe("grammar coverage", () => {
  const RECOVERY_ONLY = new Set(["strayToken", "junk"]);
  const rules = Object.keys(parser.getGAstProductions()).filter((r) => !RECOVERY_ONLY.has(r));

  test("every grammar rule has a printer", () => {
    expect(rules.filter((r) => !PRINTED_RULES.includes(r))).toEqual([]);
  });

  test("the golden inputs use every grammar rule", () => {
    const seen = new Set<string>();
    const visit = (node: CstNode): void => {
      seen.add(node.name);
      for (const list of Object.values(node.children)) for (const child of list ?? []) if ("children" in child) visit(child);
    };
    for (const path of rlpFiles(goldenInputs)) visit(parse(new SourceFile(path, readFileSync(path, "utf8"))).cst);
    expect(rules.filter((r) => !seen.has(r))).toEqual([]);
  });
});
