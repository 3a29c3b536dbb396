/** Section colours shared by the DOT and Mermaid emitters, so both drawings read the same. */
import type { SectionName } from "./view.js";

export const SECTION_COLORS: Record<SectionName, { readonly fill: string; readonly stroke: string }> = {
  model: { fill: "#ede9fe", stroke: "#7c3aed" },
  data: { fill: "#e0f2fe", stroke: "#0284c7" },
  rollout: { fill: "#dcfce7", stroke: "#16a34a" },
  reward: { fill: "#fef9c3", stroke: "#ca8a04" },
  advantage: { fill: "#ffedd5", stroke: "#ea580c" },
  loss: { fill: "#fee2e2", stroke: "#dc2626" },
  optimize: { fill: "#f1f5f9", stroke: "#475569" },
};
