// lax.switch (n branches as a balanced tree of binary conds) and lax.map (a scan whose body
// applies f, or vmap of f over chunks of batchSize).
import { ValueError, fail } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import * as ops from "../../core/numpy/index.js";
import { flatten, unflatten } from "../../core/tree.js";
import { cond } from "./cond.js";
import { scan } from "./scan.js";
import { vmap } from "../vmap.js";

/**
 * Applies `branches[index]` to the operands, the index clamped to [0, n-1] (as JAX), staging
 * every branch (their outputs must agree in structure, shapes and dtypes). Traced indices work
 * under jit, vmap (every branch runs, the results selected) and grad.
 * Mirrors jax.lax.switch.
 * @param index - an integer scalar (number or int32 Tensor).
 * @param branches - functions of the operands.
 * @param operands - pytrees passed to the chosen branch.
 * @returns the chosen branch's result.
 * @throws ValueError for an empty branch list.
 * @example
 * ```ts
 * const fns = [(x: Tensor) => x.add(1), (x: Tensor) => x.mul(10), (x: Tensor) => x.neg()];
 * lax.switch(1, fns, np.array([2])); // → [20]
 * lax.switch(7, fns, np.array([2])); // → [-2]
 * ```
 */
export function switch_(index: number | Tensor, branches: readonly ((...a: any[]) => unknown)[], ...operands: unknown[]): any {
  const n = branches.length;
  if (n === 0) throw fail(ValueError, "lax.switch: give at least one branch.");
  if (n === 1) return branches[0]!(...operands);
  const i = ops.clip(ops.astype(ops.asarray(index), "int32"), 0, n - 1);
  const go = (lo: number, hi: number, xs: unknown[]): unknown => {
    if (hi - lo === 1) return branches[lo]!(...xs);
    const mid = (lo + hi) >> 1;
    return cond(ops.less(i, mid), (...a: unknown[]) => go(lo, mid, a), (...a: unknown[]) => go(mid, hi, a), ...xs);
  };
  return go(0, n, operands);
}

/**
 * f applied to every slice of xs along its leading axis (a pytree of arrays sharing that axis),
 * the results stacked: sequentially as a scan (memory of one application), or with
 * `batchSize` as vmap over chunks of that many slices (the remainder in one last chunk).
 * Mirrors jax.lax.map.
 * @param f - a function of one slice (a pytree like xs without the leading axis).
 * @param xs - a pytree of arrays with one common leading axis.
 * @param opts.batchSize - slices per vmapped chunk (default: one at a time).
 * @returns f's results stacked along a new leading axis.
 * @example
 * ```ts
 * lax.map((x: Tensor) => x.sum(), np.array([[1, 2], [3, 4], [5, 6]])); // → [3, 7, 11]
 * lax.map((x: Tensor) => x.mul(2), np.array([1, 2, 3]), { batchSize: 2 }); // → [2, 4, 6]
 * ```
 */
export function map(f: (x: any) => unknown, xs: unknown, opts: { batchSize?: number } = {}): any {
  const bs = opts.batchSize;
  if (bs === undefined) return scan((c: null, x: unknown) => [c, f(x)], null, xs)[1];
  if (!(Number.isInteger(bs) && bs >= 1)) throw fail(ValueError, `lax.map: batchSize must be a positive integer, got ${bs}.`);
  const [leaves, def] = flatten(xs);
  const ts = leaves.map((l) => ops.asarray(l as Tensor));
  const n = ts[0]?.shape[0] ?? 0;
  const full = Math.floor(n / bs) * bs;
  const parts: unknown[] = [];
  const vf = vmap(f);
  if (full > 0) {
    const chunks = unflatten(def, ts.map((t) => ops.reshape(ops.index(t, [0, full]), [full / bs, bs, ...t.shape.slice(1)])));
    const ys = scan((c: null, x: unknown) => [c, vf(x)], null, chunks)[1];
    parts.push(mapLeaves(ys, (y) => ops.reshape(y, [full, ...y.shape.slice(2)])));
  }
  if (full < n) parts.push(vf(unflatten(def, ts.map((t) => ops.index(t, [full, n])))));
  if (parts.length === 1) return parts[0];
  const [a, da] = flatten(parts[0]);
  const [b] = flatten(parts[1]);
  return unflatten(da, a.map((y, k) => ops.concatenate([y as Tensor, b[k] as Tensor], 0)));
}

const mapLeaves = (tree: unknown, fn: (t: Tensor) => Tensor) => {
  const [ls, d] = flatten(tree);
  return unflatten(d, ls.map((l) => fn(l as Tensor)));
};
