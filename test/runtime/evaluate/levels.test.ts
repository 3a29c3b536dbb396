import { describe, expect, it } from "vitest";
import { LevelIndex } from "../../../src/runtime/evaluate/index.js";
import { prompts, rollout } from "./helpers.js";

const H = ["prompt", "budget", "sample", "token"];

// Ragged and interleaved: prompt 1 appears first, budget 4 has 1 or 2 rollouts, prompt 0 lacks budget 4.
const batch = {
  prompts: prompts("a", "b"),
  rollouts: [
    rollout({ prompt: 1, levels: { budget: 2 }, sample: 0, tokens: 2 }),
    rollout({ prompt: 0, levels: { budget: 2 }, sample: 0, tokens: 3 }),
    rollout({ prompt: 1, levels: { budget: 4 }, sample: 0, tokens: 1 }),
    rollout({ prompt: 0, levels: { budget: 2 }, sample: 1, tokens: 4 }),
    rollout({ prompt: 1, levels: { budget: 4 }, sample: 1, tokens: 2 }),
  ],
};
const index = new LevelIndex(H, batch, Int32Array.from([0, 1, 2, 3, 4]));

describe("LevelIndex", () => {
  it("numbers the distinct key tuples in order of first appearance", () => {
    const p = index.set(["prompt"]);
    expect(p.size).toBe(2);
    expect([...p.ofRollout]).toEqual([0, 1, 0, 1, 0]);
    const pb = index.set(["budget", "prompt"]);
    expect(pb.levels).toEqual(["prompt", "budget"]);
    expect(pb.size).toBe(3);
    expect([...pb.ofRollout]).toEqual([0, 1, 2, 1, 2]);
    expect(index.keyOf(pb, 2)).toEqual({ prompt: 1, budget: 4 });
    const b = index.set(["budget"]);
    expect(b.size).toBe(2);
    expect(index.set(["prompt", "budget", "sample"]).size).toBe(5);
  });

  it("has one step element", () => {
    const step = index.set([]);
    expect(step.size).toBe(1);
    expect([...step.ofRollout]).toEqual([0, 0, 0, 0, 0]);
    expect(index.keyOf(step, 0)).toEqual({});
  });

  it("lays out every response token of every rollout at the token level", () => {
    const tok = index.set(H);
    expect(tok.size).toBe(2 + 3 + 1 + 4 + 2);
    expect(index.elementOf(tok, 3, 2)).toBe(2 + 3 + 1 + 2);
    expect(index.keyOf(tok, index.elementOf(tok, 3, 2))).toEqual({ prompt: 0, budget: 2, sample: 1, token: 2 });
  });

  it("projects fine elements onto coarse ones, also across ragged token sets", () => {
    const tok = index.set(H);
    const pb = index.set(["prompt", "budget"]);
    const map = index.projection(pb, tok);
    // rollout 4 (prompt 1, budget 4) owns the last two tokens.
    expect([...map.slice(-2)]).toEqual([2, 2]);
    // [prompt, token]: prompt 1 comes first (2 positions), then prompt 0 (4, its longest rollout).
    const pt = index.set(["prompt", "token"]);
    expect(pt.size).toBe(2 + 4);
    expect([...index.projection(pt, tok)]).toEqual([0, 1, 2, 3, 4, 0, 2, 3, 4, 5, 0, 1]);
    expect(() => index.projection(tok, pb)).toThrow(RangeError);
  });

  it("lists the rollouts of an element", () => {
    expect(index.rolloutsOf(index.set(["prompt"]), 1)).toEqual([1, 3]);
    const pt = index.set(["prompt", "token"]);
    expect(index.rolloutsOf(pt, 1)).toEqual([0, 4]);
  });

  it("indexes only the rollouts of its view", () => {
    const view = new LevelIndex(H, batch, Int32Array.from([1, 3, 4]));
    expect(view.set(["prompt", "budget"]).size).toBe(2);
    expect(view.rollout(2)).toBe(batch.rollouts[4]);
  });

  it("has no elements but the step for an empty batch", () => {
    const empty = new LevelIndex(H, { prompts: [], rollouts: [] }, new Int32Array(0));
    expect(empty.set(["prompt"]).size).toBe(0);
    expect(empty.set([]).size).toBe(1);
    expect(empty.set(H).size).toBe(0);
  });
});
