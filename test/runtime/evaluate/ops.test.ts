import { describe, expect, it } from "vitest";
import { evaluate, promptValues, rolloutValues, type EvalResult } from "../../../src/runtime/evaluate/index.js";
import { BUDGET, CORRECT, DIFFICULTY, HAND, TOKENS, WELL_FORMED } from "./fixtures.js";
import { pipeline, TASK_ENV } from "./helpers.js";

function run(reward: string): EvalResult {
  return evaluate(pipeline({ reward: `${reward}\n score = tokens` }), HAND, TASK_ENV);
}

const per = (r: EvalResult, name: string) => [...rolloutValues(r, r.terms[name]!)];
const zip = <T>(f: (i: number) => T) => TOKENS.map((_, i) => f(i));

describe("operators", () => {
  it("does arithmetic in float64, broadcasting prompt and budget values to rollouts", () => {
    const r = run(`
      a = tokens * 2 + budget - 1
      b = tokens / budget
      c = tokens % 3
      d = -tokens
      e = difficulty - tokens
      f = tokens / 3`);
    expect(per(r, "a")).toEqual(zip((i) => TOKENS[i]! * 2 + BUDGET[i]! - 1));
    expect(per(r, "b")).toEqual(zip((i) => TOKENS[i]! / BUDGET[i]!));
    expect(per(r, "c")).toEqual(zip((i) => TOKENS[i]! % 3));
    expect(per(r, "d")).toEqual(zip((i) => -TOKENS[i]!));
    expect(per(r, "e")).toEqual(zip((i) => DIFFICULTY[i]! - TOKENS[i]!));
    // 1/3 as a double, not rounded to float32.
    expect(per(r, "f")[0]).toBe(1 / 3);
  });

  it("keeps each result at its own level", () => {
    const r = run(`
      pb = difficulty * budget
      p = difficulty + 1`);
    expect(r.terms["pb"]!.set.levels).toEqual(["prompt", "budget"]);
    expect([...r.terms["pb"]!.data]).toEqual([2, 4, 4, 8]);
    expect([...promptValues(r, r.terms["p"]!)]).toEqual([2, 3]);
  });

  it("compares numbers and booleans", () => {
    const r = run(`
      lt = tokens < budget
      le = tokens <= budget
      gt = tokens > budget
      ge = tokens >= budget
      eq = tokens == budget
      ne = tokens != budget`);
    expect(per(r, "lt")).toEqual(zip((i) => (TOKENS[i]! < BUDGET[i]! ? 1 : 0)));
    expect(per(r, "le")).toEqual(zip((i) => (TOKENS[i]! <= BUDGET[i]! ? 1 : 0)));
    expect(per(r, "gt")).toEqual(zip((i) => (TOKENS[i]! > BUDGET[i]! ? 1 : 0)));
    expect(per(r, "ge")).toEqual(zip((i) => (TOKENS[i]! >= BUDGET[i]! ? 1 : 0)));
    expect(per(r, "eq")).toEqual(zip((i) => (TOKENS[i]! === BUDGET[i]! ? 1 : 0)));
    expect(per(r, "ne")).toEqual(zip((i) => (TOKENS[i]! !== BUDGET[i]! ? 1 : 0)));
  });

  it("combines booleans with && || ! and promotes them to 0/1 in arithmetic", () => {
    const r = run(`
      both = tokens > 1 && budget == 4
      either = tokens > 4 || budget == 2
      neither = !(tokens > 4 || budget == 2)
      sum = (tokens > 1) + (budget == 4)`);
    expect(per(r, "both")).toEqual(zip((i) => (TOKENS[i]! > 1 && BUDGET[i] === 4 ? 1 : 0)));
    expect(per(r, "either")).toEqual(zip((i) => (TOKENS[i]! > 4 || BUDGET[i] === 2 ? 1 : 0)));
    expect(per(r, "neither")).toEqual(zip((i) => (TOKENS[i]! > 4 || BUDGET[i] === 2 ? 0 : 1)));
    expect(per(r, "sum")).toEqual(zip((i) => (TOKENS[i]! > 1 ? 1 : 0) + (BUDGET[i] === 4 ? 1 : 0)));
  });

  it("compares text with == and !=", () => {
    const r = run(`
      same = answer == target
      other = text != "b"`);
    expect(per(r, "same")).toEqual(CORRECT);
    expect(per(r, "other")).toEqual([1, 0, 1, 1, 1, 1, 1]);
  });

  it("evaluates if with condition and branches at different levels", () => {
    const r = run(`
      i1 = if budget == 4 then difficulty else tokens
      i2 = if difficulty > 1 then 10 else 20
      i3 = if !well_formed(text) then -1 else if answer == target then budget else 0`);
    expect(per(r, "i1")).toEqual(zip((i) => (BUDGET[i] === 4 ? DIFFICULTY[i]! : TOKENS[i]!)));
    expect(r.terms["i2"]!.set.levels).toEqual(["prompt"]);
    expect([...r.terms["i2"]!.data]).toEqual([20, 10]);
    expect(per(r, "i3")).toEqual(zip((i) => (WELL_FORMED[i] === 0 ? -1 : CORRECT[i] === 1 ? BUDGET[i]! : 0)));
  });

  it("evaluates if per token, with rollout-level branches broadcast to tokens", () => {
    const r = run(`tk = if logp < -0.65 then tokens else -1`);
    const tk = r.terms["tk"]!;
    expect(tk.set.levels).toEqual(["prompt", "budget", "sample", "token"]);
    expect([...tk.data]).toEqual(HAND.rollouts.flatMap((ro) => [...ro.logp].map((l) => (l < -0.65 ? ro.tokens : -1))));
  });

  it("selects text with if", () => {
    const r = run(`
      size = if budget == 4 then "long" else "short"
      long = size == "long"`);
    expect(r.terms["size"]!.data).toEqual(["short", "long"]);
    expect(per(r, "long")).toEqual(zip((i) => (BUDGET[i] === 4 ? 1 : 0)));
  });

  it("fills string templates per level value", () => {
    const r = run(`
      tag = "<think budget={budget}>"
      is4 = tag == "<think budget=4>"`);
    expect(r.terms["tag"]!.set.levels).toEqual(["budget"]);
    expect(r.terms["tag"]!.data).toEqual(["<think budget=2>", "<think budget=4>"]);
    expect(per(r, "is4")).toEqual(zip((i) => (BUDGET[i] === 4 ? 1 : 0)));
  });
});
