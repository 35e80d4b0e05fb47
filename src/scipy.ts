// The public scipy namespace (jax.scipy): special functions and statistics.
export * as special from "./core/special.js";
export * as stats from "./scipy-stats.js";
