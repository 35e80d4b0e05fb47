// RSS and time per step of a synchronous eager loop over 1e6 elements (no tidy, no dispose):
//   TAPIR_THREADS=1 node scripts/soak-lazy.mjs            (lazy eager, the default)
//   TAPIR_LAZY=0 TAPIR_THREADS=1 node scripts/soak-lazy.mjs (every op at once)
// after `TAPIR_NO_DTS=1 npx tsup --silent`. Prints [step, RSS MiB] every 100 steps and ms per step.
import * as tp from "../dist/index.js";
const { numpy: np, grad } = tp;
const f = (x) => np.sum(np.multiply(np.exp(np.sin(x)), np.cos(x)));
let x = np.linspace(-3, 3, 1_000_000);
const g = grad(f);
const mib = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const marks = [];
const t0 = performance.now();
for (let i = 1; i <= 600; i++) {
  x = x.sub(g(x).mul(1e-4));
  if (i % 100 === 0) { x.dataSync({ copy: false }); marks.push([i, mib()]); }
}
console.log(process.env.TAPIR_LAZY ?? "on", JSON.stringify(marks), ((performance.now() - t0) / 600).toFixed(2), "ms/step");
