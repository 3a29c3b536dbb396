/** Messages between the main thread (pool.ts) and a shard worker (shard-worker.ts). */
import type { TinyLMConfig } from "./config.js";
import type { SeqBatch } from "./encode.js";
import type { SampleRequest } from "./sampler.js";

export interface WorkerInit {
  readonly config: TinyLMConfig;
  readonly backend: "wasm" | "cpu";
}

interface WithWeights {
  readonly id: number;
  /** Present when the replica's weights are stale. */
  readonly weights?: Float32Array;
}

export type WorkerRequest =
  | (WithWeights & { readonly kind: "forward"; readonly seq: SeqBatch; readonly temperature: number })
  | (WithWeights & { readonly kind: "score"; readonly seq: SeqBatch; readonly temperature: number })
  | (WithWeights & { readonly kind: "sample"; readonly reqs: readonly SampleRequest[]; readonly seed: number; readonly rowOffset: number })
  | { readonly id: number; readonly kind: "backward"; readonly dlogp: Float32Array; readonly dent: Float32Array };

export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type WorkerReply =
  | { readonly kind: "ready" }
  | { readonly kind: "init-failed"; readonly error: WorkerError }
  | { readonly kind: "result"; readonly id: number; readonly value: unknown }
  | { readonly kind: "failed"; readonly id: number; readonly error: WorkerError };

export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof Error) return e.stack === undefined ? { name: e.name, message: e.message } : { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}
