// Compiled loops (issue 21): scan / whileLoop / forILoop bodies run as step programs
// (src/transforms/control/step-program.ts). Their rewrites (carries accumulated in place, outer
// products fused into the accumulation, small dots straight to the kernel) must not change a
// bit: jit and eager, with and without the rewrites, agree exactly; values and gradients match
// closed forms, float64 references and finite differences; a warmed loop creates no buffers,
// however many steps it runs.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { config, grad, jit, lax, makeJaxpr, numpy as np, type Tensor } from "../../src/index.js";
import { backend } from "../../src/core/backend/index.js";
import { setLoopRewrites, StepProgram } from "../../src/transforms/control/step-program.js";
import { loopStats, setWasmLoops } from "../../src/transforms/control/loop-wasm.js";

afterEach(() => void (setLoopRewrites(true), setWasmLoops(true)));

/** Deterministic data in [-scale/2, scale/2). */
function data(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * scale;
  });
}
const arr = (shape: number[], seed: number, dtype: "float32" | "float64" = "float32", scale = 1) =>
  np.array(data(shape.reduce((a, b) => a * b, 1), seed, scale), { dtype }).reshape(shape);

/** The same bits (NaNs included). */
function expectBits(a: Tensor, b: Tensor): void {
  expect(a.shape).toEqual(b.shape);
  const x = Array.from(a.dataSync()), y = Array.from(b.dataSync());
  expect(x.every((v, i) => Object.is(v, y[i]))).toBe(true);
}

/** jit(f)(...args) with the loop rewrites, asserted bit-equal, output by output, to the program without them; returns the former. */
function sameAsUnrewritten(f: (...a: Tensor[]) => Tensor | Tensor[], ...args: Tensor[]): Tensor[] {
  const a = [jit(f)(...args)].flat();
  setLoopRewrites(false);
  let b: Tensor[];
  try {
    b = [jit(f)(...args)].flat();
  } finally {
    setLoopRewrites(true);
  }
  a.forEach((t, i) => expectBits(t, b[i]!));
  return a;
}

/** Runs `body` with flush-to-zero on, then off (config.flushSubnormals back on after each). */
function withFlushOnAndOff(body: (flush: boolean) => void): void {
  for (const flush of [true, false]) {
    config.flushSubnormals(flush);
    try {
      body(flush);
    } finally {
      config.flushSubnormals(true);
    }
  }
}

// W13's program at a small size: h_{t+1} = tanh(h_t W + x_t U), loss Σ h_T²
const rnnLoss = (w: Tensor, u: Tensor, xs: Tensor) => {
  const d = u.shape[0]!;
  const [h] = lax.scan((h: Tensor, x: Tensor) => [np.tanh(np.add(np.matmul(h, w), np.matmul(x.reshape([1, d]), u))), null], np.zeros([1, w.shape[0]!], { dtype: w.dtype }), xs);
  return np.sum(np.square(h));
};

/** Σ h_T² of the same recurrence in float64 JS loops: the reference value. */
function rnnRef(w: number[], u: number[], xs: number[], H: number, D: number, T: number): number {
  let h = new Array<number>(H).fill(0);
  for (let t = 0; t < T; t++) {
    const nh = new Array<number>(H).fill(0);
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let p = 0; p < H; p++) s += h[p]! * w[p * H + j]!;
      for (let p = 0; p < D; p++) s += xs[t * D + p]! * u[p * H + j]!;
      nh[j] = Math.tanh(s);
    }
    h = nh;
  }
  return h.reduce((a, v) => a + v * v, 0);
}

