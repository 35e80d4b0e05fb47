// tapir's functional API: eager (op by op, `grad(f)(x)`) and compiled (`jit(grad(f))`).
import { W11_N, W11_NOISE, type Arr, type CaseId, type Inputs } from "../lib/workloads.js";
import { W14_WEIGHTS, W15_FACTOR, w15Length } from "../lib/cliffs.js";
import { asTensors, importTapir, requireNames, type ConvApi, type Tapir, type TFn, type TTensor } from "./tapir-api.js";
import { tapirW12 } from "./mnist-step.js";
import { NotAvailable, type Impl, type System } from "./types.js";

const NAMES = [
  "grad", "vmap", "jacrev", "hessian",
  "numpy.array", "numpy.add", "numpy.subtract", "numpy.multiply", "numpy.power", "numpy.matmul", "numpy.dot",
  "numpy.square", "numpy.tanh", "numpy.sin", "numpy.cos", "numpy.exp", "numpy.sum", "numpy.mean", "nn.softplus",
];

/** An optional API function, or n/a naming it. */
function need<F>(f: F | undefined, name: string): F {
  if (typeof f !== "function") throw new NotAvailable(`tapir lacks \`${name}\``);
  return f;
}

export async function loadTapir(needJit: boolean): Promise<Tapir> {
  const mod = await importTapir("../../dist/index.js", "tapir (dist/index.js, built by npm run bench)");
  requireNames(mod, needJit ? [...NAMES, "jit"] : NAMES, "tapir (src/index.ts)");
  return mod as unknown as Tapir;
}

export const tensorOf = (tp: Tapir, a: Arr | undefined): TTensor => {
  if (!a) throw new Error("tapir: input missing");
  return tp.numpy.array(a.data).reshape([...a.shape]);
};

export function threadsOf(tp: Tapir): number | string {
  try {
    return tp.config?.threads?.() ?? "config.threads() missing";
  } catch (e) {
    return `config.threads() threw: ${String(e)}`;
  }
}

