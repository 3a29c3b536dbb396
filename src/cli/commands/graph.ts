/**
 * `rlp graph FILE (--svg OUT | --png OUT | --dot | --mermaid) [--pipeline NAME]`: draws a
 * pipeline's dataflow graph. DOT and Mermaid go to stdout; SVG (Graphviz in WebAssembly) and PNG
 * (resvg) go to OUT, SVG also to stdout with `--svg -`. Everything works offline.
 */
import { irToDot } from "../../compiler/emit/dot.js";
import { irToMermaid } from "../../compiler/emit/mermaid.js";
import { svgToPng } from "../../compiler/render/png.js";
import { renderSvg } from "../../compiler/render/svg.js";
import { formatFlags, parseArgs, UsageError, type FlagSpec } from "../args.js";
import { EXIT, type Command } from "../io.js";
import { compileToIr, singleFile, writeOutput } from "./compile.js";

const FLAGS: Record<string, FlagSpec> = {
  svg: { kind: "string", description: "write an SVG drawing to this file (`-` is stdout)" },
  png: { kind: "string", description: "write a PNG image to this file" },
  dot: { kind: "boolean", description: "print Graphviz DOT" },
  mermaid: { kind: "boolean", description: "print a Mermaid flowchart" },
  scale: { kind: "number", description: "PNG zoom over the drawing's size (default 2)" },
  pipeline: { kind: "string", description: "the pipeline to draw when the file declares several" },
  json: { kind: "boolean", description: "report diagnostics as versioned JSON (on stderr)" },
};

const FORMATS = ["svg", "png", "dot", "mermaid"] as const;

const USAGE = [
  "usage: rlp graph FILE (--svg OUT | --png OUT | --dot | --mermaid) [--pipeline NAME]",
  "",
  "Draws the pipeline's dataflow graph: one box per section (model, data, rollout, reward,",
  "advantage, loss, optimize); each node shows its name or operation, its type and its level.",
  "",
  "options:",
  formatFlags(FLAGS),
  "",
  "examples:",
  "  rlp graph pipelines/hbpo.rlp --svg hbpo.svg",
  "  rlp graph pipelines/grpo.rlp --mermaid >> README.md",
  "",
  "exit status: 0 drawn, 1 errors in the file, 2 usage error",
].join("\n");

export const graphCommand: Command = {
  name: "graph",
  summary: "render a pipeline's dataflow graph to SVG or PNG",
  usage: USAGE,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    const file = singleFile(positionals, "graph");
    const chosen = FORMATS.filter((f) => flags[f] !== undefined);
    if (chosen.length !== 1) {
      throw new UsageError(chosen.length === 0 ? "`rlp graph` needs an output format" : `choose one output format, not ${chosen.map((f) => `\`--${f}\``).join(" and ")}`, "give one of `--svg OUT`, `--png OUT`, `--dot`, `--mermaid`");
    }
    const scale = flags["scale"] as number | undefined;
    if (scale !== undefined && !(scale > 0 && scale <= 16)) throw new UsageError(`\`--scale\` must be above 0 and at most 16, got ${scale}`);
    if (scale !== undefined && chosen[0] !== "png") throw new UsageError("`--scale` applies to `--png` only");
    if (flags["png"] === "-") throw new UsageError("a PNG cannot be written to stdout", "give a file name: `--png graph.png`");

    const ir = await compileToIr(file, flags["pipeline"] as string | undefined, io, flags["json"] === true);
    if (typeof ir === "number") return ir;
    switch (chosen[0]!) {
      case "dot":
        io.stdout(irToDot(ir));
        break;
      case "mermaid":
        io.stdout(irToMermaid(ir));
        break;
      case "svg":
        await writeOutput(io, flags["svg"] as string, await renderSvg(irToDot(ir)));
        break;
      case "png":
        await writeOutput(io, flags["png"] as string, svgToPng(await renderSvg(irToDot(ir)), scale === undefined ? {} : { scale }));
        break;
    }
    return EXIT.ok;
  },
};
