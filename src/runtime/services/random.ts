/**
 * Seeded randomness for a run. Nothing in the runtime keeps a random state between steps: every
 * consumer derives its seed as hash(rootSeed, path, step), where `path` names the consumer
 * ("sample/round0", "data/shuffle", ...). A resumed run therefore needs only the root seed to
 * draw exactly what the uninterrupted run drew, and two consumers never share a stream.
 */
import { Context, Layer } from "effect";
import { mixSeed, Prng } from "../model/prng.js";

/** FNV-1a over the UTF-16 code units of `path`: a stable 32-bit id for a stream name. */
export function pathId(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** hash(root, path, step) as a 32-bit unsigned seed. */
export function deriveSeed(root: number, path: string, step: number): number {
  return mixSeed(root, pathId(path), step);
}

export class Random extends Context.Service<
  Random,
  {
    /** The run's root seed. */
    readonly root: number;
    /** The seed of stream `path` at `step`. */
    readonly seed: (path: string, step: number) => number;
    /** A fresh generator for stream `path` at `step` (the same numbers every time it is asked for). */
    readonly stream: (path: string, step: number) => Prng;
  }
>()("rlp/Random") {
  static layer(root: number): Layer.Layer<Random> {
    if (!Number.isSafeInteger(root) || root < 0) throw new RangeError(`the root seed must be a non-negative safe integer, got ${root}`);
    return Layer.succeed(Random, {
      root,
      seed: (path, step) => deriveSeed(root, path, step),
      stream: (path, step) => new Prng(deriveSeed(root, path, step)),
    });
  }

  /** Root seed 0, for tests. */
  static readonly layerTest: Layer.Layer<Random> = Random.layer(0);
}
