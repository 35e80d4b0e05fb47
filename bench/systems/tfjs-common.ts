// TensorFlow.js implementations of every case, shared by the cpu and wasm backends.
import type * as TF from "@tensorflow/tfjs";
import type { Arr, CaseId, Inputs } from "../lib/workloads.js";
import { W13_D, W13_H, W13_T, W14_WEIGHTS, W15_FACTOR, w15Length } from "../lib/cliffs.js";
import { tfjsW12 } from "./mnist-step.js";
import type { Impl, Readback } from "./types.js";

type Tf = typeof TF;
type Tensor = TF.Tensor;

/** TF.js has no jacobian or vmap: Jacobians are one vjp over the input tiled once per output row. */
export const TFJS_HOW: Partial<Record<CaseId, string>> = {
  W3: "no jacobian in tf.js: x tiled to [256,256], one tf.grad of Σ tanh(X Wᵀ + b)∘I",
  W4: "no batch jacobian in tf.js: x tiled to [32,64,32], one tf.grad of Σ tanh(X W)∘mask",
  W5: "no hessian in tf.js: tf.grad of Σ diag(tf.grad(s) of x tiled to [128,128])",
  W7: "tf.grad and tf.grad(tf.grad) of tf.pow(x, 3)",
  W8: "no vmap in tf.js: w tiled to [256,512], one tf.grad of the summed losses",
  W13: "no scan in tf.js: tf.grads of a JS loop of 1000 steps (x split into [1,16] rows beforehand)",
  "W9-sort": "no sort in tf.js: tf.topk(x, n) reversed",
  "W9-argsort": "no argsort in tf.js: tf.topk(-x, n).indices (ties: lower index first, so stable)",
  "W9-scatter": "tf.grad of tf.sum(tf.gather(x, idx))",
};

/** Cases TF.js cannot express. */
export const TFJS_NOTES: Partial<Record<CaseId, string>> = {
  W11: "tf.js has no Cholesky or triangular solve (tf.linalg: qr, gramSchmidt, bandPart only) and no float64 on its cpu/wasm backends",
};

