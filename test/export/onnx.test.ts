// exportOnnx: exported programs run on onnxruntime-node (CPU) and match tapir's own results
// (float32 to 1e-5, float64 to 1e-12 of the output's scale; ints, bools and random bits exactly).
import { describe, expect, it } from "vitest";
import { exportOnnx, grad, hessian, jacrev, lax, nn, numpy as np, random, valueAndGrad, vmap, type Tensor } from "../../src/index.js";
import { bind } from "../../src/core/trace.js";
import { definePrimitive, vectorized } from "../../src/core/primitive.js";
import { expectMatches, runOnnx } from "./ort.js";
import { rng } from "../util/rng.js";

const normal = (r: ReturnType<typeof rng>, shape: number[], scale = 1, dtype: "float32" | "float64" = "float32") =>
  np.array(r.normals(shape.reduce((a, b) => a * b, 1)).map((v) => v * scale), { dtype }).reshape(shape);

/** Exports f at args, runs it on onnxruntime and compares with f(...args). */
async function check(f: (...a: any[]) => unknown, args: unknown[], tol?: number) {
  const bytes = exportOnnx(f, args);
  const { outs } = await runOnnx(bytes, args);
  expectMatches(outs, f(...args), tol);
  return bytes;
}

// W1: a 2-layer MLP, mean-squared error
type Params = { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor };
const mlpLoss = (p: Params, x: Tensor, y: Tensor) => {
  const h = np.tanh(np.matmul(x, p.W1).add(p.b1));
  return np.mean(np.square(np.matmul(h, p.W2).add(p.b2).sub(y)));
};
function mlpInputs(dtype: "float32" | "float64", [n, d, hdim, k]: number[]) {
  const r = rng(1);
  const params: Params = { W1: normal(r, [d!, hdim!], 0.05, dtype), b1: normal(r, [hdim!], 0.1, dtype), W2: normal(r, [hdim!, k!], 0.1, dtype), b2: normal(r, [k!], 0.1, dtype) };
  return [params, normal(r, [n!, d!], 1, dtype), normal(r, [n!, k!], 1, dtype)] as const;
}