describe("step programs: values and gradients", () => {
  it("W13's rnn_bptt: jit(grad) = grad eager = both without the rewrites, bit for bit; close to float64 finite differences", () => {
    const H = 8, D = 3, T = 12;
    const w = arr([H, H], 1, "float32", 0.8), u = arr([D, H], 2), xs = arr([T, D], 3);
    const g = grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[];
    const jg = jit(g);
    const [jw, ju] = jg(w, u, xs);
    const [ew, eu] = g(w, u, xs);
    setLoopRewrites(false);
    const [ow, ou] = jit(grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[])(w, u, xs);
    setLoopRewrites(true);
    expectBits(jw!, ew!), expectBits(ju!, eu!), expectBits(jw!, ow!), expectBits(ju!, ou!);
    // float64 central differences of the JS reference, for a few entries of W and U
    const wv = Array.from(w.dataSync()), uv = Array.from(u.dataSync()), xv = Array.from(xs.dataSync());
    expect(jit(rnnLoss)(w, u, xs).item()).toBeCloseTo(rnnRef(wv, uv, xv, H, D, T), 4);
    const eps = 1e-6;
    for (const i of [0, 9, 27, 63]) {
      const wp = [...wv], wm = [...wv];
      wp[i]! += eps, wm[i]! -= eps;
      const fd = (rnnRef(wp, uv, xv, H, D, T) - rnnRef(wm, uv, xv, H, D, T)) / (2 * eps);
      expect(jw!.dataSync()[i]).toBeCloseTo(fd, 3);
    }
    for (const i of [0, 5, 23]) {
      const up = [...uv], um = [...uv];
      up[i]! += eps, um[i]! -= eps;
      const fd = (rnnRef(wv, up, xv, H, D, T) - rnnRef(wv, um, xv, H, D, T)) / (2 * eps);
      expect(ju!.dataSync()[i]).toBeCloseTo(fd, 3);
    }
  });

  it("random small scan bodies (fast-check): jit = eager = no rewrites, values and gradients, bit for bit", () => {
    // bodies mixing a matvec, an outer-product accumulation (the in-place rewrite) and
    // elementwise ops; shapes, trip counts (0 included), direction and dtype drawn at random
    const body = (kind: number, w: Tensor) => (c: [Tensor, Tensor], x: Tensor): [[Tensor, Tensor], Tensor] => {
      const [h, acc] = c;
      const hn = kind === 0 ? np.tanh(np.add(np.matmul(h, w), x)) : kind === 1 ? np.sin(np.multiply(np.matmul(h, w), x)) : np.add(np.multiply(h, 0.5), np.cos(x));
      const accN = np.add(acc, np.matmul(hn.reshape([-1, 1]), x.reshape([1, -1])));
      return [[hn, accN], np.multiply(hn, hn)];
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e6 }),
        (kind, n, T, reverse, f64, seed) => {
          const dtype = f64 ? "float64" : "float32";
          const w = arr([n, n], seed, dtype), h0 = arr([n], seed + 1, dtype), xs = arr([T, n], seed + 2, dtype);
          const loss = (w: Tensor, h0: Tensor, xs: Tensor) => {
            const [[h, acc], ys] = lax.scan(body(kind, w), [h0, np.zeros([n, n], { dtype })], xs, { reverse });
            return np.add(np.add(np.sum(np.square(h)), np.sum(np.sin(acc))), np.sum(ys));
          };
          const run = (j: boolean) => {
            const vg = (w: Tensor, h0: Tensor, xs: Tensor) => [loss(w, h0, xs), ...(grad(loss, { argnums: [0, 1, 2] }) as (...a: Tensor[]) => Tensor[])(w, h0, xs)];
            return (j ? jit(vg) : vg)(w, h0, xs);
          };
          const a = run(true), b = run(false);
          setLoopRewrites(false);
          const c = run(true);
          setLoopRewrites(true);
          a.forEach((t, i) => (expectBits(t, b[i]!), expectBits(t, c[i]!)));
        },
      ),
      { numRuns: 15, seed: 21 },
    );
  });

  it("whileLoop and forILoop: jit = eager bit for bit; an in-place accumulation matches its closed form", () => {
    // acc += outer(v, v) k times, v fixed: acc = k·v vᵀ (exact in float64 for these values)
    const v = np.array([1, 2, 3], { dtype: "float64" });
    const f = (n: Tensor) =>
      lax.whileLoop(
        (c: [Tensor, Tensor]) => np.less(c[0], n),
        (c: [Tensor, Tensor]) => [np.add(c[0], 1), np.add(c[1], np.matmul(v.reshape([3, 1]), v.reshape([1, 3])))],
        [np.array(0, { dtype: "int32" }), np.zeros([3, 3], { dtype: "float64" })],
      )[1] as Tensor;
    const n = np.array(5, { dtype: "int32" });
    const got = jit(f)(n);
    expectBits(got, f(n));
    expect(got.toArray()).toEqual([[5, 10, 15], [10, 20, 30], [15, 30, 45]]);
    // forILoop with static bounds (a scan): c ← c·x + i, so c_3 = ((1·x + 0)·x + 1)·x + 2 = x³ + x + 2 and dc/dx = 3x² + 1
    const g = (x: Tensor) => lax.forILoop(0, 3, (i: Tensor, c: Tensor) => np.add(np.multiply(c, x), i.astype("float64")), np.array(1, { dtype: "float64" })) as Tensor;
    const x = np.array(1.5, { dtype: "float64" });
    expect(jit(g)(x).item()).toBe(((1.5 + 0) * 1.5 + 1) * 1.5 + 2);
    expect(jit(grad(g))(x).item()).toBeCloseTo(3 * 1.5 ** 2 + 1, 12);
    expectBits(jit(grad(g))(x), grad(g)(x));
  });

  it("a 64-wide matvec with a loop-constant matrix (h·W and δ·Wᵀ in the gradient) has np.matmul's bits", () => {
    const H = 64, D = 16, T = 3;
    const w = arr([H, H], 11, "float32", 0.3), u = arr([D, H], 12, "float32", 0.5), xs = arr([T, D], 13);
    const g = (w: Tensor, u: Tensor, xs: Tensor) => [rnnLoss(w, u, xs), ...(grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[])(w, u, xs)];
    sameAsUnrewritten(g, w, u, xs);
  });

  it("matvecs of widths with a single-vector part and a tail (23, 6), float32 and float64, have np.matmul's bits", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [H, D] of [[23, 5], [6, 3]] as const) {
        const w = arr([H, H], 21 + H, dtype, 0.3), u = arr([D, H], 22, dtype, 0.5), xs = arr([3, D], 23, dtype);
        const g = (w: Tensor, u: Tensor, xs: Tensor) => [rnnLoss(w, u, xs), ...(grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[])(w, u, xs)];
        sameAsUnrewritten(g, w, u, xs);
      }
    }
  });

  it("subnormal products: the in-place accumulation flushes exactly as the unfused ops, with flush-to-zero on and off", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const tiny = dtype === "float32" ? 1e-20 : 1e-160;
      const v = arr([5], 8, dtype, tiny), xs = arr([4, 3], 9, dtype, tiny);
      const f = (v: Tensor, xs: Tensor) => lax.scan((acc: Tensor, x: Tensor) => [np.add(acc, np.matmul(x.reshape([3, 1]), v.reshape([1, 5]))), null], np.full([3, 5], tiny * tiny * 3, { dtype }), xs)[0] as Tensor;
      withFlushOnAndOff((flush) => {
        const [a] = sameAsUnrewritten(f, v, xs);
        // flushed: every product and the subnormal init read as 0; IEEE: subnormal sums stay
        expect(Array.from(a!.dataSync()).every((z) => z === 0)).toBe(flush);
      });
    }
  });

  it("mixed normal and subnormal products: the Wasm rank-1 update flushes lane for lane as the unfused ops (vector part and tail)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      // products of tiny (≈ smallest normal) and O(1) values straddle the subnormal threshold;
      // the initial accumulator holds subnormals, ±0 and normals; widths 7 and 9 leave a tail
      const tiny = dtype === "float32" ? 2 ** -120 : 2 ** -1016;
      const min = dtype === "float32" ? 2 ** -126 : 2 ** -1022;
      for (const n of [5, 7, 9]) {
        let v = np.array(data(n, 3 + n).map((z, i) => (i % 3 === 0 ? z * tiny : z)), { dtype });
        let xs = np.array(data(4 * 3, 11).map((z, i) => (i % 2 === 0 ? z * 64 : z / 64)), { dtype }).reshape([4, 3]);
        let init = np.array(data(3 * n, 5).map((z, i) => (i % 4 === 0 ? z * tiny * 0.01 : i % 4 === 1 ? -0 : z)), { dtype }).reshape([3, n]);
        if (n === 5) {
          // sums that cancel into the subnormal range at the last of 4 steps
          v = np.full([n], -1.25 * min, { dtype });
          xs = np.ones([4, 3], { dtype });
          // 5.25·min − 4 × 1.25·min = 0.25·min: subnormal after the last step (flushed: 0)
          init = np.full([3, n], 5.25 * min, { dtype });
        }
        const f = (v: Tensor, xs: Tensor, c0: Tensor) => lax.scan((acc: Tensor, x: Tensor) => [np.add(acc, np.matmul(x.reshape([3, 1]), v.reshape([1, n]))), null], c0, xs)[0] as Tensor;
        withFlushOnAndOff((flush) => {
          const [a] = sameAsUnrewritten(f, v, xs, init);
          const sub = Array.from(a!.dataSync()).filter((z) => z !== 0 && Math.abs(z) < min).length;
          if (flush) expect(sub, "no subnormal survives flush-to-zero").toBe(0);
        });
      }
    }
  });

  it("rank-1 rows with and without possible subnormals (the flushed kernel's plain rows): bits of the unfused ops over many steps", () => {
    for (const dtype of ["float32", "float64"] as const) {
      // a rows of 2⁻³⁰·z (products ≥ 2⁻¹⁰² in float32: plain rows) and 2⁻⁷⁰·z or 0 (flushed rows, subnormal products),
      // b of 2⁻⁶⁰·z and z, an accumulator with subnormals; float64 scales the exponents ×8 (threshold 2⁻⁹⁶⁹)
      const e = dtype === "float32" ? 1 : 8;
      const n = 11, m = 4, T = 6;
      const v = np.array(data(n, 31).map((z, i) => (i % 2 ? z * 2 ** (-60 * e) : z)), { dtype });
      const xs = np.array(data(T * m, 32).map((z, i) => (i % m === 0 ? z * 2 ** (-30 * e) : i % m === 1 ? z * 2 ** (-70 * e) : i % m === 2 ? 0 : z)), { dtype }).reshape([T, m]);
      const init = np.array(data(m * n, 33).map((z, i) => z * 2 ** ((i % 3 ? -128 : -100) * e)), { dtype }).reshape([m, n]);
      const f = (v: Tensor, xs: Tensor, c0: Tensor) => lax.scan((acc: Tensor, x: Tensor) => [np.add(acc, np.matmul(x.reshape([m, 1]), v.reshape([1, n]))), null], c0, xs)[0] as Tensor;
      withFlushOnAndOff(() => void sameAsUnrewritten(f, v, xs, init));
    }
  });

  it("finds the in-place accumulation of an outer product and leaves other carries alone", () => {
    // body layout [consts, carry, xs] → [carry, ys]: carry 0 accumulates, carry 1 is replaced
    const cj = makeJaxpr((acc: Tensor, h: Tensor, a: Tensor, b: Tensor) => [np.add(acc, np.matmul(a.reshape([4, 1]), b.reshape([1, 3]))), np.tanh(h)])(np.zeros([4, 3]), np.zeros([2]), np.zeros([4]), np.zeros([3]));
    expect(new StepProgram(cj, 0, 2).inPlace).toEqual([true, false]);
    expect(new StepProgram(cj, 0, 2, false).inPlace).toEqual([false, false]);
    // a carry read twice cannot be overwritten
    const cj2 = makeJaxpr((acc: Tensor, a: Tensor) => [np.add(acc, a), np.sum(acc)])(np.zeros([3]), np.zeros([3]));
    expect(new StepProgram(cj2, 0, 1).inPlace).toEqual([false]);
  });
});

