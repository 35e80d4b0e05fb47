// Scatters with a combiner along one axis: `scatter` (set, add: linear in x and the updates)
// and `scatter_apply` (mul, min, max). x [..axis, n, rest], idx int32 of any shape I, updates
// [..axis, ...I, rest]. A negative index counts from the end once; an index still outside
// [0, n) drops its update (JAX's scatter default). The gradient of x.at[i].get() is the existing
// gather's transpose (scatter_add); these are the rules of x.at[i].set/add/multiply/min/max.
import { definePrimitive, type Prim, type BatchRule, type JvpRule, UndefPrimal, batchToFront, type Tan } from "../primitive.js";
import { DTypeError, NoRuleError, ShapeError, fail } from "../errors.js";
import { backend, type ScatterMode } from "../backend/index.js";
import { fmtShape, shapeEq, sizeOf } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import {
  add, and, convert, div, eq, full, gather, ge, iota, lt, max, moveaxis, mul, reshape, scalarLike, select, zerosLike,
} from "../lax.js";

type LinearParams = { axis: number; mode: "set" | "add" };
type ApplyParams = { axis: number; mode: "mul" | "min" | "max"; uniqueIndices: boolean };

const updShape = (x: Aval, idx: Aval, axis: number) => [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];

function scatterAval(name: string) {
  return ([x, idx, u]: [Aval, Aval, Aval], { axis }: { axis: number }): Aval[] => {
    if (idx.dtype !== "int32") throw fail(DTypeError, `${name}: indices must be int32, got ${idx.dtype}.`);
    if (u.dtype !== x.dtype) throw fail(DTypeError, `${name}: updates (${u.dtype}) must have the operand's dtype (${x.dtype}); convert them with astype.`);
    const want = updShape(x, idx, axis);
    if (!shapeEq(u.shape, want)) throw fail(ShapeError, `${name}: updates of shape ${fmtShape(u.shape)} do not fit operand ${fmtShape(x.shape)} indexed by ${fmtShape(idx.shape)} along axis ${axis}; they must have shape ${fmtShape(want)}.`);
    return [{ shape: x.shape, dtype: x.dtype }];
  };
}

function scatterImpl([x, idx, u]: [Tensor, Tensor, Tensor], { axis, mode }: { axis: number; mode: ScatterMode }): Tensor[] {
  const out = emptyTensor(x.shape, x.dtype);
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  backend().scatter(mode, x._data, outer, x.shape[axis]!, inner, idx._data, u._data, out._data);
  return [out];
}

/** The kernels' index rule: idx + n where negative; in range? */
const normalized = (idx: Tensor, n: number): [Tensor, Tensor] => {
  const w = select(lt(idx, scalarLike(idx, 0)), add(idx, scalarLike(idx, n)), idx);
  return [w, and(ge(w, scalarLike(w, 0)), lt(w, scalarLike(w, n)))];
};
/** A mask of idx's shape placed where idx's axes sit in an updates-shaped value (axis `axis`). */
const placeMask = (m: Tensor, axis: number, rank: number) => reshape(m, [...new Array<number>(axis).fill(1), ...m.shape, ...new Array<number>(rank - axis - m.ndim).fill(1)]);
/** v[..., idx, ...] along axis, zero where the index is dropped (the transpose of scatter-add). */
function gatherValid(v: Tensor, idx: Tensor, axis: number): Tensor {
  const [w, ok] = normalized(idx, v.shape[axis]!);
  const g = gather(v, w, axis);
  return select(placeMask(ok, axis, g.ndim), g, scalarLike(g, 0));
}
/** For "set" with repeated indices: true at the update that wins (the last one), per index. */
function winners(idx: Tensor, n: number): Tensor {
  const flat = reshape(idx, [idx.size]);
  const ids = iota([idx.size], 0, "int32");
  const [w, ok] = normalized(flat, n);
  const last = bind1(scatterP, [full([n], -1, "int32"), w, ids], { axis: 0, mode: "set" });
  return reshape(and(ok, eq(gather(last, w, 0), ids)), idx.shape);
}

/**
 * Batching: every operand's batch axis to the front; with batched indices the batch is folded
 * into the indexed axis (x [.., B·n, ..], idx + b·n, a dropped index stays out of range).
 */
function scatterBatch<P extends { axis: number }>(): BatchRule<P, 3> {
  return ([x, idx, u], [dx, di, du], params, size, self) => {
    const xb = batchToFront(x, dx, size);
    const ub = batchToFront(u, du, size);
    const { axis } = params;
    if (di === null) return [[bind1(self, [xb, idx, ub], { ...params, axis: axis + 1 })], [0]];
    const n = xb.shape[axis + 1]!;
    const ib = batchToFront(idx, di, size);
    const xs = moveaxis(xb, 0, axis);
    const xf = reshape(xs, [...xs.shape.slice(0, axis), size * n, ...xs.shape.slice(axis + 2)]);
    const [w, ok] = normalized(ib, n);
    const b = reshape(iota([size], 0, "int32"), [size, ...ib.shape.slice(1).map(() => 1)]);
    const folded = select(ok, add(w, mul(b, scalarLike(b, n))), scalarLike(w, size * n));
    const out = bind1(self, [xf, folded, moveaxis(ub, 0, axis)], params);
    return [[reshape(out, [...out.shape.slice(0, axis), size, n, ...out.shape.slice(axis + 1)])], [axis]];
  };
}

