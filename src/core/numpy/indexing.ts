// Indexing in the numpy layer: basic indexing (numbers, null, "...", ranges; the public
// `index` that adds advanced indexing is in advanced-indexing.ts) and take (gather along an axis).
import { ShapeError, ValueError, fail } from "../errors.js";
import { fmtShape, normAxis } from "../shape.js";
import type { ArrayLike, IndexSpec, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, tensor } from "./convert.js";
import { reshape } from "./shape.js";

/**
 * Gathers elements along an axis at integer indices (of the flattened x when no axis is given).
 * An index in [-n, 0) counts from the end; other out-of-range indices clamp to [0, n - 1].
 * Mirrors numpy.take / jax.numpy.take, except for out-of-range indices: numpy raises and JAX
 * fills with NaN by default; tapir clamps (JAX's mode="clip").
 * @param x - any shape and dtype.
 * @param indices - integers of any shape (converted to int32).
 * @param axis - the axis to gather along (negative counts from the end); default: flatten x first.
 * @returns shape x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:], x's dtype.
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.take([10, 20, 30], [2, 0]); // → [30, 10]
 * np.take([[1, 2], [3, 4]], [1], 1); // → [[2], [4]]
 * np.take([10, 20, 30], [-1, 5]); // → [30, 30]
 * ```
 */
export function take(x: ArrayLike, indices: ArrayLike, axis?: number): Tensor {
  let t = tensor(x);
  const idx = astype(tensor(indices), "int32");
  if (axis === undefined) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  const a = normAxis("take", axis, t.ndim);
  return lax.gather(t, idx, a);
}

// ------------------------------------------------------------------ basic indexing

const SPEC_FORMS = 'an integer, null (a new axis), "..." or a range [start, stop?, step?] of integers or nulls';
const showSpec = (s: unknown): string =>
  typeof s === "string" ? JSON.stringify(s) : Array.isArray(s) ? `[${s.map(showSpec).join(", ")}]` : s !== null && typeof s === "object" ? safeJson(s) : String(s);
const safeJson = (o: object): string => {
  try {
    return JSON.stringify(o) ?? String(o);
  } catch {
    return String(o);
  }
};

/** Rejects an index spec that is none of the accepted forms (strings like "0:2", objects, fractions, NaN). */
function checkSpec(s: unknown, k: number): void {
  const intOrNull = (v: unknown) => v === null || v === undefined || (typeof v === "number" && Number.isInteger(v));
  const ok = s === null || s === "..." || (typeof s === "number" && Number.isInteger(s)) || (Array.isArray(s) && s.length >= 1 && s.length <= 3 && s.every(intOrNull));
  if (ok) return;
  const hint = typeof s === "string" && s.includes(":") ? ` (numpy's "${s}" is written as a range: [${s.split(":").map((p) => (p.trim() === "" ? "null" : p.trim())).join(", ")}])` : "";
  throw fail(ValueError, `index: the index at position ${k} is ${showSpec(s)}, which is not a valid index${hint}. Each index is ${SPEC_FORMS}.`);
}

/** Basic indexing (numbers, null, "...", ranges): the basic half of {@link index} (advanced-indexing.ts). */
export function basicIndex(x: ArrayLike, ...specs: IndexSpec[]): Tensor {
  const t = tensor(x);
  specs.forEach(checkSpec);
  const ell = specs.filter((s) => s === "...").length;
  if (ell > 1) throw fail(ShapeError, "index: at most one '...' is allowed.");
  const consumed = specs.filter((s) => s !== null && s !== "...").length;
  if (consumed > t.ndim) throw fail(ShapeError, `index: too many indices (${consumed}) for ${fmtShape(t.shape)}.`);
  const full: IndexSpec[] = [];
  for (const s of specs) {
    if (s === "...") for (let i = 0; i < t.ndim - consumed; i++) full.push([null, null, null]);
    else full.push(s);
  }
  while (full.filter((s) => s !== null).length < t.ndim) full.push([null, null, null]);
  const starts: number[] = [];
  const limits: number[] = [];
  const strides: number[] = [];
  const revAxes: number[] = [];
  const outShape: number[] = [];
  let ax = 0;
  for (const s of full) {
    if (s === null) {
      outShape.push(1);
      continue;
    }
    const n = t.shape[ax]!;
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < -n || s >= n) {
        throw fail(ShapeError, `index: index ${s} is out of bounds for axis ${ax} with size ${n}.`);
      }
      const i = s < 0 ? s + n : s;
      starts.push(i), limits.push(i + 1), strides.push(1);
    } else {
      const r = s as readonly [number | null, (number | null)?, (number | null)?];
      const step = r[2] ?? 1;
      if (step === 0) throw fail(ValueError, "index: slice step cannot be zero.");
      const norm = (v: number | null | undefined, dflt: number) => {
        if (v === null || v === undefined) return dflt;
        const w = v < 0 ? v + n : v;
        return step > 0 ? Math.min(Math.max(w, 0), n) : Math.min(Math.max(w, -1), n - 1);
      };
      const lo = norm(r[0], step > 0 ? 0 : n - 1);
      const hi = norm(r[1], step > 0 ? n : -1);
      if (step > 0) {
        starts.push(lo), limits.push(Math.max(lo, hi)), strides.push(step);
        outShape.push(Math.max(0, Math.ceil((hi - lo) / step)));
      } else {
        // x[lo:hi:-k] = rev(x)[n-1-lo : n-1-hi : k]
        revAxes.push(ax);
        const rlo = n - 1 - lo;
        const rhi = n - 1 - hi;
        starts.push(rlo), limits.push(Math.max(rlo, rhi)), strides.push(-step);
        outShape.push(Math.max(0, Math.ceil((rhi - rlo) / -step)));
      }
    }
    ax++;
  }
  let r = revAxes.length ? lax.rev(t, revAxes) : t;
  const trivial = starts.every((v, i) => v === 0 && limits[i] === t.shape[i] && strides[i] === 1);
  if (!trivial) r = lax.slice(r, starts, limits, strides);
  return reshape(r, outShape);
}

