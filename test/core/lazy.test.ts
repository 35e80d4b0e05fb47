// Lazy eager (src/core/lazy.ts): large elementwise ops wait until read, then run as one fused
// loop. The values must be those of the ops run one by one, bit for bit; the storage of a
// pending op's operands must outlive the user's handles; nothing pending may be run twice or
// leak its operands. Sizes here are small: the tests lower lazy.minSize to 64 elements.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config, grad, jit, numpy as np, tidy, type DType, type Tensor } from "../../src/index.js";
import { lazy, lazyStats } from "../../src/core/lazy.js";
import { expectBitEqual } from "../util/jit-oracles.js";

const saved = { ...lazy };
beforeAll(() => void Object.assign(lazy, { on: true, minSize: 64 }));
afterAll(() => void Object.assign(lazy, saved));

/** `fn` run with lazy eager off: the ops one by one. */
function opByOp<T>(fn: () => T): T {
  lazy.on = false;
  try {
    return fn();
  } finally {
    lazy.on = true;
  }
}
const pending = (t: Tensor): boolean => t._storage!.pending !== null;

/** Test data, computed (not pending). */
const X = (dtype: DType = "float32", shape = [8, 16]): Tensor => {
  const t = np.reshape(np.sin(np.multiply(np.arange(shape.reduce((a, b) => a * b, 1), { dtype }), 0.37)), shape);
  t.dataSync({ copy: false });
  return t;
};