// set: out = x with out[idx[j]] = upd[j] (last wins); add: out = x + Σ upd[j] at idx[j].
// Linear in (x, upd): transposes are ct (add) or ct with the written places zeroed (set) for x,
// and ct gathered at idx (only the winning update of each place, for set) for upd.
export const scatterP: Prim<"scatter", LinearParams> = definePrimitive<"scatter", LinearParams, 3>({
  name: "scatter",
  abstractEval: scatterAval("scatter"),
  impl: scatterImpl,
  batch: scatterBatch<LinearParams>(),
  linearity: "linear",
  jvp: ([x, idx, u], [dx, , du], params, self) => {
    const out = bind1(self, [x, idx, u], params);
    if (!dx && !du) return [[out], [null]];
    return [[out], [bind1(self, [dx ?? zerosLike(x), idx, du ?? zerosLike(u)], params)]];
  },
  transpose: ([ct], [x, idx, u], { axis, mode }) => {
    const i = idx as Tensor;
    let cx: Tan = null, cu: Tan = null;
    if (x instanceof UndefPrimal) cx = mode === "add" ? ct : bind1(scatterP, [ct, i, full(updShape(ct, i, axis), 0, ct.dtype)], { axis, mode: "set" });
    if (u instanceof UndefPrimal) {
      const g = gatherValid(ct, i, axis);
      cu = mode === "add" ? g : select(placeMask(winners(i, ct.shape[axis]!), axis, g.ndim), g, scalarLike(g, 0));
    }
    return [cx, null, cu];
  },
});

/** The tangent of scatter-mul: dx·Π(updates at each place) + (unique indices) x[idx]·du scattered. */
const mulJvp: JvpRule<ApplyParams, 3> = ([x, idx, u], [dx, , du], params, self) => {
  const out = bind1(self, [x, idx, u], params);
  let t: Tan = dx ? mul(dx, bind1(self, [full(x.shape, 1, x.dtype), idx, u], params)) : null;
  if (du) {
    if (!params.uniqueIndices) {
      throw fail(NoRuleError, "at(...).multiply: the derivative with respect to the updates is defined only for unique indices (as in JAX); pass { uniqueIndices: true } when no index repeats, or differentiate with respect to x only.");
    }
    const term = bind1(scatterP, [zerosLike(x), idx, mul(gatherValid(x, idx, params.axis), du)], { axis: params.axis, mode: "add" });
    t = t ? add(t, term) : term;
  }
  return [[out], [t]];
};
/**
 * The tangent of scatter-min/max (JAX's rule): at each place, the mean of the tangents of the
 * values equal to the result — the old value and every update that attains it.
 */
const extremumJvp: JvpRule<ApplyParams, 3> = ([x, idx, u], [dx, , du], params, self) => {
  const out = bind1(self, [x, idx, u], params);
  if (!dx && !du) return [[out], [null]];
  const { axis } = params;
  const mx = convert(eq(x, out), x.dtype);
  const [, ok] = normalized(idx, x.shape[axis]!);
  const hit = and(eq(u, gatherValid(out, idx, axis)), placeMask(ok, axis, u.ndim));
  const mu = convert(hit, u.dtype);
  const count = add(mx, bind1(scatterP, [zerosLike(x), idx, mu], { axis, mode: "add" }));
  const dxPart = dx ? mul(dx, mx) : null;
  const duPart = du ? bind1(scatterP, [zerosLike(x), idx, mul(du, mu)], { axis, mode: "add" }) : null;
  const num = dxPart && duPart ? add(dxPart, duPart) : (dxPart ?? duPart)!;
  return [[out], [div(num, max(count, scalarLike(count, 1)))]];
};

// mul: out = x · Π upd[j] at idx[j]; min/max: out = min/max(x, upd[j] at idx[j]) (NaN propagates)
export const scatterApplyP: Prim<"scatter_apply", ApplyParams> = definePrimitive<"scatter_apply", ApplyParams, 3>({
  name: "scatter_apply",
  abstractEval: scatterAval("scatter_apply"),
  impl: scatterImpl,
  batch: scatterBatch<ApplyParams>(),
  jvp: (primals, tangents, params, self) => (params.mode === "mul" ? mulJvp : extremumJvp)(primals, tangents, params, self),
});

