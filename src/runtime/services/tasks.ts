/**
 * The Tasks service: the prompt stream of the IR's `data` node, the task's tokenizer, its text
 * functions for the evaluator (`well_formed`, answer extraction) and its SFT demonstrations (shaped
 * by the node's `demo_style`, `demo_budget_share` and `demo_budgets`). The stream is random-access
 * (prompt i depends only on the task's parameters and i), so the data cursor is a single integer in
 * checkpoints.
 */
import { Context, Effect, Layer } from "effect";
import type { IrNode, JsonValue } from "../../compiler/ir/types.js";
import {
  arithTask,
  BUDGET_TOKEN_VALUES,
  decode,
  encode,
  encodePrompt,
  EOS_ID,
  extractAnswer,
  OPENING_IDS,
  sftDemonstrations,
  styleMix,
  TaskParamError,
  VOCAB_SIZE,
  wellFormed,
  type ArithOp,
  type ArithParamsInput,
  type ArithTask,
  type DemoOptions,
  type Split,
} from "../tasks/index.js";
import { describe, TaskError } from "./errors.js";

export interface TaskPrompt {
  /** Stable id of the problem (per-prompt state is keyed by it). */
  readonly id: string;
  readonly text: string;
  /** Model input: `<bos>` and the prompt's tokens. */
  readonly tokens: Int32Array;
  /** Prompt fields the pipeline may read: `target`, `difficulty`, `prompt_tokens`. */
  readonly fields: Readonly<Record<string, string | number>>;
}

export interface Demonstration {
  readonly prompt: Int32Array;
  /** The whole response, its prefill first. */
  readonly response: Int32Array;
  /** Forced tokens at the start of the response (not trained on). */
  readonly prefillLength: number;
}

export class Tasks extends Context.Service<
  Tasks,
  {
    readonly name: string;
    readonly vocabSize: number;
    /** Token ids that end a response. */
    readonly stopIds: readonly number[];
    /**
     * Token ids a response may open with when it has no prefill (its grammar's first token), or
     * undefined for any token. The sampler draws the first token among them.
     */
    readonly openings?: readonly number[];
    /** Prompts start .. start + count − 1 of the stream. */
    readonly prompts: (start: number, count: number) => Effect.Effect<TaskPrompt[], TaskError>;
    readonly encode: (text: string) => Effect.Effect<Int32Array, TaskError>;
    /**
     * Text of sampled ids. A model's vocabulary may be larger than the task's; an id the task does
     * not know renders as `<unk:ID>`, which no answer or format check accepts, instead of failing.
     */
    readonly decode: (ids: ArrayLike<number>) => string;
    /** The answer part of a response ("" when there is none). */
    readonly extractAnswer: (text: string) => string;
    readonly wellFormed: (text: string) => boolean;
    /** `count` demonstrations drawn with `seed` (an SFT stage draws a fresh set each step). */
    readonly demonstrations: (seed: number, count: number) => Effect.Effect<Demonstration[], TaskError>;
  }
>()("rlp/Tasks") {
  /** The task the IR's `data` node names. */
  static layer(data: IrNode): Layer.Layer<Tasks, TaskError> {
    return Layer.effect(
      Tasks,
      Effect.gen(function* () {
        if (data.op !== "arith") return yield* new TaskError({ task: data.op, message: `unknown task \`${data.op}\` (the runtime knows \`arith\`)` });
        const fail = (e: unknown) => new TaskError({ task: data.op, message: describe(e) });
        const task = yield* Effect.try({ try: () => arithTask(arithParams(data.params)), catch: fail });
        const demos = yield* Effect.try({ try: () => demoParams(data.params), catch: fail });
        return arithService(task, demos);
      }),
    );
  }

  /** The arith task with explicit parameters. */
  static layerArith(params: ArithParamsInput = {}, demos: DemoParams = {}): Layer.Layer<Tasks> {
    return Layer.succeed(Tasks, arithService(arithTask(params), demos));
  }

  /** Short problems (1–2 digit additions), for tests. */
  static readonly layerTest: Layer.Layer<Tasks> = Tasks.layerArith({ digits: { min: 1, max: 2 } });
}

