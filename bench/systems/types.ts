// What a benchmarked system provides: one setup function per case, returning the timed call.
import type { CaseId, Inputs } from "../lib/workloads.js";

/** The outputs of one call, read back into JS typed arrays, in the order the case's reference uses. */
export type Readback = ArrayLike<number>[];
/** One timed call: does the work and reads the result back. */
export type RunFn = () => Readback;
/** Builds the system's tensors from the shared inputs (untimed) and returns the timed call. */
export type Impl = (inp: Inputs) => RunFn | Promise<RunFn>;

/** Thrown when a system lacks a feature a case needs (e.g. `jit` not exported): the table shows n/a. */
export class NotAvailable extends Error {
  override readonly name = "NotAvailable";
}

export interface System {
  /** Facts for latest.json: version, backend, thread count… */
  readonly info: Readonly<Record<string, string | number | boolean>>;
  readonly impls: Partial<Record<CaseId, Impl>>;
  /** Why a case has no impl (shown as n/a with this reason). */
  readonly notes?: Partial<Record<CaseId, string>>;
  /** How a case is computed where that is not the obvious one-liner (e.g. a hand-batched Jacobian). */
  readonly how?: Partial<Record<CaseId, string>>;
}

export type Family = "tapir" | "peer";

export interface SystemEntry {
  readonly id: string;
  readonly label: string;
  readonly family: Family;
  /** Imports the system lazily, so a missing package or module makes this system n/a, not the run. */
  readonly load: () => Promise<System>;
}
