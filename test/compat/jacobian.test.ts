// tape.jacobian and tape.batchJacobian: shapes, both paths, unconnected sources and every error.
import { describe, expect, it } from "vitest";
import { numpy as np, TapeError, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, thrown } from "./util.js";

/** y = [x0², x0·x1, sin x1] at (1, 2): J = [[2, 0], [2, 1], [0, cos 2]]. */
function recorded(persistent = false): [tf.GradientTape, tf.Tensor, tf.Tensor] {
  const x = tf.constant([1, 2]);
  const t = new tf.GradientTape({ persistent });
  const y = t.record(() => {
    t.watch(x);
    const [a, b] = tf.unstack(x);
    return tf.stack([tf.square(a!), tf.multiply(a!, b!), tf.sin(b!)]);
  });
  return [t, x, y];
}
const J = [[2, 0], [2, 1], [0, Math.cos(2)]];

describe("GradientTape.jacobian", () => {
  it("has shape target.shape ++ source.shape (vmap over the backward pass)", () => {
    const [t, x, y] = recorded();
    expectClose(t.jacobian(y, x), J, { shape: [3, 2] });
  });

  it("the looped path (experimentalUsePfor: false) gives the same values on a persistent tape", () => {
    const [t, x, y] = recorded(true);
    expectClose(t.jacobian(y, x, { experimentalUsePfor: false }), J, { shape: [3, 2] });
    expectClose(t.jacobian(y, x, { parallelIterations: 2 }), J, { shape: [3, 2] }); // vmap in chunks of 2 rows
  });

  it("the looped path on a non-persistent tape throws TensorFlow's error", () => {
    const [t, x, y] = recorded(false);
    const e = thrown(() => t.jacobian(y, x, { experimentalUsePfor: false }));
    expect(e).toBeInstanceOf(TapeError);
    expect(e.message).toContain("GradientTape must be created with persistent=True to compute the jacobian with eager execution enabled and with  experimental_use_pfor set to False.");
    expectClose(t.jacobian(y, x), J); // the tape was not spent by the refusal
  });

  it("matrix targets and several sources: each Jacobian is target.shape ++ source.shape", () => {
    const a = tf.constant([[1, 2], [3, 4]]);
    const v = tf.constant([5, 6, 7]);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch([a, v]);
      return tf.multiply(tf.reduceSum(a, 1, true), v); // y[i, j] = (a[i,0] + a[i,1]) · v[j]: [2, 3]
    });
    const { da, dv } = t.jacobian(y, { da: a, dv: v });
    expect([...da.shape]).toEqual([2, 3, 2, 2]);
    expect([...dv.shape]).toEqual([2, 3, 3]);
    // ∂y[i,j]/∂a[k,l] = δik v[j];  ∂y[i,j]/∂v[m] = δjm (a[i,0] + a[i,1])
    const want = [0, 1].flatMap((i) => [0, 1, 2].flatMap((j) => [0, 1].flatMap((k) => [0, 1].map(() => (i === k ? [5, 6, 7][j]! : 0)))));
    expectClose(da, want);
    const rows = [3, 7];
    expectClose(dv, [0, 1].flatMap((i) => [0, 1, 2].flatMap((j) => [0, 1, 2].map((m) => (j === m ? rows[i]! : 0)))));
  });

  it("an unconnected source gives null, or zeros of the Jacobian's shape with ZERO", () => {
    const x = tf.constant([1, 2]);
    const u = tf.constant([[1, 2, 3]]);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => (t.watch([x, u]), tf.square(x)));
    expect(t.jacobian(y, u)).toBeNull();
    expectClose(t.jacobian(y, [x, u], { unconnectedGradients: "zero" })[1], new Array(6).fill(0), { shape: [2, 1, 3] });
    expect(t.jacobian(tf.constant([1, 2]), x)).toBeNull(); // an untracked target
  });

  it("a jacobian of a recorded gradient is a Hessian (W5's shape)", () => {
    const x = tf.constant([0.3, -0.7]);
    const A = tf.constant([[2, 1], [1, 3]]);
    const outer = new tf.GradientTape();
    const inner = new tf.GradientTape();
    let g!: tf.Tensor;
    outer.record(() => {
      outer.watch(x);
      const s = inner.record(() => {
        inner.watch(x);
        // s = Σ sin(x)·x² + ½ xᵀAx
        const quad = tf.reduceSum(tf.multiply(x, tf.reshape(tf.matmul(A, tf.reshape(x, [2, 1])), [2])));
        return tf.add(tf.reduceSum(tf.multiply(tf.sin(x), tf.square(x))), tf.multiply(0.5, quad));
      });
      g = inner.gradient(s, x);
    });
    // H = diag(2 sin x + 4x cos x − x² sin x) + A
    const h = (v: number) => 2 * Math.sin(v) + 4 * v * Math.cos(v) - v * v * Math.sin(v);
    expectClose(outer.jacobian(g, x), [[h(0.3) + 2, 1], [1, h(-0.7) + 3]], { shape: [2, 2], rtol: 1e-4 });
  });

  it("jacobian inside another tape's recording is itself recorded", () => {
    const x = tf.constant([0.5, 1.5]);
    const outer = new tf.GradientTape();
    const inner = new tf.GradientTape();
    let jac!: tf.Tensor;
    outer.record(() => {
      outer.watch(x);
      const y = inner.record(() => (inner.watch(x), tf.pow(x, 3)));
      jac = inner.jacobian(y, x); // diag(3x²)
    });
    expectClose(jac, [[0.75, 0], [0, 6.75]]);
    expectClose(outer.gradient(jac, x), [3, 9]); // Σ 3x_i² → 6x
  });
});

