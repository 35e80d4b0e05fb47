// The public tree namespace.
export { map, flatten, unflatten, leaves } from "./core/tree.js";
