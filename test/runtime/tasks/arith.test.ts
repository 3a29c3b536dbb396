import { describe, expect, it } from "vitest";
import {
  ARITH_DEFAULTS,
  ARITH_OPS,
  arithTask,
  makeProblem,
  resolveArithParams,
  splitOf,
  TaskParamError,
  type ArithOp,
  type ArithProblem,
} from "../../../src/runtime/tasks/index.js";

const ALL = { digits: { min: 1, max: 8 }, ops: ARITH_OPS, seed: 3 } as const;

describe("arith problems", () => {
  it("computes exact targets, negative ones included", () => {
    expect(makeProblem("+", "478", "965")).toEqual({
      id: "478+965",
      prompt: "478+965=",
      target: "1443",
      difficulty: 3,
      op: "+",
      operands: ["478", "965"],
    });
    expect(makeProblem("-", "120", "345").target).toBe("-225");
    expect(makeProblem("-", "7", "7").target).toBe("0");
    expect(makeProblem("*", "99999999", "9").target).toBe("899999991");
    expect(makeProblem("*", "0", "5").target).toBe("0");
    expect(makeProblem("+", "999999999999", "999999999999").target).toBe("1999999999998");
  });

  it("rejects operands that do not fit the operator", () => {
    expect(() => makeProblem("+", "12", "3")).toThrow(TaskParamError);
    expect(() => makeProblem("*", "12", "34")).toThrow(/1-digit right operand/);
    expect(() => makeProblem("+", "012", "345")).toThrow(/canonical/);
    expect(() => makeProblem("+", "1234567890123", "1234567890123")).toThrow(/more than 12 digits/);
  });

  it("has the operand digit counts of its difficulty", () => {
    for (const p of arithTask(ALL).take(3000)) {
      expect(p.operands[0]).toHaveLength(p.difficulty);
      expect(p.operands[1]).toHaveLength(p.op === "*" ? 1 : p.difficulty);
      expect(p.prompt).toBe(`${p.operands[0]}${p.op}${p.operands[1]}=`);
      const [a, b] = p.operands.map(BigInt) as [bigint, bigint];
      expect(p.target).toBe((p.op === "+" ? a + b : p.op === "-" ? a - b : a * b).toString());
    }
  });

  it("spreads operators and difficulties uniformly", () => {
    const problems = arithTask({ ...ALL, seed: 11 }).take(24_000);
    const by = (key: (p: (typeof problems)[number]) => string) => {
      const m = new Map<string, number>();
      for (const p of problems) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
      return m;
    };
    for (const n of by((p) => p.op).values()) expect(n / problems.length).toBeCloseTo(1 / 3, 1);
    const levels = by((p) => String(p.difficulty));
    expect(levels.size).toBe(8);
    for (const n of levels.values()) expect(Math.abs(n / problems.length - 1 / 8)).toBeLessThan(0.01);
  });
});

describe("arith streams", () => {
  it("are deterministic: same seed, same problems; another seed, other problems", () => {
    const a = arithTask(ALL).take(500);
    expect(arithTask(ALL).take(500)).toEqual(a);
    expect(arithTask({ ...ALL, seed: 4 }).take(500)).not.toEqual(a);
    expect(arithTask(ALL).take(10, 200)).toEqual(a.slice(200, 210));
  });

  it("are random-access and iterable from any index", () => {
    const task = arithTask(ALL);
    const it = task.stream(40);
    const got = [it.next().value, it.next().value];
    expect(got).toEqual([task.problem(40), task.problem(41)]);
    expect(() => task.problem(-1)).toThrow(TaskParamError);
  });

  it("keep train and eval disjoint for any pair of seeds on a large sample", () => {
    const train = new Set(arithTask({ ...ALL, split: "train", seed: 1 }).take(30_000).map((p) => p.id));
    const evalIds = arithTask({ ...ALL, split: "eval", seed: 2 }).take(8_000).map((p) => p.id);
    for (const id of evalIds) expect(train.has(id)).toBe(false);
    for (const id of train) expect(splitOf({ id })).toBe("train");
    for (const id of evalIds) expect(splitOf({ id })).toBe("eval");
  });

  it("hold out about one problem in eight", () => {
    const twoDigit: ArithProblem[] = [];
    for (let a = 10; a < 100; a++) for (let b = 10; b < 100; b++) twoDigit.push(makeProblem("+", String(a), String(b)));
    const share = twoDigit.filter((p) => splitOf(p) === "eval").length / twoDigit.length;
    expect(Math.abs(share - 1 / 8)).toBeLessThan(0.01);
    for (const op of ARITH_OPS) {
      const oneDigit = Array.from({ length: 100 }, (_, i) => makeProblem(op, String(i % 10), String(Math.floor(i / 10))));
      const held = oneDigit.filter((p) => splitOf(p) === "eval").length;
      expect(held).toBeGreaterThan(4);
      expect(held).toBeLessThan(25);
    }
  });

  it("find train and eval problems for every operator at one digit", () => {
    for (const op of ARITH_OPS) {
      for (const split of ["train", "eval"] as const) {
        const ps = arithTask({ digits: { min: 1, max: 1 }, ops: [op], split, seed: 0 }).take(50);
        expect(ps.every((p) => splitOf(p) === split && p.op === op)).toBe(true);
      }
    }
  });
});

describe("arith parameters", () => {
  it("default to std.tasks.arith's defaults", () => {
    expect(resolveArithParams()).toEqual(ARITH_DEFAULTS);
    expect(arithTask().params).toEqual({ digits: { min: 1, max: 6 }, split: "train", ops: ["+"], seed: 0 });
  });

  it("are checked", () => {
    expect(() => resolveArithParams({ digits: { min: 0, max: 3 } })).toThrow(/digits: min must be an integer in 1..12/);
    expect(() => resolveArithParams({ digits: { min: 1, max: 13 } })).toThrow(TaskParamError);
    expect(() => resolveArithParams({ digits: { min: 5, max: 2 } })).toThrow(/empty range/);
    expect(() => resolveArithParams({ ops: [] })).toThrow(/at least one/);
    expect(() => resolveArithParams({ ops: ["/" as ArithOp] })).toThrow(/unknown operator "\/"/);
    expect(() => resolveArithParams({ ops: ["+", "+"] })).toThrow(/repeated/);
    expect(() => resolveArithParams({ split: "test" as "eval" })).toThrow(/train or eval/);
    expect(() => resolveArithParams({ seed: -1 })).toThrow(/seed/);
    try {
      resolveArithParams({ ops: [] });
    } catch (e) {
      expect((e as TaskParamError)._tag).toBe("TaskParamError");
      expect((e as TaskParamError).param).toBe("ops");
    }
  });
});
