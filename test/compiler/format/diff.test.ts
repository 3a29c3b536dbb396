import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { unifiedDiff } from "../../../src/compiler/format/diff.js";

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join("");

describe("unifiedDiff", () => {
  test("equal texts give no diff", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "a/x", "b/x")).toBe("");
  });

  test("one changed line with three lines of context", () => {
    const before = lines(9, (i) => `line ${i}`);
    const after = before.replace("line 5\n", "LINE 5\n");
    expect(unifiedDiff(before, after, "a/x", "b/x")).toBe(
      "--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+LINE 5\n line 6\n line 7\n line 8\n",
    );
  });

  test("distant changes make separate hunks; close ones share one", () => {
    const before = lines(20, (i) => `l${i}`);
    const apart = before.replace("l2\n", "L2\n").replace("l18\n", "L18\n");
    expect(unifiedDiff(before, apart, "a", "b").match(/^@@/gm)).toHaveLength(2);
    const close = before.replace("l2\n", "L2\n").replace("l9\n", "L9\n");
    expect(unifiedDiff(before, close, "a", "b").match(/^@@/gm)).toHaveLength(1);
  });

  test("insertions and deletions at the edges; empty ranges name the line before", () => {
    expect(unifiedDiff("", "a\n", "a", "b")).toBe("--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n");
    expect(unifiedDiff("a\n", "", "a", "b")).toBe("--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n");
  });

  test("a missing final newline is marked", () => {
    expect(unifiedDiff("a", "a\n", "a", "b")).toBe("--- a\n+++ b\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n");
  });

  test("the hunks rebuild both texts and keep a longest common subsequence (whole-file context)", () => {
    const text = fc.array(fc.constantFrom("a", "b", "c", "d", ""), { maxLength: 12 }).map((ls) => ls.map((l) => `${l}\n`).join(""));
    const lcs = (a: string[], b: string[]): number => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
      return t[0]![0]!;
    };
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff(before, after, "a", "b", 1000);
        if (before === after) {
          expect(diff).toBe("");
          return;
        }
        const body = diff.split("\n").slice(3, -1);
        expect(body.filter((l) => !l.startsWith("+")).map((l) => `${l.slice(1)}\n`).join("")).toBe(before);
        expect(body.filter((l) => !l.startsWith("-")).map((l) => `${l.slice(1)}\n`).join("")).toBe(after);
        expect(body.filter((l) => l.startsWith(" ")).length).toBe(lcs(before.split("\n").slice(0, -1), after.split("\n").slice(0, -1)));
      }),
    );
  });
});
