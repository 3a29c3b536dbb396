import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { schemaFor, schemaNames } from "../../src/cli/commands/schema.js";
import { bufferedIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { IR_SCHEMA } from "../../src/compiler/ir/schema.js";

async function rlp(...argv: string[]) {
  const io = bufferedIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe("rlp schema", () => {
  it("prints the IR schema by default and for `ir`", async () => {
    const plain = await rlp("schema");
    const named = await rlp("schema", "ir");
    expect([plain.code, named.code]).toEqual([0, 0]);
    expect(plain.out).toBe(named.out);
    const schema = JSON.parse(plain.out);
    expect(schema).toEqual(IR_SCHEMA);
    expect(() => new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema)).not.toThrow();
  });

  it("rejects unknown names with a did-you-mean (exit 2)", async () => {
    const { code, err } = await rlp("schema", "irr");
    expect(code).toBe(2);
    expect(err).toContain("no schema named `irr`");
    expect(err).toContain("did you mean `ir`?");
    expect((await rlp("schema", "--pretty")).code).toBe(2);
  });

  it("maps names to schemas in one place", () => {
    expect(schemaNames()[0]).toBe("ir");
    expect(schemaNames()).toEqual(expect.arrayContaining(["ppo_clip", "adam", "knapsack", "rollout", "level", "optimize"]));
    expect(schemaFor("ir")).toBe(IR_SCHEMA);
    expect(schemaFor("ppo_clip")).toMatchObject({ title: "std.losses.ppo_clip", additionalProperties: false });
    expect(schemaFor("rollout")).toMatchObject({ properties: { temperature: { maximum: 2 } } });
    expect(schemaFor("nope")).toBeUndefined();
  });
});
