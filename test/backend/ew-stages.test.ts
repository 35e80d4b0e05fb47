// Long fused expressions as staged Wasm SIMD kernels (ew-stages.ts): the same bits as the staged
// JS loops (ew-staged.ts, the reference here: a separate implementation that calls vecmath's JS
// functions statement by statement) and as the ops run one by one (eager), float32 and float64,
// scalar and broadcast operands, flush-to-zero on and off, 1 thread and 3; float64 statements'
// Math.* calls run lane by lane from the Wasm stages.
import { afterEach, describe, expect, it } from "vitest";
import { config, grad, jit, makeJaxpr, numpy as np, type Tensor } from "../../src/index.js";
import { backend, cpuBackend } from "../../src/core/backend/index.js";
import { setElementwiseMode } from "../../src/core/backend/elementwise.js";
import { wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { isLong } from "../../src/core/backend/ew-staged.js";
import { withPool } from "../util/pool.js";

afterEach(() => {
  setElementwiseMode("wasm");
  config.flushSubnormals(true);
});

/**
 * A long expression as the fusion pass writes one: statement k applies op k mod |ops| to the
 * previous temporary, reads a0 (full), a1 (one element), a2 (full) and temporaries from a few
 * stages back (they cross through scratch rows, which are reused).
 */
function longExpr(n: number, f32: boolean): string {
  const R = (e: string): string => (f32 ? `Math.fround(${e})` : e);
  const ops32 = [
    (p: string) => `Math.sin((${p}))`,
    (p: string) => `(${p}) * (a1)`,
    (p: string) => `Math.exp((${p}) * (0.25))`,
    (p: string, q: string) => `(${p}) + (${q})`,
    (p: string) => `Math.tanh((${p}) - (a2))`,
    (p: string) => `Math.cos((${p}) * (a0))`,
    (p: string, q: string) => `Math.max((${p}), (${q}))`,
    (p: string) => `Math.log1p(Math.abs((${p})))`,
    // a value read twice: the JS translation names it (a temporary each statement prefixes its own)
    (p: string) => `(((${p}) * (a1)) > (0) ? ((${p}) * (a1)) : (a2))`,
  ];
  const ops64 = [
    (p: string) => `Math.sqrt(Math.abs((${p})))`,
    (p: string) => `(${p}) * (a1)`,
    (p: string, q: string) => `(${p}) - (${q})`,
    (p: string) => `(${p}) / ((a2) + (3))`,
    (p: string, q: string) => `Math.min((${p}), (${q}) * (a0))`,
    (p: string) => `Math.floor((${p}) * (1000)) * (0.001)`,
    (p: string) => `((${p}) > (a0) ? (${p}) : (a2) * (0.5))`,
    // Math.* itself in float64 statements: called lane by lane from Wasm
    (p: string) => `Math.sin((${p}))`,
    (p: string, q: string) => `Math.atan2((${p}), (${q}))`,
    (p: string) => `Math.expm1((${p}) * (0.01))`,
    (p: string) => `(((${p}) * (a1)) > (0) ? ((${p}) * (a1)) : (a2))`,
  ];
  const ops = f32 ? ops32 : ops64;
  const lines = [`const t0 = ${R("(a0) * (a2)")};`];
  for (let k = 1; k < n; k++) lines.push(`const t${k} = ${R(ops[k % ops.length]!(`t${k - 1}`, `t${Math.max(0, k - 37 - (k % 11))}`))};`);
  return `${lines.join("\n")}\nt${n - 1}`;
}

/** Inputs with the awkward values: ±0, subnormals of both types, NaN, ±Inf, huge (sin's fallback), ordinary. */
function inputs(n: number, Ctor: typeof Float32Array | typeof Float64Array, seed: number): Float32Array | Float64Array {
  const special = [0, -0, 1e-40, -3e-39, 2 ** -1060, NaN, Infinity, -Infinity, 3e9, -1e7, 1, -1, 0.5];
  let s = seed;
  const out = new Ctor(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = i % 7 === 3 ? special[(i >> 3) % special.length]! : (s / 2 ** 31 - 0.5) * 6;
  }
  return out;
}

/** out = expr over x, [c] (broadcast scalar), y on the backend path, in the given mode. */
function runExpr(expr: string, mode: "wasm" | "js", x: Float32Array | Float64Array, c: Float32Array | Float64Array, y: Float32Array | Float64Array): number[] {
  setElementwiseMode(mode);
  const out = new (x.constructor as typeof Float32Array)(x.length);
  backend().elementwise(expr, [{ data: x, strides: [1] }, { data: c, strides: [0] }, { data: y, strides: [1] }], [x.length], out);
  setElementwiseMode("wasm");
  return Array.from(out);
}

describe.skipIf(!wasmSimd)("staged Wasm kernels", () => {
  for (const [dtype, Ctor, n] of [["float32", Float32Array, 200], ["float64", Float64Array, 200]] as const) {
    for (const flush of [true, false]) {
      it(`a ${n}-statement ${dtype} expression gives the staged JS loops' bits (flush ${flush ? "on" : "off"})`, () => {
        config.flushSubnormals(flush);
        const expr = longExpr(n, dtype === "float32");
        expect(isLong(expr)).toBe(true);
        const t = dtype === "float32" ? "f32" : "f64";
        expect(wasmKernel(expr, [t, t, t], "vsv", t)?.staged).toBeDefined();
        const x = inputs(2100, Ctor, 1), y = inputs(2100, Ctor, 2);
        for (const c of [0.75, 1e-40, -2]) {
          const cs = Ctor.of(c);
          const want = runExpr(expr, "js", x, cs, y);
          const got = runExpr(expr, "wasm", x, cs, y);
          expect(got).toEqual(want);
        }
      });
    }
  }

  it("W15's 2000-op chain compiles a handful of stage modules (repeating stages share one)", () => {
    const f = (x: Tensor): Tensor => {
      let h = x;
      for (let i = 0; i < 2000; i++) h = i % 2 === 0 ? np.sin(h) : np.multiply(h, 1.0001);
      return np.sum(h);
    };
    const eqn = makeJaxpr(grad(f), { optimized: true })(np.linspace(-1, 1, 64)).jaxpr.eqns.find((e) => e.prim.name === "fused")!;
    const expr = eqn.params.expr as string;
    const k = wasmKernel(expr, ["f32", "f32"], "vs", "f32")!;
    expect(k.staged!.calls.length / 2).toBeGreaterThan(300);
    expect(k.staged!.modules.length).toBeLessThanOrEqual(8);
  });

  it("a 30000-statement chain compiles without deep recursion and equals the op-by-op kernels", () => {
    const n = 30000;
    const lines = ["const t0 = Math.fround(Math.sin((a0)) * (a1));"];
    for (let k = 1; k < n; k++) lines.push(`const t${k} = Math.fround(${k % 2 ? `Math.sin((t${k - 1}))` : `(t${k - 1}) * (a1)`});`);
    const expr = `${lines.join("\n")}\nt${n - 1}`;
    const x = Float32Array.from({ length: 40 }, (_, i) => (i - 20) / 7);
    const c = Float32Array.of(1.25);
    const got = new Float32Array(x.length);
    backend().elementwise(expr, [{ data: x, strides: [1] }, { data: c, strides: [0] }], [x.length], got);
    // the same statements one kernel each (short expressions: the one-loop Wasm kernel)
    let h = new Float32Array(x.length);
    backend().elementwise("Math.fround(Math.sin((a0)) * (a1))", [{ data: x, strides: [1] }, { data: c, strides: [0] }], [x.length], h);
    for (let k = 1; k < n; k++) {
      const next = new Float32Array(x.length);
      backend().elementwise(k % 2 ? "Math.fround(Math.sin((a0)))" : "Math.fround((a0) * (a1))", [{ data: h, strides: [1] }, { data: c, strides: [0] }], [x.length], next);
      h = next;
    }
    expect(Array.from(got)).toEqual(Array.from(h));
  });

  describe("through jit: equal to eager bit for bit", () => {
    /** A chain of n ops on x (shape [3, 700]) with a broadcast row b[700] and a scalar. */
    const chain = (n: number, f32: boolean) => (x: Tensor, b: Tensor): Tensor => {
      let h = x;
      for (let i = 0; i < n; i++) {
        const k = i % 5;
        h = k === 0 ? np.sin(h) : k === 1 ? np.add(h, b) : k === 2 ? np.multiply(h, 0.75) : k === 3 ? (f32 ? np.tanh(h) : np.maximum(np.tanh(h), b)) : np.subtract(h, np.multiply(b, 2));
      }
      return np.sum(h);
    };
    for (const dtype of ["float32", "float64"] as const) {
      for (const flush of [true, false]) {
        it(`${dtype}, flush ${flush ? "on" : "off"}: value and gradient`, () => {
          config.flushSubnormals(flush);
          const f = chain(120, dtype === "float32");
          const x = np.reshape(np.linspace(-2, 2, 2100, { dtype }), [3, 700]);
          const b = np.multiply(np.linspace(0, 1, 700, { dtype }), dtype === "float32" ? 1e-38 : 1e-307);
          const eqns = makeJaxpr(grad(f, { argnums: [0, 1] }), { optimized: true })(x, b).jaxpr.eqns;
          // the long fused statement compiles to a staged Wasm kernel (no fallback to JS)
          const long = eqns.filter((e) => e.prim.name === "fused" && isLong(e.params.expr as string));
          expect(long.length).toBeGreaterThan(0);
          const t = (d: string) => ({ float32: "f32", float64: "f64", int32: "i32", bool: "u8" })[d] as "f32";
          for (const e of long) {
            const pattern = e.inputs.map((a) => (a.aval.shape.reduce((p, d) => p * d, 1) === 1 ? "s" : "v")).join("");
            expect(wasmKernel(e.params.expr as string, e.inputs.map((a) => t(a.aval.dtype)), pattern, t(dtype))?.staged).toBeDefined();
          }
          const g = jit(grad(f, { argnums: [0, 1] }))(x, b) as Tensor[];
          const e = grad(f, { argnums: [0, 1] })(x, b) as Tensor[];
          expect(Array.from(g[0]!.dataSync())).toEqual(Array.from(e[0]!.dataSync()));
          expect(Array.from(g[1]!.dataSync())).toEqual(Array.from(e[1]!.dataSync()));
        });
      }
    }
  });

  describe("on a pool of 3 threads", () => {
    const pool = withPool(3, { minNs: 0, chunkNs: 2000, adaptive: false });
    it("staged Wasm kernels split between threads give the 1-thread bits", () => {
      const shared = (a: Float32Array | Float64Array): Float32Array => {
        const s = new Float32Array(new SharedArrayBuffer(4 * a.length));
        s.set(a);
        return s;
      };
      const x = shared(inputs(5000, Float32Array, 3)), y = shared(inputs(5000, Float32Array, 4));
      const expr = longExpr(200, true);
      const ins = [{ data: x, strides: [1] }, { data: Float32Array.of(0.75), strides: [0] }, { data: y, strides: [1] }];
      const single = new Float32Array(x.length);
      cpuBackend.elementwise(expr, ins, [x.length], single);
      const before = pool().stats.jobs - pool().stats.inlineJobs;
      const pooled = shared(new Float32Array(x.length));
      backend().elementwise(expr, ins, [x.length], pooled);
      expect(pool().stats.jobs - pool().stats.inlineJobs - before, "jobs ran on the pool").toBeGreaterThan(0);
      expect(Array.from(pooled)).toEqual(Array.from(single));
      expect(Array.from(pooled)).toEqual(runExpr(expr, "js", x, Float32Array.of(0.75), y));
    });
  });
});
