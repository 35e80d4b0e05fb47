// jit and makeJaxpr: jit equals eager bit for bit over compositions with every transform (the
// per-primitive checkJit rows live in test/primitives.test.ts); the printed IR where its shape matters; the signature
// cache counted by side effects during tracing; concretization and leak errors; and the arena
// counters of a jitted training step.
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import {
  ConcretizationError,
  Tensor,
  TracerLeakError,
  ValueError,
  config,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  makeJaxpr,
  nn,
  numpy as np,
  tree,
  valueAndGrad,
  vmap,
} from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { backend } from "../../src/core/backend/index.js";
import { checkGrads, checkVmap, expectClose } from "../util/oracles.js";
import { checkJit, expectBitEqual, optimizedJaxpr, primNames } from "../util/jit-oracles.js";
import { rng, type Rng } from "../util/rng.js";

const FLOATS: DType[] = ["float32", "float64"];
const f64 = (x: number | number[] | number[][]) => np.array(x, { dtype: "float64" });

// ------------------------------------------------------------------ input generators

function typed(data: readonly number[], dtype: DType, shape: number[]): Tensor {
  const arr = dtype === "float32" ? Float32Array.from(data) : dtype === "float64" ? Float64Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Uint8Array.from(data);
  return np.array(arr, { dtype }).reshape(shape);
}

/** Seeded values: floats in [lo, hi), ints in [lo, hi], bools. */
function gen(r: Rng, dtype: DType, shape: number[], lo = -2, hi = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, () =>
    dtype === "bool" ? (r.next() < 0.5 ? 1 : 0) : dtype === "int32" ? r.int(Math.ceil(lo), Math.floor(hi) + 1) : r.uniform(lo, hi),
  );
  return typed(data, dtype, shape);
}

// ------------------------------------------------------------------ compositions

const mlpLoss = (p: { w1: Tensor; b1: Tensor; w2: Tensor }, x: Tensor) => np.sum(np.square(np.tanh(x.matmul(p.w1).add(p.b1)).matmul(p.w2)));
function mlpParams(dtype: DType, seed = 1) {
  const r = rng(seed);
  return { w1: gen(r, dtype, [3, 4], -1, 1), b1: gen(r, dtype, [4], -1, 1), w2: gen(r, dtype, [4, 2], -1, 1) };
}
const scalarF = (x: Tensor) => np.sum(np.sin(x).mul(np.exp(x.mul(0.5))).add(np.square(x).mul(x)));

