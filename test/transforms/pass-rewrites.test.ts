// The rewriting passes of jit: identity-basis and outer-product dot_generals as broadcast
// multiplies (pass-basis.ts), transpose chains and sinking (pass-layout.ts), and fusion's cost
// rule across a broadcast (passes.ts). Each is checked on structure (the optimised jaxpr) and on
// values: against float64 references written here and against the unrewritten (eager) program.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor, grad, jacfwd, jacrev, jit, makeJaxpr, nn, numpy as np, vmap } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { typecheckJaxpr, type ClosedJaxpr } from "../../src/core/ir.js";
import { constDelta } from "../../src/transforms/pass-basis.js";

/** Deterministic values in [-1, 1) (a fixed LCG), so references are reproducible. */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
const tensor = (shape: number[], seed: number, dtype: DType = "float32") =>
  np.array(values(shape.reduce((a, b) => a * b, 1), seed), { dtype }).reshape(shape);

/** The optimised program, checked to be well typed (every rewritten equation's avals agree). */
const optimized = (f: (...a: any[]) => unknown, ...args: Tensor[]): ClosedJaxpr => {
  const cj = makeJaxpr(f, { optimized: true })(...args);
  typecheckJaxpr(cj.jaxpr);
  return cj;
};
const prims = (cj: ClosedJaxpr) => cj.jaxpr.eqns.map((e) => e.prim.name);
/** The dot_generals left, as "contract|batch" strings. */
const dots = (cj: ClosedJaxpr) => cj.jaxpr.eqns.filter((e) => e.prim.name === "dot_general").map((e) => JSON.stringify(e.params));

/** Equal element for element, +0 and −0 counted equal (a GEMM sums the zero terms into +0). */
function expectSame(a: Tensor, b: Tensor, what: string): void {
  expect([...a.shape], `${what}: shape`).toEqual([...b.shape]);
  expect(a.dtype, `${what}: dtype`).toBe(b.dtype);
  const x = a.dataSync();
  const y = b.dataSync();
  const bad: string[] = [];
  for (let i = 0; i < y.length; i++) if (!(x[i] === y[i] || (x[i] !== x[i] && y[i] !== y[i]))) bad.push(`[${i}] ${x[i]} vs ${y[i]}`);
  expect(bad.slice(0, 5), `${what}: ${bad.length} elements differ`).toEqual([]);
}
function expectClose(a: Tensor, ref: ArrayLike<number>, rtol: number, what: string): void {
  const x = a.dataSync();
  expect(x.length, `${what}: size`).toBe(ref.length);
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
  let err = 0;
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(x[i]! - ref[i]!));
  expect(err / scale, what).toBeLessThan(rtol);
}

// J[i,j] = (1 − tanh²(W x + b)_i) W[i,j], in float64
function tanhLayerJacobian(w: Tensor, b: Tensor, x: Tensor): Float64Array {
  const n = b.size;
  const [W, B, X] = [w.dataSync(), b.dataSync(), x.dataSync()];
  const jac = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = B[i]!;
    for (let k = 0; k < n; k++) s += W[i * n + k]! * X[k]!;
    const y = Math.tanh(s);
    for (let k = 0; k < n; k++) jac[i * n + k] = (1 - y * y) * W[i * n + k]!;
  }
  return jac;
}

