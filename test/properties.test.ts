// Property tests (fast-check, fixed seeds): on random compositions of ops and random inputs,
// derivatives match finite differences, ⟨v, J u⟩ = ⟨Jᵀ v, u⟩, jacfwd = jacrev, and
// vmap equals loop-and-stack for random in-axes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, jacfwd, jacrev, linearTranspose, nn, numpy as np, vmap } from "../src/index.js";
import { checkGrads, checkVmap, expectClose, toF64Array } from "./util/oracles.js";

/** Smooth building blocks of shape [n] → [n] (x is the original input, for binary steps). */
const OPS: Record<string, (a: Tensor, x: Tensor) => Tensor> = {
  sin: (a) => np.sin(a),
  cos: (a) => np.cos(a),
  tanh: (a) => np.tanh(a),
  atan: (a) => np.arctan(a),
  sigmoid: (a) => nn.sigmoid(a),
  softplus: (a) => nn.softplus(a),
  mulx: (a, x) => a.mul(x),
  addx: (a, x) => a.add(x),
  square: (a) => a.square(),
  gauss: (a) => np.exp(a.square().neg()),
  sumbcast: (a) => a.add(a.sum().mul(0.3)),
  cumsum: (a) => np.cumsum(a).mul(0.5),
  flip: (a) => np.flip(a),
  softmax: (a) => nn.softmax(a),
  roll: (a) => np.concatenate([a.index([1]), a.index([0, 1])]),
  outer: (a) => np.tanh(np.outer(a, a)).sum(0),
  pow: (a) => np.power(np.add(a.square(), 1), 1.5),
  lse: (a) => a.sub(np.logsumexp(a)),
  div: (a, x) => a.div(x.square().add(1)),
};
const names = Object.keys(OPS);

const compose = (prog: string[]) => (x: Tensor) => prog.reduce((a, op) => OPS[op]!(a, x), x);

const progArb = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 5 });
const vecArb = (n: number) => fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });
const f64 = (xs: number[]) => np.array(Float64Array.from(xs));

