import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import type { IrNode } from "../../../src/compiler/ir/types.js";
import { Tasks } from "../../../src/runtime/services/tasks.js";
import {
  arithTask,
  decode,
  encodePrompt,
  makeProblem,
  parseBudget,
  replayScratchpad,
  sftDemonstrations,
  type ArithOp,
} from "../../../src/runtime/tasks/index.js";

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

  describe("demonstrations follow demo_style, demo_budget_share and demo_budgets", () => {
    const base = { digits: { min: 1, max: 3 }, ops: ["+", "-", "*"], seed: 0, split: "train" };
    /** A decoded demonstration: its problem, budget (if prefilled) and replayed scratchpad. */
    const read = (d: { prompt: Int32Array; response: Int32Array; prefillLength: number }) => {
      const [, left, op, right] = /^<bos>(\d+)([+*-])(\d+)=$/.exec(decode(d.prompt))!;
      const problem = makeProblem(op as ArithOp, left!, right!);
      const response = decode(d.response);
      const budget = parseBudget(response);
      const open = budget === undefined ? "<think>" : decode(d.response.slice(0, d.prefillLength));
      const replay = replayScratchpad(problem, response.slice(open.length, response.indexOf("</think>")));
      if (!replay.ok) throw new Error(`${problem.prompt}${response}: ${replay.reason}`);
      return { problem, response, budget, replay, tokens: d.response.length };
    };

    it("the defaults, given or not, draw exactly sftDemonstrations' defaults", async () => {
      const defaults = { demo_style: "mixed", demo_budget_share: 0.5, demo_budgets: [4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64] };
      const implicit = await withTasks(dataNode("arith", base), (t) => t.demonstrations(7, 300));
      const explicit = await withTasks(dataNode("arith", { ...base, ...defaults }), (t) => t.demonstrations(7, 300));
      expect(explicit).toEqual(implicit);
      const direct = sftDemonstrations(arithTask({ digits: { min: 1, max: 3 }, ops: ["+", "-", "*"] }), { count: 300, seed: 7 });
      expect(implicit.map((d) => decode(d.response))).toEqual(direct.map((d) => d.response));
      expect(implicit.map((d) => decode(d.prompt))).toEqual(direct.map((d) => decode(encodePrompt(d.prompt))));
    });

    it("checked unprefilled ones, a quarter prefilled from the given budgets, never checked", async () => {
      const node = dataNode("arith", { ...base, demo_style: "checked", demo_budget_share: 0.25, demo_budgets: [16, 48] });
      const demos = (await withTasks(node, (t) => t.demonstrations(5, 800))).map(read);
      const prefilled = demos.filter((d) => d.budget !== undefined);
      expect(prefilled.length / demos.length).toBeGreaterThan(0.2);
      expect(prefilled.length / demos.length).toBeLessThan(0.3);
      expect(new Set(prefilled.map((d) => d.budget))).toEqual(new Set([16, 48]));
      for (const d of prefilled) {
        expect(d.replay.reasoning.kind).not.toBe("checked");
        if (d.replay.reasoning.kind !== "direct") expect(d.tokens).toBeLessThanOrEqual(d.budget!);
      }
      expect(prefilled.some((d) => d.replay.reasoning.kind === "full")).toBe(true);
      for (const d of demos.filter((x) => x.budget === undefined)) {
        expect(d.replay).toMatchObject({ reasoning: { kind: "checked" }, answer: d.problem.target });
        expect(d.response.endsWith(`</think>${d.problem.target}<eos>`)).toBe(true);
      }
    });

    it("every style, no prefill at share 0, all prefilled at share 1", async () => {
      for (const style of ["full", "compact", "direct"]) {
        const demos = (await withTasks(dataNode("arith", { ...base, demo_style: style, demo_budget_share: 0 }), (t) => t.demonstrations(1, 100))).map(read);
        for (const d of demos) {
          expect(d.budget).toBeUndefined();
          const r = d.replay.reasoning;
          expect(r.kind === "compact" && r.columns === d.problem.difficulty ? "compact" : r.kind).toBe(style);
        }
      }
      const partial = (await withTasks(dataNode("arith", { ...base, digits: { min: 2, max: 3 }, demo_style: "partial", demo_budget_share: 0 }), (t) => t.demonstrations(1, 100))).map(read);
      for (const d of partial) expect(d.replay.reasoning).toMatchObject({ kind: "compact", columns: expect.any(Number) });
      expect(partial.every((d) => d.replay.reasoning.kind === "compact" && d.replay.reasoning.columns < d.problem.difficulty)).toBe(true);
      const all = (await withTasks(dataNode("arith", { ...base, demo_budget_share: 1, demo_budgets: [8] }), (t) => t.demonstrations(2, 100))).map(read);
      expect(all.every((d) => d.budget === 8 && d.response.startsWith("<think budget=8>"))).toBe(true);
    });

    it("fail with a TaskError for a bad demo parameter in a hand-written IR", async () => {
      const cases: [IrNode["params"], string][] = [
        [{ demo_style: "overthink" }, "demo_style"],
        [{ demo_budget_share: 2 }, "demo_budget_share"],
        [{ demo_budgets: [10] }, "demo_budgets"],
        [{ demo_budgets: [] }, "demo_budgets"],
      ];
      for (const [params, needle] of cases) {
        const error = await Effect.runPromise(Effect.flip(Effect.gen(function* () { return yield* Tasks; }).pipe(Effect.provide(Tasks.layer(dataNode("arith", { ...base, ...params }))))));
        expect(error._tag).toBe("TaskError");
        expect(error.message).toContain(needle);
      }
    });
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
