// Model.compile / fit / evaluate / predict / summary / getWeights / setWeights / trainStep:
// fit against the hand-written GradientTape loop (bit for bit), evaluate and predict against
// float64 hand computation, Keras's summary table and progress lines.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const { Dense } = tf.keras.layers;

// fixed initial weights so that two models start equal
const W1 = [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]];
const B1 = [0.05, -0.1, 0.2];
const W2 = [[0.7], [-0.3], [0.2]];
const B2 = [0.1];
function mlp(): tf.keras.Sequential {
  const m = new tf.keras.Sequential([new Dense(3, { activation: "tanh" }), new Dense(1)]);
  m.apply(tf.zeros([1, 2]));
  m.setWeights([W1, B1, W2, B2]);
  return m;
}
const X = [[0, 1], [1, 0], [1, 1], [0.5, -1], [-1, 2], [2, 0.5], [-0.5, -0.5]];
const Y = [[1], [0], [2], [-1], [1.5], [0.5], [0]];

afterEach(() => vi.restoreAllMocks());

describe("Model.fit", () => {
  it("reaches the same weights as the equivalent custom GradientTape loop, bit for bit", () => {
    const a = mlp();
    a.compile({ optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.05 }), loss: new tf.keras.losses.MeanSquaredError() });
    const h = a.fit(X, Y, { epochs: 3, batchSize: 3, shuffle: false, verbose: 0 });

    const b = mlp();
    const opt = new tf.keras.optimizers.Adam({ learningRate: 0.05 });
    const mse = new tf.keras.losses.MeanSquaredError();
    const epochLoss: number[] = [];
    for (let e = 0; e < 3; e++) {
      let sum = 0;
      for (let s = 0; s < X.length; s += 3) {
        const xb = tf.constant(X.slice(s, s + 3));
        const yb = tf.constant(Y.slice(s, s + 3));
        const tape = new tf.GradientTape();
        const loss = tape.record(() => mse.apply(yb, b.apply(xb, { training: true })));
        const vars = b.trainableVariables;
        const grads = tape.gradient(loss, vars) as tf.Tensor[];
        opt.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
        sum += loss.item() * xb.shape[0]!;
      }
      epochLoss.push(sum / X.length);
    }
    const wa = a.getWeights().map((w) => w.toArray());
    const wb = b.getWeights().map((w) => w.toArray());
    expect(wa).toEqual(wb);
    expect(h.epoch).toEqual([0, 1, 2]);
    // the logged loss is the batch-size-weighted mean of the batch losses (Keras 3)
    h.loss.forEach((l, i) => expect(l).toBeCloseTo(epochLoss[i]!, 5));
    expect(h.loss[2]!).toBeLessThan(h.loss[0]!);
  });

  it("logs metrics and validation results, and prints Keras's progress lines", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: string) => void lines.push(s));
    const m = new tf.keras.Sequential([new Dense(2, { kernelInitializer: "zeros" })]);
    m.compile({ optimizer: "sgd", loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ["accuracy"] });
    const h = m.fit([[1], [-1], [2], [-2]], [1, 0, 1, 0], { epochs: 2, batchSize: 4, validationData: [[[3]], [1]], verbose: 1 });
    expect(Object.keys(h.history).sort()).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    // zero weights: uniform logits, loss log 2; argmax of ties is class 0, right for half
    expect(h.history.loss![0]).toBeCloseTo(Math.LN2, 6);
    expect(h.history.accuracy![0]).toBe(0.5);
    expect(lines[0]).toBe("Epoch 1/2");
    expect(lines[1]).toMatch(/^1\/1 ━{20} \d+s \d+ms\/step - accuracy: 0\.5000 - loss: 0\.6931 - val_accuracy: 1\.0000 - val_loss: 0\.\d{4}$/);
    expect(lines).toHaveLength(4);
    lines.length = 0;
    m.fit([[1]], [1], { verbose: 2 });
    expect(lines[1]).toMatch(/^1\/1 - \d+s - \d+ms\/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}$/);
  });

  it("shuffles by default, from tf.random's global seed", () => {
    const run = () => {
      tf.random.setSeed(7);
      const m = mlp();
      m.compile({ optimizer: "sgd", loss: "mse" });
      m.fit(X, Y, { epochs: 2, batchSize: 2, verbose: 0 });
      return m.getWeights().map((w) => w.toArray());
    };
    const unshuffled = mlp();
    unshuffled.compile({ optimizer: "sgd", loss: "mse" });
    unshuffled.fit(X, Y, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false });
    const r1 = run();
    expect(run()).toEqual(r1);
    expect(unshuffled.getWeights().map((w) => w.toArray())).not.toEqual(r1);
  });

  it("an overridden trainStep is what fit calls", () => {
    class Counting extends tf.keras.Sequential {
      calls: number[][] = [];
      override trainStep(x: tf.Tensor, y: tf.Tensor) {
        this.calls.push(x.shape.slice());
        return super.trainStep(x, y);
      }
    }
    const m = new Counting([new Dense(1)]);
    m.compile({ optimizer: "sgd", loss: "mse" });
    m.fit(X, Y, { batchSize: 3, verbose: 0, shuffle: false });
    expect(m.calls).toEqual([[3, 2], [3, 2], [1, 2]]);
  });

  it("bad input: clear errors naming the API", () => {
    const m = mlp();
    expect(() => m.fit(X, Y)).toThrow("Model.fit: the model has not been compiled");
    expect(() => m.compile({ optimizer: "sgdd", loss: "mse" })).toThrow(ValueError);
    expect(() => m.compile({ optimizer: "sgd", loss: "msee" })).toThrow("Model.compile: loss must be");
    expect(() => m.compile({ optimizer: "sgd", loss: "mse", metrics: ["f1"] })).toThrow("Model.compile: unknown metric 'f1'");
    m.compile({ optimizer: "sgd", loss: "mse" });
    expect(() => m.fit(X, Y.slice(1), { verbose: 0 })).toThrow("Model.fit: x of shape (7, 2) and y of shape (6, 1) have different numbers of examples");
    expect(() => m.fit(X, Y, { batchSize: 0 })).toThrow("Model.fit: batchSize must be a positive integer");
    expect(() => m.fit(X, Y, { epoch: 2 } as never)).toThrow(ValueError);
    expect(() => m.setWeights([W1])).toThrow("Model.setWeights: the model has 4 weights but 1 were given");
    expect(() => m.setWeights([W2, B1, W2, B2])).toThrow("weight 0 ('");
  });
});

