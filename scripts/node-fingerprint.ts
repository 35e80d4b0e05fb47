// Prints a fingerprint of tapir's matrix products on the Node running it, so that CI can check that
// Node 20, 22 and 24 give the same bits (.ci/run compares the lines; run: npx tsx scripts/node-fingerprint.ts).
//
// Why they should: the GEMM's default wasm module does each multiply and each add as its own IEEE
// operation in a fixed order (no fused multiply-add, whatever the engine offers), and the plain-JS
// path does the same, so neither the V8 version nor the thread count can change a result. Relaxed
// SIMD (FMA), which Node 22 and 24 validate by default and Node 20 only behind a flag, is opt-in.
// Inputs come from an integer LCG, not Math.*, so they too are the same on every engine.
import { createHash } from "node:crypto";
import { numpy as np } from "../src/index.js";

const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [3, 4, 5], // the plain-JS path
  [1, 500, 77], // a row times a matrix
  [67, 129, 45], // odd sizes: edge tiles
  [256, 300, 200], // large enough to run on the worker pool
];

function lcg(seed: number, n: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1);
}

const hash = createHash("sha256");
for (const dtype of ["float32", "float64"] as const)
  for (const [i, [m, k, n]] of SHAPES.entries()) {
    const a = np.array(lcg(2 * i + 1, m * k), { dtype }).reshape([m, k]);
    const b = np.array(lcg(2 * i + 2, k * n), { dtype }).reshape([k, n]);
    const c = a.matmul(b).dataSync();
    hash.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  }
process.stdout.write(`matmul fingerprint ${hash.digest("hex").slice(0, 32)} (float32 and float64, ${SHAPES.length} shapes each)\n`);
