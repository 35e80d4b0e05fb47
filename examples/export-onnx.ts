// Export a whole training step (loss, gradients, SGD update) of a small MLP to ONNX, run it on
// onnxruntime-node for a few steps, and compare with the same steps in tapir.
// Run: npx tsx examples/export-onnx.ts
import * as ort from "onnxruntime-node";
import { exportOnnx, jit, numpy as np, random, tree, valueAndGrad, type Tensor } from "../src/index.js";

type Params = { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor };
const loss = (p: Params, x: Tensor, y: Tensor) => {
  const h = np.tanh(np.matmul(x, p.W1).add(p.b1));
  return np.mean(np.square(np.matmul(h, p.W2).add(p.b2).sub(y)));
};
// one SGD step: returns the loss and the new parameters (a pytree: outputs named by path)
const step = (params: Params, x: Tensor, y: Tensor) => {
  const [l, g] = valueAndGrad(loss)(params, x, y);
  return { loss: l, params: tree.map((w: Tensor, dw: Tensor) => w.sub(dw.mul(0.1)), params, g) as Params };
};

const [k1, k2, k3, k4] = [0, 1, 2, 3].map((i) => random.key(i));
let params: Params = { W1: random.normal(k1!, [16, 32]).mul(0.3), b1: np.zeros([32]), W2: random.normal(k2!, [32, 4]).mul(0.3), b2: np.zeros([4]) };
const x = random.normal(k3!, [64, 16]);
const y = np.tanh(np.matmul(x, random.normal(k4!, [16, 4])));

// 1. export: shapes and dtypes come from the example arguments (their values are not stored)
const bytes = exportOnnx(step, [params, x, y], { names: { inputs: ["params", "x", "y"] } });
console.log(`exported ${bytes.length} bytes`);

// 2. run on onnxruntime-node. For a GPU, change the session options:
//      CUDA (onnxruntime-node on Linux with `--onnxruntime-node-install=cuda12`): { executionProviders: ["cuda"] }
//      WebGPU in a browser: import * as ort from "onnxruntime-web/webgpu"; and { executionProviders: ["webgpu"] }
const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
console.log("inputs: ", session.inputNames.join(", "));
console.log("outputs:", session.outputNames.join(", "));
const toOrt = (t: Tensor) => new ort.Tensor("float32", t.dataSync() as Float32Array, t.shape);

let feeds: Record<string, ort.Tensor> = { "params.W1": toOrt(params.W1), "params.W2": toOrt(params.W2), "params.b1": toOrt(params.b1), "params.b2": toOrt(params.b2), x: toOrt(x), y: toOrt(y) };
const tapirStep = jit(step);
for (let i = 0; i < 5; i++) {
  const out = await session.run(feeds);
  const mine = tapirStep(params, x, y);
  console.log(`step ${i}: loss onnxruntime ${(out.loss!.data as Float32Array)[0]!.toFixed(6)}   tapir ${mine.loss.item().toFixed(6)}`);
  // the new parameters feed the next step
  feeds = { ...feeds, "params.W1": out["params.W1_out"]!, "params.W2": out["params.W2_out"]!, "params.b1": out["params.b1_out"]!, "params.b2": out["params.b2_out"]! };
  params = mine.params;
}
const w1 = feeds["params.W1"]!.data as Float32Array;
const diff = Math.max(...Array.from(params.W1.dataSync() as Float32Array, (v, i) => Math.abs(v - w1[i]!)));
console.log(`after 5 steps, max |W1 onnxruntime − W1 tapir| = ${diff.toExponential(2)}`);
await session.release();
