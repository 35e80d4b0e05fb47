// TensorFlow.js with its WebAssembly backend, loading the .wasm files from its own package in node_modules.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pkgVersion } from "../lib/env.js";
import { TFJS_HOW, TFJS_NOTES, tfjsImpls } from "./tfjs-common.js";
import type { System } from "./types.js";

export async function system(): Promise<System> {
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const require = createRequire(import.meta.url);
  // a directory path with a trailing separator: the Emscripten loader reads the files with fs in Node
  const dir = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
  wasm.setWasmPaths(dir);
  if (!(await tf.setBackend("wasm"))) throw new Error(`tfjs: wasm backend failed to initialise from ${dir}`);
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const mt = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  return {
    info: {
      package: "@tensorflow/tfjs-backend-wasm",
      version: pkgVersion("@tensorflow/tfjs-backend-wasm"),
      backend: tf.getBackend(),
      simd,
      threads: mt ? "multithread support reported" : 1,
    },
    impls: { ...tfjsImpls(tf), W10: undefined, W12: undefined },
    notes: {
      ...TFJS_NOTES,
      W10: "tfjs-backend-wasm 4.22.0 registers no Conv2DBackpropFilter kernel (a conv layer's weight gradient)",
      W12: "tfjs-backend-wasm 4.22.0 registers no Conv2DBackpropFilter kernel (a conv layer's weight gradient)",
    },
    how: TFJS_HOW,
  };
}
