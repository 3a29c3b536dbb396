import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { program } from "./arbitrary.js";
import { astWithoutSpans, commentMultiset, format } from "./helpers.js";

describe("formatting random programs", () => {
  it("is idempotent and keeps the AST (messy layout, no comments)", () => {
    fc.assert(
      fc.property(program(false), (text) => {
        const once = format(text);
        expect(format(once)).toBe(once);
        expect(astWithoutSpans(once)).toBe(astWithoutSpans(text));
      }),
      { numRuns: Number(process.env["RLP_PROPERTY_RUNS"] ?? 300) },
    );
  });

  it("is idempotent and keeps the AST and every comment (comments anywhere)", () => {
    fc.assert(
      fc.property(program(true), (text) => {
        const once = format(text);
        expect(format(once)).toBe(once);
        expect(astWithoutSpans(once)).toBe(astWithoutSpans(text));
        expect(commentMultiset(once)).toEqual(commentMultiset(text));
      }),
      { numRuns: Number(process.env["RLP_PROPERTY_RUNS"] ?? 300) },
    );
  });
});
