import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ARITH_OPS,
  arithTask,
  BOS_ID,
  BUDGET_TOKEN_VALUES,
  budgetPrefill,
  decode,
  demoResponse,
  encode,
  encodePrompt,
  EOS_ID,
  PAD_ID,
  reasoningLadder,
  tokenCount,
  UnknownCharacterError,
  UnknownTokenIdError,
  VOCAB,
  VOCAB_SIZE,
} from "../../../src/runtime/tasks/index.js";
import { PRESETS } from "../../../src/runtime/model/config.js";

describe("vocabulary", () => {
  it("has 37 distinct tokens with the special ids first", () => {
    expect(VOCAB_SIZE).toBe(37);
    expect(VOCAB_SIZE).toBeLessThanOrEqual(64);
    expect(new Set(VOCAB).size).toBe(VOCAB_SIZE);
    expect([VOCAB[PAD_ID], VOCAB[BOS_ID], VOCAB[EOS_ID]]).toEqual(["<pad>", "<bos>", "<eos>"]);
  });

  it("fits the arith model preset", () => {
    expect(VOCAB_SIZE).toBeLessThanOrEqual(PRESETS.arith.vocab);
  });

  it("has one token per budget prefill on the grid of 4 up to 64", () => {
    expect(BUDGET_TOKEN_VALUES).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64]);
    for (const b of BUDGET_TOKEN_VALUES) expect(encode(budgetPrefill(b))).toHaveLength(1);
    for (const b of [8, 16, 32, 48]) expect(encode(`<think budget=${b}>`)).toHaveLength(1);
  });

  it("spells other budgets with the generic pieces", () => {
    expect(decode(encode("<think budget=10>"))).toBe("<think budget=10>");
    expect(Array.from(encode("<think budget=10>")).map((id) => VOCAB[id])).toEqual(["<think budget=", "1", "0", ">"]);
    expect(tokenCount("<think budget=100>")).toBe(5);
  });
});

describe("encode / decode", () => {
  it("encodes specials as one token each, by longest match", () => {
    const ids = Array.from(encode("<think>12</think>-3<eos>")).map((id) => VOCAB[id]);
    expect(ids).toEqual(["<think>", "1", "2", "</think>", "-", "3", "<eos>"]);
    expect(Array.from(encode("<think budget=16></think>7<eos>")).map((id) => VOCAB[id])).toEqual([
      "<think budget=16>",
      "</think>",
      "7",
      "<eos>",
    ]);
    expect(encode("")).toEqual(new Int32Array(0));
  });

  it("prepends <bos> to prompts", () => {
    expect(Array.from(encodePrompt("12+34="))).toEqual([BOS_ID, ...encode("12+34=")]);
  });

  it("names the unknown character and its position", () => {
    const err = (() => {
      try {
        encode("12+3 4=");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UnknownCharacterError);
    const e = err as UnknownCharacterError;
    expect(e._tag).toBe("UnknownCharacterError");
    expect(e.position).toBe(4);
    expect(e.character).toBe(" ");
    expect(e.message).toContain('" " at position 4');
    expect(() => encode("<think budget=x>")).toThrow(/"x" at position 14/);
    expect(() => encode("<thinking>")).toThrow(/"<" at position 0.*no special token/);
    expect(() => encode("7😀")).toThrow(/"😀" at position 1/);
  });

  it("rejects ids outside the vocabulary", () => {
    expect(() => decode([3, 37])).toThrow(UnknownTokenIdError);
    expect(() => decode([3, -1])).toThrow(/token id -1 at position 1/);
    expect(() => decode([1.5])).toThrow(UnknownTokenIdError);
  });

  it("round-trips any concatenation of tokens", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: VOCAB_SIZE - 1 }), { maxLength: 40 }), (ids) => {
        const text = decode(ids);
        expect(decode(encode(text))).toBe(text);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("round-trips thousands of generated prompts, responses and prefills", () => {
    const task = arithTask({ digits: { min: 1, max: 12 }, ops: ARITH_OPS, seed: 5 });
    let checked = 0;
    for (const p of task.take(1500)) {
      const texts = [p.prompt, p.target, ...reasoningLadder(p.difficulty).flatMap((r) => [demoResponse(p, r), demoResponse(p, r, 4 * (1 + (checked % 20)))])];
      for (const t of texts) {
        expect(decode(encode(t))).toBe(t);
        checked++;
      }
    }
    for (let b = 1; b <= 200; b++) expect(decode(encode(budgetPrefill(b)))).toBe(budgetPrefill(b));
    expect(checked).toBeGreaterThan(10_000);
  });
});
