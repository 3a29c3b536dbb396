import { describe, expect, it } from "vitest";
import { PrimitiveInputError, PromptSuccessTracker, normaliseKnapsackReward } from "../../../../src/runtime/primitives/index.js";

describe("PromptSuccessTracker", () => {
  it("maps rewards −1/0/1 to 0/0/1 and rejects anything else", () => {
    expect([-1, 0, 1].map(normaliseKnapsackReward)).toEqual([0, 0, 1]);
    expect(() => normaliseKnapsackReward(0.5)).toThrow(PrimitiveInputError);
  });

  it("is invalid with rate 0 for unseen prompts and becomes valid after 8 rewards", () => {
    const t = new PromptSuccessTracker();
    expect(t.get("p")).toEqual({ valid: false, successRate: 0, count: 0 });
    t.update("p", [1, -1, 0, 1]);
    expect(t.get("p")).toEqual({ valid: false, successRate: 0.5, count: 4 });
    t.update("p", [1, 1, 1, 1]);
    expect(t.get("p")).toEqual({ valid: true, successRate: 0.75, count: 8 });
  });

  it("uses the last 16 rewards for small updates and the update itself for large ones", () => {
    const t = new PromptSuccessTracker();
    t.update(7, new Array<number>(20).fill(1));
    expect(t.get(7).successRate).toBe(1);
    t.update(7, new Array<number>(16).fill(0));
    expect(t.get(7).successRate).toBe(0);
    t.update(7, [1]);
    // 15 zeros and the new 1
    expect(t.get("7")).toEqual({ valid: true, successRate: 1 / 16, count: 37 });
  });

  it("round-trips through plain JSON", () => {
    const t = new PromptSuccessTracker({ bufferLength: 4, minBufferLength: 2 });
    t.update("a", [1, 0, 1]);
    t.update("b", [-1]);
    const json = JSON.parse(JSON.stringify(t.toJSON())) as unknown;
    const back = PromptSuccessTracker.fromJSON(json);
    expect(back.toJSON()).toEqual(t.toJSON());
    expect(back.get("a")).toEqual({ valid: true, successRate: 2 / 3, count: 3 });
    back.update("a", [1, 1]);
    // buffer of 4: 0, 1, 1, 1
    expect(back.get("a").successRate).toBe(0.75);
  });

  it("rejects malformed checkpoints", () => {
    expect(() => PromptSuccessTracker.fromJSON(null)).toThrow(PrimitiveInputError);
    expect(() => PromptSuccessTracker.fromJSON({ version: 2, options: { bufferLength: 16, minBufferLength: 8 }, prompts: {} })).toThrow(PrimitiveInputError);
    const bad = { version: 1, options: { bufferLength: 16, minBufferLength: 8 }, prompts: { p: { recent: [2], count: 1, successRate: 0 } } };
    expect(() => PromptSuccessTracker.fromJSON(bad)).toThrow(PrimitiveInputError);
  });
});
