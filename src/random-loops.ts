// Random samplers with rejection loops (gamma, beta, dirichlet, poisson): each loop is a
// lax.whileLoop over the whole draw, so it traces under jit and batches under vmap (a batch of
// keys included); an element's value depends only on the key and the shape, never on threads.
// (Above core: the loop construct lives in transforms/.)
import type { DType } from "./core/dtype.js";
import { DTypeError, NoRuleError, fail } from "./core/errors.js";
import { checkShape } from "./core/shape.js";
import type { ArrayLike, Tensor } from "./core/tensor.js";
import * as np from "./core/numpy/index.js";
import { checkOptions } from "./core/numpy/options.js";
import { gammaln } from "./core/special.js";
import { normal, split, uniform, type Key } from "./core/random.js";
import { whileLoop } from "./transforms/control.js";
import { customJvp } from "./transforms/custom.js";

function floatDType(api: string, dtype: DType | undefined): "float32" | "float64" {
  const d = dtype ?? "float32";
  if (d !== "float32" && d !== "float64") throw fail(DTypeError, `random.${api}: draws floats; dtype must be "float32" or "float64", got ${JSON.stringify(d)}.`);
  return d;
}
/** Uniform in [tiny, 1): never 0. */
const positiveUniform = (k: Key, shape: readonly number[], d: DType) => np.maximum(uniform(k, shape, { dtype: d }), d === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38);
/**
 * The identity on a shape parameter, whose derivative is an error: the loop's pathwise derivative
 * (the accepted normal held fixed) is not the sample's derivative in the parameter (JAX uses
 * implicit reparameterization, which tapir lacks), so no answer beats a wrong one.
 */
const noDerivative = (api: string) =>
  customJvp(
    (a: Tensor) => a,
    () => {
      throw fail(NoRuleError, `random.${api}: draws are not differentiable with respect to the shape parameters here (JAX differentiates them by implicit reparameterization, which tapir does not implement); hold them constant with stopGradient.`);
    },
  );
const guards = new Map<string, (a: Tensor) => Tensor>();
const guarded = (api: string, a: Tensor): Tensor => {
  let g = guards.get(api);
  if (g === undefined) guards.set(api, (g = noDerivative(api)));
  return g(a);
};
/** Whether any element is still false (the loops' condition). */
const anyPending = (done: Tensor) => np.greater(np.sum(np.astype(np.logicalNot(done), "int32")), 0);

interface GammaCarry {
  key: Tensor;
  done: Tensor;
  x: Tensor;
}
/**
 * Gamma(a, 1) draws by Marsaglia and Tsang's method: with d = a − 1/3 and c = 1/√(9d), draw z
 * standard normal and u uniform until v = (1 + cz)³ > 0 and log u < z²/2 + d − dv + d·log v, and
 * return d·v — inside a lax.whileLoop over all elements at once (each keeps its first accepted
 * candidate). For a < 1 the draw for a + 1 is multiplied by u^(1/a).
 * Mirrors jax.random.gamma. Differs: not differentiable in `a` (JAX uses implicit
 * reparameterization); a derivative with respect to `a` is a NoRuleError (not a wrong number).
 * @param k - an int32[2] key.
 * @param a - the shape parameter(s), > 0 (a number or tensor).
 * @param shape - the result's shape, default a's shape.
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a positive float tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key, shape or dtype; ShapeError when a does not
 *   broadcast; NoRuleError under a derivative with respect to `a`.
 * @example
 * ```ts
 * const g = random.gamma(random.key(0), 3, [4000]);
 * Math.abs(g.mean().item() - 3) < 0.15; // → true
 * ```
 */
