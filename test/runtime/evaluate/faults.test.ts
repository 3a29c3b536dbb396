import { describe, expect, it } from "vitest";
import {
  evaluate,
  InvalidBatch,
  MissingInput,
  NonFiniteValue,
  PrimitiveFailed,
  RewardFunctionFailed,
  rolloutValues,
  UnsupportedNode,
  type EvalEnv,
  type RolloutBatch,
} from "../../../src/runtime/evaluate/index.js";
import { HAND } from "./fixtures.js";
import { compileText, pipeline, rollout, TASK_ENV } from "./helpers.js";

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

const ROLLOUT = "prompts = 2  max_tokens = 8  level budget in [2, 4] { samples = 2 }";
const withPolicy = (policy: string) => `${ROLLOUT}\n on_reward_error = ${policy}`;

describe("non-finite values", () => {
  it("names the node where NaN first appeared, with its span, element and level", () => {
    const ir = pipeline({ reward: "score = tokens\n r = 2 * log(tokens - 3)" });
    const e = caught(() => evaluate(ir, HAND, TASK_ENV));
    expect(e).toBeInstanceOf(NonFiniteValue);
    const err = e as NonFiniteValue;
    const log = ir.nodes.find((n) => n.op === "log")!;
    expect(err._tag).toBe("NonFiniteValue");
    expect(err).toMatchObject({ nodeId: log.id, op: "log", span: log.span, level: ["prompt", "budget", "sample"], index: 0, reason: "computed" });
    expect(err.element).toEqual({ prompt: 0, budget: 2, sample: 0 });
    expect(err.value).toBeNaN();
    expect(err.span!.line).toBeGreaterThan(0);
  });

  it("reports ±Inf, and names a term when the term itself computes it", () => {
    const ir = pipeline({ reward: "score = tokens\n r = tokens / (budget - 2)" });
    const err = caught(() => evaluate(ir, HAND, TASK_ENV)) as NonFiniteValue;
    expect(err).toBeInstanceOf(NonFiniteValue);
    expect(err.op).toBe("div");
    expect(err.value).toBe(Infinity);
  });

  it("does not fail on NaN in a branch that `if` discards", () => {
    const ir = pipeline({ reward: "score = tokens\n r = if tokens > 3 then log(tokens - 3) else 0" });
    const r = evaluate(ir, HAND, TASK_ENV);
    expect([...rolloutValues(r, r.terms["r"]!)]).toEqual([0, 0, Math.log(2), 0, Math.log(1), Math.log(3), 0]);
  });

  it("still fails when a comparison turns the NaN into a boolean", () => {
    const ir = pipeline({ reward: "score = tokens\n r = log(tokens - 3) > 0" });
    expect((caught(() => evaluate(ir, HAND, TASK_ENV)) as NonFiniteValue).op).toBe("log");
  });

  it("accepts an empty-group NaN in a term, but not in a loss input, naming the reduction", () => {
    const reward = "score = tokens\n e = mean(tokens by prompt where tokens > 5)";
    expect(evaluate(pipeline({ reward }), HAND, TASK_ENV).terms["e"]!.data[0]).toBeNaN();
    const ir = pipeline({ reward, advantage: "A = score - e" });
    const err = caught(() => evaluate(ir, HAND, TASK_ENV)) as NonFiniteValue;
    expect(err).toBeInstanceOf(NonFiniteValue);
    const reduce = ir.nodes.find((n) => n.kind === "reduce")!;
    expect(err).toMatchObject({ nodeId: reduce.id, op: "mean", reason: "empty-group", level: ["prompt"], element: { prompt: 0 } });
  });

  it("ignores a NaN advantage where the loss mask is 0", () => {
    const ir = pipeline({ reward: "score = tokens\n e = mean(tokens by prompt where tokens > 5)", advantage: "A = score - e", loss: "ppo_clip(A, mask: difficulty > 1)" });
    const r = evaluate(ir, HAND, TASK_ENV);
    const [term] = r.loss.terms;
    HAND.rollouts.forEach((ro, i) => {
      expect([...term!.mask[i]!].every((m) => m === (ro.prompt === 1 ? 1 : 0))).toBe(true);
      if (ro.prompt === 0) expect([...term!.advantages![i]!].every((a) => a === 0)).toBe(true);
    });
  });

  it("names the primitive when batch log-probs make it non-finite", () => {
    const ir = pipeline({ advantage: "A = score - kl_penalty(policy, reference)" });
    const rollouts = HAND.rollouts.map((r, i) => ({ ...r, refLogp: i === 2 ? Float32Array.from(r.logp, (l, t) => (t === 1 ? -Infinity : l)) : r.logp }));
    const err = caught(() => evaluate(ir, { prompts: HAND.prompts, rollouts }, TASK_ENV)) as NonFiniteValue;
    expect(err).toMatchObject({ op: "kl_penalty", element: { prompt: 0, budget: 4, sample: 0, token: 1 }, value: Infinity });
  });
});

