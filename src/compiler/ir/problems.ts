/**
 * A problem found in an IR document, located by JSON pointer. `json.ts` turns problems into
 * diagnostics with spans once it knows where each pointer lies in the text.
 */
import type { Code } from "../diagnostics/codes.js";

export interface IrProblem {
  readonly code: Code;
  readonly pointer: string;
  readonly message: string;
  /**
   * What to underline: the value (default), the member's key, or the first character of the value
   * (of its nearest enclosing value, when the pointer names a missing field).
   */
  readonly at?: "value" | "key" | "open";
  readonly help?: string;
  readonly related?: readonly { readonly pointer: string; readonly message: string }[];
}

/** How a pointer reads in a message: the document root has no pointer text. */
export function where(pointer: string): string {
  return pointer === "" ? "the document" : `\`${pointer}\``;
}

/** A short description of a JSON value for "found ..." phrases. */
export function describeValue(value: unknown): string {
  if (value === null) return "`null`";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `\`${String(value)}\``;
}
