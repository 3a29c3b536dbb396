import { describe, expect, test } from "vitest";
import { explainCommand, normalizeCode, wrap } from "../../../src/cli/commands/explain.js";
import { bufferedIO, EXIT } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { CODES } from "../../../src/compiler/diagnostics/codes.js";

async function rlp(...argv: string[]) {
  const io = bufferedIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe("rlp explain", () => {
  test("prints the long form: header, explanation, example and fix", async () => {
    const { code, out, err } = await rlp("explain", "RLP0204");
    expect([code, err]).toEqual([EXIT.ok, ""]);
    // The texts come from the catalogue; the layout is what is tested here.
    const info = CODES.RLP0204;
    expect(out).toBe(
      [
        `error[RLP0204]: ${info.title}`,
        "",
        wrap(info.explanation),
        "",
        "Example, reported as RLP0204:",
        "",
        `    ${info.example}`,
        "",
        "Fix:",
        "",
        `    ${info.fix}`,
        "",
      ].join("\n"),
    );
  });

  test("accepts rlp0204, RLP204 and 204", async () => {
    const reference = (await rlp("explain", "RLP0204")).out;
    for (const spelling of ["rlp0204", "RLP204", "204", "0204"]) expect((await rlp("explain", spelling)).out).toBe(reference);
  });

  test("several codes, separated by a blank line", async () => {
    const { out } = await rlp("explain", "1", "RLP0501");
    expect(out).toContain("error[RLP0001]: unexpected character");
    expect(out).toContain("\n\nwarning[RLP0501]: unused term");
  });

  test("multi-line examples stay indented as code", async () => {
    const { out } = await rlp("explain", "RLP0012");
    expect(out).toContain(`\n\n${CODES.RLP0012.example.split("\n").map((l) => `    ${l}`).join("\n")}\n\nFix:`);
    expect(CODES.RLP0012.example).toContain("\n");
  });

  test("a code no program can trigger has no example section", async () => {
    const { out } = await rlp("explain", "RLP0900");
    expect(out).toBe(`error[RLP0900]: ${CODES.RLP0900.title}\n\n${wrap(CODES.RLP0900.explanation)}\n`);
  });

  test("an unknown code is a usage error with a did-you-mean", async () => {
    const { code, out, err } = await rlp("explain", "RLP0299");
    expect([code, out]).toEqual([EXIT.usage, ""]);
    expect(err).toMatch(/^error: unknown diagnostic code `RLP0299`\n {2}= help: did you mean one of `RLP0209`, .*\?\n$/);
  });

  test("something that is not a code", async () => {
    expect(await rlp("explain", "RPL0204")).toMatchObject({ code: EXIT.usage, err: expect.stringContaining("did you mean one of `RLP0204`") });
    expect(await rlp("explain", "frobnicate")).toEqual({
      code: EXIT.usage,
      out: "",
      err: "error: `frobnicate` is not a diagnostic code\n  = help: codes look like `RLP0204`; run `rlp explain --list` to see them all\n",
    });
  });

  test("no code, or codes with --list, are usage errors", async () => {
    expect((await rlp("explain")).code).toBe(EXIT.usage);
    expect((await rlp("explain", "--list", "RLP0204")).code).toBe(EXIT.usage);
    expect(await rlp("explain", "--lsit")).toMatchObject({ code: EXIT.usage, err: expect.stringContaining("`--list`") });
  });

  test("--list shows every code with its severity and title, grouped", async () => {
    const { code, out } = await rlp("explain", "--list");
    expect(code).toBe(EXIT.ok);
    for (const [c, info] of Object.entries(CODES)) expect(out).toContain(`  ${c}  ${info.severity.padEnd(7)}  ${info.title}\n`);
    expect(out.startsWith("Syntax:\n  RLP0001  error    unexpected character\n")).toBe(true);
    expect(out).toContain("\n\nWarnings:\n");
  });

  test("--json, for one code and for the list", async () => {
    const one = JSON.parse((await rlp("explain", "204", "--json")).out);
    expect(one).toEqual({ format_version: "1", codes: [{ code: "RLP0204", group: "Types and levels", ...CODES.RLP0204 }] });
    const all = JSON.parse((await rlp("explain", "--list", "--json")).out);
    expect(all.codes.map((c: { code: string }) => c.code)).toEqual(Object.keys(CODES));
  });

  test("--help prints the usage", async () => {
    const { code, out } = await rlp("explain", "--help");
    expect(code).toBe(EXIT.ok);
    expect(out).toBe(`${explainCommand.usage}\n`);
    expect(out).toContain("usage: rlp explain CODE... [--json]");
  });

  test("normalizeCode", () => {
    expect(["RLP0204", "rlp0204", "Rlp204", " 204 ", "0204"].map(normalizeCode)).toEqual(Array(5).fill("RLP0204"));
    expect(["", "RLP", "RLP02045", "E0204", "12a"].map(normalizeCode)).toEqual(Array(5).fill(undefined));
  });

  test("wrap keeps backticked spans whole and lines within the width", () => {
    const text = "alpha `keep groups where` beta gamma delta";
    expect(wrap(text, 20)).toBe("alpha\n`keep groups where`\nbeta gamma delta");
    for (const info of Object.values(CODES)) {
      for (const line of wrap(info.explanation).split("\n")) if (line.includes(" ")) expect(line.length).toBeLessThanOrEqual(80);
    }
  });
});
