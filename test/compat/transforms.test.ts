// The tape on random compositions of smooth ops, against float64 references computed here in
// plain JS: the chain rule over each step's closed-form derivative (gradient, Jacobian, batch
// Jacobian), and central differences of that exact gradient for second derivatives. Nothing on
// the reference side runs tapir code, so the tape is not checked against the vjp it is built on.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { numpy as np, grad, jit, vmap, Tensor } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose } from "./util.js";

type F = (x: Tensor) => Tensor;
/** A smooth unary step: the tf op, and its value and derivative in float64. */
interface Step {
  name: string;
  op: F;
  f: (x: number) => number;
  df: (x: number) => number;
}
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const STEPS: Step[] = [
  { name: "sin", op: tf.sin, f: Math.sin, df: Math.cos },
  { name: "tanh", op: tf.tanh, f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  { name: "square", op: tf.square, f: (x) => x * x, df: (x) => 2 * x },
  { name: "sigmoid", op: tf.sigmoid, f: sig, df: (x) => sig(x) * (1 - sig(x)) },
  { name: "exp(0.3x)", op: (x) => tf.exp(tf.multiply(x, 0.3)), f: (x) => Math.exp(0.3 * x), df: (x) => 0.3 * Math.exp(0.3 * x) },
  { name: "x·cos x", op: (x) => tf.multiply(x, tf.cos(x)), f: (x) => x * Math.cos(x), df: (x) => Math.cos(x) - x * Math.sin(x) },
  { name: "softplus", op: tf.nn.softplus, f: (x) => Math.log1p(Math.exp(x)), df: sig },
  { name: "log(1+x²)", op: (x) => tf.log1p(tf.square(x)), f: (x) => Math.log1p(x * x), df: (x) => (2 * x) / (1 + x * x) },
];
const Wm = [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]];
const W = tf.constant(Wm);

/** A program: steps idx applied in turn, W· after the first. f for the tape, ref for float64. */
interface Program {
  (x: Tensor): Tensor;
  idx: number[];
}
const makeProgram = (idx: number[]): Program => {
  const f: F = (x) => {
    let y = x;
    idx.forEach((k, i) => {
      y = STEPS[k]!.op(y);
      if (i === 0) y = tf.reshape(tf.matmul(W, tf.reshape(y, [3, 1])), [3]);
    });
    return y;
  };
  return Object.assign(f, { idx, toString: () => idx.map((k) => STEPS[k]!.name).join(" ∘ ") });
};
const program = fc.array(fc.integer({ min: 0, max: STEPS.length - 1 }), { minLength: 1, maxLength: 4 }).map(makeProgram);

/** Float64 value and Jacobian (J[i][j] = ∂yᵢ/∂xⱼ) of a program by the chain rule. */
function refJac(idx: readonly number[], x: readonly number[]): { y: number[]; J: number[][] } {
  let y = [...x];
  let J: number[][] = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 : 0)));
  idx.forEach((k, i) => {
    const s = STEPS[k]!;
    J = J.map((row, r) => row.map((v) => s.df(y[r]!) * v)); // diag(f'(y)) J
    y = y.map(s.f);
    if (i === 0) {
      J = Wm.map((wr) => [0, 1, 2].map((c) => wr.reduce((acc, w, m) => acc + w * J[m]![c]!, 0))); // W J
      y = Wm.map((wr) => wr.reduce((acc, w, m) => acc + w * y[m]!, 0));
    }
  });
  return { y, J };
}
/** ∇ Σ f(x) = 1ᵀ J. */
const refGrad = (idx: readonly number[], x: readonly number[]) => {
  const { J } = refJac(idx, x);
  return [0, 1, 2].map((j) => J.reduce((acc, row) => acc + row[j]!, 0));
};
/** Hessian of Σ f by central differences (h = 1e-5) of the exact float64 gradient: error ~1e-9. */
const refHess = (idx: readonly number[], x: readonly number[]) => {
  const h = 1e-5;
  const cols = [0, 1, 2].map((j) => {
    const xp = x.map((v, k) => (k === j ? v + h : v));
    const xm = x.map((v, k) => (k === j ? v - h : v));
    const [gp, gm] = [refGrad(idx, xp), refGrad(idx, xm)];
    return gp.map((v, i) => (v - gm[i]!) / (2 * h));
  });
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => cols[j]![i]!)); // H[i][j] = ∂gᵢ/∂xⱼ
};