export function tfjsImpls(tf: Tf): Partial<Record<CaseId, Impl>> {
  const T = (a: Arr | undefined): Tensor => {
    if (!a) throw new Error("tfjs: input missing");
    return tf.tensor(a.data, [...a.shape], "float32");
  };
  /** Runs fn inside tidy and reads its tensors back, so nothing leaks between calls. */
  const read = (fn: () => Tensor[]): Readback => {
    let out: Readback = [];
    tf.tidy(() => {
      out = fn().map((t) => t.dataSync());
    });
    return out;
  };

  /** W14: tf.grads of mean(h²) over 20 layers h ← tanh(h W_i). */
  const deepMlp = (inp: Inputs) => {
    const x = T(inp.x), ws = W14_WEIGHTS.map((k) => T(inp[k]));
    const g = tf.grads((...w: Tensor[]) => {
      let h = x;
      for (const wi of w) h = tf.tanh(tf.matMul(h, wi));
      return tf.mean(tf.square(h));
    });
    return () => read(() => g(ws));
  };
  /** W15: tf.grad of Σ of sin, × 1.0001, sin, … (n ops). */
  const longChain = (inp: Inputs, n: number) => {
    const x = T(inp.x);
    const g = tf.grad((v: Tensor) => {
      for (let k = 0; k < n; k++) v = k % 2 === 0 ? tf.sin(v) : tf.mul(v, W15_FACTOR);
      return tf.sum(v);
    });
    return () => read(() => [g(x)]);
  };

  return {
    W13: (inp) => {
      const [w, u] = [T(inp.w), T(inp.u)];
      const xd = inp.x!.data;
      const rows = Array.from({ length: W13_T }, (_, t) => tf.tensor(xd.slice(t * W13_D, (t + 1) * W13_D), [1, W13_D], "float32"));
      const h0 = tf.zeros([1, W13_H]);
      const g = tf.grads((W: Tensor, U: Tensor) => {
        let h = h0;
        for (const xt of rows) h = tf.tanh(tf.add(tf.matMul(h, W), tf.matMul(xt, U)));
        return tf.sum(tf.square(h));
      });
      return () => read(() => g([w, u]));
    },
    "W14-0.1": deepMlp,
    "W14-0.3": deepMlp,
    "W15-200": (inp) => longChain(inp, w15Length("W15-200")),
    "W15-2000": (inp) => longChain(inp, w15Length("W15-2000")),
    "W9-sort": (inp) => {
      const x = T(inp.x);
      return () => read(() => [tf.reverse(tf.topk(x, x.size).values)]);
    },
    "W9-argsort": (inp) => {
      const x = T(inp.x);
      return () => read(() => [tf.topk(tf.neg(x), x.size).indices]);
    },
    "W9-topk": (inp) => {
      const x = T(inp.x);
      return () => read(() => {
        const r = tf.topk(x, 100);
        return [r.values, r.indices];
      });
    },
    "W9-scatter": (inp) => {
      const [x, idx] = [T(inp.x), tf.cast(T(inp.idx), "int32")];
      const g = tf.grad((v: Tensor) => tf.sum(tf.gather(v, idx)));
      return () => read(() => [g(x)]);
    },
    "W9-einsum": (inp) => {
      const [a, b] = [T(inp.a), T(inp.b)];
      return () => read(() => [tf.einsum("bij,bjk->bik", a, b)]);
    },
    W1: (inp) => {
      const [x, w1, b1, w2, b2, t] = [T(inp.x), T(inp.w1), T(inp.b1), T(inp.w2), T(inp.b2), T(inp.t)];
      const loss = (W1: Tensor, B1: Tensor, W2: Tensor, B2: Tensor): TF.Scalar =>
        tf.mean(tf.square(tf.sub(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, W1), B1)), W2), B2), t)));
      const g = tf.grads((...p: Tensor[]) => loss(p[0]!, p[1]!, p[2]!, p[3]!));
      return () => read(() => g([w1, b1, w2, b2]));
    },
    "W2-512": (inp) => {
      const [a, b] = [T(inp.a), T(inp.b)];
      return () => read(() => [tf.matMul(a, b)]);
    },
    "W2-1024": (inp) => {
      const [a, b] = [T(inp.a), T(inp.b)];
      return () => read(() => [tf.matMul(a, b)]);
    },
    W3: (inp) => {
      const [w, b, x] = [T(inp.w), T(inp.b), T(inp.x)];
      const n = w.shape[0]!;
      const eye = tf.eye(n);
      // row k of X is x; ∂/∂X[k,:] of Σ_k f(X[k])_k is row k of the Jacobian
      const g = tf.grad((X: Tensor) => tf.sum(tf.mul(tf.tanh(tf.add(tf.matMul(X, w, false, true), b)), eye)));
      return () => read(() => [g(tf.tile(tf.reshape(x, [1, n]), [n, 1]))]);
    },
    W4: (inp) => {
      const [x, w] = [T(inp.x), T(inp.w)];
      const [B, n] = [x.shape[0]!, x.shape[1]!];
      const mask = tf.reshape(tf.eye(n), [n, 1, n]); // copy i keeps output column i
      const g = tf.grad((X: Tensor) =>
        tf.sum(tf.mul(tf.reshape(tf.tanh(tf.matMul(tf.reshape(X, [n * B, n]), w)), [n, B, n]), mask)),
      );
      return () => read(() => [tf.transpose(g(tf.tile(tf.reshape(x, [1, B, n]), [n, 1, 1])), [1, 0, 2])]);
    },
    W5: (inp) => {
      const [x, a] = [T(inp.x), T(inp.a)];
      const n = x.shape[0]!;
      const eye = tf.eye(n);
      // s on each row of X: Σ sin(x)·x² + ½ (x A)·x
      const s = (X: Tensor): TF.Scalar =>
        tf.add(tf.sum(tf.mul(tf.sin(X), tf.square(X))), tf.mul(0.5, tf.sum(tf.mul(tf.matMul(X, a), X))));
      const gs = tf.grad(s);
      const h = tf.grad((X: Tensor) => tf.sum(tf.mul(gs(X), eye)));
      return () => read(() => [h(tf.tile(tf.reshape(x, [1, n]), [n, 1]))]);
    },
    W6: (inp) => {
      const x = T(inp.x);
      const g = tf.grad((v: Tensor) => tf.sum(tf.mul(tf.exp(tf.sin(v)), tf.cos(v))));
      return () => read(() => [g(x)]);
    },
    W7: (inp) => {
      const x = tf.scalar(inp.x?.data[0] ?? 5);
      const f = (v: Tensor): Tensor => tf.pow(v, 3);
      const d1 = tf.grad(f);
      const d2 = tf.grad((v: Tensor) => d1(v));
      return () => read(() => [d1(x), d2(x)]);
    },
    W8: (inp) => {
      const [X, w, y] = [T(inp.x), T(inp.w), T(inp.y)];
      const [B, D] = [X.shape[0]!, X.shape[1]!];
      const g = tf.grad((W: Tensor) => {
        const z = tf.sum(tf.mul(W, X), 1);
        return tf.sum(tf.sub(tf.softplus(z), tf.mul(y, z)));
      });
      return () => read(() => [g(tf.tile(tf.reshape(w, [1, D]), [B, 1]))]);
    },
    W10: (inp) => {
      const [x, y] = [T(inp.x) as TF.Tensor4D, T(inp.labels)];
      const params = [T(inp.k1), T(inp.b1), T(inp.k2), T(inp.b2), T(inp.w), T(inp.b)];
      const block = (h: TF.Tensor4D, k: Tensor, b: Tensor) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, k as TF.Tensor4D, 1, "valid"), b)) as TF.Tensor4D, 2, 2, "valid");
      // mean over the batch of −Σ labels · log softmax(logits)
      const loss = (k1: Tensor, b1: Tensor, k2: Tensor, b2: Tensor, w: Tensor, b: Tensor): TF.Scalar => {
        const h = tf.reshape(block(block(x, k1, b1), k2, b2), [32, 1600]);
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(h, w), b))), 1))) as TF.Scalar;
      };
      const g = tf.grads((...p: Tensor[]) => loss(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!));
      return () => read(() => g(params));
    },
    W12: tfjsW12(tf),
  };
}
