/**
 * Golden files in the Pkl style: `UPDATE_GOLDEN=1` rewrites them; a missing one is written and
 * the test fails, so that a new golden file is always looked at before it is trusted.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

export function expectGolden(path: string, actual: string): void {
  const update = process.env["UPDATE_GOLDEN"] === "1";
  if (update || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    if (!update) throw new Error(`wrote the missing golden file ${path}; check it, then run the test again`);
    return;
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}
