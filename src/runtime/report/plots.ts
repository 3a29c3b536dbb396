/**
 * Vega-Lite specs for the HBPO-vs-GRPO reproduction, and their rendering without a browser:
 * Vega-Lite compiles a spec to Vega, a headless `vega.View` (`renderer: "none"`) writes SVG, and
 * resvg (`svgToPng`) turns it into PNG. The data is inlined in each spec, so a spec written next to
 * its picture can be opened in the Vega editor as is.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { svgToPng } from "../../compiler/render/png.js";
import { levelValues, series, type EvalResult, type MetricRecord } from "./data.js";

export interface RunMetrics {
  /** The legend's name for the run, e.g. `GRPO`. */
  readonly name: string;
  readonly metrics: readonly MetricRecord[];
}

export interface RunEval {
  readonly name: string;
  readonly eval: EvalResult;
}

const WIDTH = 520;
const HEIGHT = 200;
// resvg picks the first installed family; the generic last so some sans-serif face is always found
const CONFIG = {
  font: "Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif",
  view: { stroke: null },
  axis: { grid: true, gridOpacity: 0.4 },
  legend: { symbolOpacity: 1, symbolStrokeWidth: 3 },
} as const;

/** Steps in the trailing mean of the smoothed curves: about a twentieth of the run, at least 1. */
function smoothing(records: readonly MetricRecord[]): number {
  return Math.max(1, Math.round(records.length / 20));
}

function curve(field: string, title: string, smooth: number, colorTitle: string, colorType: "nominal" | "ordinal"): object {
  const x = { field: "step", type: "quantitative", title: "step", axis: { tickMinStep: 1, format: "d" } };
  const color = { field: "series", type: colorType, title: colorTitle, ...(colorType === "ordinal" ? { scale: { scheme: "viridis" } } : {}) };
  return {
    width: WIDTH,
    height: HEIGHT,
    transform: [{ filter: { field: "metric", equal: field } }],
    layer: [
      { mark: { type: "line", opacity: 0.25 }, encoding: { x, y: { field: "value", type: "quantitative", title }, color } },
      {
        transform: [{ window: [{ op: "mean", field: "value", as: "smoothed" }], frame: [-(smooth - 1), 0], groupby: ["series"], sort: [{ field: "step" }] }],
        mark: { type: "line", strokeWidth: 2 },
        encoding: { x, y: { field: "smoothed", type: "quantitative", title }, color },
      },
    ],
  };
}

/** (a) Accuracy and mean response tokens per training step, one colour per run (raw faint, trailing mean bold). */
export function trainingCurvesSpec(runs: readonly RunMetrics[]): TopLevelSpec {
  const values: object[] = [];
  for (const run of runs) {
    for (const p of series(run.metrics, "accuracy")) values.push({ series: run.name, metric: "accuracy", step: p.step, value: p.value });
    for (const p of series(run.metrics, "response_length/mean")) values.push({ series: run.name, metric: "tokens", step: p.step, value: p.value });
  }
  const smooth = Math.max(1, ...runs.map((r) => smoothing(r.metrics)));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Training: accuracy and mean response tokens per step",
    data: { values },
    vconcat: [curve("accuracy", "accuracy", smooth, "algorithm", "nominal"), curve("tokens", "mean response tokens", smooth, "algorithm", "nominal")],
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

/**
 * (b) Mean response length per budget level during HBPO training (`response_length/budget=N/mean`),
 * each with its budget as a dashed line.
 */
export function budgetLengthsSpec(run: RunMetrics, level = "budget"): TopLevelSpec {
  const budgets = levelValues(run.metrics, level);
  const values: object[] = [];
  for (const b of budgets) {
    for (const p of series(run.metrics, `response_length/${level}=${b}/mean`)) values.push({ series: b, metric: "length", step: p.step, value: p.value });
  }
  const smooth = smoothing(run.metrics);
  const lines = curve("length", "mean response tokens", smooth, level, "ordinal") as { layer: object[] };
  const rules = {
    data: { values: budgets.map((b) => ({ series: b, budget: b })) },
    mark: { type: "rule", strokeDash: [4, 4], opacity: 0.6 },
    encoding: { y: { field: "budget", type: "quantitative" }, color: { field: "series", type: "ordinal", title: level, scale: { scheme: "viridis" } } },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${run.name}: mean response tokens per ${level} level (dashed: the ${level})`,
    data: { values },
    ...lines,
    layer: [...lines.layer, rules],
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

/** (c) Held-out mean tokens and accuracy by difficulty (digits) at the end of training, one colour per run. */
export function difficultySpec(runs: readonly RunEval[]): TopLevelSpec {
  const values: object[] = [];
  for (const run of runs) {
    for (const d of run.eval.byDifficulty) values.push({ series: run.name, difficulty: d.difficulty, tokens: d.meanTokens, accuracy: d.accuracy });
  }
  const panel = (field: string, title: string, scale?: object) => ({
    width: 250,
    height: HEIGHT,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "difficulty", type: "ordinal", title: "difficulty (digits)", axis: { labelAngle: 0 } },
      y: { field, type: "quantitative", title, ...(scale === undefined ? {} : { scale }) },
      color: { field: "series", type: "nominal", title: "algorithm" },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Held-out evaluation by difficulty",
    data: { values },
    hconcat: [panel("tokens", "mean response tokens"), panel("accuracy", "accuracy", { domain: [0, 1] })],
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

/** A Vega-Lite spec as SVG, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface RenderedPlot {
  readonly svg: string;
  readonly png: Buffer;
}

/** SVG, and PNG through resvg (`scale` times the SVG's size, default 2). */
export async function renderPlot(spec: TopLevelSpec, options: { scale?: number; systemFonts?: boolean } = {}): Promise<RenderedPlot> {
  const svg = await renderSvg(spec);
  return { svg, png: svgToPng(svg, options) };
}
