// A benchmark-only kernel: chunk c writes the id of the thread that ran it (-1 on the calling
// thread) into out[c]. bench/threshold.ts registers it here and on the workers (workerModules)
// to time the bare cost of a job.
import { isMainThread, threadId } from "node:worker_threads";
import { defineKernel } from "../../src/core/backend/kernel.js";

export const probe = defineKernel<[chunks: number, out: Int32Array], { out: Int32Array }>({
  name: "probe",
  cost: () => 1e12,
  plan: ([chunks, out]) => ({ job: { out }, units: chunks, unitNs: 1, per: 1 }),
  run: ({ out }, c) => {
    out[c] = isMainThread ? -1 : threadId;
  },
});

export const kernels = { probe };
