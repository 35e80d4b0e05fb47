// Keras-lite: custom layers, Dense, Sequential, SGD and Adam (hand-derived steps), the losses
// (float64 references), and a custom training loop reaching a loss threshold on seeded data.
import { describe, expect, it, vi } from "vitest";
import { ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose } from "./util.js";

const { Layer, Dense } = tf.keras.layers;

class Scale extends Layer {
  w!: tf.Variable;
  builtWith: number[][] = [];
  override build(inputShape: number[]) {
    this.builtWith.push(inputShape);
    this.w = this.addWeight("w", [inputShape[inputShape.length - 1]!], { initializer: "ones" });
  }
  override call(x: tf.Tensor) {
    return tf.multiply(x, this.w);
  }
}

describe("tf.keras.layers.Layer", () => {
  it("apply builds once from the first input's shape, then calls call", () => {
    const s = new Scale();
    expectClose(s.apply(tf.constant([[1, 2, 3]])), [[1, 2, 3]]);
    s.apply(tf.constant([[4, 5, 6], [7, 8, 9]]));
    expect(s.builtWith).toEqual([[1, 3]]);
    expect(s.built).toBe(true);
    expect(s.w.name).toMatch(/^scale(_\d+)?\/w:0$/);
  });

  it("addWeight makes named Variables (initializer, trainable)", () => {
    const l = new Layer({ name: "plain" });
    const a = l.addWeight("a", [2, 3]); // glorotUniform by default
    const b = l.addWeight("b", [2], { initializer: "zeros", trainable: false });
    const c = l.addWeight("c", [1], { initializer: (shape) => tf.fill(shape, 4) });
    expect([a.name, b.name, c.name]).toEqual(["plain/a:0", "plain/b:0", "plain/c:0"]);
    const limit = Math.sqrt(6 / 5);
    expect((a.numpy() as number[][]).flat().every((v) => Math.abs(v) <= limit)).toBe(true);
    expectClose(b.value(), [0, 0]);
    expectClose(c.value(), [4]);
    expect(l.trainableVariables).toEqual([a, c]);
    expect(l.nonTrainableVariables).toEqual([b]);
    expect(l.variables).toEqual([a, b, c]);
  });

  it("Variables and Layers assigned to fields (also in arrays and objects) are tracked", () => {
    class Block extends Layer {
      gain = new tf.Variable(2, { name: "gain" });
      inner = new Dense(2, { kernelInitializer: "ones" });
      more = [new Dense(1)];
      table = { frozen: new tf.Variable(1, { trainable: false }) };
      override call(x: tf.Tensor) {
        return this.more[0]!.apply(tf.multiply(this.inner.apply(x), this.gain));
      }
    }
    const b = new Block();
    b.apply(tf.constant([[1, 2, 3]]));
    const names = b.trainableVariables.map((v) => v.name);
    expect(names[0]).toBe("gain:0");
    expect(names.slice(1).map((n) => n.split("/")[1])).toEqual(["kernel:0", "bias:0", "kernel:0", "bias:0"]);
    expect(b.variables).toHaveLength(6);
    expect(b.nonTrainableVariables.map((v) => v.name)).toEqual(["Variable:0"]);
    b.inner.trainable = false; // a frozen sublayer's weights leave trainableVariables
    expect(b.trainableVariables).toHaveLength(3);
  });
});

