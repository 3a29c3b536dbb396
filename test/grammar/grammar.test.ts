/** The grammar's artefacts stay in step: the EBNF names the parser's rules, cst.d.ts is current. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateCstDts } from "chevrotain";
import { describe, expect, test } from "vitest";
import { parser } from "../../grammar/parser.js";
import { packageRoot } from "../../src/compiler/paths.js";

const root = packageRoot();
const RECOVERY_ONLY = new Set(["strayToken", "junk"]);

describe("grammar artefacts", () => {
  test("every parser rule is an EBNF production and the other way round", () => {
    const ebnf = readFileSync(join(root, "grammar/rlp.ebnf"), "utf8").replace(/\(\*[\s\S]*?\*\)/g, "");
    const productions = new Set([...ebnf.matchAll(/^([a-z][A-Za-z]*)\s*=/gm)].map((m) => m[1]!));
    const rules = new Set(parser.getGAstProductions() ? Object.keys(parser.getGAstProductions()) : []);
    for (const rule of rules) if (!RECOVERY_ONLY.has(rule)) expect(productions, `rule ${rule} is missing from rlp.ebnf`).toContain(rule);
    for (const p of productions) if (p !== p.toUpperCase() && !["escape", "hole", "comment", "binaryOp"].includes(p)) expect(rules, `production ${p} has no parser rule`).toContain(p);
  });

  test("grammar/cst.d.ts is generated from the current parser (run scripts/gen-cst-dts.mjs)", () => {
    const checkedIn = readFileSync(join(root, "grammar/cst.d.ts"), "utf8");
    const fresh = generateCstDts(parser.getGAstProductions());
    expect(checkedIn.slice(checkedIn.indexOf("\n") + 1)).toBe(fresh);
  });
});
