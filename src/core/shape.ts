// Shape arithmetic: sizes, strides, broadcasting and axis normalisation.
import { AxisError, ShapeError, fail } from "./errors.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The most elements one tensor may hold: 2³¹ − 1. Kernels index with int32 arithmetic, gather
 * indices are int32, and a float32 tensor at the limit is already 8 GiB; a larger request is a
 * mistake to report by name, not a `RangeError: Array buffer allocation failed` from deep inside.
 */
export const MAX_SIZE = 2 ** 31 - 1;

/** How a value that should be a dimension prints in a message (NaN, 2.5, "3", undefined…). */
function fmtDim(d: unknown): string {
  return typeof d === "number" ? String(d) : typeof d === "string" ? JSON.stringify(d) : d === null ? "null" : typeof d === "bigint" ? `${d}n` : typeof d === "object" ? (Array.isArray(d) ? "a list" : "an object") : String(d);
}

/**
 * THE shape validator: every shape that enters the library from a user (creation functions,
 * random draws, reshape and broadcast targets, sizes such as `eye(n)` or `split(key, n)`) passes
 * through here. Each dimension must be a non-negative safe integer and the product at most
 * {@link MAX_SIZE}, so no tensor with a NaN, fractional or negative size can exist (such a
 * size once reached the worker pool as a NaN job count and hung it). `what` names the
 * argument (`"shape"`, `"n"`, `"num"`…) in the message; a single number is a 1-d shape.
 * With `infer` (reshape), one dimension may be -1; it is returned as -1 for the caller to fill.
 */
export function checkShape(api: string, shape: unknown, what = "shape", opts: { infer?: boolean } = {}): number[] {
  const isList = Array.isArray(shape) || ArrayBuffer.isView(shape);
  if (!isList && typeof shape !== "number") {
    throw fail(ShapeError, `${api}: ${what} must be a list of non-negative integers (or one integer), got ${describeValue(shape)}.`);
  }
  const s: number[] = isList ? Array.from(shape as ArrayLike<number>) : [shape as number];
  const shown = () => (isList ? `[${s.map(fmtDim).join(", ")}]` : fmtDim(shape));
  let inferred = -1;
  for (let i = 0; i < s.length; i++) {
    const d = s[i];
    if (opts.infer && d === -1) {
      if (inferred >= 0) throw fail(ShapeError, `${api}: ${what} ${shown()} has more than one -1; at most one dimension can be inferred.`);
      inferred = i;
      continue;
    }
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      const why = typeof d !== "number" ? `is ${fmtDim(d)}, not a number` : Number.isNaN(d) ? "is NaN" : !Number.isFinite(d) ? "is infinite" : d < 0 ? "is negative" : "is not an integer";
      const fix = typeof d === "number" && Number.isFinite(d) && !Number.isInteger(d) ? ` (round it, e.g. Math.floor(${d}))` : "";
      throw fail(ShapeError, `${api}: invalid ${what} ${shown()}: ${isList ? `dimension ${i}` : "it"} ${why}. Sizes must be non-negative integers${fix}.`);
    }
  }
  let n = 1;
  for (const d of s) if (d !== -1) n *= d;
  if (n > MAX_SIZE) {
    throw fail(
      ShapeError,
      `${api}: ${what} ${shown()} has ${n.toExponential(3)} elements, more than the ${MAX_SIZE} one tensor may hold. Use a smaller ${what} (or split the work into chunks).`,
    );
  }
  return s;
}

/** A short description of any JS value for an error message. */
export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") return `${typeof x} ${String(x)}`;
  if (typeof x === "function") return `a function${x.name ? ` (${x.name})` : ""}`;
  if (typeof x === "symbol") return String(x);
  if (Array.isArray(x)) return `a list of ${x.length}`;
  const t = x as { shape?: unknown; dtype?: unknown };
  if (Array.isArray(t.shape) && typeof t.dtype === "string") return `a tensor ${t.dtype}[${t.shape.join(",")}]`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  const name = Object.getPrototypeOf(x)?.constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapeEq(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** numpy broadcasting of several shapes; `api` names the caller in the error. */
export function broadcastShapes(api: string, ...shapes: Shape[]): number[] {
  // fast paths (most calls): two equal shapes, or one of them a scalar
  if (shapes.length === 2) {
    const [a, b] = shapes as [Shape, Shape];
    if (b.length === 0 || a === b || shapeEq(a, b)) return a as number[];
    if (a.length === 0) return b as number[];
  }
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      const d = s[i]!;
      const o = out[j]!;
      if (o === 1) out[j] = d;
      else if (d !== 1 && d !== o) {
        throw fail(
          ShapeError,
          `${api}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together ` +
            `(axis ${j - nd} has sizes ${o} and ${d}). Reshape or expand one operand so each axis matches or is 1.`,
        );
      }
    }
  }
  return out;
}

/** Normalise one axis (negative counts from the end). */
export function normAxis(api: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw fail(AxisError, `${api}: axis ${axis} is out of bounds for an array of rank ${ndim}; use an axis in [${-ndim}, ${ndim - 1}].`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalise an axis argument (undefined/null = all axes), sorted, without repeats. */
export function normAxes(api: string, axis: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normAxis(api, a, ndim));
  if (new Set(out).size !== out.length) {
    throw fail(AxisError, `${api}: repeated axis in ${JSON.stringify(list)}; name each axis once.`);
  }
  return out.sort((a, b) => a - b);
}

export function isPermutation(perm: readonly number[], n: number): boolean {
  if (perm.length !== n) return false;
  const seen = new Set(perm);
  return seen.size === n && perm.every((p) => Number.isInteger(p) && p >= 0 && p < n);
}

export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}
