// W1's training step (MLP x[128,784] → tanh 256 → 10, mean-squared error, gradient of all four
// parameters and the SGD update) in tapir (jit) and, exported with exportOnnx, on
// onnxruntime-node's CPU execution provider, in one run: ms/step each and their ratio.
// Run: npx tsx bench/onnx.ts [--quick]
import * as ort from "onnxruntime-node";
import { exportOnnx, jit, numpy as np, random, tree, valueAndGrad, type Tensor } from "../src/index.js";

const quick = process.argv.includes("--quick");
type Params = { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor };
const loss = (p: Params, x: Tensor, y: Tensor) => {
  const h = np.tanh(np.matmul(x, p.W1).add(p.b1));
  return np.mean(np.square(np.matmul(h, p.W2).add(p.b2).sub(y)));
};
const step = (params: Params, x: Tensor, y: Tensor) => {
  const [l, g] = valueAndGrad(loss)(params, x, y);
  return { loss: l, params: tree.map((w: Tensor, dw: Tensor) => w.sub(dw.mul(0.01)), params, g) as Params };
};
const k = (i: number) => random.key(i);
const params: Params = { W1: random.normal(k(1), [784, 256]).mul(0.05), b1: np.zeros([256]), W2: random.normal(k(2), [256, 10]).mul(0.1), b2: np.zeros([10]) };
const x = random.normal(k(3), [128, 784]);
const y = random.normal(k(4), [128, 10]);

const tapirStep = jit(step);
const session = await ort.InferenceSession.create(exportOnnx(step, [params, x, y], { names: { inputs: ["params", "x", "y"] } }), { executionProviders: ["cpu"] });
const toOrt = (t: Tensor) => new ort.Tensor("float32", t.dataSync() as Float32Array, t.shape);
const feeds = { "params.W1": toOrt(params.W1), "params.W2": toOrt(params.W2), "params.b1": toOrt(params.b1), "params.b2": toOrt(params.b2), x: toOrt(x), y: toOrt(y) };

const runTapir = () => {
  const out = tapirStep(params, x, y);
  out.loss.item(); // the step is done when its results are readable
  tree.leaves(out).forEach((t) => (t as Tensor).dispose());
};
const runOrt = async () => {
  const out = await session.run(feeds);
  for (const t of Object.values(out)) t.dispose();
};

// alternating rounds (load on the machine hits both alike), the fastest round of each
const rounds = quick ? 5 : 20;
const per = quick ? 5 : 10;
for (let i = 0; i < 5; i++) (runTapir(), await runOrt());
let tTapir = Infinity;
let tOrt = Infinity;
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now();
  for (let i = 0; i < per; i++) runTapir();
  tTapir = Math.min(tTapir, (performance.now() - t0) / per);
  t0 = performance.now();
  for (let i = 0; i < per; i++) await runOrt();
  tOrt = Math.min(tOrt, (performance.now() - t0) / per);
}
console.log(`W1 training step (batch 128, 784→256→10), fastest of ${rounds} rounds of ${per}:`);
console.log(`  tapir jit                 ${tTapir.toFixed(2)} ms/step`);
console.log(`  onnxruntime-node CPU EP   ${tOrt.toFixed(2)} ms/step`);
console.log(`  tapir ÷ onnxruntime       ${(tTapir / tOrt).toFixed(2)}×`);
await session.release();
process.exit(0);