describe("jit composes with every transform", () => {
  it.each(FLOATS)("jit(grad(f)) equals grad(f) bit for bit (%s)", (dtype) => {
    const x = gen(rng(3), dtype, [5]);
    checkJit(grad(scalarF), [x]);
    checkJit(grad(mlpLoss), [mlpParams(dtype), gen(rng(4), dtype, [6, 3])]);
    checkJit(valueAndGrad(mlpLoss, { argnums: [0, 1] }), [mlpParams(dtype), gen(rng(4), dtype, [6, 3])]);
  });

  it.each(FLOATS)("grad(jit(f)): derivatives against finite differences, values close to eager grad (%s)", (dtype) => {
    const x = gen(rng(5), dtype, [5]);
    checkGrads(jit(scalarF), [x], { dtype: dtype as "float32" | "float64", order: dtype === "float64" ? 2 : 1 });
    const tol = dtype === "float32" ? 1e-6 : 1e-14;
    expectClose(grad(jit(scalarF))(x), grad(scalarF)(x), { rtol: tol, atol: tol });
    const p = mlpParams(dtype);
    const xs = gen(rng(6), dtype, [6, 3]);
    const gj = grad(jit(mlpLoss))(p, xs);
    const ge = grad(mlpLoss)(p, xs);
    for (const k of ["w1", "b1", "w2"] as const) expectClose(gj[k], ge[k], { rtol: tol, atol: tol, what: k });
  });

  it("jvp(jit(f)) and jacfwd(jit(f)) against finite differences", () => {
    const x = f64([0.3, -1.2, 0.7]);
    const f = (v: Tensor) => np.tanh(v).mul(v.sum());
    checkGrads(jit(f), [x], { modes: ["fwd"] });
    expectClose(jacfwd(jit(f))(x), jacrev(f)(x), { rtol: 1e-14, atol: 1e-14 });
  });

  it("vmap(jit(f)) equals loop-and-stack", () => {
    const f = (a: Tensor, w: Tensor) => np.tanh(a.matmul(w)).sum(-1);
    const xs = gen(rng(7), "float64", [4, 2, 3]);
    const w = gen(rng(8), "float64", [3, 5]);
    checkVmap(jit(f), [0, null], [xs, w], { rtol: 1e-14, atol: 1e-14 });
    checkVmap(jit(f), [2, 1], [gen(rng(9), "float64", [2, 3, 4]), gen(rng(10), "float64", [3, 4, 5])], { rtol: 1e-14, atol: 1e-14 });
  });

  it.each(FLOATS)("jit(vmap(jacrev(f))) equals vmap(jacrev(f)) bit for bit (%s)", (dtype) => {
    const f = (v: Tensor) => np.sin(v).mul(v.sum()).add(np.square(v));
    checkJit(vmap(jacrev(f)), [gen(rng(11), dtype, [4, 3])]);
  });

  it("hessian(jit(f)) equals the closed form and hessian(f)", () => {
    // f(x) = Σ x_i³ + (Σ x_i)²: H = diag(6x) + 1·1ᵀ·2
    const f = (v: Tensor) => np.sum(v.mul(v).mul(v)).add(np.square(v.sum()));
    const x = f64([0.5, -1, 2]);
    const want = [0, 1, 2].map((i) => [0, 1, 2].map((j) => 2 + (i === j ? 6 * [0.5, -1, 2][i]! : 0)));
    expectClose(hessian(jit(f))(x), want, { rtol: 1e-13, atol: 1e-13 });
    expectClose(jit(hessian(f))(x), want, { rtol: 1e-13, atol: 1e-13 });
    expectClose(hessian(jit(f))(x), hessian(f)(x), { rtol: 1e-14, atol: 1e-14 });
  });

  it("jit inside jit: equals eager bit for bit, and the inner function is traced once", () => {
    let inner = 0;
    const g = jit((v: Tensor) => {
      inner++;
      return np.exp(v.mul(0.25)).sub(v);
    });
    const f = (v: Tensor) => g(v).mul(g(v.add(1))).sum();
    for (const dtype of FLOATS) checkJit(f, [gen(rng(12), dtype, [6])]);
    checkJit((v: Tensor) => jit(jit(f))(v).add(1), [gen(rng(13), "float32", [6])]);
    // eager calls, float32/float64, and two shapes inside the outer traces: one inner trace per signature
    const before = inner;
    jit(f)(gen(rng(14), "float32", [6]));
    expect(inner - before).toBe(0);
    checkGrads(jit(f), [gen(rng(15), "float64", [4])], { order: 2 });
  });

  // A JS number argument is traced as a weak scalar: eager x64.mul(0.1) multiplies by the
  // float64 0.1 and int32 + 3 stays int32, and so does jit.
  it("JS number arguments keep their weak typing under jit (float64 and int32 partners)", () => {
    const f = (x: Tensor, k: number) => x.mul(k).add(k);
    checkJit(f, [f64([1, 2]), 0.1]);
    checkJit(f, [np.array(Int32Array.from([1, 2])), 3]);
    checkJit(f, [np.array([1.5, 2.5]), 0.1]);
    // alone, a number becomes float32 as in eager code; integral vs fractional retraces
    checkJit((k: number) => np.sin(k), [0.3]);
    checkJit((k: number, j: number) => np.add(k, j), [2, 0.25]);
    const g = jit((x: Tensor, k: number) => x.add(k));
    const i32 = np.array(Int32Array.from([1, 2]));
    expect(g(i32, 3).dtype).toBe("int32");
    expect(g(i32, 3.5).dtype).toBe("float32");
    expect(g(i32, 4).dtype).toBe("int32");
  });

  it("jit of a pytree function: dict and list inputs and outputs", () => {
    const f = (p: { a: Tensor; b: [Tensor, Tensor] }) => ({ s: p.a.add(p.b[0]), t: [p.b[1].mul(2), p.a.sum()] });
    const r = rng(16);
    checkJit(f, [{ a: gen(r, "float32", [3]), b: [gen(r, "float32", [3]), gen(r, "float64", [2])] }]);
  });
});

// ------------------------------------------------------------------ random programs

