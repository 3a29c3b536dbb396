/** `rlp conformance`: registers the conformance runner's command with the CLI. */
import type { Command } from "../io.js";
import { conformanceCommand } from "./conformance.js";

export const conformanceEntry: Command = {
  name: "conformance",
  summary: "run numeric conformance fixtures against rlp's primitives",
  usage: [
    "usage: rlp conformance DIR... [--filter NAME] [--json] [--verbose]",
    "",
    "Runs every *.json fixture under each DIR (format: docs/conformance.md) and prints pass, fail,",
    "unsupported and error counts. Exit 0 when nothing fails, 1 otherwise, 2 for usage errors.",
  ].join("\n"),
  run: (argv, io) => conformanceCommand([...argv], io),
};
