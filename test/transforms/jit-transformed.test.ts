// jit's passes (DCE, CSE, constant folding, elementwise fusion, buffer reuse) fed the programs
// transforms produce: several higher-order derivatives of one input (long chains of shared
// subexpressions and literal zeros/ones), broadcasts that batching rules put in, symbolic zeros
// made concrete. jit(f) must equal eager f bit for bit, in float32 as in float64.
import { describe, expect, it } from "vitest";
import { Tensor, grad, hessian, jacfwd, jacrev, jvp, linearize, numpy as np, valueAndGrad, vjp, vmap } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { checkJit, optimizedJaxpr, primNames } from "../util/jit-oracles.js";
import { expectClose } from "../util/oracles.js";
import { rng } from "../util/rng.js";

const FLOATS: DType[] = ["float32", "float64"];
const rand = (shape: number[], seed: number, dtype: DType) => {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return np.array(Float64Array.from({ length: n }, () => r.uniform(-1.5, 1.5)), { dtype }).reshape(shape);
};

// g: R³ → R, smooth, with shared subexpressions across its derivatives
const g = (x: Tensor) => np.sin(x).mul(np.exp(x.mul(0.5))).sum().add(np.square(x.sum()));

describe("several higher-order derivatives of one input", () => {
  it.each(FLOATS)("value, grad, hessian, third derivative together (%s)", (dtype) => {
    const f = (x: Tensor) => [g(x), grad(g)(x), hessian(g)(x), jacfwd(hessian(g))(x)];
    checkJit(f, [rand([3], 1, dtype)]);
  });
  it.each(FLOATS)("the same derivative by four routes (CSE must not merge different ones) (%s)", (dtype) => {
    const f = (x: Tensor) => [jacfwd(jacrev(g))(x), jacrev(jacfwd(g))(x), jacrev(jacrev(g))(x), jacfwd(jacfwd(g))(x)];
    checkJit(f, [rand([3], 2, dtype)]);
  });
  it.each(FLOATS)("grad of grad at 0 where literal zeros and ones fold (%s)", (dtype) => {
    const h = (x: Tensor) => np.power(x, 3).add(np.power(x, 2)).add(x).sum();
    const f = (x: Tensor) => [grad(h)(x), grad((y: Tensor) => grad(h)(y).sum())(x)];
    const jf = checkJit(f, [np.zeros([4], { dtype })]);
    // closed forms: h' = 3x² + 2x + 1, h'' = 6x + 2
    const [d1, d2] = jf(np.array([0, 1, -1, 2], { dtype })) as Tensor[];
    expectClose(d1!, [1, 6, 2, 17]);
    expectClose(d2!, [2, 8, -4, 14]);
  });
  it("valueAndGrad and linearize of one function share its forward pass", () => {
    const f = (x: Tensor) => {
      const [v, gr] = valueAndGrad(g)(x) as [Tensor, Tensor];
      const [y, lin] = linearize(g, [x]) as [Tensor, (t: Tensor) => Tensor];
      return [v, gr, y, lin(np.onesLike(x))];
    };
    checkJit(f, [rand([3], 3, "float64")]);
  });
  it("a vjp closure applied to two cotangents inside one jitted function", () => {
    const f = (x: Tensor, c1: Tensor, c2: Tensor) => {
      const [, back] = vjp((y: Tensor) => np.tanh(np.outer(y, y)), [x]) as [Tensor, (c: Tensor) => Tensor[]];
      return [back(c1)[0]!, back(c2)[0]!];
    };
    checkJit(f, [rand([3], 4, "float32"), rand([3, 3], 5, "float32"), rand([3, 3], 6, "float32")]);
  });
});

describe("what batching rules put in the program", () => {
  it.each(FLOATS)("vmap with an unbatched operand on axis 1: broadcasts then fused elementwise chains (%s)", (dtype) => {
    const f = (x: Tensor, w: Tensor) => np.tanh(x.mul(w).add(1)).mul(w).sub(np.exp(x.neg()));
    const vf = vmap(f, [1, null]);
    const args = [rand([3, 5, 4], 7, dtype), rand([3, 4], 8, dtype)];
    checkJit(vf, args);
    expect(primNames(optimizedJaxpr(vf, ...args))).toContain("fused");
  });
  it.each(FLOATS)("per-example gradients: vmap(grad) with the weight unbatched (%s)", (dtype) => {
    const loss = (w: Tensor, x: Tensor) => np.square(np.tanh(np.matmul(x, w))).mean();
    checkJit(vmap(grad(loss), [null, 0]), [rand([4, 2], 9, dtype), rand([6, 4], 10, dtype)]);
  });
  it.each(FLOATS)("jvp of a vmapped function with batched tangents on axis 1 (%s)", (dtype) => {
    const f = (x: Tensor) => vmap((r: Tensor) => np.sin(r).mul(r.sum()), 1)(x);
    const jf = (x: Tensor, t: Tensor) => jvp(f, [x], [t]);
    checkJit(jf, [rand([3, 4], 11, dtype), rand([3, 4], 12, dtype)]);
  });
  it.each(FLOATS)("hessian of a function that vmaps a reduction with max ties (%s)", (dtype) => {
    const f = (x: Tensor) => vmap((r: Tensor) => np.max(r.mul(r)), 0)(x.reshape([2, 3])).sum();
    checkJit(hessian(f), [np.array([1, -1, 0.5, 2, 0.3, -2], { dtype })]);
  });
  it("batched where with an unbatched branch, under grad, float32", () => {
    const f = (x: Tensor, m: Tensor) => np.where(np.greater(x, 0), x.mul(m), m.mul(m)).sum();
    const vg = vmap(grad(f, { argnums: [0, 1] }), [0, null]);
    checkJit(vg, [rand([5, 3], 13, "float32"), rand([3], 14, "float32")]);
  });
});
