/** Fixture `function` name → handler. Names absent here are reported as unsupported. */
import { advantageHandlers } from "./advantage.js";
import { allocationHandlers } from "./allocation.js";
import { lossHandlers } from "./loss.js";
import { rewardHandlers } from "./reward.js";
import type { Handler } from "./types.js";

export const HANDLERS: ReadonlyMap<string, Handler> = new Map(
  Object.entries({ ...advantageHandlers, ...rewardHandlers, ...allocationHandlers, ...lossHandlers }),
);

export function supportedFunctions(): string[] {
  return [...HANDLERS.keys()].sort();
}