/**
 * jit(f)(...args) asserted to have run a compiled loop (loop-wasm.ts) and to give, output by
 * output, the bits of the step program (compiled loops off) and of the unrewritten program.
 */
function sameAsStepProgram(f: (...a: Tensor[]) => Tensor | Tensor[], ...args: Tensor[]): Tensor[] {
  const runs = loopStats.runs;
  const a = [jit(f)(...args)].flat();
  expect(loopStats.runs, "a compiled loop ran").toBeGreaterThan(runs);
  setWasmLoops(false);
  let b: Tensor[];
  try {
    const before = loopStats.runs;
    b = [jit(f)(...args)].flat();
    expect(loopStats.runs, "compiled loops off").toBe(before);
  } finally {
    setWasmLoops(true);
  }
  a.forEach((t, i) => expectBits(t, b[i]!));
  sameAsUnrewritten(f, ...args);
  return a;
}

describe("compiled loops: a scan body with a Wasm kernel for every op runs as one Wasm loop", () => {
  it("W13's gradient (its forward and transposed scans): the step program's bits, float32 and float64, flush-to-zero on and off", () => {
    const H = 16, D = 4, T = 9;
    for (const dtype of ["float32", "float64"] as const) {
      const w = arr([H, H], 11, dtype, 0.6), u = arr([D, H], 12, dtype), xs = arr([T, D], 13, dtype);
      withFlushOnAndOff(() => void sameAsStepProgram(grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[], w, u, xs));
    }
  });

  it("an RNN with a bias (its gradient an additive accumulation, db += δ) and two ys: the step program's bits, flush on and off", () => {
    const H = 12, D = 5, T = 7;
    for (const dtype of ["float32", "float64"] as const) {
      const w = arr([H, H], 51, dtype, 0.7), u = arr([D, H], 52, dtype), b = arr([H], 53, dtype), xs = arr([T, D], 54, dtype);
      const loss = (wm: Tensor, um: Tensor, bv: Tensor, x: Tensor) => {
        const [h, ys] = lax.scan((hc: Tensor, xt: Tensor): [Tensor, Tensor] => {
          const hn = np.tanh(np.add(np.add(np.matmul(hc, wm), np.matmul(xt, um)), bv));
          return [hn, np.multiply(hn, hn)];
        }, np.zeros([H], { dtype }), x) as [Tensor, Tensor];
        return np.add(np.sum(np.square(h)), np.sum(ys));
      };
      withFlushOnAndOff(() => void sameAsStepProgram(grad(loss, { argnums: [0, 1, 2] }) as (...a: Tensor[]) => Tensor[], w, u, b, xs));
    }
  });

  it("tiny weights (subnormal products in the rank-1 updates and matvecs), 1 step and many: the step program's bits", () => {
    const H = 8, D = 3;
    const w = arr([H, H], 21, "float32", 1e-19), u = arr([D, H], 22, "float32", 1e-19);
    for (const T of [1, 40]) {
      const xs = arr([T, D], 23, "float32", 1e-19);
      withFlushOnAndOff(() => void sameAsStepProgram(grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[], w, u, xs));
    }
  });

  it("two carries that trade places, ys that are the old carry, a literal operand, reverse order: the step program's bits and a float64 reference", () => {
    const H = 6, T = 5;
    const w = arr([H, H], 31, "float32", 0.9), xs = arr([T, H], 32);
    const f = (wm: Tensor, x: Tensor) => {
      const step = ([a, b]: Tensor[], xt: Tensor): [Tensor[], Tensor] => [[b!, np.multiply(np.tanh(np.add(np.matmul(a!, wm), xt)), 0.5)], a!];
      const [[a, b], ys] = lax.scan(step, [np.zeros([H]), np.ones([H])], x, { reverse: true }) as [Tensor[], Tensor];
      return [a!, b!, ys];
    };
    const [a, b, ys] = sameAsStepProgram(f, w, xs);
    // float64 reference of the same recurrence, rows taken last to first, ys at their rows
    const wv = Array.from(w.dataSync()), xv = Array.from(xs.dataSync());
    let [ra, rb] = [new Array<number>(H).fill(0), new Array<number>(H).fill(1)];
    const rys: number[][] = [];
    for (let t = T - 1; t >= 0; t--) {
      rys[t] = ra;
      const nb = ra.map((_, j) => 0.5 * Math.tanh(ra.reduce((s, v, p) => s + v * wv[p * H + j]!, 0) + xv[t * H + j]!));
      [ra, rb] = [rb, nb];
    }
    Array.from(a!.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(ra[j]!, 5));
    Array.from(b!.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(rb[j]!, 5));
    Array.from(ys!.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(rys[Math.floor(k / H)]![k % H]!, 5));
    // and its gradient through the transposed loop
    const loss = (wm: Tensor, x: Tensor) => f(wm, x).reduce((acc, t) => np.add(acc, np.sum(np.square(t))), np.zeros([]));
    sameAsStepProgram(grad(loss) as (...a: Tensor[]) => Tensor, w, xs);
  });

  it("eager lax.scan takes the compiled loop too; a body with an op it has no kernel for (a product of two carried matrices) stays on the step program", () => {
    const H = 5, T = 4;
    const w = arr([H, H], 41), xs = arr([T, H], 42);
    const body = (h: Tensor, x: Tensor): [Tensor, null] => [np.tanh(np.add(np.matmul(h, w), x)), null];
    let runs = loopStats.runs;
    const [h] = lax.scan(body, np.zeros([H]), xs) as [Tensor, null];
    expect(loopStats.runs).toBe(runs + 1);
    setWasmLoops(false);
    const [h2] = lax.scan(body, np.zeros([H]), xs) as [Tensor, null];
    setWasmLoops(true);
    expectBits(h, h2);
    runs = loopStats.runs;
    const refused = loopStats.refused;
    const m0 = np.multiply(0.5, np.eye(H));
    const [s] = lax.scan((c: Tensor, x: Tensor): [Tensor, null] => [np.add(np.matmul(c, c), x), null], m0, xs) as [Tensor, null];
    expect(loopStats.runs).toBe(runs);
    expect(loopStats.refused).toBe(refused + 1);
    expect(s.shape).toEqual([H, H]);
  });
});

describe("step programs: no per-step buffers", () => {
  it("a warmed jit(grad) through scan creates no arena buffers or slabs, for 20 steps or 400", () => {
    const H = 16, D = 4;
    const w = arr([H, H], 4, "float32", 0.5), u = arr([D, H], 5);
    const f = jit(grad(rnnLoss, { argnums: [0, 1] }) as (...a: Tensor[]) => Tensor[]);
    for (const T of [20, 400]) {
      const xs = arr([T, D], 6);
      const call = () => f(w, u, xs).forEach((t) => t.dispose());
      call(), call();
      const before = backend().arenaStats();
      call();
      const after = backend().arenaStats();
      expect(after.created, `large buffers created in a warmed call of ${T} steps`).toBe(before.created);
      expect(after.slabs, `slabs created in a warmed call of ${T} steps`).toBe(before.slabs);
      xs.dispose();
    }
  });
});