function arithParams(params: { readonly [key: string]: JsonValue }): ArithParamsInput {
  const out: { -readonly [K in keyof ArithParamsInput]: ArithParamsInput[K] } = {};
  const digits = params["digits"];
  if (typeof digits === "object" && digits !== null && !Array.isArray(digits)) out.digits = { min: Number(digits["min"]), max: Number(digits["max"]) };
  if (typeof params["split"] === "string") out.split = params["split"] as Split;
  if (Array.isArray(params["ops"])) out.ops = params["ops"] as ArithOp[];
  if (typeof params["seed"] === "number") out.seed = params["seed"];
  return out;
}

/** How the demonstrations are drawn: `DemoOptions` less the count and seed of each draw. */
export type DemoParams = Pick<DemoOptions, "mix" | "budgetShare" | "budgets">;

/**
 * `demo_style`, `demo_budget_share` and `demo_budgets` of the data node (the compiler has checked
 * them against stdlib/schemas/tasks.json; an IR written by hand is checked again here). Absent
 * ones keep `sftDemonstrations`' defaults: the default mix, half prefilled, every one-token budget.
 */
export function demoParams(params: { readonly [key: string]: JsonValue }): DemoParams {
  const out: { -readonly [K in keyof DemoParams]: DemoParams[K] } = {};
  const style = params["demo_style"];
  if (style !== undefined) {
    if (typeof style !== "string") throw new TaskParamError("demo_style", `must be a style name, got ${JSON.stringify(style)}`);
    if (style !== "mixed") out.mix = styleMix(style);
  }
  const share = params["demo_budget_share"];
  if (share !== undefined) {
    if (typeof share !== "number" || !(share >= 0 && share <= 1)) throw new TaskParamError("demo_budget_share", `must be a number in [0, 1], got ${JSON.stringify(share)}`);
    out.budgetShare = share;
  }
  const budgets = params["demo_budgets"];
  if (budgets !== undefined) {
    if (!Array.isArray(budgets) || budgets.length === 0) throw new TaskParamError("demo_budgets", `must be a non-empty list of budgets, got ${JSON.stringify(budgets)}`);
    for (const b of budgets) {
      if (typeof b !== "number" || !BUDGET_TOKEN_VALUES.includes(b)) {
        throw new TaskParamError("demo_budgets", `each must have a single-token prefill (a multiple of 4 in 4..64), got ${JSON.stringify(b)}`);
      }
    }
    out.budgets = budgets as number[];
  }
  return out;
}

function decodeLenient(ids: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    out += id >= 0 && id < VOCAB_SIZE ? decode([id]) : `<unk:${id}>`;
  }
  return out;
}

function arithService(task: ArithTask, demos: DemoParams): Tasks["Service"] {
  const fail = (e: unknown) => new TaskError({ task: "arith", message: describe(e) });
  return {
    name: "arith",
    vocabSize: VOCAB_SIZE,
    stopIds: [EOS_ID],
    openings: OPENING_IDS,
    prompts: (start, count) =>
      Effect.try({
        try: () =>
          task.take(count, start).map((p) => {
            const tokens = encodePrompt(p.prompt);
            return { id: p.id, text: p.prompt, tokens, fields: { target: p.target, difficulty: p.difficulty, prompt_tokens: tokens.length } };
          }),
        catch: fail,
      }),
    encode: (text) => Effect.try({ try: () => encode(text), catch: fail }),
    decode: (ids) => decodeLenient(ids),
    extractAnswer: (text) => extractAnswer(text) ?? "",
    wellFormed,
    demonstrations: (seed, count) =>
      Effect.try({
        try: () =>
          sftDemonstrations(task, { ...demos, count, seed }).map((d) => ({
            prompt: encodePrompt(d.prompt),
            response: encode(d.response),
            prefillLength: d.prefill === undefined ? 0 : encode(d.prefill).length,
          })),
        catch: fail,
      }),
  };
}
