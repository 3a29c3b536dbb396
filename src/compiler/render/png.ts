/**
 * SVG → PNG with resvg (@resvg/resvg-js, a prebuilt native module; no browser). Graphviz's SVG
 * names `Helvetica,Arial,sans-serif`; resvg maps those to whatever fonts the machine has, so the
 * system fonts are loaded by default. Without them (`systemFonts: false`, faster) text is not drawn.
 */
import { Resvg } from "@resvg/resvg-js";

export interface PngOptions {
  /** Zoom factor over the SVG's own size (default 2, for crisp text on high-density screens). */
  readonly scale?: number;
  readonly systemFonts?: boolean;
}

export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    background: "#ffffff",
    font: { loadSystemFonts: options.systemFonts ?? true },
  });
  return resvg.render().asPng();
}
