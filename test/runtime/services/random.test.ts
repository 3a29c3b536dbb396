import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { deriveSeed, pathId, Random } from "../../../src/runtime/services/random.js";

describe("Random", () => {
  it("derives the same seed for the same root, path and step", () => {
    expect(deriveSeed(7, "sample/round0", 3)).toBe(deriveSeed(7, "sample/round0", 3));
  });

  it("gives different streams to different roots, paths and steps", () => {
    const seeds = new Set([deriveSeed(7, "sample/round0", 3), deriveSeed(8, "sample/round0", 3), deriveSeed(7, "sample/round1", 3), deriveSeed(7, "sample/round0", 4)]);
    expect(seeds.size).toBe(4);
    expect(pathId("a")).not.toBe(pathId("b"));
  });

  it("is provided as a service whose streams repeat", async () => {
    const draws = await Effect.runPromise(
      Effect.gen(function* () {
        const random = yield* Random;
        const a = random.stream("x", 1);
        const b = random.stream("x", 1);
        return [a.next(), a.next(), b.next(), b.next(), random.root];
      }).pipe(Effect.provide(Random.layer(42))),
    );
    expect(draws[0]).toBe(draws[2]);
    expect(draws[1]).toBe(draws[3]);
    expect(draws[4]).toBe(42);
  });

  it("rejects a negative or fractional root seed", () => {
    expect(() => Random.layer(-1)).toThrow(RangeError);
    expect(() => Random.layer(1.5)).toThrow(RangeError);
  });
});
