/**
 * Formatter golden tests in Pkl's layout: `input/NAME.rlp` → `output/NAME.rlp` (the formatted
 * text) or `output/NAME.err` (the diagnostics, when the input is refused), never both. A missing
 * expected file is written and the test fails; `UPDATE_GOLDEN=1` rewrites expected files and
 * removes stale ones. Each formatted output must also be a fixed point of the formatter.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { renderText } from "../../../src/compiler/diagnostics/render-text.js";
import { formatSource } from "../../../src/compiler/format/index.js";
import { packageRoot } from "../../../src/compiler/paths.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";

const dir = join(packageRoot(), "test/golden/fmt");
const update = process.env["UPDATE_GOLDEN"] === "1";
const inputs = readdirSync(join(dir, "input"))
  .filter((f) => f.endsWith(".rlp"))
  .sort();

function run(name: string): { path: string; text: string; other: string } {
  const relative = `test/golden/fmt/input/${name}`;
  const file = new SourceFile(relative, readFileSync(join(dir, "input", name), "utf8"));
  const result = formatSource(file);
  const base = join(dir, "output", name.replace(/\.rlp$/, ""));
  if (result.ok) return { path: `${base}.rlp`, text: result.text, other: `${base}.err` };
  const sources = new SourceMap();
  sources.add(file);
  return { path: `${base}.err`, text: renderText(result.diagnostics, sources, { color: false }), other: `${base}.rlp` };
}

describe("rlp fmt golden files", () => {
  for (const name of inputs) {
    test(name, () => {
      const { path, text, other } = run(name);
      if (update) {
        mkdirSync(join(dir, "output"), { recursive: true });
        writeFileSync(path, text);
        if (existsSync(other)) rmSync(other);
        return;
      }
      if (existsSync(other)) expect.fail(`${other} exists, but the input ${path.endsWith(".err") ? "was refused" : "was formatted"}; delete the wrong file`);
      if (!existsSync(path)) {
        writeFileSync(path, text);
        expect.fail(`wrote the missing expected file ${path}; review it and commit it`);
      }
      expect(text, `${path} differs (UPDATE_GOLDEN=1 accepts the new output)`).toBe(readFileSync(path, "utf8"));
      if (path.endsWith(".rlp")) {
        const again = formatSource(new SourceFile(path, text));
        expect(again.ok && again.text, "formatting the expected output again changes it").toBe(text);
      }
    });
  }

  test("no stale expected files", () => {
    const wanted = new Set(inputs.map((i) => i.replace(/\.rlp$/, "")));
    const stale = readdirSync(join(dir, "output")).filter((f) => !wanted.has(f.replace(/\.(rlp|err)$/, "")));
    if (update) for (const f of stale) rmSync(join(dir, "output", f));
    else expect(stale, "expected files without an input (UPDATE_GOLDEN=1 removes them)").toEqual([]);
  });
});