export function gamma(k: Key, a: ArrayLike, shape?: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.gamma", opts, ["dtype"]);
  const d = floatDType("gamma", opts.dtype);
  const a0 = guarded("gamma", np.astype(a, d));
  const s = checkShape("random.gamma", shape ?? a0.shape);
  const alpha = np.broadcastTo(a0, s);
  const [kBoost, kLoop] = [np.index(split(k), 0), np.index(split(k), 1)];
  if (alpha.size === 0) return np.zeros(s, { dtype: d });
  const small = np.less(alpha, 1);
  const dd = np.subtract(np.where(small, np.add(alpha, 1), alpha), 1 / 3);
  const c = np.divide(1, np.sqrt(np.multiply(9, dd)));
  const boost = np.where(small, np.power(positiveUniform(kBoost, s, d), np.divide(1, alpha)), 1);
  const init: GammaCarry = { key: kLoop, done: np.zeros(s, { dtype: "bool" }), x: np.zeros(s, { dtype: d }) };
  const out = whileLoop(
    (st: GammaCarry) => anyPending(st.done),
    (st: GammaCarry): GammaCarry => {
      const ks = split(st.key, 3);
      const z = normal(np.index(ks, 1), s, { dtype: d });
      const u = positiveUniform(np.index(ks, 2), s, d);
      const v = np.power(np.add(1, np.multiply(c, z)), 3);
      const pos = np.greater(v, 0);
      const logv = np.log(np.where(pos, v, 1));
      const bound = np.add(np.multiply(0.5, np.square(z)), np.add(np.subtract(dd, np.multiply(dd, v)), np.multiply(dd, logv)));
      const accept = np.logicalAnd(pos, np.less(np.log(u), bound));
      return { key: np.index(ks, 0), done: np.logicalOr(st.done, accept), x: np.where(np.logicalAnd(accept, np.logicalNot(st.done)), np.multiply(dd, v), st.x) };
    },
    init,
  ) as GammaCarry;
  return np.multiply(out.x, boost);
}

/**
 * Beta(a, b) draws as X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
 * Mirrors jax.random.beta (not differentiable in a, b; see {@link gamma}).
 * @param k - an int32[2] key.
 * @param a - the first shape parameter(s), > 0.
 * @param b - the second, > 0 (broadcasts with a).
 * @param shape - the result's shape, default the broadcast shape of a and b.
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape, in [0, 1].
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * const x = random.beta(random.key(0), 2, 6, [4000]);
 * Math.abs(x.mean().item() - 0.25) < 0.02; // → true
 * ```
 */
export function beta(k: Key, a: ArrayLike, b: ArrayLike, shape?: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.beta", opts, ["dtype"]);
  const d = floatDType("beta", opts.dtype);
  const s = shape ?? np.add(np.asarray(a), np.asarray(b)).shape;
  const ks = split(k);
  const x = gamma(np.index(ks, 0), np.broadcastTo(np.astype(a, d), s), s, { dtype: d });
  const y = gamma(np.index(ks, 1), np.broadcastTo(np.astype(b, d), s), s, { dtype: d });
  return np.divide(x, np.add(x, y));
}

/**
 * Dirichlet(α) draws: independent Gamma(αᵢ) draws normalized to sum to 1 along the last axis.
 * Mirrors jax.random.dirichlet (not differentiable in α; see {@link gamma}).
 * @param k - an int32[2] key.
 * @param alpha - concentrations [..., K], > 0.
 * @param shape - the batch shape, default alpha's without the last axis.
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of shape [...shape, K] whose rows sum to 1.
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * random.dirichlet(random.key(0), [1, 2, 3], [4]).sum(-1).toArray(); // → [1, 1, 1, 1]
 * ```
 */
export function dirichlet(k: Key, alpha: ArrayLike, shape?: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.dirichlet", opts, ["dtype"]);
  const d = floatDType("dirichlet", opts.dtype);
  const al = np.astype(alpha, d);
  const K = al.shape[al.ndim - 1] ?? 1;
  const s = checkShape("random.dirichlet", [...(shape ?? al.shape.slice(0, -1)), K]);
  const g = gamma(k, np.broadcastTo(al, s), s, { dtype: d });
  return np.divide(g, np.sum(g, -1, { keepdims: true }));
}

