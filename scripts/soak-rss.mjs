// RSS of training loops written as users write them: no tidy, no dispose, no await.
//   node scripts/soak-rss.mjs <functional|jit|tape> [steps=100000]
// after `TAPIR_NO_DTS=1 npx tsup --silent` (it imports dist/). Prints RSS, heap and ArrayBuffer
// MiB at steps 1k, 10k, 100k (and every 10k between) — no forced GC, so the figures are what a
// user's process holds — then one JSON line with the marks and the RSS growth from 1k to the end.
import * as tp from "../dist/index.js";
import * as tf from "../dist/compat/index.js";

const loop = process.argv[2] ?? "functional";
const steps = Number(process.argv[3] ?? 100_000);
const { numpy: np, random, grad, jit, tree } = tp;

function problem(seed) {
  const [k1, k2, k3] = [0, 1, 2].map((i) => random.split(random.key(seed), 3).index(i));
  const x = random.normal(k1, [64, 24]);
  const y = np.sin(np.sum(x, 1, { keepdims: true }));
  const p = { w1: random.normal(k2, [24, 32]).mul(0.2), b1: np.zeros([32]), w2: random.normal(k3, [32, 1]).mul(0.2), b2: np.zeros([1]) };
  const loss = (q, xb, yb) => np.mean(np.square(np.subtract(np.add(np.matmul(np.tanh(np.add(np.matmul(xb, q.w1), q.b1)), q.w2), q.b2), yb)));
  return { x, y, p, loss };
}

let step;
if (loop === "functional" || loop === "jit") {
  const { x, y, p: p0, loss } = problem(1);
  let p = p0;
  const update = (q, xb, yb) => tree.map((w, gw) => w.sub(gw.mul(0.01)), q, grad(loss)(q, xb, yb));
  const f = loop === "jit" ? jit(update) : update;
  step = () => {
    p = f(p, x, y);
  };
} else if (loop === "tape") {
  tf.random.setSeed(3);
  const x = tf.random.normal([64, 24]);
  const y = tf.sin(tf.reduceSum(x, 1, true));
  const l1 = new tf.keras.layers.Dense(32, { activation: "tanh" });
  const l2 = new tf.keras.layers.Dense(1);
  const opt = new tf.keras.optimizers.Adam({ learningRate: 0.001 });
  const mse = new tf.keras.losses.MeanSquaredError();
  step = () => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => mse.apply(y, l2.apply(l1.apply(x))));
    const vars = [...l1.trainableWeights, ...l2.trainableWeights];
    const grads = tape.gradient(loss, vars);
    opt.applyGradients(grads.map((g, i) => [g, vars[i]]));
  };
} else throw new Error(`soak-rss: unknown loop "${loop}" (functional, jit or tape)`);

const mib = (b) => Math.round((b / 2 ** 20) * 10) / 10;
const marks = [];
const t0 = Date.now();
for (let i = 1; i <= steps; i++) {
  step();
  if (i === 1000 || i % 10_000 === 0 || i === steps) {
    const m = process.memoryUsage();
    const mark = { step: i, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), arrayBuffersMiB: mib(m.arrayBuffers), s: Math.round((Date.now() - t0) / 100) / 10 };
    marks.push(mark);
    console.log(`[${loop}] step ${i}: rss ${mark.rssMiB} MiB, heap ${mark.heapMiB} MiB, arrayBuffers ${mark.arrayBuffersMiB} MiB (${mark.s} s)`);
  }
}
const first = marks.find((m) => m.step === 1000) ?? marks[0];
const last = marks[marks.length - 1];
console.log(JSON.stringify({ loop, steps, marks, rssGrowthFrom1k: Math.round((last.rssMiB / first.rssMiB - 1) * 1000) / 10 + "%" }));
