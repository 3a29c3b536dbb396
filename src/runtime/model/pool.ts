/**
 * Data parallelism over CPU cores: the main thread plus N worker threads, each with its own
 * tfjs-wasm instance and model replica. A batch is split into contiguous row ranges (the main
 * thread takes the first); gradients come back as flat vectors and are summed in shard order, so
 * a run is bitwise reproducible for a given seed and shard count.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type { SeqBatch } from "./encode.js";
import type { SampleRequest, SampleResult } from "./sampler.js";
import { ShardEngine, type RowStats } from "./shard.js";
import type { TinyLM } from "./tiny-lm.js";
import type { WorkerError, WorkerInit, WorkerReply, WorkerRequest } from "./worker-protocol.js";

/**
 * Cores - 1, at most 3: each shard pays a fixed per-op dispatch cost, so past four shards a
 * 64-row batch is cut into slices too thin to gain (an estimate: only 2 cores were measured).
 */
export function defaultWorkers(): number {
  return Math.min(3, Math.max(0, availableParallelism() - 1));
}

export interface PoolOptions {
  /** Worker threads besides the main thread (default: defaultWorkers()). 0 runs everything in this thread. */
  readonly workers?: number;
  /** Backend of the workers (default: the current backend when it is wasm or cpu). */
  readonly backend?: "wasm" | "cpu";
  /** Compiled worker script (default: shard-worker.js next to this module). */
  readonly workerUrl?: URL;
}

export class WorkerFailed extends Error {
  override readonly name = "WorkerFailed";
}

export class PoolUnavailable extends Error {
  override readonly name = "PoolUnavailable";
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

/** One compute unit: the main thread's engine or a worker. */
export interface Shard {
  forward(seq: SeqBatch, temperature: number): Promise<RowStats>;
  backward(dlogp: Float32Array, dent: Float32Array): Promise<Float32Array>;
  score(seq: SeqBatch, temperature: number): Promise<RowStats>;
  sample(reqs: readonly SampleRequest[], seed: number, rowOffset: number): Promise<SampleResult[]>;
}

function remoteError(e: WorkerError): Error {
  const err = new WorkerFailed(`shard worker: ${e.name}: ${e.message}`);
  if (e.stack !== undefined) err.stack = `${err.name}: ${err.message}\n--- in worker ---\n${e.stack}`;
  return err;
}

class WorkerShard implements Shard {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private syncedVersion = -1;
  private dead: Error | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly model: TinyLM,
  ) {
    worker.unref();
    worker.on("message", (m: WorkerReply) => {
      if (m.kind !== "result" && m.kind !== "failed") return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.kind === "result") p?.resolve(m.value);
      else p?.reject(remoteError(m.error));
    });
    const fail = (e: Error) => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on("error", (e) => fail(new WorkerFailed(`shard worker crashed: ${e.message}`)));
    worker.on("exit", (code) => fail(new WorkerFailed(`shard worker exited (code ${code})`)));
  }

  private weights(): { weights?: Float32Array } {
    if (this.syncedVersion === this.model.version) return {};
    this.syncedVersion = this.model.version;
    return { weights: this.model.getFlat() };
  }

  private call<T>(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    // Referenced only while a request is in flight: an idle pool never keeps the process alive.
    if (this.pending.size === 0) this.worker.ref();
    const settle = () => {
      if (this.pending.size === 0) this.worker.unref();
    };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req.id, {
        resolve: (v) => {
          settle();
          resolve(v as T);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      this.worker.postMessage(req, transfer);
    });
  }

  forward(seq: SeqBatch, temperature: number): Promise<RowStats> {
    return this.call({ id: this.nextId++, kind: "forward", seq, temperature, ...this.weights() });
  }

  backward(dlogp: Float32Array, dent: Float32Array): Promise<Float32Array> {
    return this.call({ id: this.nextId++, kind: "backward", dlogp, dent });
  }

  score(seq: SeqBatch, temperature: number): Promise<RowStats> {
    return this.call({ id: this.nextId++, kind: "score", seq, temperature, ...this.weights() });
  }

  sample(reqs: readonly SampleRequest[], seed: number, rowOffset: number): Promise<SampleResult[]> {
    return this.call({ id: this.nextId++, kind: "sample", reqs, seed, rowOffset, ...this.weights() });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function startWorker(url: URL, init: WorkerInit): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: init });
    const onMessage = (m: WorkerReply) => {
      if (m.kind === "ready") {
        worker.off("message", onMessage);
        resolve(worker);
      } else if (m.kind === "init-failed") {
        void worker.terminate();
        reject(remoteError(m.error));
      }
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
  });
}

export class ShardPool {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly model: TinyLM,
    /** Main-thread shard first, then the workers. */
    readonly shards: readonly Shard[],
    private readonly workers: readonly WorkerShard[],
  ) {}

  static async create(model: TinyLM, options: PoolOptions = {}): Promise<ShardPool> {
    const current = tf.getBackend();
    const onCpu = current === "wasm" || current === "cpu";
    // Worker replicas are CPU backends: they add cores to a CPU run, not to a GPU one.
    const n = options.workers ?? (onCpu ? defaultWorkers() : 0);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`workers must be a non-negative integer, got ${n}`);
    const local = new ShardEngine(model);
    if (n === 0) return new ShardPool(model, [local], []);
    if (!onCpu) {
      throw new PoolUnavailable(
        `worker shards need the main thread on the wasm or cpu backend (it is on ${current})`,
        "use workers: 0 with webgpu or tensorflow: the device already runs the whole batch",
      );
    }
    const backend = options.backend ?? (current === "cpu" ? "cpu" : "wasm");
    const url = options.workerUrl ?? new URL("./shard-worker.js", import.meta.url);
    if (url.protocol === "file:" && !existsSync(fileURLToPath(url))) {
      throw new PoolUnavailable(
        `the compiled shard worker ${fileURLToPath(url)} does not exist`,
        "worker threads run compiled JavaScript: run `npm run build` and use dist/, or pass workerUrl",
      );
    }
    const init: WorkerInit = { config: model.config, backend };
    const started = await Promise.allSettled(Array.from({ length: n }, () => startWorker(url, init)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    const workers = started.flatMap((s) => (s.status === "fulfilled" ? [new WorkerShard(s.value, model)] : []));
    if (failed !== undefined) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason instanceof Error ? failed.reason : new WorkerFailed(String(failed.reason));
    }
    return new ShardPool(model, [local, ...workers], workers);
  }

  get size(): number {
    return this.shards.length;
  }

  /**
   * Runs `fn` when every earlier exclusive call has settled. Shards keep a forward pass's tape until
   * its backward pass, so the operations that use the shards (training, sampling, scoring) take
   * turns instead of interleaving.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    (this.shards[0] as ShardEngine).dropTape();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
