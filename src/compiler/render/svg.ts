/**
 * DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no native Graphviz needed, works
 * offline. Each call starts its own Graphviz instance (tens of milliseconds), so nothing is shared.
 */
import { instance } from "@viz-js/viz";

export async function renderSvg(dot: string): Promise<string> {
  const viz = await instance();
  const result = viz.render(dot, { format: "svg", engine: "dot" });
  if (result.status === "success") return result.output;
  const messages = result.errors.filter((e) => e.level !== "warning").map((e) => e.message.trim());
  throw new Error(`Graphviz could not render the graph: ${messages.join("; ") || "unknown error"}`);
}