describe("identity-basis dot_general (jacrev, jacfwd, vmap(jacrev))", () => {
  const n = 7;
  const w = tensor([n, n], 1);
  const b = tensor([n], 2);
  const x = tensor([n], 3);
  const f = (v: Tensor) => np.tanh(np.add(np.matmul(w, v), b));

  it("jacrev: the n³ contraction with the identity is gone, no transpose is left, values match float64 and eager", () => {
    const cj = optimized(jacrev(f), x);
    expect(dots(cj)).toHaveLength(1); // the forward W·x only
    expect(prims(cj)).not.toContain("transpose");
    const got = jit(jacrev(f))(x) as Tensor;
    expectClose(got, tanhLayerJacobian(w, b, x), 1e-5, "jacrev vs float64");
    expectSame(got, jacrev(f)(x) as Tensor, "jit vs eager");
  });

  it("jacfwd: the basis is pushed forward; the transposes of the result cancel", () => {
    const cj = optimized(jacfwd(f), x);
    expect(dots(cj)).toHaveLength(1);
    expect(prims(cj)).not.toContain("transpose");
    const got = jit(jacfwd(f))(x) as Tensor;
    expectClose(got, tanhLayerJacobian(w, b, x), 1e-5, "jacfwd vs float64");
    expectSame(got, jacfwd(f)(x) as Tensor, "jit vs eager");
  });

  it("vmap(jacrev) of a row map (a batched cotangent scaling the basis): one dot left, float64 reference", () => {
    const [B, m] = [5, 4];
    const wm = tensor([m, m], 4);
    const xs = tensor([B, m], 5);
    const g = (row: Tensor) => np.tanh(np.matmul(row, wm));
    const cj = optimized(vmap(jacrev(g)), xs);
    expect(dots(cj)).toHaveLength(1);
    const got = jit(vmap(jacrev(g)))(xs) as Tensor;
    // J[b,i,j] = (1 − y[b,i]²) W[j,i], y = tanh(x W)
    const [X, W] = [xs.dataSync(), wm.dataSync()];
    const ref = new Float64Array(B * m * m);
    for (let r = 0; r < B; r++)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += X[r * m + k]! * W[k * m + i]!;
        const t = Math.tanh(s);
        for (let j = 0; j < m; j++) ref[(r * m + i) * m + j] = (1 - t * t) * W[j * m + i]!;
      }
    expectClose(got, ref, 1e-5, "vmap(jacrev) vs float64");
    expectSame(got, vmap(jacrev(g))(xs) as Tensor, "jit vs eager");
    // vmap(jacfwd): the same Jacobians; its result transpose moves onto the small weight matrix
    const cf = optimized(vmap(jacfwd(g)), xs);
    expect(dots(cf)).toHaveLength(1);
    expect(prims(cf)).not.toContain("transpose");
    expectClose(jit(vmap(jacfwd(g)))(xs) as Tensor, ref, 1e-5, "vmap(jacfwd) vs float64");
    expectSame(jit(vmap(jacfwd(g)))(xs) as Tensor, vmap(jacfwd(g))(xs) as Tensor, "vmap(jacfwd): jit vs eager");
  });

  it("float64 programs are rewritten too and stay exact", () => {
    const [w64, b64, x64] = [tensor([n, n], 1, "float64"), tensor([n], 2, "float64"), tensor([n], 3, "float64")];
    const f64 = (v: Tensor) => np.tanh(np.add(np.matmul(w64, v), b64));
    expect(dots(optimized(jacrev(f64), x64))).toHaveLength(1);
    const got = jit(jacrev(f64))(x64) as Tensor;
    expect(got.dtype).toBe("float64");
    expectClose(got, tanhLayerJacobian(w64, b64, x64), 1e-13, "float64 jacrev vs float64");
    expectSame(got, jacrev(f64)(x64) as Tensor, "jit vs eager");
  });
});

describe("a constant basis (np.eye closed over), on either side", () => {
  const n = 6;
  const a = tensor([n, n], 11);
  const v = tensor([n], 12);
  const eye = np.eye(n);
  const cases: [string, (x: Tensor) => Tensor, (i: number, j: number) => number][] = [
    ["A · I", (x) => np.matmul(x, eye), (i, j) => a0(i, j)],
    ["I · A", (x) => np.matmul(eye, x), (i, j) => a0(i, j)],
    ["A · (I·diag v)", (x) => np.matmul(x, np.multiply(eye, v)), (i, j) => a0(i, j) * v0(j)],
    ["(I·v[:,None]) · A", (x) => np.matmul(np.multiply(v.reshape([n, 1]), eye), x), (i, j) => v0(i) * a0(i, j)],
    ["Aᵀ · I (contracting A's rows)", (x) => np.matmul(x.T, eye), (i, j) => a0(j, i)],
  ];
  const A = a.dataSync();
  const V = v.dataSync();
  const a0 = (i: number, j: number) => A[i * n + j]!;
  const v0 = (i: number) => V[i]!;
  for (const [name, f, ref] of cases) {
    it(`${name}: rewritten, equal to the GEMM and to float64`, () => {
      expect(dots(optimized(f, a)), name).toHaveLength(0);
      const got = jit(f)(a);
      const expected = Float64Array.from({ length: n * n }, (_, k) => ref(Math.floor(k / n), k % n));
      expectClose(got, expected, 1e-6, `${name} vs float64`);
      expectSame(got, f(a), `${name}: jit vs eager`);
    });
  }

  it("a batched basis (an identity per batch entry) under batch dimensions", () => {
    const B = 3;
    const xs = tensor([B, n, n], 13);
    const eyes = np.broadcastTo(eye, [B, n, n]).add(0); // a materialised [B,n,n] constant
    const f = (x: Tensor) => np.matmul(x, eyes);
    expect(dots(optimized(f, xs))).toHaveLength(0);
    expectSame(jit(f)(xs), xs, "X · I = X");
    expectSame(jit(f)(xs), f(xs), "jit vs eager");
  });

  it("look-alikes stay GEMMs: a shifted diagonal, a 2 on the diagonal, an extra off-diagonal 1, int32", () => {
    const near = np.eye(n).dataSync().slice();
    near[3 * n + 3] = 2;
    const extra = np.eye(n).dataSync().slice();
    extra[1] = 1;
    const lookalikes = [np.eye(n, { k: 1 }), np.array(near).reshape([n, n]), np.array(extra).reshape([n, n])];
    for (const [k, m] of lookalikes.entries()) {
      const f = (x: Tensor) => np.matmul(x, m);
      expect(dots(optimized(f, a)), `look-alike ${k}`).toHaveLength(1);
      expectSame(jit(f)(a), f(a), `look-alike ${k}: jit vs eager`);
    }
    const ai = np.array(values(n * n, 14).map((t) => Math.round(t * 50)), { dtype: "int32" }).reshape([n, n]);
    const ei = np.eye(n, { dtype: "int32" });
    const fi = (x: Tensor) => np.matmul(x, ei);
    expect(dots(optimized(fi, ai))).toHaveLength(1);
    expectSame(jit(fi)(ai), ai, "int32 X · I");
  });

  it("constDelta finds the identity's axes, broadcast over the others, and nothing else", () => {
    expect(constDelta(np.eye(4))).toEqual({ p: 0, q: 1 });
    expect(constDelta(np.broadcastTo(np.eye(3).reshape([3, 1, 3]), [3, 2, 3]).add(0))).toEqual({ p: 0, q: 2 });
    expect(constDelta(np.eye(4, { k: 1 }))).toBeNull();
    expect(constDelta(np.ones([3, 3]))).toBeNull();
    expect(constDelta(np.eye(1))).toBeNull();
  });
});

