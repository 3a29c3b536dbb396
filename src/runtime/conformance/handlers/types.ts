/** A handler evaluates one fixture's function on its inputs through the project's primitives. */
import type { Fixture } from "../fixture.js";

export interface HandlerOutput {
  /** Outputs keyed like the fixture's `expected`. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Outputs compared exactly (integers such as rollouts or budgets); booleans always are. */
  readonly exact?: readonly string[];
}

export type Handler = (fixture: Fixture) => HandlerOutput;
