/**
 * Golden tests for every syntax-level diagnostic (RLP0001–RLP0012): each input goes through
 * `parse` and `cstToAst` (via `rlpToAst`, which also drops a lowering report that repeats a
 * syntax error at the same place), and the sorted diagnostics are rendered without colour.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { hasErrors, sortDiagnostics } from "../../../src/compiler/diagnostics/diagnostic.js";
import { renderText, summaryLine } from "../../../src/compiler/diagnostics/render-text.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import { rlpToAst } from "../../../src/compiler/syntax.js";
import { goldenSuite } from "../harness.js";

const here = dirname(fileURLToPath(import.meta.url));

goldenSuite("syntax", here, async (inputPath) => {
  // Paths are shown relative to the input folder, as `rlp check` run there would show them.
  const file = new SourceFile(relative(join(here, "input"), inputPath), await readFile(inputPath, "utf8"));
  const sources = new SourceMap();
  sources.add(file);
  const diagnostics = sortDiagnostics(rlpToAst(file).diagnostics);
  const text = renderText(diagnostics, sources, { color: false });
  if (!hasErrors(diagnostics)) return { out: text, diagnostics, sources };
  return { err: `${text}\n${summaryLine(diagnostics)}\n`, diagnostics, sources };
});