describe("Dense and Sequential", () => {
  it("Dense computes activation(x · kernel + bias) with kernel [in, units] and bias [units]", () => {
    const d = new Dense(2, { activation: "relu", kernelInitializer: (s) => tf.reshape(tf.constant([1, -1, 2, 0, -3, 1]), s), biasInitializer: "ones" });
    const y = d.apply(tf.constant([[1, 2, 3]]));
    expect([...d.kernel.shape, ...d.bias!.shape]).toEqual([3, 2, 2]);
    // x·K = [1 + 4 − 9, −1 + 0 + 3] = [−4, 2]; + 1 → [−3, 3]; relu → [0, 3]
    expectClose(y, [[0, 3]]);
    const noBias = new Dense(4, { useBias: false });
    noBias.apply(tf.zeros([5, 3]));
    expect(noBias.trainableVariables).toHaveLength(1);
    expect(() => new Dense(2, { activation: "nope" })).toThrow(ValueError);
  });

  it("Sequential applies its layers in order and tracks their variables", () => {
    const model = new tf.keras.Sequential([new Dense(3, { activation: "tanh" }), new Dense(1)]);
    const y = model.apply(tf.random.normal([4, 2]));
    expect([...y.shape]).toEqual([4, 1]);
    expect(model.trainableVariables.map((v) => [...v.shape])).toEqual([[2, 3], [3], [3, 1], [1]]);
    model.add(new Dense(2));
    expect(model.layers).toHaveLength(3);
  });
});

describe("optimizers (hand-derived steps)", () => {
  it("SGD: v ← v − lr·g", () => {
    const v = new tf.Variable([1, 2]);
    new tf.keras.optimizers.SGD({ learningRate: 0.1 }).applyGradients([[tf.constant([10, -10]), v]]);
    expectClose(v.value(), [0, 3]);
  });

  it("SGD with momentum: m ← μm − lr·g, v ← v + m; Nesterov: v ← v + μm − lr·g", () => {
    const v = new tf.Variable(1);
    const opt = new tf.keras.optimizers.SGD({ learningRate: 0.1, momentum: 0.9 });
    opt.applyGradients([[tf.constant(1), v]]); // m = −0.1, v = 0.9
    opt.applyGradients([[tf.constant(1), v]]); // m = −0.09 − 0.1 = −0.19, v = 0.71
    expectClose(v.value(), 0.71);
    expect(opt.iterations).toBe(2);
    const w = new tf.Variable(1);
    const nag = new tf.keras.optimizers.SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    nag.applyGradients([[tf.constant(1), w]]); // m = −0.1; w += 0.9·(−0.1) − 0.1 = −0.19
    expectClose(w.value(), 0.81);
  });

  it("Adam: two steps of Keras's update", () => {
    const v = new tf.Variable(1, { dtype: "float64" });
    const opt = new tf.keras.optimizers.Adam({ learningRate: 0.1 });
    let x = 1;
    let m = 0;
    let s = 0;
    for (const [t, g] of [[1, 0.5], [2, -2]] as const) {
      opt.applyGradients([[tf.constant(g, { dtype: "float64" }), v]]);
      m = m + (g - m) * 0.1;
      s = s + (g * g - s) * 0.001;
      x -= ((0.1 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t)) * (m / (Math.sqrt(s) + 1e-7));
      expectClose(v.value(), x, { rtol: 1e-12 });
    }
  });

  it("null gradients are skipped with a warning; all null throws ValueError", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const [a, b] = [new tf.Variable(1, { name: "a" }), new tf.Variable(1, { name: "b" })];
    const opt = new tf.keras.optimizers.SGD();
    opt.applyGradients([[tf.constant(1), a], [null, b]]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("Gradients do not exist for variables b:0"));
    expect(() => opt.applyGradients([[null, a]])).toThrow("No gradients provided for any variable: ('a:0')");
    warn.mockRestore();
  });

  it("minimize(loss, varList) takes one step on the loss's gradient", () => {
    const v = new tf.Variable(3);
    new tf.keras.optimizers.SGD({ learningRate: 0.25 }).minimize(() => tf.square(v), [v]);
    expectClose(v.value(), 3 - 0.25 * 6);
  });
});

