// The flushes ew-flush.ts leaves out of float32 kernels, because they could change nothing:
// after a NO_UNDERFLOW32 function of a flushed argument (its result is never subnormal: walked
// here over the float32 recipes, Wasm and JS), and on statements that only restate a flushed
// float32 (x·1, x/1, −x of a flushed x). The values with subnormal operands are checked against
// closed forms (flush-to-zero: ±0 in, ±0 out), on the Wasm path and the small-array JS path.
import { afterEach, describe, expect, it } from "vitest";
import { parseExpr } from "../../src/core/backend/ew-parse.js";
import { NO_UNDERFLOW32, withFlush } from "../../src/core/backend/ew-flush.js";
import { children, reachable, type Node } from "../../src/core/backend/ew-ir.js";
import { runFlat, wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { V } from "../../src/core/backend/vecmath.js";
import { config, jit, numpy as np, type Tensor } from "../../src/index.js";
import { setElementwiseMode } from "../../src/core/backend/elementwise.js";
import { mapKernel } from "../../src/core/primitives/util.js";

const MIN = 2 ** -126;
const isSub = (y: number): boolean => y !== 0 && Math.abs(y) < MIN;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]!);

/** Non-subnormal float32 inputs: a walk over all bit patterns, every 97th float from the smallest normals up to 2^-100, and around 1 (log). */
function inputs(): Float32Array {
  const xs: number[] = [];
  for (let b = 0; b < 2 ** 32; b += 8191) xs.push(fromBits(b));
  for (const sign of [0, 0x80000000]) for (let b = 0x00800000; b < 0x0d800000; b += 97) xs.push(fromBits(sign | b));
  for (let d = -5000; d <= 5000; d++) xs.push(fromBits(0x3f800000 + d));
  return Float32Array.from(xs.filter((x) => !isSub(x)));
}

const ftzCount = (root: Node): number => reachable([root]).filter((n) => n.k === "bits" && n.op === "ftz32").length;
const flushed = (src: string): Node => {
  const p = parseExpr(src, true);
  return withFlush(p.b, p.root, true);
};

afterEach(() => {
  config.flushSubnormals(true);
});

