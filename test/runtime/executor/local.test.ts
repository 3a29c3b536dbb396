import { Context, Effect, Exit, Layer, Scope } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "../../../src/runtime/executor/local.js";
import { Executor, type SampleRow, type TrainInput, type TrainTerm } from "../../../src/runtime/services/executor.js";
import type { BackendName } from "../../../src/runtime/tfjs/backend.js";

/** Tests run on wasm (the default backend); RLP_TEST_BACKEND=cpu runs them on the reference backend. */
const backend = (process.env["RLP_TEST_BACKEND"] ?? "wasm") as BackendName;

let scope: Scope.Closeable;
let executor: Executor["Service"];

beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make());
  const layer = LocalExecutor.layer({ backend, preset: "test", modelSeed: 3, optimizer: { kind: "adam", lr: 1e-2 }, gradClip: 1, reference: true });
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope));
  executor = Context.get(context, Executor);
});

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void));
});

const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e);

const rows = (n: number): SampleRow[] =>
  Array.from({ length: n }, (_, i) => ({ prompt: [1, 2 + (i % 5), 3], prefill: i % 2 === 0 ? [4] : [], maxTokens: 6, temperature: 1, topP: 1, stop: [15] }));

function term(kind: "policy" | "reinforce" | "kl" | "entropy" | "sft", masks: Float32Array[], advantages: Float32Array[], coef = 1): TrainTerm {
  const base = { node: `n.${kind}`, coef, agg: "token_mean" as const, mask: masks };
  switch (kind) {
    case "policy":
      return { ...base, kind, variant: "vanilla", clipLow: 0.2, clipHigh: 0.28, dualClip: 3, advantages };
    case "reinforce":
      return { ...base, kind, advantages };
    case "kl":
      return { ...base, kind, estimator: "k3" };
    default:
      return { ...base, kind };
  }
}

