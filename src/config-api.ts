// The public config namespace: thread count (runtime) and jit settings.
export { threads, setThreads, flushSubnormals } from "./core/config.js";
export { logCompiles, jitCacheSize } from "./transforms/jit.js";
