// Jacobians by vmapping the JVP over a basis of tangents (jacfwd) or the VJP over a basis of
// cotangents (jacrev); hessian = jacfwd ∘ jacrev. Results nest output tree over input tree,
// each block of shape out.shape ++ in.shape.
import type { Tan } from "../core/primitive.js";
import { isFloat } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { unflatten, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";
import { checkFunction, flattenOneArg, flattenToTensors, normArgnums, requireFloat } from "./args.js";
import { jvpFlat } from "./jvp.js";
import { FlatFn, linearizeFlat, type GradOptions } from "./vjp.js";
import { transformScope } from "../core/trace.js";
import { backwardPass } from "./transpose.js";
import { vmapFlat } from "./vmap.js";
import { checkOptions } from "../core/numpy/options.js";

/** Rows of eye(total) for one leaf at `offset`, shaped [total, ...shape]. */
function basisFor(total: number, offset: number, leaf: { shape: readonly number[]; dtype: Tensor["dtype"] }): Tensor {
  const n = sizeOf(leaf.shape);
  const e = ops.eye(total, n, { k: -offset, dtype: leaf.dtype });
  return ops.reshape(e, [total, ...leaf.shape]);
}

function offsets(leaves: readonly { shape: readonly number[] }[]): number[] {
  const o: number[] = [];
  let acc = 0;
  for (const l of leaves) {
    o.push(acc);
    acc += sizeOf(l.shape);
  }
  return o;
}

interface Prepared {
  ff: FlatFn;
  inLeaves: Tensor[];
  /** structure of the differentiated arguments as the result reports them */
  inTree: TreeDef;
}

/** Picks the differentiated arguments; the rest are closed over. */
function prepare(api: string, f: (...a: any[]) => unknown, opts: GradOptions, args: unknown[]): Prepared {
  const argnums = normArgnums(api, opts.argnums, args.length);
  const single = typeof opts.argnums === "number" || opts.argnums === undefined;
  const sel = single ? args[argnums[0]!] : argnums.map((i) => args[i]);
  const [inLeaves, inTree] = single ? flattenOneArg(api, sel, "argument") : flattenToTensors(api, sel, "argument");
  const [, callTree] = flattenToTensors(api, [sel], "argument");
  requireFloat(api, inLeaves, "the differentiated argument");
  const g = (d: unknown) => {
    const full = [...args];
    if (single) full[argnums[0]!] = d;
    else argnums.forEach((k, i) => (full[k] = (d as unknown[])[i]));
    return f(...full);
  };
  return { ff: new FlatFn(api, g, callTree, opts.hasAux), inLeaves, inTree };
}

/** Assembles blocks[i][j] (out leaf i, in leaf j) into the nested result tree. */
function assemble(p: Prepared, blocks: Tensor[][]): unknown {
  return p.ff.out(blocks.map((row) => unflatten(p.inTree, row)));
}

/**
 * The Jacobian of `f` by forward mode (one JVP per input element, batched with vmap): shape
 * `out.shape ++ in.shape`, over pytrees of inputs and outputs. Mirrors `jax.jacfwd`; prefer it
 * when f has fewer inputs than outputs. Options as `grad` (`argnums`, `hasAux`).
 *
 * @example
 * ```ts
 * const J = jacfwd((x: Tensor) => x.mul(x))(np.array([1, 2, 3]));
 * J; // → [[2, 0, 0], [0, 4, 0], [0, 0, 6]]
 * ```
 */
export function jacfwd(f: (...a: any[]) => unknown, opts: GradOptions = {}): (...args: any[]) => any {
  checkFunction("jacfwd", f), checkOptions("jacfwd", opts, ["argnums", "hasAux"]);
  return (...args) => transformScope("jacfwd", () => jacfwdBody(prepare("jacfwd", f, opts, args), opts));
}

function jacfwdBody(p: Prepared, opts: GradOptions): unknown {
  const total = p.inLeaves.reduce((n, l) => n + l.size, 0);
  const offs = offsets(p.inLeaves);
  const basis = p.inLeaves.map((l, j) => basisFor(total, offs[j]!, l));
  let nOut = 0;
  const res = vmapFlat(
    (tans) => {
      const [outs, touts] = jvpFlat(p.ff.call, p.inLeaves, tans, "jacfwd");
      nOut = p.ff.nOut;
      return [...touts.slice(0, nOut).map((t, i) => t ?? ops.zerosLike(outs[i]!)), ...outs.slice(nOut)];
    },
    basis,
    basis.map(() => 0),
    (n) => Array.from({ length: n }, (_, i) => (i < nOut ? 0 : null)),
    total,
  );
  // res[i]: [total, ...out_i.shape] → per input leaf: [...out_i.shape, ...in_j.shape]
  const blocks = res.slice(0, nOut).map((r) =>
    p.inLeaves.map((l, j) => {
      const rows = ops.index(r, [offs[j]!, offs[j]! + l.size]);
      const block = ops.reshape(ops.moveaxis(rows, 0, -1), [...r.shape.slice(1), ...l.shape]);
      // an int/bool output has a zero block in the input's dtype, as jacrev gives it
      return isFloat(block.dtype) ? block : ops.astype(block, l.dtype);
    }),
  );
  const jac = assemble(p, blocks);
  return opts.hasAux ? [jac, p.ff.aux(res)] : jac;
}

/**
 * The Jacobian of `f` by reverse mode (one VJP per output element, batched with vmap): shape
 * `out.shape ++ in.shape`, the same values as `jacfwd`. Mirrors `jax.jacrev`; prefer it when f
 * has fewer outputs than inputs. Options as `grad` (`argnums`, `hasAux`).
 *
 * @example
 * ```ts
 * const J = jacrev((x: Tensor) => np.stack([x.sum(), x.prod()]))(np.array([2, 3]));
 * J; // → [[1, 1], [3, 2]]
 * ```
 */
export function jacrev(f: (...a: any[]) => unknown, opts: GradOptions = {}): (...args: any[]) => any {
  checkFunction("jacrev", f), checkOptions("jacrev", opts, ["argnums", "hasAux"]);
  return (...args) => transformScope("jacrev", () => jacrevBody(prepare("jacrev", f, opts, args), opts));
}

function jacrevBody(p: Prepared, opts: GradOptions): unknown {
  const lin = linearizeFlat(p.ff.call, p.inLeaves, "jacrev");
  const outs = lin.outs.slice(0, p.ff.nOut);
  const total = outs.reduce((n, o) => n + o.size, 0);
  const offs = offsets(outs);
  const basis = outs.map((o, i) => basisFor(total, offs[i]!, o));
  const nAux = lin.outs.length - outs.length;
  const res = vmapFlat(
    (cts) => {
      const all: Tan[] = [...cts, ...new Array<Tan>(nAux).fill(null)];
      return backwardPass(lin.jaxpr, lin.consts, all).map((c, j) => c ?? ops.zerosLike(p.inLeaves[j]!));
    },
    basis,
    basis.map(() => 0),
    () => p.inLeaves.map(() => 0),
    total,
  );
  // res[j]: [total, ...in_j.shape] → per output leaf i: [...out_i.shape, ...in_j.shape]
  const blocks = outs.map((o, i) =>
    res.map((r, j) => ops.reshape(ops.index(r, [offs[i]!, offs[i]! + o.size]), [...o.shape, ...p.inLeaves[j]!.shape])),
  );
  const jac = assemble(p, blocks);
  return opts.hasAux ? [jac, p.ff.aux(lin.outs)] : jac;
}

/**
 * The Hessian of a scalar `f`: `jacfwd(jacrev(f))` (forward-over-reverse), shape
 * `in.shape ++ in.shape`. Mirrors `jax.hessian`; options as `grad`.
 *
 * @example
 * ```ts
 * hessian((x: Tensor) => x.index(0).mul(x.index(1)).mul(x.index(1)))(np.array([1, 2])); // → [[0, 4], [4, 2]]
 * ```
 */
export const hessian = (f: (...a: any[]) => unknown, opts: GradOptions = {}) => jacfwd(jacrev(f, opts), opts);