describe("random programs over the op library", () => {
  it("jit(f) and jit(grad(f)) equal eager bit for bit (fusion, CSE, folding and liveness together)", () => {
    const C = np.array([[0.5, -1, 2, 0.25], [1, 1, -3, 0.5], [0.1, 0.2, 0.3, 0.4]]);
    const ops: ((a: Tensor, b: Tensor) => Tensor)[] = [
      (a) => np.sin(a),
      (a) => np.exp(a.mul(0.1)),
      (a) => a.mul(a),
      (a, b) => a.add(b),
      (a, b) => a.sub(b),
      (a, b) => np.maximum(a, b),
      (a) => a.sum(0, { keepdims: true }).add(a),
      (a) => a.sum(-1, { keepdims: true }).mul(a),
      (a) => a.add(C.sum().astype(a.dtype)),
      (a) => a.mul(np.tanh(C).astype(a.dtype)),
      (a) => a.matmul(a.T).matmul(a).mul(0.01),
      (a) => np.where(a.greater(0), a, a.mul(-0.5)),
      (a) => a.astype("float64").mul(1.1).astype(a.dtype),
      (a) => np.sin(a).add(np.sin(a)), // a duplicate for CSE
      (a) => a.reshape([-1]).reshape([...a.shape]),
      (a) => np.cumsum(a, 1),
      (a) => a.max(0, { keepdims: true }).sub(a),
    ];
    const step = fc.tuple(fc.nat(ops.length - 1), fc.nat(5), fc.nat(5));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), fc.constantFrom<DType>("float32", "float64"), (prog, dtype) => {
        // each step reads two earlier values (inputs or results); two outputs, one from the middle
        const f = (x: Tensor, y: Tensor) => {
          const vs = [x, y];
          for (const [o, i, j] of prog) vs.push(ops[o]!(vs[vs.length - 1 - (i % vs.length)]!, vs[vs.length - 1 - (j % vs.length)]!));
          return [vs[vs.length - 1]!, vs[Math.floor(vs.length / 2)]!];
        };
        const x = np.array([[0.3, -0.2, 0.9, 1.1], [-1, 0.5, 0.25, 2], [0.7, -0.6, 0.1, -0.1]], { dtype });
        const y = np.array([[0.2, -0.4, 0.6, 0.8], [0.1, 0.3, -0.2, 0.5], [1, -1, 0.5, 0]], { dtype });
        const what = `program ${JSON.stringify(prog)} in ${dtype}`;
        checkJit(f, [x, y], { what, calls: 1 });
        checkJit(grad((u: Tensor, w: Tensor) => f(u, w)[0]!.sum(), { argnums: [0, 1] }), [x, y], { what: `grad of ${what}`, calls: 1 });
      }),
      { numRuns: 80, seed: 11 },
    );
  });
});

// ------------------------------------------------------------------ printed IR

