// Reads test/fixtures/jax-semantics.json (written by scripts/fixtures/jax_semantics.py with JAX
// 0.10.2) and compares tapir tensors against its arrays: dtype, shape, and every element (NaN
// with NaN, the sign of a zero exactly, floats to a few ulps of their dtype).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { numpy as np, type Tensor } from "../../src/index.js";

export type Enc = number | boolean | string;
export interface FixArray {
  dtype: string;
  shape: number[];
  data: Enc[];
}
export interface FixError {
  error: string;
}
export interface Fixture {
  jax: string;
  cases: { op: string; args: FixArray[]; out: FixArray | FixError }[];
  grads: { op: string; x: FixArray; grad: FixArray | FixError }[];
  misc: Record<string, FixArray>;
}

export const fixture: Fixture = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/jax-semantics.json", import.meta.url)), "utf8"));

export function dec(v: Enc): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  return { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 }[v]!;
}

/** The fixture array as a tapir tensor of its dtype. */
export function toTensor(a: FixArray): Tensor {
  const flat = a.data.map(dec);
  const t = np.array(a.dtype === "bool" ? flat.map((v) => v !== 0) : flat, { dtype: a.dtype as "float32" });
  return np.reshape(t, a.shape);
}

/**
 * Indices (and a description) where `got` differs from the fixture `want`, or a dtype/shape
 * mismatch; `rtol` overrides the relative tolerance (a few ulps of the dtype by default).
 */
export function differences(got: Tensor, want: FixArray, rtol?: number): string[] {
  if (got.dtype !== want.dtype) return [`dtype ${got.dtype}, JAX ${want.dtype}`];
  if (got.shape.join(",") !== want.shape.join(",")) return [`shape [${got.shape}], JAX [${want.shape}]`];
  const g = got.dataSync();
  const tol = rtol ?? (want.dtype === "float32" ? 4e-6 : want.dtype === "float64" ? 1e-13 : 0);
  const out: string[] = [];
  want.data.forEach((e, i) => {
    const w = dec(e);
    const v = Number(g[i]);
    const ok = Number.isNaN(w) ? Number.isNaN(v) : w === 0 ? Object.is(v, w) : !Number.isFinite(w) ? v === w : Math.abs(v - w) <= tol * Math.abs(w);
    if (!ok) out.push(`[${i}] ${fmt(v)} vs JAX ${fmt(w)}`);
  });
  return out;
}
const fmt = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
