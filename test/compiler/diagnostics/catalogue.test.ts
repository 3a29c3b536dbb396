/**
 * The code catalogue is complete and documented: every code has its long form, and the list in
 * docs/diagnostics.md is exactly what this test generates from codes.ts (UPDATE_GOLDEN=1
 * rewrites it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { codeGroup } from "../../../src/cli/commands/explain.js";
import { CODES, type Code } from "../../../src/compiler/diagnostics/codes.js";
import { diagnostic } from "../../../src/compiler/diagnostics/diagnostic.js";
import { renderText, summaryLine } from "../../../src/compiler/diagnostics/render-text.js";
import { SourceFile, SourceMap } from "../../../src/compiler/source.js";
import { packageRoot } from "../../../src/compiler/paths.js";

const DOCS = join(packageRoot(), "docs", "diagnostics.md");
const BEGIN = "<!-- codes:begin -->";
const END = "<!-- codes:end -->";

/** The generated section: one table per group of codes. */
function codeList(): string {
  const out: string[] = [];
  let group: string | undefined;
  for (const code of Object.keys(CODES) as Code[]) {
    const info = CODES[code];
    if (codeGroup(code) !== group) {
      group = codeGroup(code);
      out.push("", `### ${group} (${code.slice(0, 5)}xx)`, "", "| code | severity | title |", "|---|---|---|");
    }
    out.push(`| ${code} | ${info.severity} | ${info.title.replace(/\|/g, "\\|")} |`);
  }
  return `${out.join("\n")}\n`;
}

describe("the code catalogue", () => {
  test.each(Object.keys(CODES) as Code[])("%s has a title, an explanation, an example and a fix", (code) => {
    const info = CODES[code];
    for (const field of ["title", "explanation", "example", "fix"] as const) expect(info[field].trim(), `${code}.${field}`).not.toBe("");
    expect(info.title, "titles are short noun phrases without a final period").not.toMatch(/\.$/);
    expect(info.explanation, "explanations are sentences").toMatch(/[.)]$/);
    expect(code).toMatch(/^RLP\d{4}$/);
  });

  test("docs/diagnostics.md lists every code with its title, as generated", () => {
    const docs = readFileSync(DOCS, "utf8");
    const begin = docs.indexOf(BEGIN);
    const end = docs.indexOf(END);
    expect(begin >= 0 && end > begin, `docs/diagnostics.md needs the markers ${BEGIN} and ${END}`).toBe(true);
    const current = docs.slice(begin + BEGIN.length, end);
    if (current !== codeList() && process.env["UPDATE_GOLDEN"] === "1") {
      writeFileSync(DOCS, docs.slice(0, begin + BEGIN.length) + codeList() + docs.slice(end));
      return;
    }
    for (const [code, info] of Object.entries(CODES)) expect(current, `${code} is missing from docs/diagnostics.md`).toContain(`| ${code} | ${info.severity} | ${info.title.replace(/\|/g, "\\|")} |`);
    expect(current, "the code list in docs/diagnostics.md is stale: run UPDATE_GOLDEN=1 npx vitest run test/compiler/diagnostics/catalogue.test.ts").toBe(codeList());
  });
});

describe("docs/diagnostics.md", () => {
  test("the text example is what renderText prints", () => {
    const grpo = new SourceFile("pipelines/grpo.rlp", "pipeline grpo {\n  rollout {\n    samples = 8\n    temperature = 7\n  }\n}\n");
    const stdlib = new SourceFile("stdlib/rollout.rlp", "schema rollout {\n  temperature: number <= 2.0\n}\n");
    const sources = new SourceMap();
    sources.add(grpo);
    sources.add(stdlib);
    const seven = grpo.span(grpo.text.indexOf("7"), grpo.text.indexOf("7") + 1);
    const at = stdlib.text.indexOf("temperature");
    const d = diagnostic("RLP0301", "`temperature` must be at most 2.0, found 7")
      .primary(seven, "value set here")
      .secondary(stdlib.span(at, at + "temperature".length), "constraint declared here")
      .help("typical values are 0.6–1.2 for GRPO rollouts")
      .replaceWith(seven, "1.0")
      .build();
    const rendered = `${renderText([d], sources, { color: false })}\n${summaryLine([d])}\n`;
    expect(readFileSync(DOCS, "utf8")).toContain(`\`\`\`\n${rendered}\`\`\`\n`);
  });
});
