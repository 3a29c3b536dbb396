/**
 * Benchmarks of the embedded tiny LM on exactly the workload of bench/peer/torch_reference.py:
 * vocab 32, d_model 64, 2 layers, 4 heads, seq 48; train step = batch 64, next-token cross-entropy,
 * backward, Adam(1e-3); sampling = 512 sequences, 8-token prompt, 40 new tokens, temperature 1,
 * KV cache. Results are plain JSON objects.
 *
 *   node dist/bench/model.js train-step|sample [--compare] [--workers N] [--backend wasm|cpu]
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend, type BackendName } from "../src/runtime/tfjs/backend.js";
import { adam } from "../src/runtime/model/optim.js";
import { ShardPool } from "../src/runtime/model/pool.js";
import { Prng } from "../src/runtime/model/prng.js";
import { sample, type SampleRequest } from "../src/runtime/model/sampler.js";
import { TinyLM } from "../src/runtime/model/tiny-lm.js";
import { sftStep } from "../src/runtime/model/train.js";

export interface BenchOptions {
  /** tfjs backend (default wasm). */
  readonly backend?: BackendName;
  /** Worker threads besides the main thread (default: cores - 1; 0 = single thread). */
  readonly workers?: number;
  readonly warmup?: number;
  /** Timed steps (train) or runs (sample). */
  readonly steps?: number;
  readonly seed?: number;
}

const BATCH = 64;
const SEQ = 48;
const SEQUENCES = 512;
const PROMPT = 8;
const NEW_TOKENS = 40;

function stats(ms: number[]): { median_ms: number; min_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { median_ms: r(mid), min_ms: r(s[0]!), max_ms: r(s[s.length - 1]!) };
}

async function setUp(options: BenchOptions) {
  const info = await initBackend(options.backend ?? "wasm");
  const model = TinyLM.create("bench", { seed: options.seed ?? 0 });
  const pool = await ShardPool.create(model, options.workers === undefined ? {} : { workers: options.workers });
  return { info, model, pool };
}

function environment(info: Awaited<ReturnType<typeof initBackend>>, shards: number) {
  return { backend: info.name, simd: info.simd, tfjs_threads: info.threads, shards, node: process.version, cpu: cpus()[0]?.model ?? "unknown" };
}

/** Median wall time of a full train step (forward, backward, Adam) after warm-up. */
export async function benchTrainStep(options: BenchOptions = {}) {
  const { info, model, pool } = await setUp(options);
  try {
    const rng = new Prng(options.seed ?? 0, 1);
    const L = SEQ + 1;
    const batch = {
      tokens: Int32Array.from({ length: BATCH * L }, () => rng.int(model.config.vocab)),
      batch: BATCH,
      length: L,
      mask: new Float32Array(BATCH * SEQ).fill(1),
    };
    const opt = adam(model.numParams, { lr: 1e-3 });
    const losses: number[] = [];
    for (let i = 0; i < (options.warmup ?? 5); i++) losses.push((await sftStep(model, opt, batch, { pool })).loss);
    const times: number[] = [];
    for (let i = 0; i < (options.steps ?? 20); i++) {
      const t0 = performance.now();
      losses.push((await sftStep(model, opt, batch, { pool })).loss);
      times.push(performance.now() - t0);
    }
    return {
      bench: "train_step",
      ...environment(info, pool.size),
      params: model.numParams,
      batch: BATCH,
      seq: SEQ,
      steps: times.length,
      train_step_ms: stats(times).median_ms,
      ...stats(times),
      loss_first: losses[0],
      loss_last: losses[losses.length - 1],
      tensors_after: tf.memory().numTensors,
    };
  } finally {
    await pool.close();
    model.dispose();
  }
}

/** Sampled tokens per second: 512 sequences x 40 new tokens, median over runs after warm-up. */
export async function benchSample(options: BenchOptions = {}) {
  const { info, model, pool } = await setUp(options);
  try {
    const rng = new Prng(options.seed ?? 0, 2);
    const reqs: SampleRequest[] = Array.from({ length: SEQUENCES }, () => ({
      prompt: Array.from({ length: PROMPT }, () => rng.int(model.config.vocab)),
      maxTokens: NEW_TOKENS,
      temperature: 1,
    }));
    for (let i = 0; i < (options.warmup ?? 1); i++) await sample(model, reqs, { seed: i, pool });
    const times: number[] = [];
    let tokens = 0;
    for (let i = 0; i < (options.steps ?? 5); i++) {
      const t0 = performance.now();
      const res = await sample(model, reqs, { seed: 100 + i, pool });
      times.push(performance.now() - t0);
      tokens = res.reduce((n, r) => n + r.tokens.length, 0);
    }
    const s = stats(times);
    return {
      bench: "sample",
      ...environment(info, pool.size),
      sequences: SEQUENCES,
      prompt_tokens: PROMPT,
      new_tokens: NEW_TOKENS,
      runs: times.length,
      ...s,
      sample_tokens_per_s: Math.round((tokens / (s.median_ms / 1000)) * 10) / 10,
    };
  } finally {
    await pool.close();
    model.dispose();
  }
}

