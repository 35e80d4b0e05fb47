// RSS of a synchronous tapir/compat training loop (GradientTape + Dense + Adam, no await):
// node scripts/compat-soak.mjs [steps=5000] [tidy|plain] after `TAPIR_NO_DTS=1 npx tsup --silent`.
// Prints RSS, heap and ArrayBuffer MiB at step 0, 1k, 5k (and every further 5k); with
// `node --expose-gc` a full GC runs before each report.
import * as tf from "../dist/compat/index.js";

const steps = Number(process.argv[2] ?? 5000);
const useTidy = process.argv[3] === "tidy";
const tidy = tf.tidy ?? (await import("../dist/index.js")).tidy;
tf.random.setSeed(1);
const model = new tf.keras.Sequential([new tf.keras.layers.Dense(32, { activation: "relu" }), new tf.keras.layers.Dense(1)]);
const opt = new tf.keras.optimizers.Adam({ learningRate: 0.01 });
const mse = new tf.keras.losses.MeanSquaredError();
const x = tf.random.normal([64, 16]);
const y = tf.reduceSum(x, 1, true);
const mib = (b) => (b / 2 ** 20).toFixed(1);
const report = (i) => {
  if (globalThis.gc) globalThis.gc();
  const m = process.memoryUsage();
  console.log(`step ${i}: rss ${mib(m.rss)} MiB, heapUsed ${mib(m.heapUsed)} MiB, arrayBuffers ${mib(m.arrayBuffers)} MiB`);
};
const step = () => {
  const tape = new tf.GradientTape();
  const loss = tape.record(() => mse.apply(y, model.apply(x)));
  const grads = tape.gradient(loss, model.trainableVariables);
  opt.applyGradients(grads.map((g, i) => [g, model.trainableVariables[i]]));
  return loss;
};
let last = 0;
for (let i = 0; i <= steps; i++) {
  if (i === 0 || i === 1000 || i % 5000 === 0) report(i);
  if (process.env.SOAK_LOSS && i % 100 === 0) console.log(i, last);
  last = useTidy ? tidy(() => step().item()) : step().item();
}
console.log(`final loss ${last.toFixed(5)}`);