describe("exportOnnx on onnxruntime-node", () => {
  it("default names: arg0, arg1… for the arguments, output0… for an array result", async () => {
    const args = [{ a: np.ones([2]), b: [np.ones([1]), np.ones([1])] }, np.ones([2])];
    const { names, inputNames } = await runOnnx(exportOnnx((p: any, x: Tensor) => [p.a.add(x), p.b[0]], args), args);
    expect(inputNames).toEqual(["arg0.a", "arg0.b.0", "arg0.b.1", "arg1"]);
    expect(names).toEqual(["output0", "output1"]);
  });

  it("W1: the MLP gradient (float32, full size) and its float64 version", async () => {
    await check(grad(mlpLoss), [...mlpInputs("float32", [128, 784, 256, 10])]);
    await check(grad(mlpLoss), [...mlpInputs("float64", [16, 20, 12, 3])]);
  });

  it("a training step: pytree inputs and outputs named by their paths", async () => {
    const step = (params: Params, x: Tensor, y: Tensor) => {
      const [loss, g] = valueAndGrad(mlpLoss)(params, x, y);
      const next = { W1: params.W1.sub(g.W1.mul(0.1)), b1: params.b1.sub(g.b1.mul(0.1)), W2: params.W2.sub(g.W2.mul(0.1)), b2: params.b2.sub(g.b2.mul(0.1)) };
      return { loss, params: next };
    };
    const args = mlpInputs("float32", [32, 64, 32, 10]);
    const bytes = exportOnnx(step, [...args], { names: { inputs: ["params", "x", "y"] } });
    const { names, inputNames, outs } = await runOnnx(bytes, [...args]);
    expectMatches(outs, step(...args));
    expect(inputNames).toEqual(["params.W1", "params.W2", "params.b1", "params.b2", "x", "y"]);
    expect(names).toEqual(["loss", "params.W1_out", "params.W2_out", "params.b1_out", "params.b2_out"]);
  });

  it("W3: a jacobian (jacrev), W4: vmap(jacrev), W5: a hessian (float64)", async () => {
    const r = rng(3);
    const W = normal(r, [256, 256], 1 / 16);
    const b = normal(r, [256], 0.1);
    await check(jacrev((x: Tensor) => np.tanh(np.matmul(W, x).add(b))), [normal(r, [256])]);
    const V = normal(r, [32, 32], 0.2);
    await check(vmap(jacrev((x: Tensor) => np.tanh(np.matmul(x, V)))), [normal(r, [64, 32])]);
    const A = normal(r, [128, 128], 0.1, "float64");
    const s = (x: Tensor) => np.sum(np.sin(x).mul(np.square(x))).add(np.dot(x, np.matmul(A, x)).mul(0.5));
    await check(hessian(s), [normal(r, [128], 1, "float64")]);
  });

  it("a convnet's gradient (conv → relu → maxPool, twice, → dense → logSoftmax), float32 and float64", async () => {
    for (const dtype of ["float32", "float64"] as const) {
      const r = rng(9);
      const params = { k1: normal(r, [3, 3, 1, 4], 0.3, dtype), k2: normal(r, [3, 3, 4, 6], 0.2, dtype), W: normal(r, [6, 10], 0.1, dtype) };
      const x = normal(r, [2, 12, 12, 1], 1, dtype);
      const conv = (h: Tensor, k: Tensor) => lax.convGeneralDilated(h, k, [1, 1], "VALID", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] });
      const loss = (p: typeof params, x: Tensor) => {
        const h1 = nn.maxPool(nn.relu(conv(x, p.k1)), [2, 2], [2, 2]);
        const h2 = nn.maxPool(nn.relu(conv(h1, p.k2)), [2, 2], [2, 2]);
        return np.mean(nn.logSoftmax(np.matmul(h2.reshape([2, -1]), p.W)).neg());
      };
      await check(grad(loss), [params, x]);
    }
  });

  it("a scan gradient (RNN through lax.scan, forward and reversed), as Loop", async () => {
    const r = rng(4);
    const rnn = (W: Tensor, U: Tensor, xs: Tensor) => {
      const [h] = lax.scan((h: Tensor, x: Tensor) => {
        const hn = np.tanh(np.matmul(h, W).add(np.matmul(x, U)));
        return [hn, np.sum(hn)];
      }, np.zeros([8], { dtype: "float64" }), xs);
      return np.sum(np.square(h));
    };
    await check(grad(rnn, { argnums: [0, 1] }), [normal(r, [8, 8], 0.3, "float64"), normal(r, [4, 8], 0.3, "float64"), normal(r, [12, 4], 1, "float64")]);
    const rev = (xs: Tensor) => lax.scan((c: Tensor, x: Tensor) => [c.mul(0.5).add(x), c], np.zeros([3]), xs, { reverse: true });
    await check(rev, [normal(r, [5, 3])]);
  });

  it("cond (both branches, and its gradient) as If", async () => {
    const f = (p: Tensor, x: Tensor) => lax.cond(p, (v: Tensor) => np.sin(v).mul(2), (v: Tensor) => np.cos(v).sum().mul(v), x);
    const x = np.array([0.3, -1.2, 2]);
    await check(f, [np.array(true), x]);
    await check(f, [np.array(false), x]);
    await check(grad((x: Tensor, p: Tensor) => np.sum(f(p, x))), [x, np.array(false)]);
  });

  it("whileLoop (a data-dependent trip count) as Loop", async () => {
    // Newton's method for √a until |x² − a| < 1e-6, counting the steps
    const f = (a: Tensor) =>
      lax.whileLoop(
        ([x]: [Tensor, Tensor]) => np.greater(np.max(np.abs(x.mul(x).sub(a))), 1e-6),
        ([x, n]: [Tensor, Tensor]) => [x.add(a.div(x)).mul(0.5), n.add(1)],
        [a, np.array(0, { dtype: "int32" })],
      );
    await check(f, [np.array([2, 9, 0.5], { dtype: "float64" })]);
  });

  it("random bits: Threefry-2x32 in ONNX integer ops gives the same draws", async () => {
    await check((k: Tensor) => [random.uniform(k, [7]), random.normal(k, [2, 3], { dtype: "float64" }), random.bernoulli(k, 0.3, [6]), random.permutation(k, 5)], [random.key(42)]);
  });

  it("a primitive without an ONNX lowering is a NoRuleError naming it and the call that made it", () => {
    // a primitive no lowering knows (as a family added after the exporter would be)
    const unknownP = definePrimitive<"test_no_onnx", {}, 1>({
      name: "test_no_onnx",
      abstractEval: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
      impl: ([x]) => [x],
      jvp: (xs, [t], p, self) => [bind(self, xs, p), [t]],
      batch: vectorized,
    });
    function myOp(x: Tensor): Tensor {
      return bind(unknownP, [x], {})[0]!;
    }
    // the site: the tapir function called (here bind itself, called by myOp) and the calling line
    let err: any;
    try {
      exportOnnx(grad((x: Tensor) => np.sum(np.sin(myOp(x)))), [np.ones([2])]);
    } catch (e) {
      err = e;
    }
    expect(err?._tag).toBe("NoRuleError");
    expect(err.message).toMatch(/^exportOnnx: the primitive 'test_no_onnx', produced by bind \(called at .*onnx\.test\.ts:\d+:\d+\), cannot be exported to ONNX/);
  });

  it("opsets 18 to 21 all load and run", async () => {
    const f = (x: Tensor) => lax.scan((c: Tensor, v: Tensor) => [c.add(v), np.cumsum(c)], np.zeros([2]), x);
    const x = np.arange(6).reshape([3, 2]).astype("float32");
    for (const opset of [18, 19, 20, 21]) expectMatches((await runOnnx(exportOnnx(f, [x], { opset }), [x])).outs, f(x));
  });

  it("bad options: an unknown option and an opset outside 18..21", () => {
    expect(() => exportOnnx((x: Tensor) => x, [np.ones([1])], { opset: 11 })).toThrow(/opset must be an integer from 18 to 21, got 11/);
    expect(() => exportOnnx((x: Tensor) => x, [np.ones([1])], { bogus: 1 } as never)).toThrow(/exportOnnx/);
    expect(() => exportOnnx((x: Tensor) => x, np.ones([1]) as never)).toThrow(/exampleArgs must be an array/);
  });
});

