// The public lax namespace: structured control flow.
export { cond, scan, whileLoop, forILoop } from "./transforms/control.js";
// convolution and windows
export { convGeneralDilated, conv, convTranspose } from "./core/conv.js";
export type { Padding, ConvGeneralDilatedOptions, ConvTransposeOptions } from "./core/conv.js";
export { reduceWindow } from "./core/window.js";
export type { ReduceWindowOptions } from "./core/window.js";
export * as linalg from "./linalg/lax.js";
// lax, more: switch/map (control flow) and the array functions of core/lax-api.ts
export { switch_ as switch, map } from "./transforms/control/switch-map.js";
export {
  select, dynamicSlice, dynamicUpdateSlice, dynamicIndexInDim, associativeScan, stopGradient,
  cumsum, cumprod, cummax, cummin, cumlogsumexp, sort, topK,
} from "./core/lax-api.js";
