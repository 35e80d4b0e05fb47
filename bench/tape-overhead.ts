// Tape overhead: tapir/compat's GradientTape against tapir's functional transforms on the same
// functions. W7: dy/dx and d²y/dx² of x³ at 5 (µs per call, eager); W3: the 256×256 Jacobian of
// tanh(W x + b) by tape.jacobian and by jacrev (ms per call). Goals: W7 ≤ 2×, W3 ≤ 1.5×.
// Run: npx tsx bench/tape-overhead.ts [--quick]
import { numpy as np, grad, jacrev, random, type Tensor } from "../src/index.js";
import * as tf from "../src/compat/index.js";

const quick = process.argv.includes("--quick");

/**
 * Per-call µs of `a` and `b`, alternating short rounds of `n` calls each (so load on the
 * machine and JIT warm-up hit both alike) and keeping each side's fastest round.
 */
function pair(a: () => unknown, b: () => unknown, n: number, rounds = quick ? 5 : 40): [number, number] {
  for (let i = 0; i < Math.max(3, n); i++) (a(), b());
  let ta = Infinity;
  let tb = Infinity;
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    for (let i = 0; i < n; i++) a();
    ta = Math.min(ta, ((performance.now() - t0) * 1000) / n);
    t0 = performance.now();
    for (let i = 0; i < n; i++) b();
    tb = Math.min(tb, ((performance.now() - t0) * 1000) / n);
  }
  return [ta, tb];
}

// ------------------------------------------------------------------ W7
const x = tf.constant(5);
const cube = (v: Tensor) => np.power(v, 3);
const w7Functional = () => {
  const d1 = grad(cube)(x);
  const d2 = grad(grad(cube))(x);
  return [d1.item(), d2.item()];
};
const w7Tape = () => {
  const outer = new tf.GradientTape();
  const inner = new tf.GradientTape();
  let d1!: Tensor;
  outer.record(() => {
    outer.watch(x);
    const y = inner.record(() => {
      inner.watch(x);
      return tf.pow(x, 3);
    });
    d1 = inner.gradient(y, x);
  });
  const d2 = outer.gradient(d1, x);
  return [d1.item(), d2.item()];
};
const check7 = [w7Functional(), w7Tape()];
if (check7.some(([a, b]) => a !== 75 || b !== 30)) throw new Error(`W7 values wrong: ${JSON.stringify(check7)}`);

// ------------------------------------------------------------------ W3
const k = random.split(random.key(3), 3);
const W = np.multiply(random.normal(k.index(0), [256, 256]), 1 / 16);
const b = np.multiply(random.normal(k.index(1), [256]), 0.1);
const xv = random.normal(k.index(2), [256]);
const f = (v: Tensor) => np.tanh(np.add(np.matmul(W, v), b));
const w3Functional = () => jacrev(f)(xv);
const w3Tape = () => {
  const tape = new tf.GradientTape();
  const y = tape.record(() => {
    tape.watch(xv);
    return tf.tanh(tf.add(tf.matmul(W, xv), b));
  });
  return tape.jacobian(y, xv);
};
if (!np.allclose(w3Functional(), w3Tape(), { rtol: 1e-5, atol: 1e-6 })) throw new Error("W3: tape.jacobian differs from jacrev");

const [f7, t7] = pair(w7Functional, w7Tape, quick ? 100 : 300);
const [f3, t3] = pair(w3Functional, w3Tape, quick ? 2 : 5);
const rows: [string, number, number, number][] = [
  ["W7 x³ at 5: d1 + d2 (µs/call)", f7, t7, 2],
  ["W3 jacobian tanh(Wx+b), W[256,256] (ms/call)", f3 / 1000, t3 / 1000, 1.5],
];
console.log("| workload | functional | tape | tape / functional | goal |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, fn, tp, goal] of rows) console.log(`| ${name} | ${fn.toFixed(fn < 10 ? 2 : 1)} | ${tp.toFixed(tp < 10 ? 2 : 1)} | ${(tp / fn).toFixed(2)}× | ≤ ${goal}× |`);
console.log(`(fastest of alternating rounds; Node ${process.version}, load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)})`);
