export * from "./data.js";
export * from "./plots.js";
export * from "./table.js";
