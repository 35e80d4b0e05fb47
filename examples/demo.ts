// The newcomer's first run: grad, vmap, jacrev, hessian and per-example gradients, printed.
import { numpy as np, grad, valueAndGrad, vmap, jacrev, jacfwd, hessian, jit, makeJaxpr, lax, random, nn } from "../src/index.js";
import type { Tensor } from "../src/index.js";

// bold titles on a terminal only: a CI log or a pipe gets plain text
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (title: string) => console.log(`\n${bold(`▸ ${title}`)}`);

step("grad of x³ at 5 (expect 75), and its second and third derivatives (30, 6)");
const cube = (x: Tensor) => x.mul(x).mul(x);
console.log("d/dx  ", grad(cube)(5).item());
console.log("d²/dx²", grad(grad(cube))(5).item());
console.log("d³/dx³", grad(grad(grad(cube)))(5).item());

step("grad of a scalar function of a vector: f(x) = Σ sin(x)·x²");
const f = (x: Tensor) => np.sum(np.sin(x).mul(np.square(x)));
const x = np.array([0.5, 1.0, 1.5]);
console.log("x      ", x.toString());
console.log("∇f(x)  ", grad(f)(x).toString());
console.log("closed form 2x·sin x + x²·cos x:", np.add(x.mul(2).mul(np.sin(x)), np.square(x).mul(np.cos(x))).toString());

step("vmap: a function of one vector mapped over the rows of a matrix");
const norm = (v: Tensor) => np.sqrt(np.sum(np.square(v)));
console.log(vmap(norm)(np.array([[3, 4], [6, 8], [5, 12]])).toString());

step("jacrev and jacfwd of tanh(W x + b): W is 2×3, so the Jacobian is 2×3 both ways");
const key = random.key(0);
const [kW, kb, kX, ky] = Array.from({ length: 4 }, (_, i) => random.split(key, 4).index(i));
const W = random.normal(kW!, [2, 3]);
const b = random.normal(kb!, [2]);
const g = (v: Tensor) => np.tanh(np.matmul(W, v).add(b));
const v = np.array([0.1, -0.2, 0.3]);
console.log("jacrev:", jacrev(g)(v).toString());
console.log("jacfwd:", jacfwd(g)(v).toString());

step("hessian of s(x) = Σ sin(x)·x² + ½ xᵀ A x");
const A = np.array([[2, 1], [1, 3]]);
const s = (z: Tensor) => np.sum(np.sin(z).mul(np.square(z))).add(np.dot(z, np.matmul(A, z)).mul(0.5));
console.log(hessian(s)(np.array([0.3, -0.7])).toString());

step("per-example gradients of a logistic-regression loss with vmap(grad)");
const X = random.normal(kX!, [4, 3]);
const y = np.array([1, 0, 1, 0]);
const w = np.array([0.5, -0.25, 0.1]);
const loss = (w: Tensor, xi: Tensor, yi: Tensor) => {
  const logit = np.dot(xi, w);
  return nn.softplus(logit).sub(yi.mul(logit)); // −log p(y | x)
};
const perExample = vmap(grad(loss), [null, 0, 0])(w, X, y);
console.log("per-example grads [4, 3]:", perExample.toString());
console.log("their mean equals grad of the mean loss:");
console.log(np.mean(perExample, 0).toString());
console.log(grad((w: Tensor) => np.mean(vmap(loss, [null, 0, 0])(w, X, y)))(w).toString());

step("jit: trace once, optimise the IR (fusion, CSE, folding), run compiled");
const h = (z: Tensor) => np.sum(np.exp(np.sin(z)).mul(np.cos(z)));
console.log("traced:");
console.log(makeJaxpr(grad(h))(np.array([0.1, 0.2, 0.3])).toString());
console.log("what jit runs (optimised: one fused loop):");
console.log(makeJaxpr(grad(h), { optimized: true })(np.array([0.1, 0.2, 0.3])).toString());
const fastGrad = jit(grad(h));
console.log("jit(grad(h)) =", fastGrad(np.array([0.1, 0.2, 0.3])).toString());
console.log("grad(h)      =", grad(h)(np.array([0.1, 0.2, 0.3])).toString());

step("lax.scan: a differentiable loop (compound interest), and its gradient");
const grow = (rate: Tensor) => lax.scan((bal: Tensor, deposit: Tensor) => [bal.mul(rate.add(1)).add(deposit), bal], np.array(100), np.array([10, 10, 10, 10]))[0];
console.log("balance after 4 years at 5%:", grow(np.array(0.05)).item().toFixed(4));
console.log("d balance / d rate:", grad(grow)(np.array(0.05)).item().toFixed(4));

step("a tiny training loop: fit y = 3x − 1 by gradient descent");
const xs = np.linspace(-1, 1, 32);
const ys = xs.mul(3).sub(1).add(random.normal(ky!, [32]).mul(0.05));
let params = { a: np.array(0.0), c: np.array(0.0) };
const mse = (p: typeof params) => np.mean(np.square(p.a.mul(xs).add(p.c).sub(ys)));
const train = jit(valueAndGrad(mse));
const width = 30;
for (let i = 0; i <= 60; i++) {
  const [l, gr] = train(params);
  params = { a: params.a.sub(gr.a.mul(0.3)), c: params.c.sub(gr.c.mul(0.3)) };
  if (i % 6 === 0) {
    const filled = Math.round((i / 60) * width);
    const bar = `  [${"#".repeat(filled)}${".".repeat(width - filled)}] step ${String(i).padStart(2)}  loss ${l.item().toFixed(5)}`;
    // a terminal redraws one line; a log gets one line per update
    process.stderr.write(process.stderr.isTTY ? `\r${bar}` : `${bar}\n`);
  }
}
if (process.stderr.isTTY) process.stderr.write("\n");
console.log(`fitted a = ${params.a.item().toFixed(3)} (true 3), c = ${params.c.item().toFixed(3)} (true −1)`);