describe("properties", () => {
  it("grad / jvp / vjp of random compositions match finite differences (order 2 on a subset)", () => {
    fc.assert(
      fc.property(progArb, vecArb(4), fc.boolean(), (prog, xs, second) => {
        const f = compose(prog);
        checkGrads((x: Tensor) => f(x).sum(), [f64(xs)], { order: second ? 2 : 1, rtol: 1e-4 });
        checkGrads(f, [f64(xs)], { rtol: 1e-4 });
      }),
      { numRuns: 60, seed: 20240611 },
    );
  });

  it("float32 derivatives of random compositions stay within float32 tolerance of float64 finite differences", () => {
    fc.assert(
      fc.property(progArb, vecArb(3), (prog, xs) => {
        checkGrads((x: Tensor) => compose(prog)(x), [np.array(Float32Array.from(xs))], { dtype: "float32", rtol: 5e-3 });
      }),
      { numRuns: 30, seed: 7 },
    );
  });

  it("⟨v, J u⟩ = ⟨Jᵀ v, u⟩ for random linear maps built from structural ops", () => {
    const shapeArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }));
    // maps of a 3-d input (first step), then maps of any rank ≥ 1 (later steps)
    const LIN3: ((a: Tensor) => Tensor)[] = [
      (a) => a.transpose([2, 0, 1]),
      (a) => np.flip(a, 1),
      (a) => a.sum(1),
      (a) => a.index([null, null, -1], 0, [1]),
      (a) => np.broadcastTo(a.expandDims(0), [2, ...a.shape]),
      (a) => np.concatenate([a, a.mul(2)], 2),
      (a) => np.einsum("ijk->kj", a),
    ];
    const LINANY: ((a: Tensor) => Tensor)[] = [
      (a) => a.reshape([-1]),
      (a) => np.cumsum(a, -1),
      (a) => np.pad(a, 1),
      (a) => a.mul(np.arange(a.shape[a.ndim - 1]!, { dtype: "float64" })),
      (a) => np.take(a, np.array(Int32Array.of(0, -1, 0)), 0),
      (a) => a.T,
    ];
    fc.assert(
      fc.property(shapeArb, fc.nat({ max: LIN3.length - 1 }), fc.array(fc.nat({ max: LINANY.length - 1 }), { maxLength: 3 }), fc.integer(), (shape, first, steps, seed) => {
        const f = (a: Tensor) => steps.reduce((acc, s) => LINANY[s]!(acc), LIN3[first]!(a));
        const u = np.array(Float64Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => Math.sin(seed + i * 1.3))).reshape(shape);
        const fu = f(u);
        const v = np.array(Float64Array.from({ length: fu.size }, (_, i) => Math.cos(seed * 0.7 + i))).reshape([...fu.shape]);
        const [ftv] = linearTranspose(f, u)(v) as Tensor[];
        const lhs = toF64Array(v).reduce((s, vv, i) => s + vv * toF64Array(fu)[i]!, 0);
        const rhs = toF64Array(ftv!).reduce((s, w, i) => s + w * toF64Array(u)[i]!, 0);
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * Math.max(1, Math.abs(lhs)));
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it("jacfwd = jacrev on random compositions", () => {
    fc.assert(
      fc.property(progArb, vecArb(3), (prog, xs) => {
        const f = compose(prog);
        expectClose(jacfwd(f)(f64(xs)) as Tensor, jacrev(f)(f64(xs)) as Tensor, { rtol: 1e-11, atol: 1e-12 });
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it("vmap = loop-and-stack for random compositions and batch axes", () => {
    fc.assert(
      fc.property(progArb, fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 1, -1), fc.integer(), (prog, B, axis, seed) => {
        const f = compose(prog);
        const n = 3;
        const shape = axis === 0 ? [B, n] : [n, B];
        const x = np.array(Float64Array.from({ length: B * n }, (_, i) => Math.sin(seed + 0.9 * i))).reshape(shape);
        checkVmap(f, axis, [x], { rtol: 1e-12, atol: 1e-12 });
      }),
      { numRuns: 60, seed: 5 },
    );
  });

  it("vmap = loop-and-stack for binary functions with random inAxes (null included)", () => {
    const BIN: ((a: Tensor, b: Tensor) => Tensor)[] = [
      (a, b) => a.mul(b).sum(),
      (a, b) => np.matmul(a.reshape([1, -1]), b.reshape([-1, 1])),
      (a, b) => np.where(np.greater(a, b), a, b.mul(2)),
      (a, b) => np.stack([a, b], 1).cumsum(0),
      (a, b) => np.einsum("i,j->ij", a, b),
      (a, b) => np.take(a, np.argmax(b)),
    ];
    const axisArb = fc.constantFrom<number | null>(0, 1, null);
    fc.assert(
      fc.property(fc.nat({ max: BIN.length - 1 }), axisArb, axisArb, fc.integer({ min: 1, max: 3 }), (k, ia, ib, B) => {
        if (ia === null && ib === null) return;
        const mk = (ax: number | null, off: number) =>
          ax === null ? f64([0.3 + off, -0.2, 0.7]) : np.array(Float64Array.from({ length: 3 * B }, (_, i) => Math.cos(off + i))).reshape(ax === 0 ? [B, 3] : [3, B]);
        checkVmap(BIN[k]!, [ia, ib], [mk(ia, 1), mk(ib, 2)], { rtol: 1e-12, atol: 1e-12 });
      }),
      { numRuns: 60, seed: 9 },
    );
  });

  it("nested vmap over both axes equals the elementwise function", () => {
    fc.assert(
      fc.property(progArb.filter((p) => p.every((o) => ["sin", "cos", "tanh", "atan", "sigmoid", "softplus", "square", "gauss", "mulx", "addx", "pow", "div"].includes(o))), vecArb(6), (prog, xs) => {
        const f = compose(prog);
        const X = f64(xs).reshape([2, 3]);
        const nested = vmap(vmap((s: Tensor) => f(s))) (X) as Tensor;
        expectClose(nested, f(X), { rtol: 1e-13, atol: 1e-14 });
      }),
      { numRuns: 30, seed: 13 },
    );
  });

  it("basic indexing with ranges matches Python slice semantics (negative steps, clamping, None)", () => {
    /** Python's range(*slice(start, stop, step).indices(n)) */
    const pySlice = (n: number, start: number | null, stop: number | null, step: number | null): number[] => {
      const st = step ?? 1;
      const norm = (v: number | null, dflt: number, lo: number, hi: number) => (v === null ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi));
      const [a, b] = st > 0 ? [norm(start, 0, 0, n), norm(stop, n, 0, n)] : [norm(start, n - 1, -1, n - 1), norm(stop, -1, -1, n - 1)];
      const out: number[] = [];
      for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(i);
      return out;
    };
    const bound = fc.option(fc.integer({ min: -9, max: 9 }), { nil: null });
    const step = fc.option(fc.integer({ min: -3, max: 3 }).filter((v) => v !== 0), { nil: null });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), bound, bound, step, (n, a, b, st) => {
        const got = Array.from(np.arange(n).index([a, b, st]).dataSync());
        expect(got).toEqual(pySlice(n, a, b, st));
      }),
      { numRuns: 300, seed: 17 },
    );
    // two axes: a range on each, or an integer and a range
    fc.assert(
      fc.property(bound, bound, step, fc.integer({ min: -3, max: 2 }), (a, b, st, i) => {
        const x = np.arange(15).reshape([3, 5]);
        const rows = pySlice(3, a, b, st);
        const cols = pySlice(5, b, a, st);
        expect(x.index([a, b, st], [b, a, st]).toArray()).toEqual(rows.map((r) => cols.map((c) => r * 5 + c)));
        expect(Array.from(x.index(i, [a, b, st]).dataSync())).toEqual(pySlice(5, a, b, st).map((c) => (i < 0 ? i + 3 : i) * 5 + c));
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});
