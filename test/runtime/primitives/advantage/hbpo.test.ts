import { describe, expect, it } from "vitest";
import { hbpoAdvantage, hbpoF2 } from "../../../../src/runtime/primitives/index.js";

// Prompt p: two budget subgroups (512: rewards 3, 0; 1024: rewards 2, 1); prompt q: one rollout.
const inputs = {
  rewards: [3, 2, 0, 2, 1],
  groups: ["p", "q", "p", "p", "p"],
  budgets: [512, 512, 512, 1024, 1024],
};

describe("hbpoAdvantage", () => {
  it("adds the intra term twice with the released coefficient 2", () => {
    const a = hbpoAdvantage(inputs);
    expect(a[0]).toBeCloseTo(-3.6843874227553277, 10);
    expect(a[2]).toBeCloseTo(-6.008175630481172, 10);
    expect(a[3]).toBeCloseTo(-4.00373541411673, 10);
    expect(a[4]).toBeCloseTo(-4.778331483358678, 10);
  });

  it("adds it once with the paper's coefficient 1", () => {
    const a = hbpoAdvantage(inputs, { intraCoef: 1 });
    expect(a[0]).toBeCloseTo(-1.2612466594462026, 10);
    expect(a[2]).toBeCloseTo(-3.5850348671720473, 10);
    expect(a[3]).toBeCloseTo(-1.808218689747878, 10);
    expect(a[4]).toBeCloseTo(-2.582814758989826, 10);
  });

  it("gives a single-rollout prompt r/(1 + ε) and no intra term", () => {
    expect(hbpoAdvantage(inputs)[1]).toBeCloseTo(1.9999980000020001, 12);
  });

  it("keeps the intra term when all rewards of a prompt are equal (z = 0)", () => {
    const a = hbpoAdvantage({ rewards: [1, 1], groups: ["p", "p"], budgets: [512, 512] });
    expect(a[0]).toBeCloseTo(2 * (1 - 3.923140763309125), 10);
    expect(a[1]).toBe(a[0]);
  });

  it("uses f2 with the configured π", () => {
    expect(hbpoF2(512, { beta: 4, L: 4096, pi: 3.1416 })).toBeCloseTo(3.923140763309125, 12);
    expect(hbpoF2(4096, { beta: 4, L: 4096, pi: Math.PI })).toBeCloseTo(0, 12);
    expect(hbpoF2(4096, { beta: 4, L: 4096, pi: 3.1416 })).toBeCloseTo(-1.4692820413386296e-5, 15);
  });
});
