import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { IrNode } from "../../../src/compiler/ir/types.js";
import { Tasks } from "../../../src/runtime/services/tasks.js";

const dataNode = (op: string, params: IrNode["params"] = {}): IrNode => ({ id: "data", kind: "data", op, section: "data", dtype: "dataset", level: [], params, inputs: [] });

const withTasks = <A, E>(node: IrNode, f: (t: Tasks["Service"]) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.gen(function* () { return yield* f(yield* Tasks); }).pipe(Effect.provide(Tasks.layer(node))));

describe("Tasks", () => {
  it("serves the arith stream from the data node's parameters, random access", async () => {
    const node = dataNode("arith", { digits: { min: 2, max: 2 }, ops: ["+"], seed: 3, split: "train" });
    const [a, b] = await withTasks(node, (t) => Effect.all([t.prompts(0, 4), t.prompts(2, 2)]));
    expect(b).toEqual(a.slice(2));
    for (const p of a) {
      expect(p.text).toMatch(/^\d\d\+\d\d=$/);
      expect(p.tokens[0]).toBe(1); // <bos>
      expect(p.fields["difficulty"]).toBe(2);
      expect(p.fields["prompt_tokens"]).toBe(p.tokens.length);
      expect(String(Number(p.fields["target"]))).toBe(p.fields["target"]);
    }
  });

  it("decodes ids outside the task's vocabulary without failing, and such text is not well formed", async () => {
    const text = await withTasks(dataNode("arith"), (t) => Effect.succeed(t.decode([17, 5, 18, 6, 2, 50])));
    expect(text).toBe("<think>2</think>3<eos><unk:50>");
    const formed = await withTasks(dataNode("arith"), (t) => Effect.succeed([t.wellFormed("<think>2</think>3<eos>"), t.wellFormed("<think></think><unk:50>"), t.extractAnswer("<think></think>x")]));
    expect(formed).toEqual([true, false, ""]);
  });

  it("draws demonstrations with their prefill length", async () => {
    const demos = await withTasks(dataNode("arith", { digits: { min: 1, max: 3 } }), (t) => t.demonstrations(5, 20));
    expect(demos).toHaveLength(20);
    expect(demos.some((d) => d.prefillLength === 1)).toBe(true);
    expect(demos.every((d) => d.response.at(-1) === 2)).toBe(true);
  });

  it("fails with a TaskError for an unknown task", async () => {
    const error = await Effect.runPromise(Effect.flip(Effect.gen(function* () { return yield* Tasks; }).pipe(Effect.provide(Tasks.layer(dataNode("gsm8k"))))));
    expect(error._tag).toBe("TaskError");
    expect(error.message).toContain("unknown task `gsm8k`");
  });
});

describe("Tasks.layerTest", () => {
  it("serves short additions", async () => {
    const prompts = await Effect.runPromise(Effect.gen(function* () { return yield* (yield* Tasks).prompts(0, 8); }).pipe(Effect.provide(Tasks.layerTest)));
    for (const p of prompts) expect(p.text).toMatch(/^\d{1,2}\+\d{1,2}=$/);
  });
});