describe("GradientTape.batchJacobian", () => {
  /** y[b] = tanh(x[b] W), W [3, 2]: J[b] = diag(1 − y[b]²) Wᵀ, shape [b, 2, 3]. */
  function perExample(persistent = false): [tf.GradientTape, tf.Tensor, tf.Tensor, number[][][]] {
    const W = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]];
    const xs = [[1, 2, 3], [-1, 0.5, 0]];
    const x = tf.constant(xs);
    const t = new tf.GradientTape({ persistent });
    const y = t.record(() => (t.watch(x), tf.tanh(tf.matmul(x, tf.constant(W)))));
    const want = xs.map((row) =>
      [0, 1].map((j) => {
        const yj = Math.tanh(row.reduce((s, v, k) => s + v * W[k]![j]!, 0));
        return [0, 1, 2].map((k) => (1 - yj * yj) * W[k]![j]!);
      }),
    );
    return [t, x, y, want];
  }

  it("has shape [b] ++ target.shape[1:] ++ source.shape[1:]", () => {
    const [t, x, y, want] = perExample();
    expectClose(t.batchJacobian(y, x), want, { shape: [2, 2, 3] });
  });

  it("the looped path gives the same values on a persistent tape; non-persistent throws", () => {
    const [t, x, y, want] = perExample(true);
    expectClose(t.batchJacobian(y, x, { experimentalUsePfor: false }), want, { shape: [2, 2, 3] });
    expectClose(t.batchJacobian(y, x, { parallelIterations: 1 }), want);
    const [t2, x2, y2] = perExample(false);
    const e = thrown(() => t2.batchJacobian(y2, x2, { experimentalUsePfor: false }));
    expect(e).toBeInstanceOf(TapeError);
    expect(e.message).toContain("GradientTape must be created with persistent=True to compute the batch_jacobian");
  });

  it("higher-rank targets and sources", () => {
    const x = tf.constant(np.reshape(np.arange(12, { dtype: "float32" }), [2, 3, 2]));
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.multiply(tf.reduceSum(x, 2), 2))); // [2, 3]: y[b,i] = 2 Σ_j x[b,i,j]
    const bj = t.batchJacobian(y, x);
    expect([...bj.shape]).toEqual([2, 3, 3, 2]);
    expectClose(bj, [0, 1].flatMap(() => [0, 1, 2].flatMap((i) => [0, 1, 2].flatMap((k) => [2 * +(i === k), 2 * +(i === k)]))));
  });

  it("first dimensions that differ throw TensorFlow's ValueError", () => {
    const x = tf.constant([[1, 2], [3, 4], [5, 6]]);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.reshape(tf.square(x), [2, 3])));
    const e = thrown(() => t.batchJacobian(y, x));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("Need first dimension of target shape (2, 3) and source shape (3, 2) to match.");
  });

  it("targets or sources of rank < 2 throw TensorFlow's ValueError", () => {
    const x = tf.constant([1, 2, 3]);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.square(x)));
    const e = thrown(() => t.batchJacobian(y, x));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("Shape (3,) must have rank at least 2");
  });

  it("an unconnected source gives zeros of the full shape, whatever unconnectedGradients says", () => {
    const x = tf.constant([[1, 2]]);
    const u = tf.constant([[1, 2, 3]]);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => (t.watch([x, u]), tf.square(x)));
    expectClose(t.batchJacobian(y, u), new Array(6).fill(0), { shape: [1, 2, 3] });
    expectClose(t.batchJacobian(y, u, { unconnectedGradients: "none" }), new Array(6).fill(0), { shape: [1, 2, 3] });
  });
});
