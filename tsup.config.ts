import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "compat/index": "src/compat/index.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  target: "es2022",
  splitting: true,
  sourcemap: false,
});
