// tf.function against TensorFlow 2.21: retracing counts (experimental_get_tracing_count) for the
// same call sequences, variables captured by reference and assigned inside, inputSignature
// binding and its errors, gradients through the compiled call on a tape. Expected values are
// TensorFlow's, from test/fixtures/tf-function-module.json (scripts/fixtures/tf_function_module.py);
// the rest are closed forms.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError, grad, jit, numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, flat, thrown } from "./util.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/tf-function-module.json", import.meta.url), "utf8")).function;
const c = (x: number | number[], dtype?: "float64") => tf.constant(x, dtype ? { dtype } : {});

function count(fn: (...a: any[]) => unknown, calls: unknown[][]): number {
  const f = tf.function(fn);
  for (const args of calls) f(...args);
  return f.experimentalGetTracingCount();
}

describe("tf.function retracing (TensorFlow's counts)", () => {
  const double = (x: any) => tf.multiply(x, 2);
  it("tensors by shape and dtype, JS values by value, containers by structure", () => {
    expect(count(double, [[c([1, 2])], [c([3, 4])]])).toBe(fx.same_shape);
    expect(count(double, [[c([1, 2])], [c([1, 2, 3])], [c([1, 2])]])).toBe(fx.new_shape);
    expect(count(double, [[c([1, 2])], [c([1, 2], "float64")]])).toBe(fx.new_dtype);
    expect(count(double, [[1], [2], [1], [2]])).toBe(fx.py_scalar);
    expect(count((x, mode) => tf.multiply(x, mode === "a" ? 2 : 3), [[c(1), "a"], [c(1), "b"], [c(1), "a"]])).toBe(fx.strings);
    expect(count((x, training) => (training ? tf.multiply(x, 2) : x), [[c(1), true], [c(1), false], [c(2), true]])).toBe(fx.bools);
    expect(count((d) => tf.add(d.a, d.b), [[{ a: c(1), b: c(2) }], [{ a: c(3), b: c(4) }], [{ a: c([3]), b: c(4) }]])).toBe(fx.dicts);
    expect(count((l) => l[0], [[[c(1)]], [[c(1), c(2)]]])).toBe(fx.list_len);
  });

  it("variables as arguments: by shape and dtype (another variable of the same shape reuses the trace)", () => {
    const v = new tf.Variable([1, 2]), w = new tf.Variable([5, 6]), u = new tf.Variable([1, 2, 3]);
    const f = tf.function(double);
    expectClose(f(v), [2, 4]);
    expectClose(f(w), [10, 12]);
    f(u);
    expect(f.experimentalGetTracingCount()).toBe(fx.variable_args);
    // the variable passed is the one read, and assigned
    const inc = tf.function((a: tf.Variable) => a.assignAdd([1, 1]).value());
    expectClose(inc(v), [2, 3]);
    expectClose(inc(w), [6, 7]);
    expect(flat(v.value())).toEqual([2, 3]);
    expect(inc.experimentalGetTracingCount()).toBe(1);
  });
});

