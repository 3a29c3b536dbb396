/**
 * Robustness: thousands of random mutations of every shipped pipeline — tokens deleted,
 * duplicated, swapped or replaced, files truncated — must never crash the compiler. Each mutant
 * either compiles or ends in error diagnostics whose spans lie inside the files they name, and the
 * diagnostics render.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { lex } from "../../grammar/lexer.js";
import { hasErrors } from "../../src/compiler/diagnostics/diagnostic.js";
import { renderJson } from "../../src/compiler/diagnostics/render-json.js";
import { renderText } from "../../src/compiler/diagnostics/render-text.js";
import { compileSource, Stdlib } from "../../src/compiler/index.js";
import { packageRoot } from "../../src/compiler/paths.js";
import { SourceFile, SourceMap } from "../../src/compiler/source.js";

const RUNS_PER_PIPELINE = Number(process.env["RLP_MUTATION_RUNS"] ?? 400);
const root = packageRoot();
const pipelines = readdirSync(join(root, "pipelines")).filter((f) => f.endsWith(".rlp")).sort();
const stdlib = new Stdlib(root);

type Mutation =
  | { kind: "delete"; at: number }
  | { kind: "duplicate"; at: number }
  | { kind: "swap"; a: number; b: number }
  | { kind: "replace"; at: number; with: string }
  | { kind: "truncate"; fraction: number };

const SNIPPETS = ["{", "}", "(", ")", "[", "]", ",", "=", "==", "..", ":", "by", "where", "if", "then", "else", "level", "rollout", "x", "0", "1e-", '"', "/*", "#", "@", "->", "prompt", "sample", "token", "mean", "std"];

function mutationArb(tokenCount: number): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: Math.max(0, tokenCount - 1) });
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    at.map((i) => ({ kind: "delete", at: i }) as const),
    at.map((i) => ({ kind: "duplicate", at: i }) as const),
    fc.tuple(at, at).map(([a, b]) => ({ kind: "swap", a, b }) as const),
    fc.tuple(at, fc.constantFrom(...SNIPPETS)).map(([i, w]) => ({ kind: "replace", at: i, with: w }) as const),
    fc.double({ min: 0, max: 1, noNaN: true }).map((f) => ({ kind: "truncate", fraction: f }) as const),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/** Applies mutations to the token boundaries of `text` (comments count as tokens too). */
function mutate(text: string, mutations: readonly Mutation[]): string {
  let current = text;
  for (const m of mutations) {
    const lexed = lex(new SourceFile("m.rlp", current));
    const tokens = [...lexed.tokens, ...lexed.comments].sort((a, b) => a.startOffset - b.startOffset);
    const pieces = tokens.map((t) => current.slice(t.startOffset, (t.endOffset ?? t.startOffset) + 1));
    const gaps = tokens.map((t, i) => current.slice(i === 0 ? 0 : (tokens[i - 1]!.endOffset ?? 0) + 1, t.startOffset));
    const tail = tokens.length === 0 ? current : current.slice((tokens[tokens.length - 1]!.endOffset ?? 0) + 1);
    const n = pieces.length;
    if (n === 0) return current;
    switch (m.kind) {
      case "delete":
        pieces[m.at % n] = "";
        break;
      case "duplicate": {
        const i = m.at % n;
        pieces[i] = `${pieces[i]} ${pieces[i]}`;
        break;
      }
      case "swap": {
        const a = m.a % n;
        const b = m.b % n;
        [pieces[a], pieces[b]] = [pieces[b]!, pieces[a]!];
        break;
      }
      case "replace":
        pieces[m.at % n] = m.with;
        break;
      case "truncate":
        return current.slice(0, Math.floor(current.length * m.fraction));
    }
    current = pieces.map((p, i) => gaps[i] + p).join("") + tail;
  }
  return current;
}

describe("random mutations never crash the compiler", () => {
  for (const name of pipelines) {
    const text = readFileSync(join(root, "pipelines", name), "utf8");
    const tokenCount = lex(new SourceFile(name, text)).tokens.length;
    test(name, () => {
      let failing = 0;
      fc.assert(
        fc.property(mutationArb(tokenCount), (mutations) => {
          const mutant = mutate(text, mutations);
          const sources = new SourceMap();
          const file = new SourceFile(`pipelines/${name}`, mutant);
          const result = compileSource(file, sources, { stdlib });
          for (const d of result.diagnostics) {
            expect(d.labels.length).toBeGreaterThan(0);
            for (const label of d.labels) {
              const source = result.sources.get(label.span.file);
              expect(source, `diagnostic ${d.code} names a file that was not read: ${label.span.file}`).toBeDefined();
              expect(label.span.start).toBeGreaterThanOrEqual(0);
              expect(label.span.end).toBeGreaterThanOrEqual(label.span.start);
              expect(label.span.end).toBeLessThanOrEqual(source!.text.length);
            }
          }
          if (hasErrors(result.diagnostics)) {
            failing++;
            expect(result.ir).toBeUndefined();
          }
          expect(() => renderText(result.diagnostics, result.sources, { color: true })).not.toThrow();
          expect(() => JSON.parse(renderJson(result.diagnostics, result.sources))).not.toThrow();
        }),
        { numRuns: RUNS_PER_PIPELINE, seed: 20261127 },
      );
      // The mutations must actually exercise error paths, or the test proves nothing.
      expect(failing).toBeGreaterThan(RUNS_PER_PIPELINE / 4);
    });
  }
});