describe("outer products (vmap(grad) of a dot)", () => {
  it("per-example logistic-loss gradients: no contraction-free dot_general left; float64 reference", () => {
    const [B, D] = [6, 5];
    const [w, X] = [tensor([D], 21), tensor([B, D], 22)];
    const y = np.array(values(B, 23).map((t) => (t > 0 ? 1 : 0))).astype("float32");
    const loss = (wv: Tensor, xv: Tensor, yv: Tensor) => {
      const z = np.dot(xv, wv);
      return np.subtract(nn.softplus(z), np.multiply(yv, z));
    };
    const g = vmap(grad(loss), [null, 0, 0]) as (...a: Tensor[]) => Tensor;
    expect(dots(optimized(g, w, X, y))).toEqual([JSON.stringify({ contract: [[1], [0]], batch: [[], []] })]);
    const got = jit(g)(w, X, y);
    const [W, XX, Y] = [w.dataSync(), X.dataSync(), y.dataSync()];
    const ref = new Float64Array(B * D);
    for (let i = 0; i < B; i++) {
      let z = 0;
      for (let j = 0; j < D; j++) z += XX[i * D + j]! * W[j]!;
      const r = 1 / (1 + Math.exp(-z)) - Y[i]!;
      for (let j = 0; j < D; j++) ref[i * D + j] = r * XX[i * D + j]!;
    }
    expectClose(got, ref, 1e-5, "vs float64");
    expectSame(got, g(w, X, y), "jit vs eager");
  });

  it("np.outer and a batched outer product with the batch axis last", () => {
    const [u, v] = [tensor([4], 31), tensor([3], 32)];
    const f = (a: Tensor, b: Tensor) => np.outer(a, b);
    expect(dots(optimized(f, u, v))).toHaveLength(0);
    expectSame(jit(f)(u, v), f(u, v), "outer");
    const [p, q] = [tensor([4, 2], 33), tensor([3, 2], 34)];
    const h = (a: Tensor, b: Tensor) => np.einsum("ib,jb->bij", a, b);
    expectSame(jit(h)(p, q), h(p, q), "einsum ib,jb->bij");
  });
});

