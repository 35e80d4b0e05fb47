// The tape equals the functional transforms on the same functions: gradient vs grad, jacobian
// vs jacrev, batchJacobian vs vmap(jacrev), nested tapes vs grad(grad), tape Hessians vs hessian.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { numpy as np, grad, hessian, jacrev, jit, vmap, Tensor } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose } from "./util.js";

type F = (x: Tensor) => Tensor;
/** Smooth unary steps; tf ops, so the same f serves the tape and the transforms. */
const STEPS: [string, F][] = [
  ["sin", tf.sin],
  ["tanh", tf.tanh],
  ["square", tf.square],
  ["sigmoid", tf.sigmoid],
  ["exp(0.3x)", (x) => tf.exp(tf.multiply(x, 0.3))],
  ["x·cos x", (x) => tf.multiply(x, tf.cos(x))],
  ["softplus", tf.nn.softplus],
  ["log(1+x²)", (x) => tf.log1p(tf.square(x))],
];
const W = tf.constant([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]]);
/** A random composition of steps with a matmul in the middle: R³ → R³. */
const program = fc.array(fc.integer({ min: 0, max: STEPS.length - 1 }), { minLength: 1, maxLength: 4 }).map((idx) => {
  const f: F = (x) => {
    let y = x;
    idx.forEach((k, i) => {
      y = STEPS[k]![1](y);
      if (i === 0) y = tf.reshape(tf.matmul(W, tf.reshape(y, [3, 1])), [3]);
    });
    return y;
  };
  return Object.assign(f, { toString: () => idx.map((k) => STEPS[k]![0]).join(" ∘ ") });
});
const vec3 = fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 3, maxLength: 3 });
const RUNS = { numRuns: 25, seed: 20240611 };
const tol = { rtol: 2e-4, atol: 2e-5 };

describe("tape results equal the functional transforms", () => {
  it("gradient of Σf(x) equals grad", () => {
    fc.assert(
      fc.property(program, vec3, (f, xs) => {
        const x = tf.constant(xs);
        const t = new tf.GradientTape();
        const y = t.record(() => (t.watch(x), tf.reduceSum(f(x))));
        expectClose(t.gradient(y, x), grad((z: Tensor) => tf.reduceSum(f(z)))(x), tol);
      }),
      RUNS,
    );
  });

  it("jacobian equals jacrev (both paths)", () => {
    fc.assert(
      fc.property(program, vec3, (f, xs) => {
        const x = tf.constant(xs);
        const t = new tf.GradientTape({ persistent: true });
        const y = t.record(() => (t.watch(x), f(x)));
        const ref = jacrev(f)(x);
        expectClose(t.jacobian(y, x), ref, { ...tol, shape: [3, 3] });
        expectClose(t.jacobian(y, x, { experimentalUsePfor: false }), ref, tol);
      }),
      RUNS,
    );
  });

  it("batchJacobian equals vmap(jacrev)", () => {
    fc.assert(
      fc.property(program, fc.array(vec3, { minLength: 1, maxLength: 4 }), (f, rows) => {
        const x = tf.constant(rows);
        const t = new tf.GradientTape();
        const y = t.record(() => (t.watch(x), vmap(f)(x)));
        expectClose(t.batchJacobian(y, x), vmap(jacrev(f))(x), { ...tol, shape: [rows.length, 3, 3] });
      }),
      RUNS,
    );
  });

  it("nested tapes equal grad(grad) (scalar functions)", () => {
    fc.assert(
      fc.property(program, fc.float({ min: -1.5, max: 1.5, noNaN: true }), (f, v) => {
        const g: F = (s) => tf.reduceSum(f(tf.multiply(s, tf.constant([1, 0.5, -0.25]))));
        const x = tf.constant(v);
        const outer = new tf.GradientTape();
        const inner = new tf.GradientTape();
        let d1!: tf.Tensor;
        outer.record(() => {
          outer.watch(x);
          const y = inner.record(() => (inner.watch(x), g(x)));
          d1 = inner.gradient(y, x);
        });
        expectClose(d1, grad(g)(x), tol);
        expectClose(outer.gradient(d1, x), grad(grad(g))(x), { rtol: 1e-3, atol: 1e-4 });
      }),
      RUNS,
    );
  });

  it("jacobian of a recorded gradient equals hessian", () => {
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
        expectClose(outer.jacobian(g, x), hessian(s)(x), { rtol: 1e-3, atol: 1e-4, shape: [3, 3] });
      }),
      RUNS,
    );
  });

  it("the same holds when the function uses tapir's numpy and Tensor methods", () => {
    const f = (x: Tensor) => np.tanh(np.matmul(W, x)).mul(x.sin()).sum();
    const x = tf.constant([0.3, -1.2, 0.8]);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), f(x)));
    expectClose(t.gradient(y, x), grad(f)(x), tol);
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