describe("ew-flush: flushes left out of float32 kernels", () => {
  const xs = inputs();
  it("e^y for every float32 y in [-1, 1] (a walk of 2^20): in [0.36, 2.72], never subnormal (Wasm and JS)", () => {
    const ys: number[] = [];
    for (let b = 0; b <= 0x3f800000; b += 1021) ys.push(fromBits(b), fromBits(b | 0x80000000));
    ys.push(1, -1, 0, -0);
    const y = Float32Array.from(ys);
    const check = (v: number, at: number): void => {
      if (!(v >= 0.36 && v <= 2.72)) expect(v, `e^${y[at]}`).toBeGreaterThanOrEqual(0.36);
    };
    y.forEach((v, i) => check(Math.fround(V.exp!(v)), i));
    if (!wasmSimd) return;
    config.flushSubnormals(false);
    const out = new Float32Array(y.length);
    runFlat(wasmKernel("Math.exp(a0)", ["f32"], "v", "f32")!, [y], out, 0, y.length);
    out.forEach(check);
  });
  for (const name of NO_UNDERFLOW32) {
    it(`${name}: no subnormal result for ${xs.length} non-subnormal float32 arguments (Wasm and JS)`, () => {
      const fn = V[name]!;
      let bad = 0;
      let first = "";
      for (const x of xs) {
        const y = Math.fround(fn(x));
        if (isSub(y) && bad++ === 0) first = `${name}(${x}) = ${y}`;
      }
      expect(bad, first).toBe(0);
      if (!wasmSimd) return;
      config.flushSubnormals(false); // the recipe's own result, before any flush
      const k = wasmKernel(`Math.${name}(a0)`, ["f32"], "v", "f32");
      expect(k).not.toBeNull();
      const out = new Float32Array(xs.length);
      runFlat(k!, [xs], out, 0, xs.length);
      expect(out.filter(isSub).length).toBe(0);
    });
  }

  it("the DAG: no flush after such a function, nor on x·1 and −x of a flushed x; kept elsewhere", () => {
    // sin: the argument's flush only; exp can underflow: flushed
    expect(ftzCount(flushed("Math.fround(Math.sin(a0))"))).toBe(1);
    expect(ftzCount(flushed("Math.fround(Math.exp(a0))"))).toBe(2);
    // but not e^y of a y in [-1, 1] (sin, cos, tanh, their negation or |·|): W6's e^(sin x)
    for (const y of ["Math.fround(Math.sin((a0)))", "Math.fround(Math.cos((a0)))", "Math.fround(Math.tanh((a0)))", "Math.fround(-(Math.fround(Math.sin((a0)))))"])
      expect(ftzCount(flushed(`const t0 = ${y};\nconst t1 = Math.fround(Math.exp((t0)));\nt1`)), y).toBe(1);
    // e^y of a product of such values, or of sin's argument itself, is still flushed
    expect(ftzCount(flushed("const t0 = Math.fround(Math.sin((a0)));\nconst t1 = Math.fround((t0) * (3));\nconst t2 = Math.fround(Math.exp((t1)));\nt2"))).toBe(3);
    const chain = flushed("const t0 = Math.fround(Math.exp((a0)));\nconst t1 = Math.fround((t0) * (1));\nconst t2 = Math.fround(-(t1));\nconst t3 = Math.fround((t2) / (1));\nt3");
    expect(ftzCount(chain)).toBe(2); // a0's and exp's
    expect(chain.k === "un" && chain.op === "neg").toBe(true);
    expect(children(chain)[0]!.k).toBe("bits");
    // a product by 1 of an unflushed float64 value, or by 2, is still rounded and flushed
    expect(ftzCount(flushed("Math.fround((a0) * (1))"))).toBe(1);
    expect(ftzCount(flushed("Math.fround(Math.fround((a0) * (a1)) * (2))"))).toBe(4);
    // a function of an unrounded product (it may lie below 2^-126): flushed
    expect(ftzCount(flushed("Math.fround(Math.sin((a0) * (a1)))"))).toBe(3);
    // a constant statement: flushed only where the flush could change it (not a float32, or subnormal)
    expect([0.5, NaN, MIN, 0.1, 1e-40, -1e-40].map((c) => ftzCount(flushed(`Math.fround((${c}))`)))).toEqual([0, 0, 0, 1, 1, 1]);
    // only a product or quotient by 1 is its operand: x + 1, 1 − x and x − 1 stay, rounded and flushed
    for (const src of ["Math.fround((Math.fround(Math.exp((a0)))) + (1))", "Math.fround((1) - (Math.fround(Math.exp((a0)))))", "Math.fround((Math.fround(Math.exp((a0)))) - (1))"]) {
      const r = flushed(src);
      expect(r.k === "bits" && reachable([r]).some((n) => n.k === "bin" && (n.op === "add" || n.op === "sub")), src).toBe(true);
    }
    // a selection is flushed only when both its values are: one unrounded product keeps the statement's rounding and flush
    expect(flushed("Math.fround(((a0) > (0)) ? (0.5) : ((a0) * (a1)))").k).toBe("bits");
    // |x| of a flushed x is flushed
    expect(ftzCount(flushed("const t0 = Math.fround(Math.exp((a0)));\nconst t1 = Math.fround(Math.abs((t0)));\nt1"))).toBe(2);
    // float64 operands of a float32 kernel (flushed at 2^-1022) and float64 kernels: still rounded and flushed
    const p = parseExpr("Math.fround((a0) * (1))", true);
    expect(ftzCount(withFlush(p.b, p.root, true, false))).toBe(1);
    const q = parseExpr("Math.fround((a0) * (1))", false);
    const r64 = withFlush(q.b, q.root, false);
    expect(reachable([r64]).some((n) => n.k === "un" && n.op === "fround")).toBe(true);
  });

  it("a one-element constant or a scalar taken as a literal keeps its sign of zero", () => {
    const c = np.array([-0]);
    const f = (v: Tensor) => np.negative(np.multiply(v, c));
    const lit = (v: Tensor) => np.negative(np.multiply(v, -0)); // a scalar literal: the same code
    for (const got of [f(np.array([2, -3])), jit(f)(np.array([2, -3])), jit(lit)(np.array([2, -3]))]) {
      const [a, b] = Array.from(got.dataSync() as Float32Array);
      expect([Object.is(a, 0), Object.is(b, -0)]).toEqual([true, true]); // −(2·−0) = +0, −(−3·−0) = −0
    }
  });

  it("values with subnormal operands match flush-to-zero's closed forms (Wasm and small-array JS paths)", () => {
    const base = [3e-39, -3e-39, MIN, -MIN, 1e-45, 0.5, -2, 0];
    for (const n of [8, 4096]) {
      const x = np.array(Array.from({ length: n }, (_, i) => base[i % base.length]!));
      const ones = np.ones([1]);
      const ftz = (v: number): number => (isSub(v) ? (v < 0 || Object.is(v, -0) ? -0 : 0) : v);
      const f = (v: Tensor) => np.negative(np.multiply(np.sin(v), ones));
      const g = (v: Tensor) => np.multiply(np.tanh(np.multiply(v, ones)), 1);
      for (const [h, ref] of [[f, (v: number) => -Math.fround(V.sin!(ftz(v)))], [g, (v: number) => Math.fround(V.tanh!(ftz(v)))]] as const) {
        const want = Array.from({ length: n }, (_, i) => ref(Math.fround(base[i % base.length]!)));
        for (const got of [h(x), jit(h)(x)]) {
          const vals = Array.from(got.dataSync() as Float32Array);
          for (let i = 0; i < n; i++) expect(Object.is(vals[i], want[i]), `i=${i}: ${vals[i]} vs ${want[i]}`).toBe(true);
        }
      }
    }
  });

  it("an int32 or float64 operand of a float32 kernel (a fused conversion) is read with the float64 flush, and its rounding to float32 stays (Wasm and JS)", () => {
    // the fused text of astype(int32 → float32) − m computes what the ops compute one by one (the
    // float32 flush of the int32 operand used to count as its rounding: 2147483647 − 2^31 gave −1);
    // a float64 operand is read with the float64 flush, on both paths (the Wasm flush used to
    // round it to float32, 1.1 → 1.100000023841858, where the JS loop did not)
    const ints = np.array([2147483647, 1, -2147483647, 16777217], { dtype: "int32" });
    const m = np.array([2 ** 31]);
    const want1 = [2147483647, 1, -2147483647, 16777217].map((v) => Math.fround(Math.fround(v) - 2 ** 31)); // [0, −2^31, −2^32, 2^24 − 2^31]
    expect(want1[0]).toBe(0);
    const xs = np.array([0.2, -0.4, 1e-39, 3e-39, 0.1, 2.5, -7, 0.3]);
    const c = np.array(1.1, { dtype: "float64" });
    const ftz = (v: number): number => (isSub(v) ? 0 : v);
    const want2 = Array.from(xs.dataSync(), (v) => Math.fround(V.sin!(ftz(Math.fround(ftz(v) * 1.1)))));
    for (const mode of ["wasm", "js"] as const) {
      const prev = setElementwiseMode(mode);
      try {
        for (const n of [1, 1024]) {
          const I = np.tile(ints, [n]), X = np.tile(xs, [n]);
          const a = mapKernel("const t0 = Math.fround((a0));\nconst t1 = Math.fround((t0) - (a1));\nt1", [I, m], "float32");
          expect(Array.from(a.dataSync()).slice(0, 4), `${mode} n=${n}: int32 operand`).toEqual(want1);
          const b = mapKernel("Math.fround(Math.sin(Math.fround((a0) * (a1))))", [X, c], "float32");
          expect(Array.from(b.dataSync()).slice(0, 8), `${mode} n=${n}: float64 operand`).toEqual(want2);
        }
      } finally {
        setElementwiseMode(prev);
      }
    }
  });

  it("jit does not fuse an integer op (its loop would run unflushed) with float ops: a float op after it still flushes", () => {
    const tiny = np.full([256], 1e-39);
    const f = (a: Tensor) => a.astype("int32").astype(a.dtype).add(a);
    expect(f(tiny).dataSync()[0]).toBe(0); // 0 + 1e-39, flushed
    expect(jit(f)(tiny).dataSync()[0]).toBe(0);
  });
});