describe("layouts and the fusion cost rule", () => {
  it("transpose(transpose(x)) is x, and a transpose sinks through a product when that frees it", () => {
    const x = tensor([3, 4], 41);
    const s = tensor([4], 42);
    const f = (t: Tensor) => np.multiply(t.T, s.reshape([4, 1])).T;
    const cj = optimized(f, x);
    expect(prims(cj)).not.toContain("transpose");
    expectSame(jit(f)(x), f(x), "jit vs eager");
    const g = (t: Tensor) => np.transpose(np.transpose(t.reshape([3, 1, 4]), [2, 1, 0]), [1, 2, 0]);
    expect(prims(optimized(g, x))).toEqual(["reshape"]);
    expectSame(jit(g)(x), g(x), "chain of transposes");
  });

  it("a transposed GEMM operand is read in place (the dimension numbers name the source axes)", () => {
    const [a, b] = [tensor([5, 3], 61), tensor([5, 4], 62)];
    const f = (x: Tensor, y: Tensor) => np.matmul(x.T, y);
    expect(prims(optimized(f, a, b))).toEqual(["dot_general"]);
    expectSame(jit(f)(a, b), f(a, b), "Aᵀ B");
    const [p, q] = [tensor([2, 5, 3], 63), tensor([2, 4, 3], 64)];
    const g = (x: Tensor, y: Tensor) => np.matmul(x, np.transpose(y, [0, 2, 1]));
    expect(prims(optimized(g, p, q))).toEqual(["dot_general"]);
    expectSame(jit(g)(p, q), g(p, q), "batched A Bᵀ");
    // a permutation the kernel cannot read in place keeps its transpose
    const h = (x: Tensor, y: Tensor) => np.matmul(np.transpose(x, [1, 0, 2]).reshape([5, 2, 3]), np.transpose(y, [1, 2, 0]).reshape([4, 3, 2]).sum(2).T);
    expectSame(jit(h)(p, q), h(p, q), "mixed layouts");
  });

  it("a transcendental read through a broadcast runs once per own element, not per output element", () => {
    const f = (v: Tensor, m: Tensor) => np.multiply(m, np.subtract(1, np.square(np.tanh(np.add(v, 1)))));
    const [v, m] = [tensor([8], 51), tensor([8, 8], 52)];
    const fused = optimized(f, v, m).jaxpr.eqns.filter((e) => e.prim.name === "fused").map((e) => [e.params.label, e.params.shape]);
    expect(fused.find(([l]) => String(l).includes("tanh"))?.[1]).toEqual([8]);
    expect(fused.filter(([, s]) => String(s) === "8,8").map(([l]) => String(l).includes("tanh"))).toEqual([false]);
    expectSame(jit(f)(v, m), f(v, m), "jit vs eager");
  });
});

describe("random programs producing these patterns: jit equals eager", () => {
  const unary = [np.tanh, np.sin, (t: Tensor) => np.multiply(t, t), np.exp, (t: Tensor) => np.multiply(t, 0.5)];
  it("jacfwd / jacrev / vmap(grad) of small random maps", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(unary.length - 1), { minLength: 1, maxLength: 4 }),
        fc.constantFrom("jacfwd", "jacrev", "vmapgrad"),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 1000 }),
        (ops, how, n, seed) => {
          const w = tensor([n, n], seed).mul(0.5);
          const f = (x: Tensor) => {
            let h = np.matmul(w, x);
            for (const o of ops) h = unary[o]!(h);
            return h;
          };
          if (how === "vmapgrad") {
            const g = vmap(grad((x: Tensor) => np.sum(f(x))));
            const xs = tensor([3, n], seed + 1);
            expectSame(jit(g)(xs), g(xs), `vmap(grad) ${ops}`);
          } else {
            const j = how === "jacfwd" ? jacfwd(f) : jacrev(f);
            const x = tensor([n], seed + 1);
            expectSame(jit(j)(x) as Tensor, j(x) as Tensor, `${how} ${ops}`);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("sums over leading axes read by columns (bias gradients)", () => {
  it("equal the transposed row sums bit for bit, for tree sizes around the 128-leaf splits", () => {
    for (const dtype of ["float32", "float64"] as DType[]) {
      for (const [len, cols] of [[1, 8], [100, 13], [128, 9], [129, 8], [300, 16], [1000, 10], [64, 37], [130, 256]] as const) {
        const x = tensor([len, cols], len * 31 + cols, dtype).mul(1e3);
        expectSame(np.sum(x, 0), np.sum(np.transpose(x).add(0), 1), `${dtype} [${len},${cols}]`);
      }
      const y = tensor([4, 3, 10], 7, dtype);
      expectSame(np.sum(y, [0, 1]), np.sum(np.transpose(y, [2, 0, 1]).add(0), [1, 2]), `${dtype} two leading axes`);
    }
    const z = np.array([1, Infinity, NaN, 2, 3, 4, 5, 6, 7, -Infinity, 1, 2, 3, 4, 5, 6]).reshape([2, 8]);
    expectSame(np.sum(z, 0), np.array([8, NaN, NaN, 4, 6, 8, 10, 12]), "∞ − ∞ and NaN by column");
    expectSame(np.sum(np.array([Infinity, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1, 1, 1, 1, 1, -0]).reshape([2, 8]), 0), np.array([Infinity, 2, 3, 4, 5, 6, 7, 7]), "∞ by column");
  });
});