describe("tf.function state and gradients", () => {
  it("a closed-over variable is captured by reference: a later assign is seen without retracing", () => {
    const v = new tf.Variable([1, 2]);
    const h = tf.function((x: tf.Tensor) => tf.multiply(x, v));
    h(c(1));
    v.assign([3, 4]);
    expectClose(h(c(1)), fx.capture_by_reference.value);
    expect(h.experimentalGetTracingCount()).toBe(fx.capture_by_reference.count);
    // a scalar variable too (scalars are not baked in as literals)
    const s = new tf.Variable(2);
    const g = tf.function((x: tf.Tensor) => tf.multiply(x, s));
    expect(g(c(3)).item()).toBe(6);
    s.assign(5);
    expect(g(c(3)).item()).toBe(15);
  });

  it("assign inside updates the variable; reads after it see the new value", () => {
    const acc = new tf.Variable(0);
    const step = tf.function((x: tf.Tensor) => {
      acc.assignAdd(x);
      return tf.multiply(acc.readValue(), 2);
    });
    step(c(1));
    const r = step(c(2));
    expect([step.experimentalGetTracingCount(), acc.value().item(), r.item()]).toEqual([fx.assign_inside.count, fx.assign_inside.variable, fx.assign_inside.result]);
  });

  it("a tape differentiates through the compiled call to watched tensors and variables", () => {
    const w = new tf.Variable(3);
    const f = tf.function((x: tf.Tensor) => tf.multiply(tf.multiply(x, x), w));
    const x = c(2);
    const t = new tf.GradientTape({ persistent: true });
    t.watch(x);
    const y = t.record(() => f(x));
    expect(t.gradient(y, x)!.item()).toBe(fx.tape.dx);
    expect(t.gradient(y, w)!.item()).toBe(fx.tape.dw);
  });

  it("a tape inside the function, a Keras layer built inside it, scan bodies reading variables", () => {
    const layer = new tf.keras.layers.SimpleRNN(2, { activation: "tanh" });
    const x = tf.random.normal([2, 3, 2], { seed: 4 });
    const step = tf.function((xs: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => tf.reduceSum(tf.square(layer.apply(xs))));
      return [loss, tape.gradient(loss, layer.trainableVariables)];
    });
    const [loss, grads] = step(x) as [tf.Tensor, tf.Tensor[]];
    const tape = new tf.GradientTape();
    const eager = tape.record(() => tf.reduceSum(tf.square(layer.apply(x))));
    expectClose(loss, eager.item(), { rtol: 1e-5 });
    tape.gradient(eager, layer.trainableVariables).forEach((g, i) => expectClose(grads[i], g!, { rtol: 1e-4 }));
    // the kernel read inside lax.scan's body is an input of the program: zeroing it is seen
    for (const v of layer.trainableVariables) v.assign(tf.zeros(v.shape));
    expect(flat((step(x) as [tf.Tensor])[0])).toEqual([0]);
    expect(step.experimentalGetTracingCount()).toBe(1);
  });

  it("a convnet's layers (Conv2D, MaxPooling2D, BatchNormalization, Dropout, Dense) under tf.function equal eager, in inference and in training", () => {
    const model = new tf.keras.Sequential([
      new tf.keras.layers.Conv2D(3, [3, 3], { activation: "relu" }),
      new tf.keras.layers.MaxPooling2D(),
      new tf.keras.layers.BatchNormalization(),
      new tf.keras.layers.Flatten(),
      new tf.keras.layers.Dropout(0.5),
      new tf.keras.layers.Dense(2),
    ]);
    const x = tf.random.normal([2, 6, 6, 1], { seed: 9 });
    const eagerInf = model.apply(x, { training: false }) as tf.Tensor;
    const inf = tf.function((xs: tf.Tensor) => model.apply(xs, { training: false }) as tf.Tensor);
    expectClose(inf(x), flat(eagerInf), { rtol: 1e-5, atol: 1e-6 });
    // training (the layers before Dropout, whose draw is random): BatchNormalization normalises by
    // the batch statistics; value and the tape's gradient of the conv kernel equal eager's
    const train = tf.function((xs: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => tf.reduceSum(tf.square(model.layers[2]!.apply(model.layers[1]!.apply(model.layers[0]!.apply(xs)), { training: true }) as tf.Tensor)));
      return [loss, tape.gradient(loss, model.layers[0]!.trainableVariables)];
    });
    const [loss, grads] = train(x) as [tf.Tensor, tf.Tensor[]];
    const tape = new tf.GradientTape();
    const eager = tape.record(() => tf.reduceSum(tf.square(model.layers[2]!.apply(model.layers[1]!.apply(model.layers[0]!.apply(x)), { training: true }) as tf.Tensor)));
    expectClose(loss, eager.item(), { rtol: 1e-4 });
    tape.gradient(eager, model.layers[0]!.trainableVariables).forEach((g, i) => expectClose(grads[i], flat(g!), { rtol: 1e-3, atol: 1e-5 }));
    expect(train.experimentalGetTracingCount()).toBe(1);
  });

  it("outputs keep their structure (non-tensor leaves as they were); composes with jit and grad", () => {
    const f = tf.function((x: tf.Tensor, k: number) => ({ y: tf.multiply(x, k), k, tag: "t" }));
    const o = f(c([1, 2]), 3) as { y: tf.Tensor; k: number; tag: string };
    expect([flat(o.y), o.k, o.tag]).toEqual([[3, 6], 3, "t"]);
    const v = new tf.Variable(2, { dtype: "float64" });
    const g = tf.function((x: tf.Tensor) => np.multiply(np.sin(x), v.value()));
    expect(grad((x: tf.Tensor) => g(x))(np.array(0, { dtype: "float64" })).item()).toBe(2);
    expect(jit((x: tf.Tensor) => g(x))(np.array(Math.PI / 2, { dtype: "float64" })).item()).toBeCloseTo(2, 12);
    // nested tf.functions: the inner one's variable is captured by the outer program too
    const outer = tf.function((x: tf.Tensor) => tf.add(g(x), 1));
    expect(outer(np.array(Math.PI / 2, { dtype: "float64" })).item()).toBeCloseTo(3, 12);
    v.assign(10);
    expect(outer(np.array(Math.PI / 2, { dtype: "float64" })).item()).toBeCloseTo(11, 12);
  });
});

