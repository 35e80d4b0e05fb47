import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "compat/index": "src/compat/index.ts",
    // The pool starts `new URL("./kernel-<role>.js", import.meta.url)` from the chunk that holds
    // worker-url.ts, which tsup writes to dist/: the thread modules must sit there under these
    // names. They import the kernel registry, which lands in chunks of dist/ shared with index.
    "kernel-worker": "src/core/backend/worker.ts",
    "kernel-supervisor": "src/core/backend/supervisor.ts",
  },
  // ESM for import, CommonJS for require("tapir"); `shims` gives the CJS build an import.meta.url, so
  // both start the same ESM thread modules (dist/kernel-*.js)
  format: ["esm", "cjs"],
  shims: true,
  // the bench builds JS only (TAPIR_NO_DTS=1): declarations take most of the build time
  dts: process.env.TAPIR_NO_DTS ? false : { entry: { index: "src/index.ts", "compat/index": "src/compat/index.ts" } },
  clean: true,
  target: "es2022",
  splitting: true,
  sourcemap: false,
});