describe("makeJaxpr and the printed IR", () => {
  it("a small function prints as typed equations", () => {
    const f = (x: Tensor, y: Tensor) => np.sin(x).mul(y).add(1).sum(0);
    expect(makeJaxpr(f)(np.ones([2, 3]), np.ones([3])).toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,3] b:f32[3] . let
          c:f32[2,3] = sin a
          d:f32[2,3] = mul c b
          e:f32[2,3] = add d 1.0:f32[]
          f:f32[3] = reduce_sum[axes=(0,)] e
        in (f) }"
    `);
  });

  it("the gradient of a matmul stays dot_general (no broadcast-multiply-reduce)", () => {
    const f = (x: Tensor, w: Tensor) => np.tanh(x.matmul(w)).sum();
    const j = makeJaxpr(grad(f, { argnums: [0, 1] }))(np.ones([2, 3]), np.ones([3, 4]));
    expect(j.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,3] b:f32[3,4] . let
          c:f32[2,4] = dot_general[contract=((1,),(0,)) batch=((),())] a b
          d:f32[2,4] = tanh c
          e:f32[2,4] = mul d d
          f:f32[2,4] = sub 1.0:f32[] e
          g:f32[1,1] = reshape[shape=(1,1)] 1.0:f32[]
          h:f32[2,4] = broadcast_in_dim[shape=(2,4) dims=(0,1)] g
          i:f32[2,4] = mul h f
          j:f32[2,3] = dot_general[contract=((1,),(1,)) batch=((),())] i b
          k:f32[3,4] = dot_general[contract=((0,),(0,)) batch=((),())] a i
        in (j, k) }"
    `);
    const names = primNames(j);
    expect(names.filter((n) => n === "dot_general")).toHaveLength(3);
    expect(names).not.toContain("reduce_sum");
    // the optimised program jit runs keeps them too
    const optJ = optimizedJaxpr(grad(f, { argnums: [0, 1] }), np.ones([2, 3]), np.ones([3, 4]));
    expect(optJ.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,3] b:f32[3,4] . let
          c:f32[2,4] = dot_general[contract=((1,),(0,)) batch=((),())] a b
          d:f32[2,4] = fused[expr=const t0 = Math.fround(Math.tanh((a0))); const t1 = Math.fround((t0) * (t0)); const t2 = Math.fround(((1)) - (t1)); const t3 = Math.fround(((1))); const t4 = Math.fround((t3) * (t2)); t4 dtype=float32 label=tanh·mul·sub·broadcast_in_dim·mul shape=(2,4)] c
          e:f32[2,3] = dot_general[contract=((1,),(1,)) batch=((),())] d b
          f:f32[3,4] = dot_general[contract=((0,),(0,)) batch=((),())] a d
        in (e, f) }"
    `);
    const opt = primNames(optJ);
    expect(opt.filter((n) => n === "dot_general")).toHaveLength(3);
    expect(opt).not.toContain("reduce_sum");
  });

  it("fused loops take one-element float constants as literals and drop them; other constants stay", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const w = np.array([[1, 2], [3, 4]], { dtype }); // closed over: a [2,2] constant the loop does not take
      const f = (x: Tensor) => np.sum(np.tanh(np.matmul(x, w)));
      const text = optimizedJaxpr(grad(f), np.ones([3, 2], { dtype })).toString();
      const t = dtype === "float32" ? "f32" : "f64";
      expect(text, dtype).toContain(`:${t}[2,2] ;`); // w is still a constant of the program
      expect(text, dtype).not.toContain(`${t}[1,1]`); // the seed of ones became a literal
      expect(text, dtype).toContain("((1))");
    }
  });

  it("a jitted call inside makeJaxpr is one jit_call equation holding its jaxpr", () => {
    const g = jit(function inner(x: Tensor) {
      return np.exp(x).add(x);
    });
    expect(makeJaxpr((x: Tensor) => g(x).mul(2))(np.ones([3])).toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[3] . let
          b:f32[3] = jit_call[name=inner] a
            jaxpr=
              { lambda c:f32[3] . let
                  d:f32[3] = exp c
                  e:f32[3] = add d c
                in (e) }
          f:f32[3] = mul b 2.0:f32[]
        in (f) }"
    `);
  });

  it("literals, constants and dtypes print in the documented grammar", () => {
    const c = f64([1, 2, 3]);
    const j = makeJaxpr((x: Tensor, i: Tensor) => x.mul(c).add(2.5).sum().astype("float32").add(i.astype("float32")))(f64([0, 0, 0]), np.array(1, { dtype: "int32" }));
    expect(j.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f64[3] ; b:f64[3] c:i32[] . let
          d:f32[] = convert[dtype=float32] c
          e:f64[3] = mul b a
          f:f64[3] = add e 2.5:f64[]
          g:f64[] = reduce_sum[axes=(0,)] f
          h:f32[] = convert[dtype=float32] g
          i:f32[] = add h d
        in (i) }"
    `);
  });
});

// ------------------------------------------------------------------ the cache

describe("jit's cache: hits and misses counted by tracing side effects", () => {
  afterEach(() => {
    config.logCompiles(false);
    config.jitCacheSize(64);
  });

  const counted = () => {
    const count = { n: 0 };
    const f = jit((x: Tensor, y?: unknown) => {
      count.n++;
      return x.mul(2);
    });
    return [f, count] as const;
  };

  it("same shapes and dtypes: one trace; the result is recomputed each call", () => {
    const [f, c] = counted();
    expectClose(f(np.array([1, 2])), [2, 4]);
    expectClose(f(np.array([3, 4])), [6, 8]);
    expectClose(f(np.array([5, 6])), [10, 12]);
    expect(c.n).toBe(1);
  });

  it("a new shape, dtype or pytree structure retraces; going back hits the cache", () => {
    const [f, c] = counted();
    f(np.ones([2]));
    f(np.ones([3]));
    expect(c.n).toBe(2);
    f(np.ones([3], { dtype: "float64" }));
    expect(c.n).toBe(3);
    f(np.ones([3]), [np.ones([1])]);
    expect(c.n).toBe(4);
    f(np.ones([3]), { a: np.ones([1]) });
    expect(c.n).toBe(5);
    f(np.ones([2]));
    f(np.ones([3], { dtype: "float64" }));
    expect(c.n).toBe(5);
  });

  it("JS numbers are traced arguments (no retrace per value); staticArgnums values are part of the key", () => {
    let n = 0;
    const f = jit((x: Tensor, k: number) => {
      n++;
      return x.mul(k);
    });
    expectClose(f(np.ones([2]), 3), [3, 3]);
    expectClose(f(np.ones([2]), 4), [4, 4]);
    expect(n).toBe(1);
    let m = 0;
    const g = jit(
      (x: Tensor, k: number, mode: { op: string }) => {
        m++;
        // JS control flow on a static argument is fine inside jit
        return mode.op === "add" ? x.add(k) : x.mul(k);
      },
      { staticArgnums: [1, 2] },
    );
    expectClose(g(np.ones([2]), 3, { op: "add" }), [4, 4]);
    expectClose(g(np.ones([2]), 3, { op: "add" }), [4, 4]);
    expect(m).toBe(1);
    expectClose(g(np.ones([2]), 5, { op: "add" }), [6, 6]);
    expect(m).toBe(2);
    expectClose(g(np.ones([2]), 5, { op: "mul" }), [5, 5]);
    expect(m).toBe(3);
    // a static argument lets Python-style control flow branch on it
    const h = jit((x: Tensor, n2: number) => (n2 > 0 ? x.add(n2) : x.sub(n2)), { staticArgnums: 1 });
    expectClose(h(np.ones([2]), -2), [3, 3]);
  });

  it("staticArgnums out of range, or a Tensor passed as static, throws ValueError", () => {
    expect(() => jit((x: Tensor) => x, { staticArgnums: [3] })(np.ones([2]))).toThrow(ValueError);
    expect(() => jit((x: Tensor, y: Tensor) => x.add(y), { staticArgnums: [1] })(np.ones([2]), np.ones([2]))).toThrow(/static/);
  });

  it("a trace that closed over an outer transform's tracers is not reused after that transform ends", () => {
    let w: Tensor = np.array(1);
    let n = 0;
    const h = jit((x: Tensor) => {
      n++;
      return x.mul(w);
    });
    const x0 = np.array([1, 2]);
    const loss = (v: Tensor) => {
      w = v;
      return h(x0).sum().mul(v);
    };
    // d/dv (v · Σ x0·v) = 2v·Σx0
    expectClose(grad(loss)(np.array(3)), 18);
    expectClose(grad(loss)(np.array(5)), 30);
    expect(n).toBe(2);
    w = np.array(7);
    expectClose(h(x0), [7, 14]);
  });

  it("LRU eviction with config.jitCacheSize", () => {
    config.jitCacheSize(2);
    expect(config.jitCacheSize()).toBe(2);
    const [f, c] = counted();
    f(np.ones([1]));
    f(np.ones([2]));
    f(np.ones([1])); // hit: [1] is now the most recent
    expect(c.n).toBe(2);
    f(np.ones([3])); // evicts [2], the least recently used
    expect(c.n).toBe(3);
    f(np.ones([1]));
    f(np.ones([3]));
    expect(c.n).toBe(3);
    f(np.ones([2])); // evicted: traced again
    expect(c.n).toBe(4);
    expect(() => config.jitCacheSize(0)).toThrow(ValueError);
  });

  it("config.logCompiles(true) prints each trace with the reason it missed the cache", () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      config.logCompiles(true);
      const f = jit(function step(x: Tensor, k: number) {
        return x.mul(k);
      }, { staticArgnums: [1] });
      f(np.ones([2]), 1);
      f(np.ones([2]), 1);
      f(np.ones([3]), 1);
      f(np.ones([3], { dtype: "float64" }), 1);
      f(np.ones([3], { dtype: "float64" }), 2);
      config.logCompiles(false);
      f(np.ones([4]), 1);
      expect(err.mock.calls.map((c) => String(c[0]))).toMatchInlineSnapshot(`
        [
          "[tapir] compiling step for (f32[2]): first call",
          "[tapir] compiling step for (f32[3]): leaf 0 changed from f32[2] to f32[3]",
          "[tapir] compiling step for (f64[3]): leaf 0 changed from f32[3] to f64[3]",
          "[tapir] compiling step for (f64[3]): static argument 1 changed from 1 to 2",
        ]
      `);
    } finally {
      err.mockRestore();
    }
  });
});

// ------------------------------------------------------------------ errors

describe("errors inside jit", () => {
  const x = np.array([1, -2, 3]);
  const concretization = (fn: (v: Tensor) => unknown, read: string, aval: string) => {
    let e: unknown;
    try {
      jit(fn)(x);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ConcretizationError);
    const msg = (e as Error).message;
    expect(msg).toContain(read);
    expect(msg).toContain(aval);
    expect(msg).toMatch(/jit/);
    expect(msg).toMatch(/lax\.cond/);
    expect(msg).toMatch(/staticArgnums/);
  };

  it("item, dataSync, toArray and `if` on a traced value throw ConcretizationError naming the value and the fix", () => {
    concretization((v) => v.sum().item(), "item", "float32[]");
    concretization((v) => v.dataSync(), "dataSync", "float32[3]");
    concretization((v) => v.toArray(), "toArray", "float32[3]");
    concretization((v) => {
      if (v.sum().greater(0).item()) return v;
      return v.neg();
    }, "item", "bool[]");
  });

  it("the same code runs eagerly outside jit", () => {
    const f = (v: Tensor) => (v.sum().greater(0).item() ? v : v.neg());
    expectClose(f(x), [1, -2, 3]);
  });

  it("a tracer stored in an outer variable and used after jit throws TracerLeakError naming jit", () => {
    let leaked: Tensor | undefined;
    const f = jit(function store(v: Tensor) {
      leaked = v.mul(2);
      return v;
    });
    f(x);
    for (const use of [() => leaked!.add(1), () => np.sum(leaked!), () => leaked!.dataSync(), () => jit((v: Tensor) => v.add(leaked!))(x)]) {
      let e: unknown;
      try {
        use();
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(TracerLeakError);
      expect((e as Error).message).toMatch(/jit\(store\)/);
      expect((e as Error).message).toContain("float32[3]");
    }
  });
});

// ------------------------------------------------------------------ a jitted training step

describe("a jitted training step", () => {
  it("runs the same as eager and allocates no new large buffers after warm-up", () => {
    // an MLP big enough that every buffer is a large (SharedArrayBuffer) allocation
    const r = rng(21);
    const init = () => ({
      w1: gen(r, "float32", [32, 64], -0.2, 0.2),
      b1: np.zeros([64]),
      w2: gen(r, "float32", [64, 16], -0.2, 0.2),
      b2: np.zeros([16]),
    });
    type P = ReturnType<typeof init>;
    const loss = (p: P, x: Tensor, y: Tensor) => {
      const h = nn.relu(x.matmul(p.w1).add(p.b1));
      return np.mean(np.square(h.matmul(p.w2).add(p.b2).sub(y)));
    };
    const sgd = (p: P, x: Tensor, y: Tensor): P => {
      const g = grad(loss)(p, x, y);
      return tree.map((w: Tensor, gw: Tensor) => w.sub(gw.mul(0.05)), p, g) as P;
    };
    const step = jit(sgd);
    const x = gen(r, "float32", [64, 32]);
    const y = gen(r, "float32", [64, 16]);
    const p0 = init();
    let p = tree.map((w: Tensor) => w.add(0), p0) as P;
    // jitted equals eager bit for bit on the first steps
    const eager = sgd(p, x, y);
    const jitted = step(p, x, y);
    for (const k of ["w1", "b1", "w2", "b2"] as const) expectBitEqual(jitted[k], eager[k], k);
    const advance = (n: number) => {
      for (let i = 0; i < n; i++) {
        const next = step(p, x, y);
        for (const w of tree.leaves(p) as Tensor[]) w.dispose();
        p = next;
      }
    };
    advance(5); // warm-up
    const before = backend().arenaStats();
    advance(20);
    const after = backend().arenaStats();
    const created = after.created - before.created;
    console.log(`[jit training step] arena after warm-up over 20 steps: created ${created}, reused ${after.reused - before.reused}, released ${after.released - before.released}, slabs ${after.slabs - before.slabs}`);
    expect(created).toBe(0);
    expect(loss(p, x, y).item()).toBeLessThan(loss(p0, x, y).item());
  });
});