describe("reward function failures", () => {
  const boom: EvalEnv = { task: { wellFormed: (t) => (t === "c</think>" ? (() => { throw new Error("cannot parse"); })() : t.includes("</think>")) } };
  const reward = "correct = exact_match(answer, target)\n score = if !well_formed(text) then -1 else correct\n q = 1 / (tokens - 5)";
  const advantage = "A = score - mean(score by prompt)\n L = mean(tokens by prompt)";

  it("fail: a typed error naming the node, its span and the rollout", () => {
    const ir = pipeline({ reward, advantage, rollout: withPolicy("fail") });
    const err = caught(() => evaluate(ir, HAND, boom)) as RewardFunctionFailed;
    expect(err).toBeInstanceOf(RewardFunctionFailed);
    const node = ir.nodes.find((n) => n.op === "well_formed")!;
    expect(err).toMatchObject({ _tag: "RewardFunctionFailed", nodeId: node.id, op: "well_formed", span: node.span, rollout: 2, detail: "cannot parse" });
    expect(err.message).toContain("cannot parse");
  });

  it("zero: the failing element is 0 and the failure is listed", () => {
    const ir = pipeline({ reward: "correct = exact_match(answer, target)\n score = if !well_formed(text) then -1 else correct", rollout: withPolicy("zero") });
    const r = evaluate(ir, HAND, boom);
    expect(rolloutValues(r, r.terms["score"]!)[2]).toBe(-1);
    expect(r.rewardErrors).toEqual([expect.objectContaining({ op: "well_formed", rollout: 2, action: "zero", message: "cannot parse" })]);
    expect(r.dropped.some(Boolean)).toBe(false);
  });

  it("drop: the rollout leaves every reduction and the loss, and its own NaN does not count", () => {
    // Rollout 2 (prompt 0) has 5 tokens, so q = 1/(tokens − 5) is ±Inf only for the rollout that is dropped.
    const ir = pipeline({ reward, advantage, rollout: withPolicy("drop") });
    const r = evaluate(ir, HAND, boom);
    expect(r.dropped).toEqual([false, false, true, false, false, false, false]);
    expect(r.rewardErrors).toEqual([expect.objectContaining({ op: "well_formed", rollout: 2, action: "drop" })]);
    // mean(tokens by prompt) does not depend on the failing function, and still leaves the rollout out.
    expect(r.terms["L"]!.data[0]).toBe(1.5);
    const A = rolloutValues(r, r.terms["A"]!);
    expect(A[2]).toBeNaN();
    expect(A[0]! + A[1]!).toBeCloseTo(0, 12);
    const [term] = r.loss.terms;
    expect([...term!.mask[2]!].every((m) => m === 0)).toBe(true);
    expect([...term!.advantages![2]!].every((a) => a === 0)).toBe(true);
    expect(r.metrics["response_length/max"]).toBe(6);
    expect(r.metrics["response_length/budget=4/mean"]).toBe((4 + 6 + 3) / 3);
  });

  it("applies the policy to a failing answer extraction too", () => {
    const ir = pipeline({ reward: "score = exact_match(answer, target)", rollout: withPolicy("zero") });
    const env: EvalEnv = { task: { wellFormed: () => true, extractAnswer: (t) => (t === "b" ? (() => { throw new Error("no answer"); })() : t.slice(0, 1) === "a" ? "3" : "x") } };
    const r = evaluate(ir, HAND, env);
    expect([...rolloutValues(r, r.terms["score"]!)]).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(r.rewardErrors.map((e) => [e.op, e.rollout])).toEqual([["answer", 1]]);
  });
});

describe("bad batches and missing inputs", () => {
  const ir = pipeline({});
  const withRollouts = (rollouts: RolloutBatch["rollouts"]): RolloutBatch => ({ prompts: HAND.prompts, rollouts });

  it("rejects a batch that does not fit the IR", () => {
    expect(() => evaluate(ir, withRollouts([rollout({ prompt: 0, sample: 0 })]))).toThrow(InvalidBatch);
    expect(() => evaluate(ir, withRollouts([rollout({ prompt: 5, sample: 0, levels: { budget: 2 } })]))).toThrow(InvalidBatch);
    const twice = rollout({ prompt: 0, sample: 0, levels: { budget: 2 } });
    expect(() => evaluate(ir, withRollouts([twice, twice]))).toThrow(InvalidBatch);
    expect(() => evaluate(ir, withRollouts([{ ...twice, entropy: new Float32Array(1) }]))).toThrow(InvalidBatch);
  });

  it("needs reference log-probs for kl_penalty and the task for well_formed", () => {
    expect(() => evaluate(pipeline({ advantage: "A = score - kl_penalty(policy, reference)" }), HAND, TASK_ENV)).toThrow(MissingInput);
    expect(() => evaluate(pipeline({ reward: "score = well_formed(text)" }), HAND, {})).toThrow(MissingInput);
  });

  it("names a node whose input is finer than its own level (IR not from the compiler)", () => {
    const ir = pipeline({});
    const broken = { ...ir, nodes: ir.nodes.map((n) => (n.id === "advantage.A" ? { ...n, level: ["prompt"] } : n)) };
    const e = caught(() => evaluate(broken, HAND, TASK_ENV));
    expect(e).toBeInstanceOf(UnsupportedNode);
    expect((e as UnsupportedNode).nodeId).toBe("advantage.A");
  });

  it("reports a group primitive that rejects its input as a whole", () => {
    const e = caught(() => evaluate(pipeline({ advantage: "A = whiten(score)" }), { prompts: HAND.prompts, rollouts: HAND.rollouts.slice(0, 1) }, TASK_ENV));
    expect(e).toBeInstanceOf(PrimitiveFailed);
    expect((e as PrimitiveFailed).op).toBe("whiten");
  });

  it("reports an extern function the environment does not provide", () => {
    const ir = compileText(`
use std.tasks.{arith}
extern fn judge(text: text) -> f32
pipeline t {
  policy = tiny_lm(preset: "arith")
  data   = arith(digits: 1..2)
  rollout { prompts = 2  max_tokens = 8  samples = 2 }
  reward { score = judge(text) }
  advantage { A = score }
  loss = ppo_clip(A)
  optimize { optimizer = adam(lr: 1e-3) }
}`);
    const batch: RolloutBatch = { prompts: HAND.prompts, rollouts: [rollout({ prompt: 0, sample: 0 })] };
    expect(() => evaluate(ir, batch, TASK_ENV)).toThrow(UnsupportedNode);
  });
});
