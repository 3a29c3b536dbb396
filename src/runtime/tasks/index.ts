/** The built-in task family `std.tasks.arith`: tokenizer, problems, response format, demonstrations, evaluation. */
export * from "./errors.js";
export * from "./tokenizer.js";
export * from "./arith.js";
export * from "./format.js";
export * from "./scratchpad.js";
export * from "./response.js";
export * from "./demos.js";
export * from "./eval.js";
export * from "./lengths.js";
