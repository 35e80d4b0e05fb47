// TensorFlow 2.21 behaviours of GradientTape ported as regression tests (each value checked
// against TensorFlow by hand: /tmp/tfenv, the snippet in each test's comment).
import { describe, expect, it } from "vitest";
import { numpy as np, stopGradient, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, thrown } from "./util.js";

function tapeGrad(f: (x: tf.Tensor) => tf.Tensor, x = tf.constant([0.5, -1.5, 2])) {
  const t = new tf.GradientTape();
  const y = t.record(() => {
    t.watch(x);
    return f(x);
  });
  return t.gradient(y, x);
}

describe("non-differentiable ops give null (TF's None), not zeros", () => {
  // with tf.GradientTape() as t: t.watch(x); y = tf.floor(x)  →  t.gradient(y, x) is None
  const cases: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ["tf.stopGradient", (x) => tf.stopGradient(x)],
    ["tf.floor", (x) => tf.floor(x)],
    ["tf.ceil", (x) => tf.ceil(x)],
    ["tf.round", (x) => tf.round(x)],
    ["cast to int32", (x) => tf.cast(x, "int32")],
    ["tf.greater", (x) => tf.greater(x, 0)],
    ["tf.argmax", (x) => tf.argmax(x)],
    ["np.floor (a numpy function on a watched tensor)", (x) => np.floor(x)],
    ["np.round", (x) => np.round(x)],
    ["np.ceil", (x) => np.ceil(x)],
    ["tapir's stopGradient", (x) => stopGradient(x)],
    ["floor then multiply", (x) => tf.multiply(np.floor(x), 3)],
    ["cast to int and back", (x) => tf.cast(tf.cast(x, "int32"), "float32")],
  ];
  for (const [name, f] of cases) it(name, () => expect(tapeGrad(f)).toBeNull());
  it("sign keeps TensorFlow's registered zero gradient", () => expectClose(tapeGrad((x) => np.sign(x)), [0, 0, 0]));
  it("a variable whose only path is non-differentiable is skipped by Adam, not moved", () => {
    const v = new tf.Variable([0.5, 1.5]);
    const w = new tf.Variable([1, 1]);
    const t = new tf.GradientTape();
    const loss = t.record(() => tf.reduceSum(tf.add(np.floor(v.value()), tf.square(w))));
    const grads = t.gradient(loss, [v, w]);
    expect(grads[0]).toBeNull();
    const warn = console.warn;
    console.warn = () => {};
    try {
      new tf.keras.optimizers.Adam({ learningRate: 0.1 }).applyGradients([[grads[0], v], [grads[1], w]]);
    } finally {
      console.warn = warn;
    }
    expectClose(v.value(), [0.5, 1.5]);
    expectClose(w.value(), [0.9, 0.9]);
  });
});

describe("a target that is a source", () => {
  it("tape.gradient(v, v) is ones, even on a tape that never read v", () => {
    // v = tf.Variable([1., 2.]); with tf.GradientTape() as t: pass; t.gradient(v, v) → [1., 1.]
    const v = new tf.Variable([1, 2]);
    const t = new tf.GradientTape({ watchAccessedVariables: false });
    t.record(() => {});
    expectClose(t.gradient(v, v), [1, 1]);
    const x = tf.constant(3);
    const t2 = new tf.GradientTape();
    t2.record(() => {});
    expectClose(t2.gradient(x, x), 1);
  });
  it("tape.gradient([y, u], u) adds the 1 of u to dy/du", () => {
    const u = new tf.Variable(5);
    const t = new tf.GradientTape();
    const y = t.record(() => tf.multiply(u, 2));
    expectClose(t.gradient([y, u], u), 3);
  });
  it("tape.jacobian(v, v) is the identity in both pfor modes", () => {
    const v = new tf.Variable([1, 2]);
    for (const pfor of [true, false]) {
      const t = new tf.GradientTape({ persistent: true });
      t.record(() => {});
      expectClose(t.jacobian(v, v, { experimentalUsePfor: pfor }), [[1, 0], [0, 1]]);
    }
  });
});

describe("zero-size targets give empty Jacobians of the right shape", () => {
  // s = [[1., 2.]]; y = (s * 2.)[:, :0]; t.batch_jacobian(y, s).shape → (1, 0, 2); t.jacobian(y, s).shape → (1, 0, 1, 2)
  for (const pfor of [true, false]) {
    it(`experimentalUsePfor: ${pfor}`, () => {
      const s = tf.constant([[1, 2]]);
      const t = new tf.GradientTape({ persistent: true });
      const y = t.record(() => {
        t.watch(s);
        return tf.slice(tf.multiply(s, 2), [0, 0], [1, 0]);
      });
      expect(y.shape).toEqual([1, 0]);
      const bj = t.batchJacobian(y, s, { experimentalUsePfor: pfor });
      expect(bj.shape).toEqual([1, 0, 2]);
      const j = t.jacobian(y, s, { experimentalUsePfor: pfor });
      expect(j).not.toBeNull();
      expect(j.shape).toEqual([1, 0, 1, 2]);
      expect(j.dtype).toBe("float32");
    });
  }
});

describe("watchedVariables and re-entry", () => {
  it("watchedVariables() lists variables in creation order, not first-read order", () => {
    // a, b = tf.Variable(1.), tf.Variable(2.); with tape: b + a; → [a, b]
    const a = new tf.Variable(1, { name: "a" });
    const b = new tf.Variable(2, { name: "b" });
    const t = new tf.GradientTape();
    t.record(() => tf.add(b, a));
    expect(t.watchedVariables().map((v) => v.name)).toEqual(["a:0", "b:0"]);
  });
  it("re-entering an active tape throws ValueError with TF's message", () => {
    const t = new tf.GradientTape();
    const e = thrown(() => t.record(() => t.record(() => 0)));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("Tape is still recording, This can happen if you try to re-enter an already-active tape.");
    using _ = t.recording();
    expect(() => t.recording()).toThrow(ValueError);
  });
});
