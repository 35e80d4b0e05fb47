// The float64 references of bench workloads W13-W15 (bench/lib/cliffs.ts), at small sizes, against
// central finite differences of the loss written out here in float64, and the check's flush-to-zero
// slack (W14 ×0.1). The benchmark checks every system's result against these references.
import { describe, expect, it } from "vitest";
import { FLT_MIN, deepMlp64, longChain64, rnnBptt64, W15_FACTOR } from "../../bench/lib/cliffs.js";
import { caseById, check } from "../../bench/lib/workloads.js";

/** A deterministic pseudo-random vector in [-s, s]. */
const vec = (n: number, seed: number, s = 1): Float64Array => Float64Array.from({ length: n }, (_, i) => s * Math.sin(seed * 12.9898 + i * 78.233) * 0.999);

/** Central differences of `f` at every coordinate of `p` (p is restored afterwards). */
function fd(f: () => number, p: Float64Array, h = 1e-6): Float64Array {
  return Float64Array.from(p, (v, i) => {
    p[i] = v + h;
    const up = f();
    p[i] = v - h;
    const down = f();
    p[i] = v;
    return (up - down) / (2 * h);
  });
}

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let e = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return e / m;
};

describe("bench W13 rnn_bptt reference", () => {
  it("matches finite differences of Σ h_T² (T = 5, H = 4, D = 3)", () => {
    const [T, H, D] = [5, 4, 3];
    const x = vec(T * D, 1), w = vec(H * H, 2, 0.8), u = vec(D * H, 3, 0.6);
    const loss = () => {
      let h = new Float64Array(H);
      for (let t = 0; t < T; t++)
        h = Float64Array.from({ length: H }, (_, j) => {
          let z = 0;
          for (let i = 0; i < H; i++) z += h[i]! * w[i * H + j]!;
          for (let k = 0; k < D; k++) z += x[t * D + k]! * u[k * H + j]!;
          return Math.tanh(z);
        });
      return h.reduce((s, v) => s + v * v, 0);
    };
    const g = rnnBptt64(x, w, u, T, H, D);
    expect(maxRel(g.subarray(0, H * H), fd(loss, w))).toBeLessThan(1e-6);
    expect(maxRel(g.subarray(H * H), fd(loss, u))).toBeLessThan(1e-6);
  });
});

describe("bench W14 deep_narrow_mlp reference", () => {
  it("matches finite differences of mean(h²) through 3 layers (B = 2, D = 3)", () => {
    const [B, D, L] = [2, 3, 3];
    const x = vec(B * D, 4), ws = [vec(D * D, 5, 0.9), vec(D * D, 6, 0.9), vec(D * D, 7, 0.9)];
    const loss = () => {
      let h = x;
      for (const w of ws)
        h = Float64Array.from({ length: B * D }, (_, p) => {
          const [b, j] = [Math.floor(p / D), p % D];
          let s = 0;
          for (let i = 0; i < D; i++) s += h[b * D + i]! * w[i * D + j]!;
          return Math.tanh(s);
        });
      return h.reduce((s, v) => s + v * v, 0) / (B * D);
    };
    const g = deepMlp64(x, ws, B, D);
    for (let l = 0; l < L; l++) expect(maxRel(g.subarray(l * D * D, (l + 1) * D * D), fd(loss, ws[l]!))).toBeLessThan(1e-6);
  });

  it("accepts flush-to-zero results at ×0.1 (gradients ~1e-40) and nothing larger", () => {
    const c = caseById("W14-0.1");
    const ref = Float64Array.from(vec(64, 8, 5e-40));
    expect(check([new Float32Array(64)], ref, c.rtol, c.ftzAtol)).toMatchObject({ ok: true, flushed: true });
    expect(check([Float64Array.from(ref)], ref, c.rtol, c.ftzAtol)).toMatchObject({ ok: true });
    // a value of normal magnitude where the reference is subnormal is a wrong answer
    expect(check([Float32Array.from(ref, (v, i) => (i === 3 ? 4 * FLT_MIN : v))], ref, c.rtol, c.ftzAtol).ok).toBe(false);
    // without the slack (×0.3's check), zeros are wrong
    expect(check([new Float32Array(64)], ref, c.rtol).ok).toBe(false);
  });
});

describe("bench W15 long_program reference", () => {
  it("is the derivative of Σ chain(x) (n = 7: sin, ×1.0001, sin, …), by finite differences", () => {
    const x = vec(5, 9, 2);
    const n = 7;
    const loss = () => {
      let s = 0;
      for (const v0 of x) {
        let v = v0;
        for (let k = 0; k < n; k++) v = k % 2 === 0 ? Math.sin(v) : v * W15_FACTOR;
        s += v;
      }
      return s;
    };
    expect(maxRel(longChain64(x, n), fd(loss, x))).toBeLessThan(1e-7);
  });

  it("one op: the derivative of sin is cos; two ops: cos(x)·1.0001 (float32's 1.0001)", () => {
    const x = [0.3, -1.2];
    expect(Array.from(longChain64(x, 1))).toEqual(x.map(Math.cos));
    expect(Array.from(longChain64(x, 2))).toEqual(x.map((v) => Math.cos(v) * Math.fround(1.0001)));
  });
});
