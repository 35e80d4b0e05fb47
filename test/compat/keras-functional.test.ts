// tf.keras.Input + functional tf.keras.Model: symbolic shapes, replay against the layers called
// by hand, shared layers and two inputs, training through fit, summary rows.
import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const { Dense, Concatenate, Dropout, InputLayer } = tf.keras.layers;

describe("functional tf.keras.Model", () => {
  it("symbolic shapes, and calling the model equals calling its layers by hand", () => {
    const x = tf.keras.Input({ shape: [3] });
    const d1 = new Dense(4, { activation: "relu" });
    const d2 = new Dense(2);
    const h = d1.apply(x);
    expect(h).toBeInstanceOf(tf.keras.KerasTensor);
    expect(h.shape).toEqual([null, 4]);
    const y = d2.apply(h);
    const model = new tf.keras.Model({ inputs: x, outputs: y, name: "fn" });
    const xs = tf.constant([[1, -2, 3], [0.5, 0.5, -1]]);
    expect(model.apply(xs).toArray()).toEqual(d2.apply(d1.apply(xs)).toArray());
    expect(model.trainableVariables).toHaveLength(4);
    expect(model.layers.map((l) => l.constructor.name)).toEqual(["InputLayer", "Dense", "Dense"]);
  });

  it("two inputs, a shared layer used twice (one node each), a list of outputs", () => {
    const a = tf.keras.Input({ shape: [2] });
    const b = tf.keras.Input({ shape: [2] });
    const shared = new Dense(2, { kernelInitializer: "ones", useBias: false });
    const cat = new Concatenate().apply([shared.apply(a), shared.apply(b)]);
    expect(cat.shape).toEqual([null, 4]);
    const model = new tf.keras.Model({ inputs: [a, b], outputs: [cat, shared.apply(a)] });
    const [c, sa] = model.apply([tf.constant([[1, 2]]), tf.constant([[3, 4]])]) as tf.Tensor[];
    expect(c!.toArray()).toEqual([[3, 3, 7, 7]]);
    expect(sa!.toArray()).toEqual([[3, 3]]);
    expect(model.trainableVariables).toHaveLength(1);
    expect(() => model.apply(tf.constant([[1, 2]]))).toThrow(ValueError);
  });

  it("passes training to every layer, trains with fit, and summarises its graph", () => {
    const x = tf.keras.Input({ shape: [2], name: "features" });
    const y = new Dense(1, { name: "head", kernelInitializer: "zeros" }).apply(new Dropout(0.99).apply(x));
    const model = new tf.keras.Model({ inputs: x, outputs: y, name: "drop" });
    const ones = tf.ones([4, 2]);
    // inference: dropout is the identity; training: most inputs dropped, the rest scaled by 100
    expect(model.apply(ones, { training: false }).shape).toEqual([4, 1]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    const h = model.fit([[1, 0], [0, 1]], [[1], [1]], { epochs: 2, verbose: 0 });
    expect(h.loss).toHaveLength(2);
    const lines = model.summary(() => {}).split("\n");
    expect(lines[4]).toMatch(/^│ features \(InputLayer\) +│ \(None, 2\) +│ +0 │$/);
    expect(lines.some((l) => /^│ head \(Dense\) +│ \(None, 1\) +│ +3 │$/.test(l))).toBe(true);
  });

  it("InputLayer and bad input", () => {
    expect(new InputLayer({ shape: [5] }).output.shape).toEqual([null, 5]);
    expect(() => tf.keras.Input({ shape: [-1] })).toThrow("tf.keras.Input");
    expect(() => new tf.keras.Model({ inputs: tf.ones([2]) as never, outputs: tf.ones([2]) as never })).toThrow("tf.keras.Model: inputs and outputs must be");
    const x = tf.keras.Input({ shape: [2] });
    const other = tf.keras.Input({ shape: [2] });
    const m = new tf.keras.Model({ inputs: x, outputs: new tf.keras.layers.Add().apply([x, other]) });
    expect(() => m.apply(tf.ones([1, 2]))).toThrow("not among the model's inputs");
  });
});
