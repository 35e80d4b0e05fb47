import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "compat/index": "src/compat/index.ts",
    // The pool starts `new URL("./kernel-worker.js", import.meta.url)` from the chunk that holds
    // pool.ts, which tsup writes to dist/: the worker must sit there under the same base name.
    "kernel-worker": "src/core/backend/kernel-worker.js",
  },
  format: ["esm"],
  // the bench builds JS only (TAPIR_NO_DTS=1): declarations take most of the build time
  dts: process.env.TAPIR_NO_DTS ? false : { entry: { index: "src/index.ts", "compat/index": "src/compat/index.ts" } },
  clean: true,
  target: "es2022",
  splitting: true,
  sourcemap: false,
});
