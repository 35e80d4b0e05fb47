// Messages from a bench child process (bench/child.ts) to the runner (bench/run.ts), and the result records.
import type { Timing } from "./measure.js";
import type { CaseId } from "./workloads.js";

export type Status = "ok" | "wrong" | "na" | "error" | "timeout";

export interface CaseResult {
  readonly case: CaseId;
  readonly status: Status;
  readonly reason?: string;
  /** max |got − ref| / max |ref|, measured before timing. */
  readonly relErr?: number;
  /** Passed the check only through the case's flush-to-zero slack (its subnormal values read as 0). */
  readonly flushed?: boolean;
  readonly timing?: Timing;
  readonly how?: string;
}

export type ChildMsg =
  | { readonly type: "phase"; readonly case: string; readonly phase: "loading" | "reference" | "check" | "timing" }
  | { readonly type: "system"; readonly ok: boolean; readonly info?: Readonly<Record<string, string | number | boolean>>; readonly reason?: string }
  | ({ readonly type: "result" } & CaseResult);
