// tf.Module's names and walk order against TensorFlow 2.21 (test/fixtures/tf-function-module.json,
// scripts/fixtures/tf_function_module.py); tf.recomputeGrad against the plain gradient (identical)
// with its residuals counted; tf.gradPassThrough's identity backward in closed form.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { grad, linearize, makeJaxpr, numpy as np, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, flat } from "./util.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/tf-function-module.json", import.meta.url), "utf8")).module;

class Inner extends tf.Module {
  q = new tf.Variable(6, { name: "q" });
}
class Sub extends tf.Module {
  w = new tf.Variable(5, { name: "w" });
  inner = new Inner();
}
class MyModel extends tf.Module {
  z = new tf.Variable(1, { name: "z" });
  a = new tf.Variable(2, { name: "a", trainable: false });
  layers = [new Sub({ name: "s1" }), { b: new tf.Variable(3, { name: "b" }), a: new tf.Variable(4, { name: "a2" }) }];
  alias = this.z;
}

describe("tf.Module", () => {
  it("finds variables and submodules in TensorFlow's order, each once", () => {
    const m = new MyModel();
    expect(m.name).toBe(fx.name);
    expect(new MyModel({ name: "top" }).name).toBe(fx.named);
    expect(new Inner().name).toBe(fx.inner_name);
    expect(m.variables.map((v) => v.name)).toEqual(fx.variables);
    expect(m.trainableVariables.map((v) => v.name)).toEqual(fx.trainable);
    expect(m.nonTrainableVariables.map((v) => v.name)).toEqual(["a:0"]);
    expect(m.submodules.map((s) => s.name)).toEqual(fx.submodules);
  });
  it("a cycle is walked once; Keras layers are not Modules (as in Keras 3)", () => {
    class Node extends tf.Module {
      v = new tf.Variable(1);
      other: Node | null = null;
    }
    const a = new Node({ name: "a" }), b = new Node({ name: "b" });
    a.other = b;
    b.other = a;
    expect(a.variables.length).toBe(2);
    expect(a.submodules.map((s) => s.name)).toEqual(["b"]);
    expect(fx.keras_layer_is_module).toBe(false);
    expect(new tf.keras.layers.Dense(1) instanceof tf.Module).toBe(false);
  });
  it("a bad name names tf.Module", () => {
    expect(() => new tf.Module({ name: "a b" })).toThrow(/tf.Module: "a b" is not a valid module name|tf.Module: .*a b.* is not a valid module name/);
    expect(() => new tf.Module({ name: "a b" })).toThrow(ValueError);
  });
});

describe("tf.recomputeGrad", () => {
  it("on a tape: the gradient equals the plain one for arguments and variables; f runs again only for the gradient", () => {
    let calls = 0;
    const w = new tf.Variable([0.5, -1]);
    const f = (x: tf.Tensor) => {
      calls++;
      return tf.sin(tf.multiply(tf.sin(x), w));
    };
    const block = tf.recomputeGrad(f);
    const x = tf.constant([0.3, 1]);
    const t = new tf.GradientTape();
    t.watch(x);
    const y = t.record(() => tf.reduceSum(block(x)));
    expect(calls).toBe(1);
    const [gx, gw] = t.gradient(y, [x, w]);
    expect(calls).toBe(2);
    const plain = new tf.GradientTape();
    plain.watch(x);
    const y2 = plain.record(() => tf.reduceSum(f(x)));
    const [px, pw] = plain.gradient(y2, [x, w]);
    expect(flat(gx!)).toEqual(flat(px!));
    expect(flat(gw!)).toEqual(flat(pw!));
    expectClose(gx!, [0.5 * Math.cos(0.5 * Math.sin(0.3)) * Math.cos(0.3), -Math.cos(-Math.sin(1)) * Math.cos(1)], { rtol: 1e-5 });
  });
  it("second order through a recomputed block on nested tapes: d²(z³)/dz² = 6z", () => {
    const s = tf.constant(0.7);
    const outer = new tf.GradientTape(), inner = new tf.GradientTape();
    outer.watch(s);
    const g1 = outer.record(() => {
      inner.watch(s);
      const y = inner.record(() => tf.recomputeGrad((z: tf.Tensor) => tf.pow(z, 3))(s));
      return inner.gradient(y, s)!;
    });
    expect(g1.item()).toBeCloseTo(3 * 0.49, 5);
    expect(outer.gradient(g1, s)!.item()).toBeCloseTo(4.2, 5);
  });
  it("under tapir's transforms it is checkpoint: the linearized program keeps only the input", () => {
    const f = (x: tf.Tensor) => np.sin(np.sin(np.sin(x)));
    const residuals = (g: typeof f) => makeJaxpr((linearize(g, [np.array([0.3, 1])]) as any)[1])(np.array([1, 1])).jaxpr.constvars.length;
    expect(residuals(f)).toBe(3);
    expect(residuals(tf.recomputeGrad(f))).toBe(1);
    const x = np.array([0.3, 1], { dtype: "float64" });
    expect(flat(grad((x: tf.Tensor) => np.sum(tf.recomputeGrad(f)(x)))(x))).toEqual(flat(grad((x: tf.Tensor) => np.sum(f(x)))(x)));
  });
  it("bad input names the API", () => {
    expect(() => tf.recomputeGrad(3 as any)).toThrow(/tf.recomputeGrad: expected a function/);
    const v = new tf.Variable(1);
    const x = tf.constant(1);
    const t = new tf.GradientTape();
    t.watch(x);
    const y = t.record(() => tf.recomputeGrad((a: tf.Tensor) => tf.multiply(a, v))(x));
    expect(t.gradient(y, x)!.item()).toBe(1);
    const bad = tf.recomputeGrad((a: tf.Tensor) => (v.assign(2), tf.multiply(a, 2)));
    const t2 = new tf.GradientTape();
    t2.watch(x);
    const y2 = t2.record(() => bad(x));
    expect(() => t2.gradient(y2, x)).toThrow(/tf.recomputeGrad: the function assigns variable 'Variable:0'/);
  });
});

describe("tf.gradPassThrough", () => {
  it("forward f, backward the identity (the straight-through estimator)", () => {
    const r = tf.gradPassThrough((x: tf.Tensor) => tf.round(x));
    const x = tf.constant([0.4, 1.7]);
    const t = new tf.GradientTape();
    t.watch(x);
    const y = t.record(() => tf.reduceSum(tf.multiply(r(x), tf.constant([3, 5]))));
    expect(y.item()).toBe(10);
    expect(flat(t.gradient(y, x)!)).toEqual([3, 5]);
    // two arguments, two outputs: each cotangent goes to the argument in its position
    const two = tf.gradPassThrough((a: tf.Tensor, b: tf.Tensor) => [tf.floor(a), tf.ceil(b)]);
    const [a, b] = [tf.constant(1.5), tf.constant(2.5)];
    const t2 = new tf.GradientTape({ persistent: true });
    t2.watch([a, b]);
    const y2 = t2.record(() => {
      const [p, q] = two(a, b) as tf.Tensor[];
      return tf.add(tf.multiply(p!, 2), tf.multiply(q!, 7));
    });
    expect([t2.gradient(y2, a)!.item(), t2.gradient(y2, b)!.item()]).toEqual([2, 7]);
    // under tapir's grad too
    expect(grad((z: tf.Tensor) => np.sum(r(z).mul(4)))(np.array([0.2, 0.9])).toArray()).toEqual([4, 4]);
    expect(() => tf.gradPassThrough(null as any)).toThrow(/tf.gradPassThrough: expected a function/);
  });
});
