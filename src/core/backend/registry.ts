// The kernel registry: every kernel kind the backend runs, by the name of its backend call. The
// calling thread (threaded.ts, index.ts) and each pool worker (worker.ts) import this module, so
// a job names its kernel by key and every thread runs the same code.
//
// Adding a kernel: write its entry (kernel.ts: cost, plan, run) in kernels/, add it here. The
// Backend interface, the inline and the threaded backends, the worker and the pool's messages
// follow from this table.
import type { AnyKernel } from "./kernel.js";
import { elementwise } from "./elementwise.js";
import { copyStrided } from "./kernels/copy.js";
import { cumsum, reduceRows } from "./kernels/reduce.js";
import { gather, scatterAdd } from "./kernels/gather.js";
import { iota } from "./kernels/iota.js";
import { randomBits } from "./kernels/random.js";
import { matmul } from "./kernels/matmul.js";
import { scatter } from "./kernels/scatter.js";
import { sort, topK } from "./kernels/sort.js";
import { cumulative } from "./kernels/cumulative.js";
import { conv } from "./kernels/conv.js";
import { reduceWindow } from "./kernels/window.js";
import { linalg } from "./kernels/linalg.js";

export const KERNELS = { elementwise, copyStrided, reduceRows, matmul, cumsum, gather, scatterAdd, iota, randomBits, conv, reduceWindow, linalg, scatter, sort, topK, cumulative } as const;

export type KernelName = keyof typeof KERNELS;

/** Kernels added at run time (tests add fault-injecting kernels; see `registerKernels`). */
const extra = new Map<string, AnyKernel>();

/** The kernel a job names, or undefined. */
export function kernelByName(name: string): AnyKernel | undefined {
  return (KERNELS as Record<string, AnyKernel>)[name] ?? extra.get(name);
}

/**
 * Adds kernels to this thread's registry (the built-in names cannot be replaced). A pool started
 * with `workerModules` has each worker import those modules and register their exported
 * `kernels` the same way, so a job naming one runs on every thread. @internal tests
 */
export function registerKernels(kernels: Record<string, AnyKernel>): void {
  for (const [name, k] of Object.entries(kernels)) {
    if (name in KERNELS) throw new Error(`registerKernels: "${name}" is a built-in kernel`);
    extra.set(name, k);
  }
}

/** The registry name of a kernel object, for job messages. */
export function nameOfKernel(k: AnyKernel): string | undefined {
  for (const [name, v] of Object.entries(KERNELS)) if (v === k) return name;
  for (const [name, v] of extra) if (v === k) return name;
  return undefined;
}
