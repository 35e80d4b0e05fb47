// The public tree namespace.
export { map, flatten, unflatten, leaves } from "./core/tree.js";
export type { TreeDef, PyTree } from "./core/tree.js";
