// tf.Variable, tf.constant / convertToTensor, customGradient and stopGradient.
import { describe, expect, it } from "vitest";
import { numpy as np, grad, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, thrown } from "./util.js";

describe("tf.Variable", () => {
  it("has a name, dtype, shape and trainable flag", () => {
    const v = new tf.Variable([1, 2, 3]);
    expect([v.name, v.dtype, [...v.shape], v.trainable]).toEqual(["Variable:0", "float32", [3], true]);
    const w = new tf.Variable(np.zeros([2, 2]), { name: "w", dtype: "float64", trainable: false });
    expect([w.name, w.dtype, [...w.shape], w.trainable]).toEqual(["w:0", "float64", [2, 2], false]);
    expect(new tf.Variable(() => [4, 5]).numpy()).toEqual([4, 5]); // an initializer function
  });

  it("assign, assignAdd and assignSub replace the value (and return the variable)", () => {
    const v = new tf.Variable([1, 2]);
    expect(v.assign([5, 6])).toBe(v);
    expectClose(v.value(), [5, 6]);
    v.assignAdd([1, 1]);
    expectClose(v.value(), [6, 7]);
    v.assignSub(tf.constant([2, 2]));
    expectClose(v.value(), [4, 5]);
  });

  it("assign never changes tensors handed out earlier, nor the one it is given", () => {
    const init = np.array([1, 2]);
    const v = new tf.Variable(init);
    const before = v.value();
    const next = tf.constant([7, 8]);
    v.assign(next);
    expectClose(before, [1, 2]);
    expectClose(init, [1, 2]);
    expect(v.value() === next).toBe(false); // identity (toBe on tensors would deep-compare by iterating)
    v.assignAdd([1, 1]);
    expectClose(next, [7, 8]);
  });

  it("assign with another shape throws TensorFlow's ValueError", () => {
    const v = new tf.Variable([1, 2]);
    const e = thrown(() => v.assign([1, 2, 3]));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("Cannot assign value to variable ' Variable:0': Shape mismatch.The variable shape (2,), and the assigned value shape (3,) are incompatible.");
  });

  it("assign converts JS values to the variable's dtype and refuses a tensor of another dtype (TensorFlow)", () => {
    const v = new tf.Variable(np.array([1, 2], { dtype: "float64" }));
    v.assign([0.1, 0.2]);
    expect(v.value().dtype).toBe("float64");
    expect(() => v.assign(tf.constant([0.1, 0.2]))).toThrow(/Tensor conversion requested dtype float64 for Tensor with dtype float32/);
  });

  it("variables are accepted wherever a tensor is: tf ops, tapir's numpy, Tensor methods", () => {
    const v = new tf.Variable([1, 2]);
    expectClose(tf.multiply(v, 3), [3, 6]);
    expectClose(np.add(v, 1), [2, 3]);
    expectClose(np.array([1, 1]).add(v), [2, 3]);
  });

  it("assignments are not differentiated (TensorFlow's behaviour)", () => {
    const x = tf.constant(2);
    const v = new tf.Variable(0);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      v.assign(tf.square(x));
      return tf.multiply(v, x); // v read after the assignment: a variable, not a function of x
    });
    const [gx, gv] = t.gradient(y, [x, v]);
    expectClose(gx, 4);
    expectClose(gv, 2);
  });

  it("every read of a watched variable contributes to its gradient", () => {
    const v = new tf.Variable(3);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      const a = tf.square(v); // v = 3
      v.assign(5);
      return tf.add(a, tf.multiply(v.value(), 2)); // read again at 5
    });
    expectClose(t.gradient(y, v), 2 * 3 + 2);
  });

  it("prints as TensorFlow's repr", () => {
    expect(new tf.Variable([1, 2], { name: "w" }).toString()).toBe("<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>");
    expect(new tf.Variable(1.5).toString()).toBe("<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.5>");
  });
});

