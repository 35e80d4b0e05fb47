// The slice of tapir's public API (spec/API.md) the suite uses, loaded at run time so that a core still being
// written makes the tapir rows n/a instead of breaking the run or the typecheck.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { NotAvailable } from "./types.js";

export interface TTensor {
  readonly shape: readonly number[];
  /** `{ copy: false }`: the storage itself (tapir after 1ab006f; older builds ignore it and copy) */
  dataSync(opts?: { copy?: boolean }): ArrayLike<number>;
  dispose?(): void;
  reshape(shape: number[]): TTensor;
  astype?(dtype: string): TTensor;
  at?(...specs: unknown[]): { get(): TTensor };
}
export type TFn = (...args: TTensor[]) => unknown;
type Op1 = (x: TTensor) => TTensor;
type Op2 = (x: TTensor | number, y: TTensor | number) => TTensor;

export interface TapirNumpy {
  array(data: Float32Array, opts?: { dtype?: string }): TTensor;
  add: Op2;
  subtract: Op2;
  multiply: Op2;
  power: Op2;
  matmul: Op2;
  dot: Op2;
  square: Op1;
  tanh: Op1;
  sin: Op1;
  cos: Op1;
  exp: Op1;
  sum(x: TTensor, axis?: number | number[]): TTensor;
  mean(x: TTensor, axis?: number | number[]): TTensor;
  sort?(x: TTensor): TTensor;
  argsort?(x: TTensor): TTensor;
  einsum?(spec: string, ...xs: TTensor[]): TTensor;
  // W11 (linear algebra; absent in an older tapir: the W11 rows then fail as errors, the rest run)
  divide: Op2;
  log: Op1;
  diag: Op1;
  eye(n: number, opts?: { dtype?: string }): TTensor;
  zeros(shape: number[], opts?: { dtype?: string }): TTensor;
  linalg: { cholesky: Op1 };
}

export interface Tapir {
  numpy: TapirNumpy;
  nn: { softplus: Op1 };
  grad(f: TFn, opts?: { argnums?: number | number[] }): TFn;
  jit(f: TFn): TFn;
  vmap(f: TFn, inAxes?: number | null | (number | null)[]): TFn;
  jacrev(f: TFn): TFn;
  hessian(f: TFn): TFn;
  config?: { threads?(): number };
  lax: {
    linalg: { triangularSolve(a: TTensor, b: TTensor, opts: { leftSide?: boolean; lower?: boolean; transposeA?: boolean }): TTensor };
    topK?(x: TTensor, k: number): TTensor[];
    scan?(f: (carry: TTensor, x: TTensor) => [TTensor, TTensor | null], init: TTensor, xs: TTensor): [TTensor, unknown];
  };
}

/** The convolution and pooling names W10 uses (checked when its case is set up). */
export interface ConvApi {
  lax: { convGeneralDilated(x: TTensor, k: TTensor, strides: number[], padding: string, opts: object): TTensor };
  nn: { maxPool(x: TTensor, window: number[], strides: number[]): TTensor; relu: Op1; logSoftmax: Op1 };
}

/** A module specifier resolved from this file, hidden from tsc so bench/ typechecks before src/ exists. */
export async function importTapir(rel: string, what: string): Promise<Record<string, unknown>> {
  // bench/run.ts --baseline points TAPIR_BENCH_DIST at another build's dist/
  const base = process.env["TAPIR_BENCH_DIST"];
  const url = base && rel.startsWith("../../dist/") ? pathToFileURL(join(base, rel.slice("../../dist/".length))).href : new URL(rel, import.meta.url).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new NotAvailable(`${what} failed to import: ${msg}`);
  }
}

/** Checks the names the suite calls exist, so a missing one reads as n/a naming it. */
export function requireNames(mod: Record<string, unknown>, names: string[], where: string): void {
  const missing = names.filter((n) => {
    const path = n.split(".");
    let v: unknown = mod;
    for (const p of path) v = v == null ? undefined : (v as Record<string, unknown>)[p];
    return typeof v !== "function";
  });
  if (missing.length) throw new NotAvailable(`${where} lacks ${missing.map((m) => `\`${m}\``).join(", ")}`);
}

export const asTensors = (out: unknown): TTensor[] => (Array.isArray(out) ? (out as TTensor[]) : [out as TTensor]);