function impls(tp: Tapir, useJit: boolean): Partial<Record<CaseId, Impl>> {
  const { numpy: np, nn, grad, vmap, jacrev, hessian } = tp;
  const J = (f: TFn): TFn => (useJit ? tp.jit(f) : f);
  const T = (a: Arr | undefined) => tensorOf(tp, a);
  // results are read back without a copy (dataSync({ copy: false }): as the JAX column's np.asarray
  // reads a CPU array, and tfjs-cpu's dataSync returns its own values) and disposed at the next
  // call of the same thunk, once the caller is done with the views (a case may run several thunks
  // per call: W7); their buffers return to the arena. A baseline build without the option copies.
  const call = (f: TFn, ...args: TTensor[]) => {
    let held: TTensor[] = [];
    return () => {
      for (const t of held) t.dispose?.();
      held = asTensors(f(...args));
      return held.map((t) => t.dataSync({ copy: false }));
    };
  };

  /** W14: mean(h²) after 20 layers h ← tanh(h W_i); gradients of all 20 W_i. */
  const deepMlp = (inp: Inputs) => {
    const loss = (...a: TTensor[]) => {
      let h = a[W14_WEIGHTS.length]!;
      for (let i = 0; i < W14_WEIGHTS.length; i++) h = np.tanh(np.matmul(h, a[i]!));
      return np.mean(np.square(h));
    };
    return call(J(grad(loss as TFn, { argnums: W14_WEIGHTS.map((_, i) => i) })), ...W14_WEIGHTS.map((k) => T(inp[k])), T(inp.x));
  };
  /** W15: Σ of sin, × 1.0001, sin, … (n ops) of x. */
  const longChain = (inp: Inputs, n: number) => {
    const f = (x: TTensor) => {
      let v = x;
      for (let k = 0; k < n; k++) v = k % 2 === 0 ? np.sin(v) : np.multiply(v, W15_FACTOR);
      return np.sum(v);
    };
    return call(J(grad(f as TFn)), T(inp.x));
  };

  return {
    W1: (inp) => {
      const loss = (w1: TTensor, b1: TTensor, w2: TTensor, b2: TTensor, x: TTensor, t: TTensor) =>
        np.mean(np.square(np.subtract(np.add(np.matmul(np.tanh(np.add(np.matmul(x, w1), b1)), w2), b2), t)));
      const g = J(grad(loss as TFn, { argnums: [0, 1, 2, 3] }));
      return call(g, T(inp.w1), T(inp.b1), T(inp.w2), T(inp.b2), T(inp.x), T(inp.t));
    },
    "W2-512": (inp) => call(J((a, b) => np.matmul(a!, b!)), T(inp.a), T(inp.b)),
    "W2-1024": (inp) => call(J((a, b) => np.matmul(a!, b!)), T(inp.a), T(inp.b)),
    W3: (inp) => {
      const [w, b] = [T(inp.w), T(inp.b)];
      const f = (x: TTensor) => np.tanh(np.add(np.matmul(w, x), b));
      return call(J(jacrev(f as TFn)), T(inp.x));
    },
    W4: (inp) => {
      const w = T(inp.w);
      const g = (row: TTensor) => np.tanh(np.matmul(row, w));
      return call(J(vmap(jacrev(g as TFn))), T(inp.x));
    },
    W5: (inp) => {
      const a = T(inp.a);
      const s = (x: TTensor) =>
        np.add(np.sum(np.multiply(np.sin(x), np.square(x))), np.multiply(0.5, np.dot(x, np.matmul(a, x))));
      return call(J(hessian(s as TFn)), T(inp.x));
    },
    W6: (inp) => {
      const f = (x: TTensor) => np.sum(np.multiply(np.exp(np.sin(x)), np.cos(x)));
      return call(J(grad(f as TFn)), T(inp.x));
    },
    W7: (inp) => {
      const x = T(inp.x);
      const f = (v: TTensor) => np.power(v, 3);
      const d1 = J(grad(f as TFn));
      const d2 = J(grad(grad(f as TFn)));
      return () => [...call(d1, x)(), ...call(d2, x)()];
    },
    W11: (inp) => {
      const n = W11_N;
      const F = (a: Arr | undefined) => np.array(Float64Array.from(a!.data) as unknown as Float32Array, { dtype: "float64" }).reshape([...a!.shape]);
      const noise = np.multiply(W11_NOISE, np.eye(n, { dtype: "float64" }));
      const half = 0.5 * n * Math.log(2 * Math.PI);
      const nll = (logEll: TTensor, logSf2: TTensor, x: TTensor, y: TTensor) => {
        const d = np.subtract(x.reshape([n, 1]), x.reshape([1, n]));
        const k = np.multiply(np.exp(logSf2), np.exp(np.divide(np.multiply(-0.5, np.square(d)), np.exp(np.multiply(2, logEll)))));
        const L = np.linalg.cholesky(np.add(k, noise));
        const z = tp.lax.linalg.triangularSolve(L, y.reshape([n, 1]), { leftSide: true, lower: true });
        const alpha = tp.lax.linalg.triangularSolve(L, z, { leftSide: true, lower: true, transposeA: true });
        return np.add(np.add(np.multiply(0.5, np.sum(np.multiply(y.reshape([n, 1]), alpha))), np.sum(np.log(np.diag(L)))), half);
      };
      return call(J(grad(nll as TFn, { argnums: [0, 1, 2] })), F(inp.logEll), F(inp.logSf2), F(inp.x), F(inp.y));
    },
    W8: (inp) => {
      const loss = (w: TTensor, x: TTensor, y: TTensor) => {
        const z = np.dot(x, w);
        return np.subtract(nn.softplus(z), np.multiply(y, z));
      };
      return call(J(vmap(grad(loss as TFn), [null, 0, 0])), T(inp.w), T(inp.x), T(inp.y));
    },
    // W9: the ops whose names landed with issue 11 (n/a on a tapir without them)
    "W9-sort": (inp) => {
      const sort = need(np.sort, "numpy.sort");
      return call(J((x) => sort(x!)), T(inp.x));
    },
    "W9-argsort": (inp) => {
      const argsort = need(np.argsort, "numpy.argsort");
      return call(J((x) => argsort(x!)), T(inp.x));
    },
    "W9-topk": (inp) => {
      const topK = need(tp.lax?.topK, "lax.topK");
      return call(J((x) => topK(x!, 100)), T(inp.x));
    },
    "W9-scatter": (inp) => {
      const x0 = T(inp.x);
      need(x0.at, "Tensor.at");
      const idx = T(inp.idx).astype!("int32");
      const f = (x: TTensor) => np.sum(x.at!(idx).get());
      return call(J(grad(f as TFn)), x0);
    },
    "W9-einsum": (inp) => {
      const einsum = need(np.einsum, "numpy.einsum");
      return call(J((a, b) => einsum("bij,bjk->bik", a!, b!)), T(inp.a), T(inp.b));
    },
    // W13: the recurrence as users write it in a JAX-style library, lax.scan over the 1000 rows of x
    W13: (inp) => {
      const scan = need(tp.lax?.scan, "lax.scan");
      const loss = (w: TTensor, u: TTensor, xs: TTensor) => {
        const step = (h: TTensor, x: TTensor): [TTensor, null] => [np.tanh(np.add(np.matmul(h, w), np.matmul(x, u))), null];
        const [hT] = scan(step, np.zeros([w.shape[0]!]), xs);
        return np.sum(np.square(hT));
      };
      return call(J(grad(loss as TFn, { argnums: [0, 1] })), T(inp.w), T(inp.u), T(inp.x));
    },
    "W14-0.1": (inp) => deepMlp(inp),
    "W14-0.3": (inp) => deepMlp(inp),
    "W15-200": (inp) => longChain(inp, w15Length("W15-200")),
    "W15-2000": (inp) => longChain(inp, w15Length("W15-2000")),
    W10: (inp) => {
      requireNames(tp as unknown as Record<string, unknown>, ["lax.convGeneralDilated", "nn.maxPool", "nn.relu", "nn.logSoftmax"], "tapir (dist/index.js)");
      const { lax, nn: n } = tp as unknown as ConvApi;
      const dn = { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] };
      const block = (h: TTensor, k: TTensor, b: TTensor) => n.maxPool(n.relu(np.add(lax.convGeneralDilated(h, k, [1, 1], "VALID", dn), b)), [2, 2], [2, 2]);
      // mean over the batch of −Σ labels · log softmax(logits)
      const loss = (k1: TTensor, b1: TTensor, k2: TTensor, b2: TTensor, w: TTensor, b: TTensor, x: TTensor, y: TTensor) => {
        const h = block(block(x, k1, b1), k2, b2).reshape([32, 1600]);
        return np.multiply(-1, np.mean(np.sum(np.multiply(y, n.logSoftmax(np.add(np.matmul(h, w), b))), 1)));
      };
      const g = J(grad(loss as TFn, { argnums: [0, 1, 2, 3, 4, 5] }));
      return call(g, T(inp.k1), T(inp.b1), T(inp.k2), T(inp.b2), T(inp.w), T(inp.b), T(inp.x), T(inp.labels));
    },
  };
}

async function make(useJit: boolean): Promise<System> {
  const tp = await loadTapir(useJit);
  return {
    info: { package: "tapir", mode: useJit ? "jit(grad(f))" : "eager grad(f)(x)", threads: threadsOf(tp) },
    impls: { ...impls(tp, useJit), W12: tapirW12(tp, useJit) },
  };
}

export const eager = (): Promise<System> => make(false);
export const jitted = (): Promise<System> => make(true);
