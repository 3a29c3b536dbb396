/**
 * Golden tests for every semantic diagnostic (names, imports, levels and types, parameter
 * schemas, pipeline structure, warnings): each input is compiled through every stage with
 * `compileFile`, from the input folder as `rlp check` run there would, and rendered without colour.
 * Each input's `// expect:` header states the diagnostics it must produce, apart from the wording.
 */
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { hasErrors } from "../../../src/compiler/diagnostics/diagnostic.js";
import { renderText, summaryLine } from "../../../src/compiler/diagnostics/render-text.js";
import { compileFile } from "../../../src/compiler/index.js";
import { goldenSuite } from "../harness.js";

const here = dirname(fileURLToPath(import.meta.url));

goldenSuite("semantic", here, async (inputPath) => {
  const result = await compileFile(relative(process.cwd(), inputPath));
  const text = renderText(result.diagnostics, result.sources, { color: false });
  const outcome = { diagnostics: result.diagnostics, sources: result.sources };
  if (hasErrors(result.diagnostics)) return { err: `${text}\n${summaryLine(result.diagnostics)}\n`, ...outcome };
  return { out: `${text}${result.ir === undefined ? "" : `compiled pipeline \`${result.ir.pipeline}\`: ${result.ir.nodes.length} nodes, hash ${result.ir.hash.slice(0, 12)}\n`}`, ...outcome };
});


