import { describe, expect, it } from "vitest";
import { arithTextFunctions, budgetPrefill, extractAnswer, formatResponse, parseBudget, TaskParamError, verify, wellFormed } from "../../../src/runtime/tasks/index.js";

describe("extractAnswer", () => {
  it("reads the answer after </think> up to <eos> or the end", () => {
    expect(extractAnswer("<think>8531</think>13<eos>")).toBe("13");
    expect(extractAnswer("<think></think>13")).toBe("13");
    expect(extractAnswer("<think budget=16>31</think>13<eos>")).toBe("13");
    expect(extractAnswer("<think></think>-225<eos>")).toBe("-225");
    expect(extractAnswer("<think></think>12<eos>34")).toBe("12");
  });

  it("keeps leading zeros and -0 as written", () => {
    expect(extractAnswer("<think></think>007<eos>")).toBe("007");
    expect(extractAnswer("<think></think>-0<eos>")).toBe("-0");
  });

  it("finds no answer without </think>, when empty, or with anything but an integer", () => {
    expect(extractAnswer("<think>8531 13<eos>")).toBeUndefined();
    expect(extractAnswer("13<eos>")).toBeUndefined();
    expect(extractAnswer("<think>8531</think><eos>")).toBeUndefined();
    expect(extractAnswer("<think>8531</think>")).toBeUndefined();
    expect(extractAnswer("<think></think>-<eos>")).toBeUndefined();
    expect(extractAnswer("<think></think>13+<eos>")).toBeUndefined();
    expect(extractAnswer("<think></think>1-3<eos>")).toBeUndefined();
    expect(extractAnswer("<think></think>13<think><eos>")).toBeUndefined();
  });

  it("takes the first </think>: a second one makes the answer garbage", () => {
    expect(extractAnswer("<think>1</think>2</think>3<eos>")).toBeUndefined();
    expect(extractAnswer("<think>1</think></think>3<eos>")).toBeUndefined();
  });
});

describe("wellFormed", () => {
  it("accepts an opened and closed think block with an answer", () => {
    expect(wellFormed("<think>8531</think>13<eos>")).toBe(true);
    expect(wellFormed("<think></think>13<eos>")).toBe(true);
    expect(wellFormed("<think budget=8></think>-3<eos>")).toBe(true);
    expect(wellFormed("<think budget=10>31</think>13")).toBe(true);
    // a wrong answer or leading zeros are well-formed: correctness is exact_match's business
    expect(wellFormed("<think></think>007<eos>")).toBe(true);
  });

  it("rejects a missing or doubled </think>, a missing opening, a reopened block, no answer", () => {
    expect(wellFormed("<think>8531 13<eos>")).toBe(false);
    expect(wellFormed("<think>1</think>2</think>3<eos>")).toBe(false);
    expect(wellFormed("8531</think>13<eos>")).toBe(false);
    expect(wellFormed("1<think>31</think>13<eos>")).toBe(false);
    expect(wellFormed("<think>3<think>1</think>13<eos>")).toBe(false);
    expect(wellFormed("<think budget=16><think>1</think>13<eos>")).toBe(false);
    expect(wellFormed("<think>31</think><eos>")).toBe(false);
    expect(wellFormed("<think>31</think>13*<eos>")).toBe(false);
    expect(wellFormed("")).toBe(false);
  });
});

describe("verify", () => {
  it("is exact string equality", () => {
    expect(verify("1443", "1443")).toBe(true);
    expect(verify("-225", "-225")).toBe(true);
    expect(verify("225", "-225")).toBe(false);
    expect(verify("01443", "1443")).toBe(false);
    expect(verify("-0", "0")).toBe(false);
    expect(verify(undefined, "0")).toBe(false);
  });
});

describe("prefills", () => {
  it("writes and parses budget prefills", () => {
    expect(budgetPrefill(16)).toBe("<think budget=16>");
    expect(parseBudget("<think budget=16>31</think>13<eos>")).toBe(16);
    expect(parseBudget("<think>31</think>13<eos>")).toBeUndefined();
    expect(parseBudget("31</think><think budget=8>")).toBeUndefined();
    expect(() => budgetPrefill(0)).toThrow(TaskParamError);
    expect(() => budgetPrefill(2.5)).toThrow(/positive integer/);
  });

  it("formats whole responses", () => {
    expect(formatResponse("31", "13")).toBe("<think>31</think>13<eos>");
    expect(formatResponse("", "13", 8)).toBe("<think budget=8></think>13<eos>");
  });
});

describe("arithTextFunctions", () => {
  it("reads a missing answer as the empty string, which matches no target", () => {
    expect(arithTextFunctions.extractAnswer("<think></think>13<eos>")).toBe("13");
    expect(arithTextFunctions.extractAnswer("<think>13<eos>")).toBe("");
    expect(arithTextFunctions.wellFormed("<think></think>13<eos>")).toBe(true);
  });
});
