/**
 * Entry point of a shard worker thread: its own tfjs instance and model replica, serving the
 * requests of pool.ts one at a time, in arrival order.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { initBackend } from "../tfjs/backend.js";
import { ShardEngine } from "./shard.js";
import { TinyLM } from "./tiny-lm.js";
import { toWorkerError, type WorkerInit, type WorkerReply, type WorkerRequest } from "./worker-protocol.js";

async function handle(engine: ShardEngine, req: WorkerRequest): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  if (req.kind !== "backward" && req.weights !== undefined) engine.model.setFlat(req.weights);
  switch (req.kind) {
    case "forward":
    case "score": {
      const r = req.kind === "forward" ? await engine.forward(req.seq, req.temperature) : await engine.score(req.seq, req.temperature);
      return { value: r, transfer: [r.logp.buffer as ArrayBuffer, r.entropy.buffer as ArrayBuffer] };
    }
    case "backward": {
      const g = await engine.backward(req.dlogp, req.dent);
      return { value: g, transfer: [g.buffer as ArrayBuffer] };
    }
    case "sample": {
      const rs = await engine.sample(req.reqs, req.seed, req.rowOffset);
      return { value: rs, transfer: rs.flatMap((r) => [r.tokens.buffer as ArrayBuffer, r.logp.buffer as ArrayBuffer, r.entropy.buffer as ArrayBuffer]) };
    }
  }
}

async function serve(port: MessagePort, init: WorkerInit): Promise<void> {
  const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let engine: ShardEngine;
  try {
    await initBackend(init.backend);
    engine = new ShardEngine(TinyLM.create(init.config));
  } catch (e) {
    send({ kind: "init-failed", error: toWorkerError(e) });
    return;
  }
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (req: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const { value, transfer } = await handle(engine, req);
        send({ kind: "result", id: req.id, value }, transfer);
      } catch (e) {
        send({ kind: "failed", id: req.id, error: toWorkerError(e) });
      }
    });
  });
  send({ kind: "ready" });
}

if (!isMainThread && parentPort !== null) void serve(parentPort, workerData as WorkerInit);
