// The public scipy.stats namespace: distributions as namespaces of functions (jax.scipy.stats).
export * as norm from "./core/stats-norm.js";
