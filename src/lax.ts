// The public lax namespace: structured control flow.
export { cond, scan, whileLoop, forILoop } from "./transforms/control.js";