describe("tf.function inputSignature", () => {
  const spec = [new tf.TensorSpec([2], "float32")];
  it("converts JS arrays to the spec's dtype and traces once", () => {
    const s = tf.function((x: tf.Tensor) => tf.multiply(x, 2), { inputSignature: spec });
    s(c([1, 2]));
    s([3, 4] as any);
    expectClose(s([3, 4] as any), fx.signature.value);
    expect(s.experimentalGetTracingCount()).toBe(fx.signature.count);
    expect(s.inputSignature![0]!.toString()).toBe("TensorSpec(shape=(2,), dtype=tf.float32, name=None)");
  });
  it("refuses other inputs with TensorFlow's reason", () => {
    const s = tf.function((x: tf.Tensor) => x, { inputSignature: spec });
    const shape = thrown(() => s(c([1, 2, 3])));
    expect(shape).toBeInstanceOf(ShapeError);
    expect(shape.message).toContain(fx.signature_errors.shape);
    const dtype = thrown(() => s(c([1, 2], "float64")));
    expect(dtype).toBeInstanceOf(DTypeError);
    expect(dtype.message).toContain(fx.signature_errors.dtype);
    expect(thrown(() => (s as any)(c([1, 2]), c(1))).message).toContain(fx.signature_errors.count);
    // a null dimension accepts any size
    const any = tf.function((x: tf.Tensor) => x, { inputSignature: [{ shape: [null], dtype: "float32" }] });
    expect(flat(any(c([1, 2, 3])))).toEqual([1, 2, 3]);
  });
  it("bad options name tf.function", () => {
    expect(() => tf.function(5 as any)).toThrow(/tf.function: expected a function/);
    expect(() => tf.function((x: any) => x, { inputSignature: [5 as any] })).toThrow(/tf.function: inputSignature\[0\] must be a tf.TensorSpec/);
    expect(() => tf.function((x: any) => x, { bogus: 1 } as any)).toThrow(ValueError);
    expect(() => new tf.TensorSpec([-1])).toThrow(/tf.TensorSpec: shape must be/);
    // a Keras optimizer keeps its state in JS: inside tf.function it says so
    const v = new tf.Variable(1);
    const opt = new tf.keras.optimizers.SGD();
    expect(() => tf.function(() => opt.applyGradients([[tf.constant(1), v]]))()).toThrow(/applyGradients inside tf.function is not supported/);
  });
});
