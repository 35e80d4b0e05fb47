// The TensorFlow way, on tapir: GradientTape (nested for second derivatives), tape.jacobian,
// tape.batchJacobian and a custom training loop with a custom layer and a custom gradient —
// the seed article's code, ported line by line. Run: npx tsx examples/tape-demo.ts
import * as tf from "../src/compat/index.js";

// bold titles on a terminal only: a CI log or a pipe gets plain text
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (title: string) => console.log(`\n${bold(`▸ ${title}`)}`);

// ------------------------------------------------------------------ nested tapes
step("nested tapes: y = x³ at x = 5 → dy/dx = 75, d²y/dx² = 30");
const x = tf.constant(5.0);
const outerTape = new tf.GradientTape();
const innerTape = new tf.GradientTape();
let dy_dx!: tf.Tensor;
outerTape.record(() => {
  // with tf.GradientTape() as outer_tape:
  outerTape.watch(x);
  const y = innerTape.record(() => {
    // with tf.GradientTape() as inner_tape:
    innerTape.watch(x);
    return tf.pow(x, 3);
  });
  dy_dx = innerTape.gradient(y, x);
});
const d2y_dx2 = outerTape.gradient(dy_dx, x);
console.log(dy_dx.toString());
console.log(d2y_dx2.toString());

// ------------------------------------------------------------------ jacobian
step("tape.jacobian of tanh(W x + b): target [3] × source [2] → [3, 2]");
tf.random.setSeed(0);
const W = tf.random.normal([3, 2]);
const b = tf.random.normal([3]);
const xv = tf.constant([0.5, -1.0]);
const jacTape = new tf.GradientTape();
const yv = jacTape.record(() => {
  jacTape.watch(xv);
  return tf.tanh(tf.add(tf.reshape(tf.matmul(W, tf.reshape(xv, [2, 1])), [3]), b));
});
console.log(jacTape.jacobian(yv, xv).toString());

// ------------------------------------------------------------------ batch jacobian
step("tape.batchJacobian: per-example Jacobians of a Dense layer, [4, 3] → [4, 3, 3]");
const dense = new tf.keras.layers.Dense(3, { activation: "sigmoid" });
const batch = tf.random.normal([4, 3]);
const bjTape = new tf.GradientTape();
const out = bjTape.record(() => {
  bjTape.watch(batch);
  return dense.apply(batch);
});
const perExample = bjTape.batchJacobian(out, batch);
console.log("shape:", perExample.shape, "  first example's Jacobian:");
console.log(tf.gather(perExample, tf.constant(0, { dtype: "int32" })).toString());

// ------------------------------------------------------------------ custom training loop
step("custom training loop: a custom layer with a custom gradient learns three spirals");

/** tanh whose gradient is clipped to [−1, 1] (a tf.custom_gradient). */
const clippedTanh = tf.customGradient((z: tf.Tensor) => {
  const t = tf.tanh(z);
  return [t, (dy: tf.Tensor) => tf.clipByValue(tf.multiply(dy, tf.subtract(1, tf.square(t))), -1, 1)];
});

/** A residual block: x + clippedTanh(x·W + b), its weights made in build(). */
class ResidualBlock extends tf.keras.layers.Layer {
  kernel!: tf.Variable;
  bias!: tf.Variable;
  override build(inputShape: number[]): void {
    const d = inputShape[inputShape.length - 1]!;
    this.kernel = this.addWeight("kernel", [d, d], { initializer: "glorotUniform" });
    this.bias = this.addWeight("bias", [d], { initializer: "zeros" });
  }
  override call(inputs: tf.Tensor): tf.Tensor {
    return tf.add(inputs, clippedTanh(tf.add(tf.matmul(inputs, this.kernel), this.bias)));
  }
}

// three interleaved spirals, 64 points each
const n = 64;
const pts: number[][] = [];
const labels: number[] = [];
for (let c = 0; c < 3; c++) {
  for (let i = 0; i < n; i++) {
    const r = i / n;
    const a = (c * 2 * Math.PI) / 3 + 7 * r + 0.2 * Math.sin(17 * i + c);
    pts.push([r * Math.cos(a), r * Math.sin(a)]);
    labels.push(c);
  }
}
const X = tf.constant(pts);
const Y = tf.constant(labels, { dtype: "int32" });

const model = new tf.keras.Sequential([
  new tf.keras.layers.Dense(32, { activation: "tanh" }),
  new ResidualBlock(),
  new ResidualBlock(),
  new tf.keras.layers.Dense(3),
]);
const optimizer = new tf.keras.optimizers.Adam({ learningRate: 0.01 });
const lossFn = new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });

const steps = 200;
const bar = (done: number, loss: number) => {
  const w = 30;
  const k = Math.round((done / steps) * w);
  return `[${"█".repeat(k)}${"·".repeat(w - k)}] ${String(done).padStart(3)}/${steps} loss ${loss.toFixed(4)}`;
};
const t0 = performance.now();
for (let s = 1; s <= steps; s++) {
  const tape = new tf.GradientTape();
  const loss = tape.record(() => lossFn.apply(Y, model.apply(X)));
  const vars = model.trainableVariables;
  const grads = tape.gradient(loss, vars) as tf.Tensor[];
  optimizer.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
  const l = loss.item();
  if (process.stderr.isTTY) process.stderr.write(`\r${bar(s, l)}`);
  else if (s % 50 === 0) process.stderr.write(`${bar(s, l)}\n`);
  if (s === 1 || s % 25 === 0) console.log(`${process.stderr.isTTY ? "\r\x1b[K" : ""}step ${String(s).padStart(3)}  loss ${l.toFixed(4)}`);
}
if (process.stderr.isTTY) process.stderr.write("\n");
const pred = tf.argmax(model.apply(X), 1);
const acc = tf.reduceMean(tf.cast(tf.equal(pred, Y), "float32")).item();
console.log(`accuracy ${(acc * 100).toFixed(1)}% after ${steps} steps (${((performance.now() - t0) / steps).toFixed(1)} ms/step), ${model.trainableVariables.length} variables:`);
console.log(model.trainableVariables.map((v) => `${v.name} ${JSON.stringify(v.shape)}`).join(", "));