describe("LocalExecutor", () => {
  it("describes itself", () => {
    expect(executor.info.kind).toBe("local");
    expect(executor.info.backend).toBe(backend);
    expect(executor.info.parameters).toBeGreaterThan(0);
    expect(executor.info.versions["tfjs"]).toBe("4.22.0");
  });

  it("samples reproducibly, and splitting rows over calls with offsets changes nothing", async () => {
    const all = await run(executor.sample(rows(6), { seed: 9, rowOffset: 0 }));
    const again = await run(executor.sample(rows(6), { seed: 9, rowOffset: 0 }));
    const head = await run(executor.sample(rows(6).slice(0, 2), { seed: 9, rowOffset: 0 }));
    const tail = await run(executor.sample(rows(6).slice(2), { seed: 9, rowOffset: 2 }));
    const tokens = (xs: { tokens: Int32Array }[]) => xs.map((x) => Array.from(x.tokens));
    expect(tokens(again)).toEqual(tokens(all));
    expect(tokens([...head, ...tail])).toEqual(tokens(all));
    all.forEach((s, i) => {
      expect(s.prefillLength).toBe(i % 2 === 0 ? 1 : 0);
      if (i % 2 === 0) expect(s.tokens[0]).toBe(4);
      expect(s.logp.length).toBe(s.tokens.length);
      expect(s.finished).toBe(s.tokens.at(-1) === 15);
    });
  });

  it("scores what it sampled with the sampler's log-probs, under the policy and the reference", async () => {
    const sampled = await run(executor.sample(rows(4), { seed: 2, rowOffset: 0 }));
    const seqs = sampled.map((s, i) => ({ prompt: rows(4)[i]!.prompt, response: s.tokens }));
    const policy = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    const reference = await run(executor.score(seqs, { model: "reference", temperature: 1 }));
    sampled.forEach((s, i) => {
      for (let t = 0; t < s.logp.length; t++) expect(policy.logp[i]![t]!).toBeCloseTo(s.logp[t]!, 4);
    });
    expect(reference.logp.map((r) => Array.from(r))).toEqual(policy.logp.map((r) => Array.from(r)));
  });

  it("trains: SFT lowers the cross-entropy, a state export restores the weights, the reference stays until snapshotted", async () => {
    const seqs = [
      { prompt: [1, 5], response: [6, 7, 8, 2] },
      { prompt: [1, 9, 9], response: [10, 2] },
    ];
    const masks = seqs.map((s) => new Float32Array(s.response.length).fill(1));
    const input: TrainInput = {
      rows: seqs.map((s, i) => ({ ...s, oldLogp: new Float32Array(s.response.length), group: i })),
      terms: [term("sft", masks, [])],
      temperature: 1,
      step: 1,
    };
    const saved = await run(executor.exportState);
    const before = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    const first = await run(executor.train(input));
    for (let i = 0; i < 5; i++) await run(executor.train(input));
    const last = await run(executor.train(input));
    expect(last.loss).toBeLessThan(first.loss);
    expect(first.stats["sft_loss"]).toBeCloseTo(first.loss, 5);
    expect(first.gradNorm).toBeGreaterThan(0);
    expect(first.lr).toBe(1e-2);
    const ref = await run(executor.score(seqs, { model: "reference", temperature: 1 }));
    expect(ref.logp.map((r) => Array.from(r))).toEqual(before.logp.map((r) => Array.from(r)));
    await run(executor.snapshotReference);
    const snap = await run(executor.score(seqs, { model: "reference", temperature: 1 }));
    const now = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    expect(snap.logp.map((r) => Array.from(r))).toEqual(now.logp.map((r) => Array.from(r)));
    await run(executor.importState(saved));
    const restored = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    expect(restored.logp.map((r) => Array.from(r))).toEqual(before.logp.map((r) => Array.from(r)));
    const state = await run(executor.exportState);
    expect((state.meta["optimizer"] as { step: number }).step).toBe(0);
  });

  it("pushes up the log-prob of positively advantaged tokens with every policy-gradient loss", async () => {
    const seqs = [{ prompt: [1, 3], response: [4, 5, 6] }];
    const old = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    const mask = [new Float32Array([0, 1, 1])];
    const adv = [new Float32Array([0, 1, 1])];
    const saved = await run(executor.exportState);
    for (const kind of ["policy", "reinforce"] as const) {
      const out = await run(
        executor.train({
          rows: [{ ...seqs[0]!, oldLogp: old.logp[0]!, refLogp: old.logp[0]!, group: 0 }],
          terms: [term(kind, mask, adv), term("kl", mask, [], 0.1), term("entropy", mask, [], -0.01)],
          temperature: 1,
          step: 1,
        }),
      );
      // PPO at ratio 1: −A; REINFORCE: −A·log π > 0.
      if (kind === "policy") expect(out.stats["pg_loss"]).toBeCloseTo(-1, 5);
      else expect(out.stats["pg_loss"]).toBeCloseTo(-(old.logp[0]![1]! + old.logp[0]![2]!) / 2, 4);
      expect(out.stats["kl_loss"]).toBeCloseTo(0, 6);
      expect(out.stats["entropy"]).toBeGreaterThan(0);
      const after = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
      expect(after.logp[0]![1]! + after.logp[0]![2]!).toBeGreaterThan(old.logp[0]![1]! + old.logp[0]![2]!);
      await run(executor.importState(saved));
    }
  });

  it("refuses a non-finite loss without updating, naming the term's node", async () => {
    const seqs = [{ prompt: [1, 3], response: [4, 5] }];
    const before = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    const error = await run(
      Effect.flip(
        executor.train({
          rows: [{ ...seqs[0]!, oldLogp: before.logp[0]!, group: 0 }],
          terms: [term("policy", [new Float32Array([1, 1])], [new Float32Array([NaN, 1])])],
          temperature: 1,
          step: 7,
        }),
      ),
    );
    expect(error._tag).toBe("NonFiniteError");
    if (error._tag === "NonFiniteError") {
      expect(error.node).toBe("n.policy");
      expect(error.step).toBe(7);
    }
    const after = await run(executor.score(seqs, { model: "policy", temperature: 1 }));
    expect(after.logp.map((r) => Array.from(r))).toEqual(before.logp.map((r) => Array.from(r)));
  });

  it("reports an impossible request as an ExecutorError", async () => {
    const error = await run(Effect.flip(executor.sample([{ ...rows(1)[0]!, maxTokens: 100 }], { seed: 1, rowOffset: 0 })));
    expect(error._tag).toBe("ExecutorError");
    expect(error.message).toContain("maxSeq");
  });
});
