/** Shared test set-up: the backend under test and small deterministic batches. */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend, type BackendName } from "../../../src/runtime/tfjs/backend.js";
import { Prng } from "../../../src/runtime/model/prng.js";
import type { SeqBatch } from "../../../src/runtime/model/encode.js";

/** Tests run on wasm (the default backend); RLP_TEST_BACKEND=cpu runs them on the reference backend. */
export async function useTestBackend(): Promise<void> {
  const name = (process.env["RLP_TEST_BACKEND"] ?? "wasm") as BackendName;
  await initBackend(name);
}

export function randomBatch(vocab: number, batch: number, steps: number, seed: number, pad?: Int32Array): SeqBatch {
  const rng = new Prng(seed);
  const seq = Int32Array.from({ length: batch * (steps + 1) }, () => rng.int(vocab));
  const inputs = new Int32Array(batch * steps);
  const targets = new Int32Array(batch * steps);
  for (let r = 0; r < batch; r++) {
    inputs.set(seq.subarray(r * (steps + 1), r * (steps + 1) + steps), r * steps);
    targets.set(seq.subarray(r * (steps + 1) + 1, (r + 1) * (steps + 1)), r * steps);
  }
  return pad === undefined ? { batch, steps, inputs, targets } : { batch, steps, inputs, targets, pad };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export { tf };
