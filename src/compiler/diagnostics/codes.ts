/**
 * The catalogue of diagnostic codes. Codes are stable: once published, a code keeps its meaning.
 * `rlp explain CODE` prints the long form. Ranges: 00xx syntax, 01xx names and imports,
 * 02xx types and levels, 03xx parameters, 04xx pipeline structure, 05xx warnings, 09xx bugs.
 */
import type { Severity } from "./diagnostic.js";

export interface CodeInfo {
  readonly severity: Severity;
  /** A short title, as a noun phrase. */
  readonly title: string;
  /** The long form: what the rule is and why it exists. */
  readonly explanation: string;
  /** A small program that triggers it. */
  readonly example: string;
  /** How the example is fixed. */
  readonly fix: string;
}

function code(severity: Severity, title: string, explanation: string, example: string, fix: string): CodeInfo {
  return { severity, title, explanation, example, fix };
}

export const CODES = {
  RLP0001: code(
    "error",
    "unexpected character",
    "The lexer met a character that cannot start any token of the language. Identifiers are ASCII letters, digits and `_`; strings use double quotes; comments are `//` and `/* */`.",
    "const x = 3 # comment",
    "const x = 3 // comment",
  ),
  RLP0002: code(
    "error",
    "unterminated string",
    "A string literal opened with `\"` has no closing quote on the same line. Strings cannot span lines; use `\\n` for a newline.",
    'prefill = "<think',
    'prefill = "<think>"',
  ),
  RLP0003: code(
    "error",
    "unterminated block comment",
    "A `/*` comment has no matching `*/` before the end of the file.",
    "/* budgets\nconst L = 64",
    "/* budgets */\nconst L = 64",
  ),
  RLP0004: code(
    "error",
    "unexpected token",
    "The parser expected one kind of token and found another. The message names what was expected; the parser then recovers and keeps checking the rest of the file.",
    "rollout { samples 8 }",
    "rollout { samples = 8 }",
  ),
  RLP0005: code(
    "error",
    "expected an expression or declaration",
    "At this point the grammar allows several forms (for example any expression, or any member of a pipeline) and the token found starts none of them.",
    "reward { score = * 2 }",
    "reward { score = correct * 2 }",
  ),
  RLP0006: code(
    "error",
    "unclosed delimiter",
    "A `{`, `(` or `[` is not closed before the end of the file.",
    "pipeline p {\n  rollout { samples = 8 }",
    "pipeline p {\n  rollout { samples = 8 }\n}",
  ),
  RLP0007: code(
    "error",
    "malformed number",
    "Numbers are written with digits before any decimal point (`0.5`, not `.5`) and a complete exponent (`1e-6`).",
    "eps = .2",
    "eps = 0.2",
  ),
  RLP0008: code(
    "error",
    "invalid escape in string",
    "Inside strings, `\\` may only escape `\"`, `\\`, `{`, `}`, `n` and `t`.",
    'prefill = "a\\qb"',
    'prefill = "a\\\\qb"',
  ),
  RLP0009: code(
    "error",
    "invalid string template hole",
    "A `{...}` inside a string inserts the value of one name, such as `{budget}`. Write `\\{` for a literal brace.",
    'prefill = "<think budget={budget * 2}>"',
    'const doubled = ...  // compute it in a term, then use "{doubled}"',
  ),
  RLP0010: code(
    "error",
    "chained comparison",
    "Comparison operators do not chain: `a < b < c` is ambiguous. Combine two comparisons with `&&`.",
    "ok = 0 < tokens < 64",
    "ok = 0 < tokens && tokens < 64",
  ),
  RLP0011: code(
    "error",
    "misplaced `by` clause",
    "`by` and `where` clauses belong to the first argument of a group reduction: `mean`, `std`, `min`, `max`, `sum` or `count`.",
    "x = cos(score by prompt)",
    "x = mean(score by prompt)",
  ),
  RLP0012: code(
    "error",
    "misplaced declaration",
    "A declaration appears where it does not belong: bindings and blocks go inside a `pipeline` or `algorithm`; `level` and `keep groups where` go inside `rollout`; blocks do not nest. This often means a `}` is missing or extra.",
    "pipeline p {\n  rollout { samples = 8\n  reward { score = 1 }\n}",
    "pipeline p {\n  rollout { samples = 8 }\n  reward { score = 1 }\n}",
  ),
  RLP0101: code(
    "error",
    "unknown name",
    "A name is used that no declaration in scope defines. Names in scope are: constants, the pipeline's own bindings, rollout fields (`text`, `answer`, `target`, `tokens`, `logp`, `entropy`, ...), level variables, reward and advantage terms, algorithm parameters, and imported functions.",
    "reward { score = corect }",
    "reward { score = correct }",
  ),
  RLP0102: code(
    "error",
    "unknown function",
    "A call names a function that is neither built in nor imported. Standard-library functions outside the prelude must be imported with `use`, for example `use std.rewards.{exact_match}`.",
    "reward { correct = exact_match(answer, target) }",
    "use std.rewards.{exact_match}\n...\nreward { correct = exact_match(answer, target) }",
  ),
  RLP0103: code(
    "error",
    "duplicate definition",
    "Two declarations in the same scope have the same name. Inside a pipeline, reward terms, advantage terms, constants and bindings share one namespace.",
    "reward { score = 1  score = 2 }",
    "reward { score = 1  bonus = 2 }",
  ),
  RLP0104: code(
    "error",
    "unknown module",
    "A `use` names a standard-library module that does not exist. `rlp explain RLP0104` lists the standard modules: std.math, std.models, std.data, std.tasks, std.rewards, std.advantages, std.losses, std.optim, std.rollout.",
    "use std.reward.{exact_match}",
    "use std.rewards.{exact_match}",
  ),
  RLP0105: code(
    "error",
    "name not exported",
    "A `use` imports a name that the module does not define.",
    "use std.rewards.{exact}",
    "use std.rewards.{exact_match}",
  ),
  RLP0106: code(
    "error",
    "import cycle",
    "Files import each other in a cycle. Move the shared declarations into a third file that both import.",
    '// a.rlp\nuse "./b.rlp"\n// b.rlp\nuse "./a.rlp"',
    '// a.rlp and b.rlp both: use "./common.rlp"',
  ),
  RLP0107: code(
    "error",
    "imported file not found",
    "A `use` names a relative file that cannot be read. Paths are relative to the importing file.",
    'use "./algos.rlp".{group_relative}',
    'use "./lib/algos.rlp".{group_relative}',
  ),
  RLP0108: code(
    "error",
    "unknown algorithm",
    "`pipeline P uses A(...)` names an algorithm that is not declared in this file or imported.",
    "pipeline dapo uses group_relativ() { ... }",
    "pipeline dapo uses group_relative() { ... }",
  ),
  RLP0109: code(
    "error",
    "bad algorithm argument",
    "An algorithm was given an argument it does not declare, or a parameter without a default was not given.",
    "pipeline p uses group_relative(eps_hi: 0.28) { ... }",
    "pipeline p uses group_relative(eps_high: 0.28) { ... }",
  ),
  RLP0110: code(
    "error",
    "unknown argument",
    "A call passes a named argument that the function does not declare.",
    "loss = ppo_clip(A, epsilon: 0.2)",
    "loss = ppo_clip(A, eps: 0.2)",
  ),
  RLP0111: code(
    "error",
    "wrong number of arguments",
    "A call passes more positional arguments than the function declares, or leaves out a required one.",
    "correct = exact_match(answer)",
    "correct = exact_match(answer, target)",
  ),
  RLP0112: code(
    "error",
    "argument given twice",
    "The same parameter is given twice, by position and by name, or twice by name.",
    "loss = ppo_clip(A, eps: 0.2, eps: 0.3)",
    "loss = ppo_clip(A, eps: 0.2)",
  ),
  RLP0113: code(
    "error",
    "not a level",
    "`by` and `by:` take levels of the rollout hierarchy: `prompt`, the levels declared with `level NAME in [...]`, `sample`, `token`.",
    "mean(score by group)",
    "mean(score by prompt)",
  ),
  RLP0114: code(
    "error",
    "wrong kind of name",
    "A name is used in a way its declaration does not allow: a function used as a value, a value called like a function, or a level used as a number.",
    "score = exact_match",
    "score = exact_match(answer, target)",
  ),
  RLP0115: code(
    "error",
    "reserved name redefined",
    "Rollout fields (`text`, `answer`, `target`, `tokens`, `logp`, `entropy`), level names and the level variables are defined by the rollout and cannot be redefined as terms.",
    "reward { tokens = 3 }",
    "reward { length_bonus = 3 }",
  ),
  RLP0201: code(
    "error",
    "type mismatch",
    "An operator or function got a value of the wrong type. Numbers are f32 or i32; booleans promote to 0/1 where arithmetic needs a number; text never converts.",
    "score = text + 1",
    "score = tokens + 1",
  ),
  RLP0202: code(
    "error",
    "condition is not a boolean",
    "`if`, `where`, `keep groups where`, `&&`, `||` and `!` need booleans. Numbers do not convert to booleans; compare explicitly.",
    "score = if correct_count then 1 else 0",
    "score = if correct_count > 0 then 1 else 0",
  ),
  RLP0203: code(
    "error",
    "incompatible branches",
    "The `then` and `else` branches of an `if` must both be numbers (or booleans), or both be text.",
    'x = if correct then 1 else "no"',
    "x = if correct then 1 else 0",
  ),
  RLP0204: code(
    "error",
    "grouping by a missing level",
    "A reduction groups a value by a level the value does not vary over. For example `difficulty` is one value per prompt, so it cannot be grouped by `budget`.",
    "m = mean(difficulty by budget)",
    "m = mean(difficulty by prompt)",
  ),
  RLP0205: code(
    "error",
    "incomplete level key",
    "`sample` only identifies a rollout together with `prompt` and every declared level above it, and `token` only together with `sample`. Grouping by `sample` alone would mix unrelated rollouts.",
    "m = mean(logp by sample)",
    "m = mean(logp by prompt, sample)",
  ),
  RLP0206: code(
    "error",
    "value at the wrong level",
    "A function needs its argument at a particular level of the rollout hierarchy (for example a per-rollout advantage for a policy loss, or one value per group for a filter) and got a value at another level.",
    "loss = ppo_clip(mean(score by prompt))",
    "loss = ppo_clip(score - mean(score by prompt))",
  ),
  RLP0207: code(
    "error",
    "filter condition is not per group",
    "`keep groups where COND` keeps or drops whole prompt groups, so COND must be one boolean per prompt. Reduce per-rollout values first, for example `std(correct by prompt) > 0`.",
    "keep groups where correct",
    "keep groups where std(correct by prompt) > 0",
  ),
  RLP0208: code(
    "error",
    "not a constant",
    "Parameters of primitives and rollout settings are fixed before the run starts, so they must be computed from literals, constants and level values only, not from rollout data.",
    "rollout { temperature = mean(score by prompt) }",
    "rollout { temperature = 1.0 }",
  ),
  RLP0209: code(
    "error",
    "division by zero",
    "An expression divides by a constant that is zero.",
    "x = score / (1 - 1)",
    "x = score / 2",
  ),
  RLP0210: code(
    "warning",
    "reduction does nothing",
    "A reduction groups a value by all the levels it already varies over, so each group holds one element and the result equals the input (and `std` of one element is undefined).",
    "m = mean(difficulty by prompt)",
    "m = difficulty",
  ),
  RLP0211: code(
    "error",
    "invalid loss",
    "`loss` must be a sum of loss terms (`ppo_clip`, `reinforce`, `kl`, `entropy_bonus`, ...), each optionally scaled by a constant. Losses cannot be multiplied together or used as rewards.",
    "loss = A",
    "loss = ppo_clip(A)",
  ),
  RLP0212: code(
    "error",
    "wrong kind of argument",
    "An argument has the wrong kind: for example a reward expression where a model is expected, or a model where a number is expected.",
    "reference = frozen(score)",
    "reference = frozen(policy)",
  ),
  RLP0301: code(
    "error",
    "parameter out of range",
    "A parameter value violates the constraint declared in the primitive's JSON Schema (minimum, maximum, length, ...). The secondary label points at the constraint in the standard library.",
    "loss = ppo_clip(A, eps: 1.5)",
    "loss = ppo_clip(A, eps: 0.2)",
  ),
  RLP0302: code(
    "error",
    "value not allowed",
    "A parameter takes one of a fixed set of values; the message lists them and suggests the closest.",
    "loss = ppo_clip(A, agg: tokenmean)",
    "loss = ppo_clip(A, agg: token_mean)",
  ),
  RLP0303: code(
    "error",
    "parameter has the wrong type",
    "A parameter value has a type its schema does not accept, such as a string where a number is expected or a fraction where an integer is expected.",
    'optimize { steps = "200" }',
    "optimize { steps = 200 }",
  ),
  RLP0304: code(
    "error",
    "missing parameter",
    "A parameter that has no default was not given.",
    "optimizer = adam()",
    "optimizer = adam(lr: 3e-4)",
  ),
  RLP0305: code(
    "error",
    "conflicting parameters",
    "Two parameters that exclude each other were both given, for example `eps` together with `eps_low`.",
    "ppo_clip(A, eps: 0.2, eps_low: 0.2)",
    "ppo_clip(A, eps_low: 0.2, eps_high: 0.28)",
  ),
  RLP0306: code(
    "error",
    "unknown setting",
    "A `rollout`, `level` or `optimize` block sets a field it does not have.",
    "rollout { temprature = 1.0 }",
    "rollout { temperature = 1.0 }",
  ),
  RLP0401: code(
    "error",
    "cyclic definition",
    "Terms are declarations, not statements: each is computed from the others once per step, so a term cannot depend on itself, directly or through other terms.",
    "reward { a = b + 1  b = a * 2 }",
    "reward { a = correct + 1  b = a * 2 }",
  ),
  RLP0402: code(
    "error",
    "missing declaration",
    "A pipeline needs a `policy` model, `data`, a `rollout` block, a `loss` and an `optimize` block, either directly or from the algorithm it uses.",
    "pipeline p { policy = tiny_lm() }",
    "pipeline p { policy = tiny_lm()  data = arith()  rollout { ... }  loss = ...  optimize { ... } }",
  ),
  RLP0403: code(
    "error",
    "budget exceeds max_tokens",
    "A token budget (a level value used as a number of tokens, or a level's own `max_tokens`) is larger than the rollout's `max_tokens`, so it can never be reached.",
    "rollout { max_tokens = 64  level budget in [32, 96] { ... } }",
    "rollout { max_tokens = 96  level budget in [32, 96] { ... } }",
  ),
  RLP0404: code(
    "error",
    "group too small",
    "An operation needs at least two elements per group (an unbiased standard deviation, a leave-one-out baseline) but the rollout produces groups of one.",
    "rollout { samples = 1 } advantage { A = score / std(score by prompt) }",
    "rollout { samples = 8 } advantage { A = score / std(score by prompt) }",
  ),
  RLP0405: code(
    "error",
    "invalid level values",
    "The values of a `level NAME in [...]` declaration must be a non-empty list (or range) of distinct constants of one type.",
    "level budget in [] { samples = 4 }",
    "level budget in [8, 16] { samples = 4 }",
  ),
  RLP0406: code(
    "error",
    "invalid rollout layout",
    "The rollout hierarchy is inconsistent: samples declared both outside and inside levels, no sample count at all, or a sample count rule used inside a level.",
    "rollout { samples = 8  level budget in [8, 16] { samples = 4 } }",
    "rollout { level budget in [8, 16] { samples = 4 } }",
  ),
  RLP0407: code(
    "error",
    "does not fit the model context",
    "The prompt plus prefill plus `max_tokens` must fit the model's context length.",
    "policy = tiny_lm(preset: \"arith\")  rollout { max_tokens = 4096 }",
    "rollout { max_tokens = 64 }",
  ),
  RLP0501: code(
    "warning",
    "unused term",
    "A reward or advantage term is never used by the loss, a filter or another term. Unused reward terms are still computed and logged; remove the term, or start its name with `_` to keep it as a logged metric without this warning.",
    "reward { bonus = tokens * 0 }",
    "reward { _bonus = tokens * 0 }",
  ),
  RLP0502: code(
    "warning",
    "unused constant",
    "A `const` is never used. Remove it, or use it where its value was written out by hand.",
    "const L = 64\npipeline p {\n  rollout { max_tokens = 64 }\n}",
    "const L = 64\npipeline p {\n  rollout { max_tokens = L }\n}",
  ),
  RLP0503: code(
    "warning",
    "unused import",
    "A name imported with `use` is never used in this file.",
    "use std.rewards.{exact_match, well_formed}",
    "use std.rewards.{exact_match}",
  ),
  RLP0504: code(
    "warning",
    "advantage does not vary within groups",
    "The advantage given to the policy loss is the same for every rollout of a prompt group, so the loss cannot tell better rollouts of the same prompt from worse ones. Usually a group baseline is missing.",
    "loss = ppo_clip(mean(score by prompt))",
    "loss = ppo_clip(score - mean(score by prompt))",
  ),
  RLP0601: code(
    "error",
    "invalid IR document",
    "An IR document (the JSON written by `rlp compile --emit ir`) does not match the IR schema (`rlp schema ir`) or is inconsistent: a duplicate node id, a reference to a node that does not exist, a level outside the hierarchy, or a cycle among the nodes. IR files are compiler output; regenerate them from the `.rlp` file rather than editing them.",
    '{ "format_version": 1, "nodes": [{ "id": "a", "inputs": [{ "port": "x", "node": "b" }], ... }], ... }',
    "rlp compile pipelines/grpo.rlp --emit ir -o grpo.ir.json",
  ),
  RLP0602: code(
    "error",
    "IR hash mismatch",
    "The `hash` field of an IR document is the SHA-256 of its canonical content (without `rlp_version` and source spans). A mismatch means the file was edited by hand or corrupted, so it may no longer be what the compiler checked.",
    '{ ..., "hash": "0000…" }',
    "rlp compile pipelines/grpo.rlp --emit ir -o grpo.ir.json",
  ),
  RLP0900: code(
    "error",
    "internal compiler error",
    "The compiler failed in a way that is a bug in rlp, not in your file. Please report it with the file that triggered it.",
    "(none)",
    "(none)",
  ),
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function isCode(value: string): value is Code {
  return Object.prototype.hasOwnProperty.call(CODES, value);
}