interface KnuthCarry {
  key: Tensor;
  done: Tensor;
  n: Tensor;
  p: Tensor;
}
interface PtrsCarry {
  key: Tensor;
  done: Tensor;
  n: Tensor;
}
/**
 * Poisson(λ) draws: for λ < 10 Knuth's method (multiply uniforms until the product falls below
 * e^(−λ); the count of factors before that), for λ ≥ 10 Hörmann's transformed rejection (PTRS,
 * as numpy and JAX) — each a lax.whileLoop over the elements still drawing.
 * Mirrors jax.random.poisson.
 * @param k - an int32[2] key.
 * @param lam - the rate(s) λ ≥ 0 (a number or tensor).
 * @param shape - the result's shape, default lam's shape.
 * @returns an int32 tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key or shape.
 * @example
 * ```ts
 * const n = random.poisson(random.key(0), 4, [4000]);
 * Math.abs(n.astype("float32").mean().item() - 4) < 0.2; // → true
 * random.poisson(random.key(0), 0, [3]).toArray(); // → [0, 0, 0]
 * ```
 */
export function poisson(k: Key, lam: ArrayLike, shape?: readonly number[]): Tensor {
  const l0 = np.astype(lam, "float64");
  const s = checkShape("random.poisson", shape ?? l0.shape);
  const l = np.broadcastTo(l0, s);
  if (l.size === 0) return np.zeros(s, { dtype: "int32" });
  const ks = split(k);
  const small = np.less(l, 10);
  // Knuth: n factors until Π u ≤ e^(−λ); the draw is n − 1
  const limit = np.exp(np.negative(l));
  const knuth = whileLoop(
    (st: KnuthCarry) => anyPending(st.done),
    (st: KnuthCarry): KnuthCarry => {
      const kk = split(st.key);
      const p = np.where(st.done, st.p, np.multiply(st.p, uniform(np.index(kk, 1), s, { dtype: "float64" })));
      return { key: np.index(kk, 0), done: np.logicalOr(st.done, np.lessEqual(p, limit)), n: np.where(st.done, st.n, np.add(st.n, 1)), p };
    },
    { key: np.index(ks, 0), done: np.logicalNot(small), n: np.zeros(s, { dtype: "int32" }), p: np.ones(s, { dtype: "float64" }) },
  ) as KnuthCarry;
  // PTRS (Hörmann 1993), on λ ≥ 10 only (λ = 10 stands in elsewhere, its draws unused)
  const lb = np.where(small, 10, l);
  const slam = np.sqrt(lb);
  const loglam = np.log(lb);
  const b = np.add(0.931, np.multiply(2.53, slam));
  const a = np.add(-0.059, np.multiply(0.02483, b));
  const invalpha = np.add(1.1239, np.divide(1.1328, np.subtract(b, 3.4)));
  const vr = np.subtract(0.9277, np.divide(3.6224, np.subtract(b, 2)));
  const ptrs = whileLoop(
    (st: PtrsCarry) => anyPending(st.done),
    (st: PtrsCarry): PtrsCarry => {
      const kk = split(st.key, 3);
      const U = np.subtract(uniform(np.index(kk, 1), s, { dtype: "float64" }), 0.5);
      const V = uniform(np.index(kk, 2), s, { dtype: "float64" });
      const us = np.subtract(0.5, np.abs(U));
      const kf = np.floor(np.add(np.multiply(np.add(np.divide(np.multiply(2, a), us), b), U), np.add(lb, 0.43)));
      const quick = np.logicalAnd(np.greaterEqual(us, 0.07), np.lessEqual(V, vr));
      const reject = np.logicalOr(np.less(kf, 0), np.logicalAnd(np.less(us, 0.013), np.greater(V, us)));
      const lhs = np.subtract(np.add(np.log(V), np.log(invalpha)), np.log(np.add(np.divide(a, np.square(us)), b)));
      const kSafe = np.maximum(kf, 0);
      const rhs = np.subtract(np.add(np.negative(lb), np.multiply(kSafe, loglam)), gammaln(np.add(kSafe, 1)));
      const accept = np.logicalOr(quick, np.logicalAnd(np.logicalNot(reject), np.lessEqual(lhs, rhs)));
      const take = np.logicalAnd(accept, np.logicalNot(st.done));
      return { key: np.index(kk, 0), done: np.logicalOr(st.done, accept), n: np.where(take, np.astype(kf, "int32"), st.n) };
    },
    { key: np.index(ks, 1), done: small, n: np.zeros(s, { dtype: "int32" }) },
  ) as PtrsCarry;
  return np.where(small, np.subtract(knuth.n, 1), ptrs.n);
}