const vec3 = fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 3, maxLength: 3 });
const RUNS = { numRuns: 25, seed: 20240611 };
const tol = { rtol: 2e-4, atol: 2e-5 };
/** The float32 value the tape actually sees (tf.constant rounds the inputs). */
const f32 = (xs: readonly number[]) => xs.map((v) => Math.fround(v));

describe("tape results against float64 chain-rule references", () => {
  it("the references agree with the forward values of the ops (sanity)", () => {
    const f = makeProgram([0, 2, 5, 7]);
    const x = [0.3, -1.2, 0.8];
    expectClose(f(tf.constant(x)), refJac(f.idx, f32(x)).y, tol);
  });

  it("gradient of Σf(x) is 1ᵀJ", () => {
    fc.assert(
      fc.property(program, vec3, (f, xs) => {
        const x = tf.constant(xs);
        const t = new tf.GradientTape();
        const y = t.record(() => (t.watch(x), tf.reduceSum(f(x))));
        expectClose(t.gradient(y, x), refGrad(f.idx, f32(xs)), tol);
      }),
      RUNS,
    );
  });

  it("jacobian is J (both paths)", () => {
    fc.assert(
      fc.property(program, vec3, (f, xs) => {
        const x = tf.constant(xs);
        const t = new tf.GradientTape({ persistent: true });
        const y = t.record(() => (t.watch(x), f(x)));
        const ref = refJac(f.idx, f32(xs)).J;
        expectClose(t.jacobian(y, x), ref, { ...tol, shape: [3, 3] });
        expectClose(t.jacobian(y, x, { experimentalUsePfor: false }), ref, tol);
      }),
      RUNS,
    );
  });

  it("batchJacobian is J of each row", () => {
    fc.assert(
      fc.property(program, fc.array(vec3, { minLength: 1, maxLength: 4 }), (f, rows) => {
        const x = tf.constant(rows);
        const t = new tf.GradientTape();
        const y = t.record(() => (t.watch(x), vmap(f)(x)));
        expectClose(t.batchJacobian(y, x), rows.map((r) => refJac(f.idx, f32(r)).J), { ...tol, shape: [rows.length, 3, 3] });
      }),
      RUNS,
    );
  });

  it("nested tapes give the first and second derivative of s ↦ Σ f(s·c)", () => {
    const c = [1, 0.5, -0.25];
    fc.assert(
      fc.property(program, fc.float({ min: -1.5, max: 1.5, noNaN: true }), (f, v) => {
        const g: F = (s) => tf.reduceSum(f(tf.multiply(s, tf.constant(c))));
        const x = tf.constant(v);
        const outer = new tf.GradientTape();
        const inner = new tf.GradientTape();
        let d1!: tf.Tensor;
        outer.record(() => {
          outer.watch(x);
          const y = inner.record(() => (inner.watch(x), g(x)));
          d1 = inner.gradient(y, x);
        });
        // d/ds Σ f(s c) = ∇Σf(s c) · c; the second derivative by central differences of it
        const sv = Math.fround(v);
        const dRef = (s: number) => refGrad(f.idx, c.map((ci) => Math.fround(Math.fround(s) * Math.fround(ci)))).reduce((acc, gi, i) => acc + gi * c[i]!, 0);
        const dRefExact = (s: number) => refGrad(f.idx, c.map((ci) => s * ci)).reduce((acc, gi, i) => acc + gi * c[i]!, 0);
        expectClose(d1, dRef(sv), tol);
        const h = 1e-5;
        expectClose(outer.gradient(d1, x), (dRefExact(sv + h) - dRefExact(sv - h)) / (2 * h), { rtol: 1e-3, atol: 1e-4 });
      }),
      RUNS,
    );
  });

  it("jacobian of a recorded gradient is the Hessian", () => {
    fc.assert(
      fc.property(program, vec3, (f, xs) => {
        const s: F = (z) => tf.reduceSum(f(z));
        const x = tf.constant(xs);
        const outer = new tf.GradientTape();
        const inner = new tf.GradientTape();
        let g!: tf.Tensor;
        outer.record(() => {
          outer.watch(x);
          const y = inner.record(() => (inner.watch(x), s(x)));
          g = inner.gradient(y, x);
        });
        expectClose(outer.jacobian(g, x), refHess(f.idx, f32(xs)), { rtol: 1e-3, atol: 1e-4, shape: [3, 3] });
      }),
      RUNS,
    );
  });

  it("the same holds when the function uses tapir's numpy and Tensor methods", () => {
    // f(x) = Σᵢ tanh(zᵢ) sin(xᵢ), z = W x: ∂f/∂xⱼ = Σᵢ (1 − tanh² zᵢ) Wᵢⱼ sin xᵢ + tanh(zⱼ) cos xⱼ
    const f = (x: Tensor) => np.tanh(np.matmul(W, x)).mul(x.sin()).sum();
    const xs = f32([0.3, -1.2, 0.8]);
    const z = Wm.map((r) => r.reduce((acc, w, m) => acc + w * xs[m]!, 0));
    const want = [0, 1, 2].map((j) => z.reduce((acc, zi, i) => acc + (1 - Math.tanh(zi) ** 2) * Wm[i]![j]! * Math.sin(xs[i]!), 0) + Math.tanh(z[j]!) * Math.cos(xs[j]!));
    const x = tf.constant(xs);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), f(x)));
    expectClose(t.gradient(y, x), want, tol);
  });

  it("tensors flow both ways: tape gradients feed tapir, tapir tensors feed the tape", () => {
    const x = np.array([1, 2]); // a tapir tensor
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.reduceSum(tf.exp(x))));
    const g = t.gradient(y, x);
    expect(g).toBeInstanceOf(Tensor);
    expectClose(np.subtract(g, np.exp(x)), [0, 0]);
    expect(x.toString()).toBe("Array([1., 2.], dtype=float32)"); // tapir's print style is untouched
    expect(g.toString()).toBe("tf.Tensor([2.7182817 7.389056 ], shape=(2,), dtype=float32)");
  });

  it("tapir's transforms run inside a recording are recorded through their eager computations", () => {
    const x = tf.constant([0.7, 0.2]);
    const t = new tf.GradientTape({ persistent: true });
    const [g, v, j] = t.record(() => {
      t.watch(x);
      return [grad((z: Tensor) => np.sum(np.sin(z)))(x), vmap(np.sin)(x), jit((z: Tensor) => np.sin(z).mul(2))(x)];
    });
    expectClose(t.gradient(g, x), [-Math.sin(0.7), -Math.sin(0.2)], tol); // d/dx Σ cos x
    expectClose(t.gradient(v, x), [Math.cos(0.7), Math.cos(0.2)], tol);
    expectClose(t.gradient(j, x), [2 * Math.cos(0.7), 2 * Math.cos(0.2)], tol);
  });

  it("a tape used inside a transform: grad of a function that runs a tape", () => {
    // f(x) = d/dx (x³) by a tape = 3x², so grad f = 6x
    const f = (x: Tensor) => {
      const t = new tf.GradientTape();
      const y = t.record(() => (t.watch(x), tf.pow(x, 3)));
      return t.gradient(y, x);
    };
    expectClose(f(tf.constant(2)), 12);
    expectClose(grad(f)(tf.constant(2)), 12);
    expectClose(vmap(f)(tf.constant([1, 2])), [3, 12]);
  });
});

describe("a functional transform inside a recording, on a scalar", () => {
  it("a tape sees grad(f)(x) for a watched scalar x (literals keep their source tensor)", () => {
    const x = tf.constant(3.0);
    const tape = new tf.GradientTape();
    let g!: tf.Tensor;
    tape.record(() => {
      tape.watch(x);
      g = grad((v: tf.Tensor) => v.mul(v).mul(v))(x); // 3x² = 27
    });
    expect(g.item()).toBe(27);
    expect(tape.gradient(g, x)!.item()).toBe(18); // 6x
  });
});
