// The public lax namespace: structured control flow.
export { cond, scan, whileLoop, forILoop } from "./transforms/control.js";
// convolution and windows
export { convGeneralDilated, conv, convTranspose } from "./core/conv.js";
export type { Padding, ConvGeneralDilatedOptions, ConvTransposeOptions } from "./core/conv.js";
export { reduceWindow } from "./core/window.js";
export type { ReduceWindowOptions } from "./core/window.js";
