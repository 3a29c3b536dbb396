/** Conformance runner: checks the primitives against reference fixtures (docs/conformance.md). */
export { runConformance, FixtureDirectoryError, displayPath, type ConformanceOptions } from "./runner.js";
export {
  conforms,
  CONFORMANCE_REPORT_FORMAT_VERSION,
  FIXTURE_STATUSES,
  UNREADABLE_FUNCTION,
  type ConformanceReport,
  type FixtureOutcome,
  type FixtureStatus,
  type StatusCounts,
} from "./report.js";
export { compareOutputs, formatLocation, withinTolerance, type Comparison, type Mismatch, type MismatchKind } from "./compare.js";
export { MalformedFixtureError, parseFixture, type Fixture, type Tolerance } from "./fixture.js";
export { HANDLERS, supportedFunctions } from "./handlers/registry.js";
export type { Handler, HandlerOutput } from "./handlers/types.js";
