// The public lax namespace: structured control flow.
export { cond, scan, whileLoop, forILoop } from "./transforms/control.js";
export * as linalg from "./linalg/lax.js";
