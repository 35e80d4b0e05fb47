// W12 (bench/lib/mnist-step.ts): one Adam training step of examples/mnist.ts's convnet, batch 64,
// written as each system's users write it — tapir functional (valueAndGrad + optim.adam, with or
// without jit; the example's functionalTrainer), tapir/compat (tf.keras layers + GradientTape +
// tf.keras.optimizers.Adam; the example's kerasTrainer) and TF.js (tf.layers + tf.train.adam).
// The tapir modules are the built dist/ (loaded at run time, loosely typed as in tapir-api.ts).
import type * as TF from "@tensorflow/tfjs";
import { W12_BATCH, W12_LR } from "../lib/mnist-step.js";
import type { Arr, Inputs } from "../lib/workloads.js";
import type { Impl } from "./types.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- the dist modules are loaded at run time */
type Any = any;
const B = W12_BATCH;
const PARAMS = ["k1", "b1", "k2", "b2", "w1", "c1", "w", "b"] as const;
const arr = (inp: Inputs, k: string): Arr => {
  const a = inp[k];
  if (!a) throw new Error(`W12: input ${k} missing`);
  return a;
};

/** tapir functional: the example's jit((p, s, x, y, key) → [p', s', loss]) step, or the same un-jitted. */
export function tapirW12(tp: Any, useJit: boolean): Impl {
  return (inp) => {
    const { numpy: np, nn, lax, optim, random } = tp;
    const T = (k: string) => np.array(arr(inp, k).data).reshape([...arr(inp, k).shape]);
    const dn = { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] };
    const block = (h: Any, k: Any, b: Any) => nn.maxPool(nn.relu(np.add(lax.convGeneralDilated(h, k, [1, 1], "VALID", dn), b)), [2, 2], [2, 2]);
    const dropout = (k: Any, rate: number, h: Any) => np.where(random.bernoulli(k, 1 - rate, h.shape), np.multiply(h, 1 / (1 - rate)), 0);
    const lossOf = (p: Any, x: Any, y: Any, key: Any) => {
      const ks = random.split(key);
      let h = dropout(ks.index(0), 0.25, np.reshape(block(block(x, p.k1, p.b1), p.k2, p.b2), [B, 800]));
      h = dropout(ks.index(1), 0.5, nn.relu(np.add(np.matmul(h, p.w1), p.c1)));
      const logp = nn.logSoftmax(np.add(np.matmul(h, p.w), p.b));
      return np.negative(np.mean(np.sum(np.multiply(nn.oneHot(y, 10), logp), 1)));
    };
    const opt = optim.adam({ learningRate: W12_LR });
    const body = (p: Any, s: Any, x: Any, y: Any, key: Any) => {
      const [l, g] = tp.valueAndGrad(lossOf)(p, x, y, key);
      const [u, s2] = opt.update(g, s, p);
      return [optim.applyUpdates(p, u), s2, l];
    };
    const step = useJit ? tp.jit(body) : body;
    let p: Any = Object.fromEntries(PARAMS.map((k) => [k, T(k)]));
    let s: Any = opt.init(p);
    let key: Any = random.key(0);
    const x = T("x"), y = np.array(arr(inp, "labels").data, { dtype: "int32" });
    return () => {
      const ks = random.split(key);
      key = ks.index(0);
      const [p2, s2, l] = step(p, s, x, y, ks.index(1));
      [p, s] = [p2, s2];
      return [l.dataSync()];
    };
  };
}

/** tapir/compat: the example's tf.keras Sequential + GradientTape + tf.keras.optimizers.Adam step. */
export function tapeW12(tf: Any): Impl {
  return (inp) => {
    const C = (k: string) => tf.constant(arr(inp, k).data, { shape: [...arr(inp, k).shape] });
    const L = tf.keras.layers;
    const init = (k: string) => () => C(k);
    const model = new tf.keras.Sequential([
      new L.Conv2D(16, 3, { activation: "relu", kernelInitializer: init("k1"), biasInitializer: init("b1") }),
      new L.MaxPooling2D({ poolSize: 2 }),
      new L.Conv2D(32, 3, { activation: "relu", kernelInitializer: init("k2"), biasInitializer: init("b2") }),
      new L.MaxPooling2D({ poolSize: 2 }),
      new L.Flatten(),
      new L.Dropout(0.25, { seed: 1 }),
      new L.Dense(128, { activation: "relu", kernelInitializer: init("w1"), biasInitializer: init("c1") }),
      new L.Dropout(0.5, { seed: 2 }),
      new L.Dense(10, { kernelInitializer: init("w"), biasInitializer: init("b") }),
    ]);
    const opt = new tf.keras.optimizers.Adam({ learningRate: W12_LR });
    const lossFn = new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });
    const x = C("x"), y = tf.constant(arr(inp, "labels").data, { dtype: "int32" });
    return () => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => lossFn.apply(y, model.apply(x, { training: true })));
      const vars = model.trainableVariables;
      const grads = tape.gradient(loss, vars);
      opt.applyGradients(grads.map((g: Any, i: number) => [g, vars[i]]));
      return [loss.dataSync()];
    };
  };
}

/** TF.js: tf.sequential of tf.layers, tf.train.adam, optimizer.minimize — a TF.js custom step. */
export function tfjsW12(tf: typeof TF): Impl {
  return (inp) => {
    const W = (k: string) => tf.tensor(arr(inp, k).data, [...arr(inp, k).shape], "float32");
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: "relu", weights: [W("k1"), W("b1")] }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", weights: [W("k2"), W("b2")] }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.25 }),
        tf.layers.dense({ units: 128, activation: "relu", weights: [W("w1"), W("c1")] }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 10, weights: [W("w"), W("b")] }),
      ],
    });
    const opt = tf.train.adam(W12_LR);
    const x = W("x"), y = tf.oneHot(tf.tensor1d(arr(inp, "labels").data, "int32"), 10);
    return () => {
      let out: ArrayLike<number>[] = [];
      tf.tidy(() => {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as TF.Tensor) as TF.Scalar, true)!;
        out = [loss.dataSync()];
      });
      return out;
    };
  };
}