function peerScript(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "bench", "peer", "torch_reference.py");
    if (existsSync(candidate)) return candidate;
    const sibling = join(dir, "peer", "torch_reference.py");
    if (existsSync(sibling)) return sibling;
    dir = dirname(dir);
  }
  return undefined;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr: stderr || (err?.message ?? "") });
    });
  });
}

export type PeerResult =
  | { readonly peer: Record<string, unknown>; readonly python: string }
  | { readonly peer: null; readonly reason: string };

/**
 * Runs the PyTorch peer (`OMP_WAIT_POLICY=PASSIVE python3 bench/peer/torch_reference.py`) when a
 * python3 that can import torch exists (RLP_PEER_PYTHON, python3 on PATH, /usr/bin/python3).
 */
export async function comparePeer(options: { readonly threads?: number; readonly steps?: number } = {}): Promise<PeerResult> {
  const script = peerScript();
  if (script === undefined) return { peer: null, reason: "bench/peer/torch_reference.py not found" };
  const env = { ...process.env, OMP_WAIT_POLICY: "PASSIVE" };
  const candidates = [process.env["RLP_PEER_PYTHON"], "python3", "/usr/bin/python3"].filter((c): c is string => c !== undefined && c !== "");
  const tried: string[] = [];
  for (const py of candidates) {
    const probe = await run(py, ["-c", "import torch"], env, 60_000);
    if (probe.code !== 0) {
      tried.push(`${py}: ${probe.stderr.trim().split("\n").pop() ?? `exit ${probe.code}`}`);
      continue;
    }
    const args = [script, "--threads", String(options.threads ?? cpus().length), "--steps", String(options.steps ?? 20)];
    const res = await run(py, args, env, 600_000);
    if (res.code !== 0) return { peer: null, reason: `${py} ${args.join(" ")} failed (exit ${res.code}): ${res.stderr.trim()}` };
    const line = res.stdout.trim().split("\n").pop() ?? "";
    try {
      return { peer: JSON.parse(line) as Record<string, unknown>, python: py };
    } catch {
      return { peer: null, reason: `unexpected peer output: ${line}` };
    }
  }
  return { peer: null, reason: `no python3 with torch (apt-get install -y python3-torch libopenblas0-pthread); tried ${tried.join("; ")}` };
}

/**
 * ours / peer: train_step_vs_peer (time ratio, lower is better; target <= 3) or
 * sample_tokens_per_s_vs_peer (throughput ratio, higher is better; target >= 0.5). Undefined
 * without a peer result.
 */
export function compareRatio(bench: "train-step" | "sample", ours: object, peer: PeerResult): Record<string, number> | undefined {
  if (peer.peer === null) return undefined;
  const r = (x: number) => Math.round(x * 100) / 100;
  const mine = ours as Partial<Record<"train_step_ms" | "sample_tokens_per_s", number>>;
  return bench === "train-step"
    ? { train_step_vs_peer: r(Number(mine.train_step_ms) / Number(peer.peer["train_step_ms"])) }
    : { sample_tokens_per_s_vs_peer: r(Number(mine.sample_tokens_per_s) / Number(peer.peer["sample_tokens_per_s"])) };
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  const what = argv[0];
  if (what !== "train-step" && what !== "sample") {
    process.stderr.write("usage: node dist/bench/model.js train-step|sample [--compare] [--workers N] [--backend wasm|cpu] [--steps N]\n");
    return 2;
  }
  const workers = flag(argv, "--workers");
  const backend = flag(argv, "--backend") as BackendName | undefined;
  const steps = flag(argv, "--steps");
  const options: BenchOptions = {
    ...(workers === undefined ? {} : { workers: Number(workers) }),
    ...(backend === undefined ? {} : { backend }),
    ...(steps === undefined ? {} : { steps: Number(steps) }),
  };
  const ours = what === "train-step" ? await benchTrainStep(options) : await benchSample(options);
  const out: Record<string, unknown> = { ours };
  if (argv.includes("--compare")) {
    const peer = await comparePeer();
    out["peer"] = peer;
    out["ratio"] = compareRatio(what, ours, peer);
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(3);
    },
  );
}
