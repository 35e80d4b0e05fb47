// The numpy layer, one module per idea, over lax: what src/numpy.ts publishes and what the
// transforms use. Loading it loads the whole primitive set and installs the Tensor methods.
import "../primitives/index.js";
import "./methods.js";
export * from "./convert.js";
export * from "./creation.js";
export * from "./math.js";
export * from "./logic.js";
export * from "./bitwise.js";
export * from "./shape.js";
export * from "./indexing.js";
export * from "./advanced-indexing.js";
export * from "./sorting.js";
export * from "./cumulative.js";
export * from "./reductions.js";
export * from "./linalg.js";
export * from "./checks.js";
export * from "./math-more.js";
export * from "./reductions-more.js";
export * from "./shape-more.js";
export * from "./stats.js";
export * from "./creation-more.js";
export * from "./quantile.js";
