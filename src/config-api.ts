// The public config namespace: thread count (runtime) and jit settings.
export { threads, setThreads } from "./core/config.js";
export { logCompiles, jitCacheSize } from "./transforms/jit.js";
