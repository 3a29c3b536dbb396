import { describe, expect, it } from "vitest";
import { irToDot } from "../../../src/compiler/emit/dot.js";
import { svgToPng } from "../../../src/compiler/render/png.js";
import { renderSvg } from "../../../src/compiler/render/svg.js";
import { tinyIr } from "../ir/fixtures.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("renderSvg", () => {
  it("renders the DOT of a pipeline to an SVG with its clusters and labels", async () => {
    const svg = await renderSvg(irToDot(tinyIr()));
    expect(svg).toMatch(/^<\?xml[^>]*>\s*<!DOCTYPE svg/);
    expect(svg).toContain("</svg>");
    for (const text of ["tiny", "score", "mul · f32 @sample", "tiny_lm · model @step", "lr=0.1", ">reward<", ">lhs<"]) expect(svg).toContain(text);
  });

  it("fails with Graphviz's message on invalid DOT", async () => {
    await expect(renderSvg("digraph { a -> }")).rejects.toThrow(/Graphviz could not render the graph: .*syntax error/);
  });
});

describe("svgToPng", () => {
  it("rasterises an SVG to a non-empty PNG, scaled", async () => {
    const svg = await renderSvg('digraph { a [label="policy"]; a -> b; }');
    const png1 = svgToPng(svg, { scale: 1, systemFonts: false });
    const png2 = svgToPng(svg, { scale: 2, systemFonts: false });
    expect(png1.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png1.length).toBeGreaterThan(500);
    const [s1, s2] = [pngSize(png1), pngSize(png2)];
    expect(s1.width).toBeGreaterThan(20);
    // Graphviz sizes are fractional points, so each scale rounds on its own.
    expect(Math.abs(s2.width - s1.width * 2)).toBeLessThanOrEqual(2);
    expect(Math.abs(s2.height - s1.height * 2)).toBeLessThanOrEqual(2);
  });
});
