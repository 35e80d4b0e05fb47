// Shape arithmetic: sizes, strides, broadcasting and axis normalisation.
import { AxisError, ShapeError, fail } from "./errors.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
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