describe("tf.constant and tf.convertToTensor", () => {
  it("JS numbers give float32; dtype and shape options as TensorFlow's", () => {
    expect(tf.constant(5).dtype).toBe("float32");
    expect(tf.constant([1, 2], { dtype: "int32" }).toString()).toBe("tf.Tensor([1 2], shape=(2,), dtype=int32)");
    expectClose(tf.constant(7, { shape: [2, 2] }), [7, 7, 7, 7], { shape: [2, 2] }); // a scalar fills
    expectClose(tf.constant([1, 2, 3, 4], { shape: [2, 2] }), [[1, 2], [3, 4]], { shape: [2, 2] });
    expect(() => tf.constant([1, 2, 3], { shape: [2, 2] })).toThrow(ValueError);
  });

  it("constant of a tapir tensor is a new tensor printing like TensorFlow's", () => {
    const a = np.array([1, 2]);
    const c = tf.constant(a);
    expect(c === a).toBe(false);
    expect(a.toString()).toBe("Array([1., 2.], dtype=float32)");
    expect(c.toString()).toBe("tf.Tensor([1. 2.], shape=(2,), dtype=float32)");
  });

  it("convertToTensor passes tensors through, reads variables, converts the rest", () => {
    const a = np.array([1, 2]);
    expect(tf.convertToTensor(a)).toBe(a);
    const v = new tf.Variable([3]);
    expect(tf.convertToTensor(v)).toBe(v.value());
    expectClose(tf.convertToTensor([[1, 2]]), [[1, 2]], { shape: [1, 2] });
    expect(() => tf.convertToTensor(a, { dtype: "int32" })).toThrow("Tensor conversion requested dtype int32 for Tensor with dtype float32");
  });
});

describe("tf.customGradient", () => {
  /** log(1 + eˣ) with the stable gradient 1 − 1/(1 + eˣ), TensorFlow's documented example. */
  const logExp = tf.customGradient((x: tf.Tensor) => {
    const e = tf.exp(x);
    return [tf.log(tf.add(1, e)), (dy: tf.Tensor) => tf.multiply(dy, tf.subtract(1, tf.divide(1, tf.add(1, e))))];
  });

  it("the tape differentiates by gradFn", () => {
    const x = tf.constant(100);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), logExp(x)));
    expectClose(t.gradient(y, x), 1); // the naive gradient eˣ/(1+eˣ) is nan at 100 in float32
  });

  it("gradFn is used by tapir's functional transforms too", () => {
    expectClose(grad((x: tf.Tensor) => logExp(x))(tf.constant(100)), 1);
    const clip = tf.customGradient((x: tf.Tensor) => [tf.identity(x), (dy: tf.Tensor) => tf.clipByValue(dy, -1, 1)]);
    expectClose(grad((x: tf.Tensor) => tf.reduceSum(tf.multiply(clip(x), 5)))(tf.constant([1, 2])), [1, 1]);
  });

  it("several arguments get one gradient each; null means zero", () => {
    const f = tf.customGradient((a: tf.Tensor, b: tf.Tensor) => [tf.multiply(a, b), (dy: tf.Tensor) => [tf.multiply(dy, 10), null]]);
    const [a, b] = [tf.constant(2), tf.constant(3)];
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch([a, b]), f(a, b)));
    const [ga, gb] = t.gradient(y, [a, b]);
    expectClose(ga, 10);
    expectClose(gb, 0);
  });

  it("a wrong number of gradients throws TensorFlow's ValueError (tape and transforms)", () => {
    const f = tf.customGradient((a: tf.Tensor, b: tf.Tensor) => [tf.add(a, b), (dy: tf.Tensor) => dy]);
    const [a, b] = [tf.constant(2), tf.constant(3)];
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(a), f(a, b)));
    const e = thrown(() => t.gradient(y, a));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("custom_gradient function expected to return 2 gradients, but returned 1 instead.");
    expect(() => grad((z: tf.Tensor) => f(z, b))(a)).toThrow("custom_gradient function expected to return 2 gradients, but returned 1 instead.");
  });

  it("a function reading variables gets {variables} and returns [argument grads, variable grads]", () => {
    const w = new tf.Variable(3, { name: "w" });
    const scaled = tf.customGradient((x: tf.Tensor) => [
      tf.multiply(x, w),
      (dy: tf.Tensor, { variables }: { variables: tf.Variable[] }) => {
        expect(variables).toEqual([w]);
        return [[tf.multiply(dy, 100)], [tf.multiply(dy, 1000)]];
      },
    ]);
    const x = tf.constant(2);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), scaled(x)));
    const [gx, gw] = t.gradient(y, [x, w]);
    expectClose(gx, 100);
    expectClose(gw, 1000);
  });

  it("variables without a variable gradient per variable throw TensorFlow's errors", () => {
    const w = new tf.Variable(3);
    const bad = tf.customGradient((x: tf.Tensor) => [tf.multiply(x, w), (dy: tf.Tensor) => [dy]]);
    const x = tf.constant(2);
    let t = new tf.GradientTape();
    let y = t.record(() => (t.watch(x), bad(x)));
    expect(() => t.gradient(y, x)).toThrow("grad_fn must accept keyword argument 'variables'");
    const short = tf.customGradient((x2: tf.Tensor) => [tf.multiply(x2, w), (dy: tf.Tensor) => [[dy], []]]);
    t = new tf.GradientTape();
    y = t.record(() => (t.watch(x), short(x)));
    expect(() => t.gradient(y, x)).toThrow("Must return gradient for each variable from @custom_gradient grad_fn.");
  });

  it("second derivatives through a custom gradient whose gradFn is differentiable", () => {
    const cube = tf.customGradient((x: tf.Tensor) => [tf.pow(x, 3), (dy: tf.Tensor) => tf.multiply(dy, tf.multiply(3, tf.square(x)))]);
    const x = tf.constant(2);
    const outer = new tf.GradientTape();
    const inner = new tf.GradientTape();
    let d1!: tf.Tensor;
    outer.record(() => {
      outer.watch(x);
      const y = inner.record(() => (inner.watch(x), cube(x)));
      d1 = inner.gradient(y, x);
    });
    expectClose(d1, 12);
    expectClose(outer.gradient(d1, x), 12); // 6x
  });
});

