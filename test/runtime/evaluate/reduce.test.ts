import { describe, expect, it } from "vitest";
import { evaluate, rolloutValues, type EvalResult } from "../../../src/runtime/evaluate/index.js";
import { HAND, PROMPT, TOKENS } from "./fixtures.js";
import { pipeline, TASK_ENV } from "./helpers.js";

function run(reward: string): EvalResult {
  return evaluate(pipeline({ reward: `${reward}\n score = tokens` }), HAND, TASK_ENV);
}
const data = (r: EvalResult, name: string) => [...r.terms[name]!.data];
const std = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
// Groups of HAND (tokens): by prompt [1,2,5] [2,4,6,3]; by prompt, budget [1,2] [5] [2] [4,6,3]; by budget [1,2,2] [5,4,6,3].

describe("reductions", () => {
  it("reduces by prompt over ragged groups (unbiased std)", () => {
    const r = run(`
      mn = mean(tokens by prompt)
      sd = std(tokens by prompt)
      lo = min(tokens by prompt)
      hi = max(tokens by prompt)
      s  = sum(tokens by prompt)
      n  = count(tokens by prompt)`);
    expect(r.terms["mn"]!.set.levels).toEqual(["prompt"]);
    expect(data(r, "mn")).toEqual([8 / 3, 15 / 4]);
    expect(data(r, "sd")[0]).toBeCloseTo(std([1, 2, 5]), 14);
    expect(data(r, "sd")[1]).toBeCloseTo(std([2, 4, 6, 3]), 14);
    expect(data(r, "lo")).toEqual([1, 2]);
    expect(data(r, "hi")).toEqual([5, 6]);
    expect(data(r, "s")).toEqual([8, 15]);
    expect(data(r, "n")).toEqual([3, 4]);
  });

  it("reduces by two levels, and by a declared level alone across prompts", () => {
    const r = run(`
      sub = mean(tokens by prompt, budget)
      sd  = std(tokens by prompt, budget)
      byb = sum(tokens by budget)`);
    expect(r.terms["sub"]!.set.levels).toEqual(["prompt", "budget"]);
    expect(data(r, "sub")).toEqual([1.5, 5, 2, 13 / 3]);
    // A group of one has no unbiased std: NaN, as torch.
    const sd = data(r, "sd");
    expect(sd[1]).toBeNaN();
    expect(sd[2]).toBeNaN();
    expect(sd[0]).toBeCloseTo(std([1, 2]), 14);
    expect(data(r, "byb")).toEqual([5, 18]);
  });

  it("selects with where, at the value's level or a coarser one", () => {
    const r = run(`
      at4  = mean(tokens by prompt where budget == 4)
      long = count(tokens by prompt where tokens > 3)
      hard = sum(tokens by budget where difficulty == 2)`);
    expect(data(r, "at4")).toEqual([5, 13 / 3]);
    expect(data(r, "long")).toEqual([1, 2]);
    expect(data(r, "hard")).toEqual([2, 13]);
  });

  it("gives NaN for an empty mean/std/min/max group, 0 for sum/count, or `empty:`", () => {
    const r = run(`
      m  = mean(tokens by prompt where tokens > 5)
      sd = std(tokens by prompt where tokens > 5)
      lo = min(tokens by prompt where tokens > 5)
      hi = max(tokens by prompt where tokens > 5)
      s  = sum(tokens by prompt where tokens > 5)
      n  = count(tokens by prompt where tokens > 5)
      m0 = mean(tokens by prompt where tokens > 5, empty: 0)
      s1 = sum(tokens by prompt where tokens > 5, empty: -1)
      n1 = count(tokens by prompt where tokens > 5, empty: 9)`);
    expect(data(r, "m")[0]).toBeNaN();
    expect(data(r, "m")[1]).toBe(6);
    expect(data(r, "sd").every(Number.isNaN)).toBe(true);
    expect(data(r, "lo")[0]).toBeNaN();
    expect(data(r, "hi")[0]).toBeNaN();
    expect(data(r, "s")).toEqual([0, 6]);
    expect(data(r, "n")).toEqual([0, 1]);
    expect(data(r, "m0")).toEqual([0, 6]);
    expect(data(r, "s1")).toEqual([-1, 6]);
    expect(data(r, "n1")).toEqual([9, 1]);
    // Empty-group NaNs are what the pipeline asked for: no metric turns NaN.
    expect(Object.values(r.metrics).every(Number.isFinite)).toBe(true);
  });

  it("broadcasts a reduced value back to the rollouts", () => {
    const r = run(`c = tokens - mean(tokens by prompt)`);
    expect([...rolloutValues(r, r.terms["c"]!)]).toEqual(TOKENS.map((t, i) => t - (PROMPT[i] === 0 ? 8 / 3 : 15 / 4)));
  });

  it("reduces booleans as 0/1", () => {
    const r = run(`
      correct = exact_match(answer, target)
      acc = mean(correct by prompt)
      k = sum(correct by prompt)`);
    expect(data(r, "acc")).toEqual([2 / 3, 3 / 4]);
    expect(data(r, "k")).toEqual([2, 3]);
  });

  it("reduces per-token values to rollouts and prompts", () => {
    const r = run(`
      lp = mean(logp by prompt, budget, sample)
      n  = count(logp by prompt)`);
    const expected = HAND.rollouts.map((ro) => [...ro.logp].reduce((a, b) => a + b, 0) / ro.logp.length);
    const got = [...rolloutValues(r, r.terms["lp"]!)];
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
    expect(data(r, "n")).toEqual([8, 15]);
  });
});