describe("losses (float64 references)", () => {
  it("MeanSquaredError: the batch mean of mean((ŷ − y)², axis −1)", () => {
    const mse = new tf.keras.losses.MeanSquaredError();
    expectClose(mse.apply(tf.constant([[0, 1], [1, 1]]), tf.constant([[1, 1], [1, 0]])), 0.5);
    expectClose(mse.apply(tf.constant([[0, 1], [1, 1]]), tf.constant([[1, 1], [1, 0]]), tf.constant([1, 0])), 0.25);
  });

  const logits = [[2, -1, 0.5], [0.1, 0.2, 0.3]];
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const probs = logits.map((r) => r.map((v) => Math.exp(v - lse(r))));

  it("SparseCategoricalCrossentropy, from logits and from probabilities, labels [b] or [b, 1]", () => {
    const want = (-Math.log(probs[0]![0]!) - Math.log(probs[1]![2]!)) / 2;
    const labels = tf.constant([0, 2], { dtype: "int32" });
    expectClose(new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }).apply(labels, tf.constant(logits)), want);
    expectClose(new tf.keras.losses.SparseCategoricalCrossentropy().apply(labels, tf.constant(probs)), want);
    expectClose(new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }).apply(tf.constant([[0], [2]]), tf.constant(logits)), want);
  });

  it("CategoricalCrossentropy, from logits and from probabilities", () => {
    const y = [[0, 1, 0], [0.5, 0, 0.5]];
    const want = (-Math.log(probs[0]![1]!) - 0.5 * Math.log(probs[1]![0]!) - 0.5 * Math.log(probs[1]![2]!)) / 2;
    expectClose(new tf.keras.losses.CategoricalCrossentropy({ fromLogits: true }).apply(tf.constant(y), tf.constant(logits)), want);
    expectClose(new tf.keras.losses.CategoricalCrossentropy().apply(tf.constant(y), tf.constant(probs)), want);
  });

  it("BinaryCrossentropy from logits", () => {
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    const want = -(Math.log(s(2)) + Math.log(1 - s(-1))) / 2;
    expectClose(new tf.keras.losses.BinaryCrossentropy({ fromLogits: true }).apply(tf.constant([[1], [0]]), tf.constant([[2], [-1]])), want);
  });
});

describe("a custom training loop", () => {
  it("a custom layer with a custom gradient trains to a low loss on seeded data", () => {
    tf.random.setSeed(42);
    /** tanh with a gradient clipped to ±1 (through customGradient) */
    const clippedTanh = tf.customGradient((x: tf.Tensor) => {
      const y = tf.tanh(x);
      return [y, (dy: tf.Tensor) => tf.clipByValue(tf.multiply(dy, tf.subtract(1, tf.square(y))), -1, 1)];
    });
    class Residual extends Layer {
      dense!: InstanceType<typeof Dense>;
      override build(shape: number[]) {
        this.dense = new Dense(shape[1]!);
      }
      override call(x: tf.Tensor) {
        return tf.add(x, clippedTanh(this.dense.apply(x)));
      }
    }
    // y = sin(x0) + x1² / 2 on 128 seeded points
    const X = tf.random.uniform([128, 2], { minval: -1.5, maxval: 1.5 });
    const [x0, x1] = tf.unstack(X, 1);
    const Y = tf.expandDims(tf.add(tf.sin(x0!), tf.multiply(tf.square(x1!), 0.5)), 1);
    const model = new tf.keras.Sequential([new Dense(16, { activation: "tanh" }), new Residual(), new Dense(1)]);
    const opt = new tf.keras.optimizers.Adam({ learningRate: 0.02 });
    const mse = new tf.keras.losses.MeanSquaredError();
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => mse.apply(Y, model.apply(X)));
      const vars = model.trainableVariables;
      const grads = tape.gradient(loss, vars) as tf.Tensor[];
      opt.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
      losses.push(loss.item());
    }
    expect(model.trainableVariables).toHaveLength(6);
    expect(losses[0]).toBeGreaterThan(0.1);
    expect(losses[losses.length - 1]).toBeLessThan(0.01);
  });
});
