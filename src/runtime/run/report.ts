/**
 * Runtime failures as people read them: one `error:` line, the pipeline source at the node the
 * failure belongs to (codespan style, like compiler diagnostics), and notes on the last good
 * checkpoint and what to do next.
 */
import pc from "picocolors";
import type { IrDocument } from "../../compiler/ir/types.js";
import type { SourceMap } from "../../compiler/source.js";
import type { RuntimeError } from "../services/errors.js";

export interface ReportContext {
  readonly ir?: IrDocument;
  readonly sources?: SourceMap;
  readonly color: boolean;
  /** The run directory and the last good checkpoint, when there is one. */
  readonly dir?: string;
  readonly checkpoint?: { readonly step: number; readonly path: string };
}

function headline(e: RuntimeError): { message: string; node?: string; help?: string } {
  switch (e._tag) {
    case "NonFiniteError":
      return { message: `non-finite value on step ${e.step}: ${e.message}`, node: e.node, help: "look for a division by a zero std, a log of a non-positive value, or a learning rate that is too high" };
    case "RewardFunctionError":
      return {
        message: `a reward function failed on rollout ${e.rollout} of step ${e.step}: ${e.message}`,
        node: e.node,
        help: "set `on_reward_error = zero` or `drop` in `rollout` to score or drop such rollouts instead of stopping",
      };
    case "EvaluateError":
      return e.node === undefined ? { message: `cannot evaluate step ${e.step}: ${e.message}` } : { message: `cannot evaluate step ${e.step}: ${e.message}`, node: e.node };
    case "ExecutorError":
      return e.node === undefined ? { message: `the executor failed to ${e.operation}: ${e.message}` } : { message: `the executor failed to ${e.operation}: ${e.message}`, node: e.node };
    case "BackendError":
      return { message: e.message, help: e.help };
    case "TaskError":
      return { message: `task \`${e.task}\`: ${e.message}` };
    case "PlanError": {
      const out: { message: string; node?: string; help?: string } = { message: e.message };
      if (e.node !== undefined) out.node = e.node;
      if (e.help !== undefined) out.help = e.help;
      return out;
    }
    case "CheckpointError":
      return { message: `checkpoint ${e.path}: ${e.message}` };
    case "MetricsError":
      return { message: `metrics ${e.path}: ${e.message}` };
    case "ResumeError":
      return { message: e.message, help: e.help };
    case "Interrupted":
      return { message: `interrupted after step ${e.step}` };
  }
}

/** Failures of a step (not of start-up), after which the last checkpoint matters. */
function duringTraining(e: RuntimeError): boolean {
  return e._tag === "NonFiniteError" || e._tag === "RewardFunctionError" || e._tag === "EvaluateError" || (e._tag === "ExecutorError" && e.operation !== "create");
}

/** The source lines of a node, with carets under its span. */
function snippet(ctx: ReportContext, nodeId: string): string[] {
  const node = ctx.ir?.nodes.find((n) => n.id === nodeId);
  const span = node?.span;
  const label = node === undefined ? `node ${nodeId}` : `node ${node.id} (${node.op}${node.name === undefined ? "" : ` \`${node.name}\``})`;
  if (span === undefined) return [`  = note: in ${label}`];
  const file = ctx.sources?.get(span.file);
  const gutter = String(span.line).length;
  const bar = " ".repeat(gutter + 1);
  const paint = (s: string) => (ctx.color ? pc.blue(s) : s);
  const lines = [`${" ".repeat(gutter)}${paint("┌─")} ${span.file}:${span.line}:${span.column}`];
  if (file !== undefined) {
    const text = file.lineText(span.line);
    const width = Math.max(1, Math.min(span.end - span.start, text.length - span.column + 1));
    const carets = "^".repeat(width);
    lines.push(`${bar}${paint("│")}`);
    lines.push(`${paint(`${span.line} │`)} ${text}`);
    lines.push(`${bar}${paint("│")} ${" ".repeat(span.column - 1)}${ctx.color ? pc.red(carets) : carets} ${label}`);
  } else lines.push(`${bar}= note: ${label}`);
  return lines;
}

export function renderRuntimeError(e: RuntimeError, ctx: ReportContext): string {
  const h = headline(e);
  const err = ctx.color ? pc.red(pc.bold("error")) : "error";
  const lines = [`${err}: ${h.message}`];
  if (h.node !== undefined) lines.push(...snippet(ctx, h.node));
  if (ctx.checkpoint !== undefined) lines.push(`  = note: the last good checkpoint is step ${ctx.checkpoint.step} (${ctx.checkpoint.path})`);
  else if (ctx.dir !== undefined && duringTraining(e)) lines.push("  = note: no checkpoint was written before the failure");
  if (h.help !== undefined) lines.push(`  = help: ${h.help}`);
  // A resumed run would fail the same way (same seed, same state); a fixed pipeline can start from the weights.
  if (ctx.checkpoint !== undefined && (e._tag === "NonFiniteError" || e._tag === "RewardFunctionError")) {
    lines.push(`  = help: a fixed pipeline can start from those weights: tiny_lm(preset: ..., from: "${ctx.checkpoint.path}")`);
  }
  return `${lines.join("\n")}\n`;
}