describe("Model.evaluate / predict", () => {
  // float64 forward pass of mlp()
  const forward = (x: number[]) => {
    const h = [0, 1, 2].map((j) => Math.tanh(x[0]! * W1[0]![j]! + x[1]! * W1[1]![j]! + B1[j]!));
    return h.reduce((s, v, j) => s + v * W2[j]![0]!, B2[0]!);
  };

  it("predict is the forward pass, batched and concatenated", () => {
    const p = mlp().predict(X, { batchSize: 3 });
    expect(p.shape).toEqual([7, 1]);
    (p.toArray() as number[][]).forEach((r, i) => expect(r[0]).toBeCloseTo(forward(X[i]!), 6));
  });

  it("evaluate: batch-size-weighted mean of batch losses, then metrics in compile order", () => {
    const m = mlp();
    m.compile({ optimizer: "sgd", loss: "mae", metrics: ["mse"] });
    const err = X.map((x, i) => forward(x) - Y[i]![0]!);
    const mae = err.reduce((s, e) => s + Math.abs(e), 0) / err.length;
    const mse = err.reduce((s, e) => s + e * e, 0) / err.length;
    const [l, metric] = m.evaluate(X, Y, { batchSize: 4, verbose: 0 }) as number[];
    expect(l).toBeCloseTo(mae, 6);
    expect(metric).toBeCloseTo(mse, 6);
    const m2 = mlp();
    m2.compile({ optimizer: "sgd", loss: "mse" });
    expect(m2.evaluate(X, Y, { verbose: 0 }) as number).toBeCloseTo(mse, 6);
  });
});

describe("Model.summary", () => {
  it("prints Keras's table with output shapes and parameter totals", () => {
    const m = new tf.keras.Sequential([new Dense(3, { name: "hidden" }), new Dense(1, { name: "out", trainable: false })], { name: "net" });
    m.apply(tf.ones([5, 2]));
    let printed = "";
    const text = m.summary((s) => (printed = s));
    expect(printed).toBe(text);
    const lines = text.split("\n");
    expect(lines[0]).toBe('Model: "net"');
    expect(lines[2]).toMatch(/^┃ Layer \(type\) +┃ Output Shape +┃ +Param # ┃$/);
    expect(lines[4]).toMatch(/^│ hidden \(Dense\) +│ \(None, 3\) +│ +9 │$/);
    expect(lines[6]).toMatch(/^│ out \(Dense\) +│ \(None, 1\) +│ +4 │$/);
    expect(lines.slice(-3)).toEqual([" Total params: 13 (52.00 B)", " Trainable params: 9 (36.00 B)", " Non-trainable params: 4 (16.00 B)"]);
    expect(new Set(lines.slice(1, 8).map((l) => [...l].length)).size).toBe(1); // a rectangle
  });
});
