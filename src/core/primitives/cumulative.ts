// Cumulative products, maxima, minima and log-sum-exps along an axis (cumsum is in reduce.ts).
// Their derivatives are JAX's: the JVP of the associative scan of the pairwise combiner, run
// on (value, tangent) pairs — linear in the tangents, so it transposes (reverse mode) too.
import { definePrimitive, type Prim, type JvpRule } from "../primitive.js";
import { DTypeError, fail } from "../errors.js";
import { backend, type CumulativeOp } from "../backend/index.js";
import { sizeOf } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { abs, add, and, div, eq, exp, isfinite, isnan, log1p, max, min, mul, neg, not, scalarLike, select, sub } from "../lax.js";
import { associativeScanList } from "../assoc-scan.js";

type CumParams = { axis: number; reverse: boolean };
type Pair = [Tensor, Tensor];
/** (a, da) ⊕ (b, db): the combiner and its JVP (JAX's jvp rule of the binary op). */
type PairCombine = (a: Pair, b: Pair) => Pair;

/** JAX's _balanced_eq: 1 where x attains z, halved where y attains it too. */
const balanced = (x: Tensor, z: Tensor, y: Tensor) => {
  const one = scalarLike(z, 1);
  return div(select(eq(x, z), one, scalarLike(z, 0)), select(eq(y, z), scalarLike(z, 2), one));
};
const extremum = (op: typeof max): PairCombine => ([a, da], [b, db]) => {
  const z = op(a, b);
  return [z, add(mul(da, balanced(a, z, b)), mul(db, balanced(b, z, a)))];
};
/** log(eᵃ + eᵇ) as jnp.logaddexp: NaN-safe, exact at equal infinities. */
function logaddexp(a: Tensor, b: Tensor): Tensor {
  const m = max(a, b);
  const d = sub(a, b);
  return select(isnan(d), add(a, b), add(m, log1p(exp(neg(abs(d))))));
}
/** ±∞ → 0 (JAX's _replace_inf), so e^(a - z) stays finite where a = z = -∞. */
const finiteOr0 = (x: Tensor) => select(and(not(isfinite(x)), not(isnan(x))), scalarLike(x, 0), x);
const COMBINE: Record<CumulativeOp, PairCombine> = {
  prod: ([a, da], [b, db]) => [mul(a, b), add(mul(da, b), mul(a, db))],
  max: extremum(max),
  min: extremum(min),
  logsumexp: ([a, da], [b, db]) => {
    const z = logaddexp(a, b);
    const w = (v: Tensor) => exp(sub(finiteOr0(v), finiteOr0(z)));
    return [z, add(mul(da, w(a)), mul(db, w(b)))];
  },
};

function cumulative<N extends string>(name: N, op: CumulativeOp): Prim<N, CumParams> {
  const jvp: JvpRule<CumParams, 1> = ([x], [t], params, self) => {
    const out = bind1(self, [x], params);
    if (!t) return [[out], [null]];
    const c = COMBINE[op];
    const [, tan] = associativeScanList((a, b) => c(a as Pair, b as Pair), [x, t], params.axis, params.reverse);
    return [[out], [tan!]];
  };
  return definePrimitive<N, CumParams, 1>({
    name,
    abstractEval: ([x]) => {
      if (x.dtype === "bool" || (op === "logsumexp" && x.dtype === "int32")) throw fail(DTypeError, `${name}: not defined for ${x.dtype} inputs; convert with astype("${op === "logsumexp" ? "float32" : "int32"}").`);
      return [{ shape: x.shape, dtype: x.dtype }];
    },
    impl: ([x], { axis, reverse }) => {
      const out = emptyTensor(x.shape, x.dtype);
      backend().cumulative(op, x._data, sizeOf(x.shape.slice(0, axis)), x.shape[axis]!, sizeOf(x.shape.slice(axis + 1)), reverse, out._data);
      return [out];
    },
    jvp,
    batch: ([x], [d], { axis, reverse }, _n, self) => [[bind1(self, [x], { axis: axis >= d! ? axis + 1 : axis, reverse })], [d!]],
  });
}

// out[i] = Π_{j ≤ i} x[j] (j ≥ i reversed); d: the JVP of the scan of (a, da)·(b, db)
export const cumprodP = cumulative("cumprod", "prod");
// out[i] = max_{j ≤ i} x[j]; d: the scan's JVP with lax.max's balanced tie rule
export const cummaxP = cumulative("cummax", "max");
// out[i] = min_{j ≤ i} x[j]
export const cumminP = cumulative("cummin", "min");
// out[i] = log Σ_{j ≤ i} exp x[j]; d: the scan's JVP with logaddexp's rule
export const cumlogsumexpP = cumulative("cumlogsumexp", "logsumexp");