describe("tf.stopGradient", () => {
  it("blocks the gradient on tapes and in transforms", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.add(tf.square(x), tf.stopGradient(tf.square(x)))));
    expectClose(y, 18);
    expectClose(t.gradient(y, x), 6);
    expectClose(grad((z: tf.Tensor) => tf.multiply(z, tf.stopGradient(z)))(x), 3);
  });
});

describe("variables and tidy()", () => {
  it("a variable assigned or created inside tidy() keeps its value", async () => {
    const { tidy } = await import("../../src/index.js");
    const v = new tf.Variable([1, 2]);
    tidy(() => {
      v.assignAdd([1, 1]);
    });
    expectClose(v.value(), [2, 3]);
    const w = tidy(() => new tf.Variable([3]));
    expectClose(w.value(), [3]);
    const opt = new tf.keras.optimizers.SGD({ learningRate: 0.5 });
    tidy(() => {
      const t = new tf.GradientTape();
      const y = t.record(() => tf.reduceSum(tf.square(v)));
      opt.applyGradients([[t.gradient(y, v), v]]);
    });
    expectClose(v.value(), [0, 0]); // v − 0.5 · 2v
    const u = new tf.Variable([1, -1]);
    const adam = new tf.keras.optimizers.Adam({ learningRate: 0.1 });
    const momentum = new tf.keras.optimizers.SGD({ learningRate: 0.1, momentum: 0.9 });
    for (let i = 0; i < 3; i++) {
      tidy(() => {
        adam.applyGradients([[tf.constant([1, -1]), u]]);
        momentum.applyGradients([[tf.constant([1, -1]), u]]);
      });
    }
    expect(Math.abs(u.numpy()[0])).toBeLessThan(1); // both kept their slots across the tidy() steps
  });
});