describe("lazy eager", () => {
  it("a chain of large elementwise ops waits, then runs as one fused loop with the op-by-op bits", () => {
    const x = X();
    const f = (v: Tensor) => np.multiply(np.exp(np.sin(v)), np.cos(v)).add(1.5);
    const before = { ...lazyStats };
    const y = f(x);
    expect(pending(y)).toBe(true);
    expect(lazyStats.deferred - before.deferred).toBe(5); // sin, exp, cos, multiply, add
    expect(lazyStats.fused - before.fused).toBe(0);
    expectBitEqual(y, opByOp(() => f(x)), "lazy vs op by op");
    expect(lazyStats.fused - before.fused).toBe(1);
    expect(lazyStats.members - before.members).toBe(5);
    expect(pending(y)).toBe(false);
    // read again: no second run
    y.dataSync();
    expect(lazyStats.fused - before.fused).toBe(1);
  });

  it("repeats in a fused loop run once: sin(x) + sin(x) computes one sine", () => {
    const x = X();
    const before = { ...lazyStats };
    const y = np.sin(x).add(np.sin(x));
    expect(lazyStats.deferred - before.deferred).toBe(3);
    expectBitEqual(y, opByOp(() => np.sin(x).mul(2)), "2 sin x");
    expect(lazyStats.members - before.members).toBe(2); // one sin, one add
  });

  it("a pending op read by several loops is computed in line once, then kept: later loops read it", () => {
    const x = X();
    const b0 = { ...lazyStats };
    const a = np.exp(np.sin(x)); // pending: sin, exp
    const b = a.mul(2), c = a.add(1), d = a.sub(1);
    expectBitEqual(b, opByOp(() => np.exp(np.sin(x)).mul(2)), "b");
    expect([lazyStats.fused - b0.fused, lazyStats.members - b0.members]).toEqual([1, 3]); // sin, exp, mul in one loop
    expectBitEqual(c, opByOp(() => np.exp(np.sin(x)).add(1)), "c");
    // a was computed in line by b's loop: now its own loop (sin, exp again) keeps it, c reads it
    expect([lazyStats.fused - b0.fused, lazyStats.members - b0.members]).toEqual([2, 6]);
    expect(pending(a)).toBe(false);
    expectBitEqual(d, opByOp(() => np.exp(np.sin(x)).sub(1)), "d");
    expect([lazyStats.fused - b0.fused, lazyStats.members - b0.members]).toEqual([2, 7]); // d alone
  });

  it("small ops run at once, and an op under a transform never waits", () => {
    const small = np.sin(np.ones([63]));
    expect(pending(small)).toBe(false);
    let traced = false;
    jit((v: Tensor) => {
      const s = np.sin(v);
      traced = s._storage === null; // a tracer
      return s;
    })(X());
    expect(traced).toBe(true);
  });

  it("the gradient of Σ exp(sin x)·cos x: its forward Σ never runs, the gradient is one loop, bits as op by op and as jit", () => {
    const f = (v: Tensor) => np.sum(np.multiply(np.exp(np.sin(v)), np.cos(v)));
    const x = X("float32", [4096]);
    const before = { ...lazyStats };
    const g = grad(f)(x);
    expect(pending(g)).toBe(true);
    const deferred = lazyStats.deferred - before.deferred;
    expectBitEqual(g, opByOp(() => grad(f)(x)), "lazy grad vs op by op");
    expectBitEqual(g, jit(grad(f))(x), "lazy grad vs jit");
    // one loop: had the forward Σ run, its operand (the forward product) would have been a loop of its own
    expect(lazyStats.fused - before.fused).toBe(1);
    expect(lazyStats.members - before.members).toBeLessThanOrEqual(deferred - 2);
  });

  it("random elementwise programs (broadcasts, reductions, mixed dtypes, gradients) equal op by op bit for bit", () => {
    const col = np.reshape(np.linspace(-1, 1, 8), [8, 1]);
    const ops: ((a: Tensor, b: Tensor) => Tensor)[] = [
      (a) => np.sin(a),
      (a) => np.exp(a.mul(0.3)),
      (a) => np.tanh(a),
      (a, b) => a.add(b),
      (a, b) => a.sub(b.mul(2)),
      (a, b) => np.maximum(a, b),
      (a) => np.where(a.greater(0), a, a.mul(-0.5)),
      (a) => a.mul(col.astype(a.dtype)), // a column broadcast along the rows
      (a) => a.sum(-1, { keepdims: true }).add(a), // a reduction of a pending op, broadcast back
      (a) => a.max(0, { keepdims: true }).sub(a),
      (a) => a.astype("float64").mul(1.1).astype(a.dtype), // conversions in the chain
      (a) => a.astype("int32").astype(a.dtype).add(a),
      (a) => np.negative(a.astype(a.dtype === "float32" ? "float64" : "float32").mul(0.5).astype(a.dtype)), // a bit op after a conversion
      (a) => np.square(a).add(np.square(a)), // a repeat the fused loop merges
      (a) => np.reshape(np.reshape(a, [-1]), [8, 16]), // a view of a pending op
      (a) => np.matmul(a, np.transpose(a)).mul(0.01).matmul(a), // not elementwise: runs its operands
    ];
    const step = fc.tuple(fc.nat(ops.length - 1), fc.nat(5), fc.nat(5));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), fc.constantFrom<DType>("float32", "float64"), fc.boolean(), (prog, dtype, flush) => {
        const f = (x: Tensor, y: Tensor) => {
          const vs = [x, y];
          for (const [o, i, j] of prog) vs.push(ops[o]!(vs[vs.length - 1 - (i % vs.length)]!, vs[vs.length - 1 - (j % vs.length)]!));
          return [vs[vs.length - 1]!, vs[Math.floor(vs.length / 2)]!];
        };
        const x = X(dtype), y = np.cos(X(dtype)).mul(1e-39); // tiny values: the flush matters
        const what = `${JSON.stringify(prog)} ${dtype} flush=${flush}`;
        const prev = config.flushSubnormals();
        config.flushSubnormals(flush);
        try {
          const [a, b] = f(x, y);
          const [c, d] = opByOp(() => f(x, y));
          expectBitEqual(a!, c!, `${what}: output 0`);
          expectBitEqual(b!, d!, `${what}: output 1`);
          const g = (u: Tensor, w: Tensor) => f(u, w)[0]!.sum();
          const ga = grad(g, { argnums: [0, 1] })(x, y) as Tensor[];
          const gb = opByOp(() => grad(g, { argnums: [0, 1] })(x, y) as Tensor[]);
          ga.forEach((t, k) => expectBitEqual(t, gb[k]!, `${what}: grad ${k}`));
        } finally {
          config.flushSubnormals(prev);
        }
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("a pending op runs with the flush setting of its call, whenever it is read", () => {
    const tiny = np.full([128], 1e-39);
    const y = np.multiply(tiny, 1); // flushed: 0
    const prev = config.flushSubnormals();
    config.flushSubnormals(false);
    try {
      expect(y.dataSync()[0]).toBe(0);
      const z = np.multiply(tiny, 1); // IEEE: kept
      config.flushSubnormals(true);
      expect(z.dataSync()[0]).toBeCloseTo(Math.fround(1e-39), 45);
    } finally {
      config.flushSubnormals(prev);
    }
  });

  it("disposing an operand before the read leaves the pending op its values; disposing the result drops it and frees the operands", () => {
    const x = X();
    const want = opByOp(() => np.sin(x).mul(2)).dataSync();
    const x2 = np.add(x, 0); // a copy the test disposes
    const y = np.sin(x2).mul(2);
    x2.dispose();
    expect(x2.isDisposed).toBe(true);
    expect(Array.from(y.dataSync())).toEqual(Array.from(want));

    const x3 = np.add(x, 0);
    x3.dataSync();
    const s = x3._storage!;
    const z = np.cos(x3);
    expect(s.refs).toBe(2); // the user's handle and the pending op's
    const before = lazyStats.dropped;
    z.dispose();
    expect(lazyStats.dropped).toBe(before + 1);
    expect(s.refs).toBe(1);
    expect(() => z.dataSync()).toThrow(/disposed/);
    x3.dispose();
    expect(s.refs).toBe(0);
  });

  it("tidy: a pending result it returns stays readable; the pending intermediates it disposes are dropped unrun", () => {
    const x = X();
    const before = { ...lazyStats };
    const y = tidy(() => {
      const a = np.exp(x);
      np.tanh(a); // never read
      return np.sin(a).add(1);
    });
    expect(pending(y)).toBe(true);
    expectBitEqual(y, opByOp(() => np.sin(np.exp(x)).add(1)), "tidy result");
    expect(lazyStats.dropped - before.dropped).toBeGreaterThanOrEqual(1); // the tanh
    expect(lazyStats.fused - before.fused).toBe(1);
  });

  it("a loop that never reads its values keeps each fused loop within maxMembers", () => {
    const x = X();
    const before = { ...lazyStats };
    let v = x;
    for (let k = 0; k < 100; k++) v = k % 2 === 0 ? np.sin(v) : v.mul(1.0001);
    let w = x;
    opByOp(() => {
      for (let k = 0; k < 100; k++) w = k % 2 === 0 ? np.sin(w) : w.mul(1.0001);
    });
    expectBitEqual(v, w, "100 ops");
    const loops = lazyStats.fused - before.fused;
    expect(loops).toBeGreaterThanOrEqual(Math.ceil(100 / lazy.maxMembers));
    expect(lazyStats.members - before.members).toBe(100); // nothing ran twice
  });

  it("a conversion between float types runs alone: a float32 subnormal it makes passes a negation unflushed, as op by op and under jit", () => {
    const x = np.full([256], 1e-39, { dtype: "float64" }); // normal in float64, subnormal in float32
    const f = (v: Tensor) => np.negative(v.mul(1).astype("float32"));
    const got = f(x);
    const want = opByOp(() => f(x));
    expect(want.dataSync()[0]).toBe(-Math.fround(1e-39));
    expectBitEqual(got, want, "lazy");
    expectBitEqual(jit(f)(x), want, "jit");
  });

  it("a pending tensor passed to jit, or captured by it as a constant, is computed when the program reads it", () => {
    const x = X();
    const a = np.tanh(x).mul(3); // pending
    const b = np.exp(x.mul(0.5)); // pending, captured below
    expect([pending(a), pending(b)]).toEqual([true, true]);
    const f = jit((u: Tensor) => u.add(b).sum());
    const want = opByOp(() => np.tanh(x).mul(3).add(np.exp(x.mul(0.5))).sum());
    expectBitEqual(f(a), jit((u: Tensor, v: Tensor) => u.add(v).sum())(opByOp(() => np.tanh(x).mul(3)), opByOp(() => np.exp(x.mul(0.5)))), "jit of pending");
    expect(f(a).item()).toBeCloseTo(want.item(), 3);
  });

  it("a long chain of pending ops that cannot fuse (conversions) is run in pieces, not by one deep recursion", () => {
    const x = X("float32", [128]);
    let v = x;
    for (let k = 0; k < 20_000; k++) v = v.astype(k % 2 === 0 ? "float64" : "float32");
    expect(pending(v)).toBe(true);
    expect(Array.from(v.dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it("only a pending op of the reader's own shape runs in its loop: a reshaped view or a broadcast operand runs first", () => {
    // above the small-array path (1024 elements), where operands are read by their strides
    const x = X("float32", [64, 32]), col = X("float32", [64, 1]), wide = X("float32", [64, 32]);
    const f = () => {
      const v = np.reshape(np.sin(x), [32, 64]); // a view of a pending op, of another shape
      const b = np.exp(col); // pending [64, 1], read through a broadcast
      return [np.cos(v).add(1), wide.mul(b).add(b)];
    };
    const got = f(), want = opByOp(f);
    got.forEach((t, k) => expectBitEqual(t, want[k]!, `output ${k}`));
  });

  it("argument errors are thrown at the call, not at the read", () => {
    expect(() => np.add(X("float32", [8, 16]), X("float32", [16, 8]))).toThrow(/shape|broadcast/i);
    const gone = X();
    gone.dispose();
    expect(() => np.sin(gone)).toThrow(/disposed/);
  });

  it("a reduction of a pending operand waits too, and runs once when read", () => {
    const x = X("float64");
    const before = { ...lazyStats };
    const s = np.sum(np.square(x));
    expect(pending(s)).toBe(true);
    const want = opByOp(() => np.sum(np.square(x))).item();
    expect(s.item()).toBe(want);
    expect(s.item()).toBe(want);
    expect(lazyStats.members - before.members).toBe(2); // the square and the sum, once each
  });
});
