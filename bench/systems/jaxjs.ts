// jax-js (@jax-js/jax) on its `wasm` device, eager and under jit. jax-js arrays are reference-counted:
// every function consumes its array arguments, so inputs are passed as `x.ref` and results are consumed by dataSync().
import type * as JaxNs from "@jax-js/jax";
import { W11_N, W11_NOISE, type Arr, type CaseId, type Inputs } from "../lib/workloads.js";
import { W13_D, W13_H, W13_T, W14_WEIGHTS, W15_FACTOR, w15Length } from "../lib/cliffs.js";
import { pkgVersion } from "../lib/env.js";
import { NotAvailable, type Impl, type System } from "./types.js";

type Jax = typeof JaxNs;
type A = JaxNs.Array;
// jax-js's transform types are precise per call site; the suite only needs "arrays in, arrays out".
type Fn = (...args: A[]) => unknown;

let ready: Promise<Jax> | undefined;
/** Initialises only the wasm device: plain init() also probes WebGPU through `navigator`, absent in Node 20. */
function load(): Promise<Jax> {
  ready ??= (async () => {
    const jax = await import("@jax-js/jax");
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`jax-js: wasm device did not initialise (got ${devices.join(", ")})`);
    jax.defaultDevice("wasm");
    return jax;
  })();
  return ready;
}

const asArrays = (out: unknown): A[] => (Array.isArray(out) ? (out as A[]) : [out as A]);

function impls(jax: Jax, useJit: boolean): Partial<Record<CaseId, Impl>> {
  const { numpy: np, nn, grad, vmap, jacrev, hessian, jit, lax } = jax;
  const J = <F extends Fn>(f: F): F => (useJit ? (jit(f as never) as unknown as F) : f);
  const T = (a: Arr | undefined): A => {
    if (!a) throw new Error("jax-js: input missing");
    return np.array(a.data).reshape([...a.shape]);
  };
  /** Calls f on fresh references of the inputs and reads every output back (which consumes it). */
  const call = (f: Fn, ...args: A[]) => () => asArrays(f(...args.map((a) => a.ref))).map((o) => o.dataSync());

  /** W14: mean(h²) after 20 layers h ← tanh(h W_i); gradients of all 20 W_i (each argument is used, so consumed, once). */
  const deepMlp = (inp: Inputs) => {
    const loss = (...a: A[]): A => {
      let h = a[W14_WEIGHTS.length]!;
      for (let i = 0; i < W14_WEIGHTS.length; i++) h = np.tanh(np.matmul(h, a[i]!));
      return np.mean(np.square(h));
    };
    return call(J(grad(loss, { argnums: W14_WEIGHTS.map((_, i) => i) }) as Fn), ...W14_WEIGHTS.map((k) => T(inp[k])), T(inp.x));
  };
  /** W15: Σ of sin, × 1.0001, sin, … (n ops) of x. */
  const longChain = (inp: Inputs, n: number) => {
    const f = (x: A): A => {
      let v = x;
      for (let k = 0; k < n; k++) v = k % 2 === 0 ? np.sin(v) : v.mul(W15_FACTOR);
      return np.sum(v);
    };
    return call(J(grad(f) as Fn), T(inp.x));
  };

  return {
    // W13: a JS loop of 1000 steps, as jax-js users write it (x split into [1,16] rows beforehand: data, not work)
    W13: (inp) => {
      const xd = inp.x!.data;
      const rows = Array.from({ length: W13_T }, (_, t) => np.array(xd.slice(t * W13_D, (t + 1) * W13_D)).reshape([1, W13_D]));
      const h0 = np.zeros([1, W13_H]);
      const loss = (w: A, u: A): A => {
        let h = h0.ref;
        for (const xt of rows) h = np.tanh(np.matmul(h, w.ref).add(np.matmul(xt.ref, u.ref)));
        w.dispose();
        u.dispose();
        return np.sum(np.square(h));
      };
      return call(J(grad(loss, { argnums: [0, 1] }) as Fn), T(inp.w), T(inp.u));
    },
    "W14-0.1": deepMlp,
    "W14-0.3": deepMlp,
    "W15-200": (inp) => longChain(inp, w15Length("W15-200")),
    "W15-2000": (inp) => longChain(inp, w15Length("W15-2000")),
    W1: (inp) => {
      const ps = [T(inp.w1), T(inp.b1), T(inp.w2), T(inp.b2), T(inp.x), T(inp.t)];
      const loss = (w1: A, b1: A, w2: A, b2: A, x: A, t: A): A =>
        np.mean(np.square(np.matmul(np.tanh(np.matmul(x, w1).add(b1)), w2).add(b2).sub(t)));
      return call(J(grad(loss, { argnums: [0, 1, 2, 3] }) as Fn), ...ps);
    },
    "W2-512": (inp) => call(J((a: A, b: A) => np.matmul(a, b)), T(inp.a), T(inp.b)),
    "W2-1024": (inp) => call(J((a: A, b: A) => np.matmul(a, b)), T(inp.a), T(inp.b)),
    W3: (inp) => {
      const [w, b] = [T(inp.w), T(inp.b)];
      const f = (x: A): A => np.tanh(np.matmul(w.ref, x).add(b.ref));
      return call(J(jacrev(f) as Fn), T(inp.x));
    },
    W4: (inp) => {
      const w = T(inp.w);
      const g = (row: A): A => np.tanh(np.matmul(row, w.ref));
      return call(J(vmap(jacrev(g)) as Fn), T(inp.x));
    },
    W5: (inp) => {
      const a = T(inp.a);
      const s = (x: A): A =>
        np.sum(np.sin(x.ref).mul(np.square(x.ref))).add(np.dot(x.ref, np.matmul(a.ref, x)).mul(0.5));
      return call(J(hessian(s) as Fn), T(inp.x));
    },
    W6: (inp) => {
      const f = (x: A): A => np.sum(np.exp(np.sin(x.ref)).mul(np.cos(x)));
      return call(J(grad(f) as Fn), T(inp.x));
    },
    W7: (inp) => {
      const x = T(inp.x);
      const f = (v: A): A => np.power(v, 3);
      const d1 = J(grad(f) as Fn);
      const d2 = J(grad(grad(f) as (v: A) => A) as Fn);
      const r1 = call(d1, x), r2 = call(d2, x);
      return () => [...r1(), ...r2()];
    },
    W11: (inp) => {
      if (typeof (globalThis as { Float16Array?: unknown }).Float16Array === "undefined") {
        throw new NotAvailable("jax-js 0.1.25 makes float64 arrays only where a global Float16Array exists (Node 24+): run with --node 24");
      }
      const n = W11_N;
      const F = (a: Arr | undefined): A => np.array(Float64Array.from(a!.data), { dtype: np.float64 }).reshape([...a!.shape]);
      const noise = np.eye(n, undefined, { dtype: np.float64 }).mul(W11_NOISE);
      const half = 0.5 * n * Math.log(2 * Math.PI);
      const nll = (logEll: A, logSf2: A, x: A, y: A): A => {
        const d = x.ref.reshape([n, 1]).sub(x.reshape([1, n]));
        const k = np.exp(logSf2).mul(np.exp(np.square(d).mul(-0.5).div(np.exp(logEll.mul(2)))));
        const L = np.linalg.cholesky(k.add(noise.ref));
        const z = lax.linalg.triangularSolve(L.ref, y.ref.reshape([n, 1]), { leftSide: true, lower: true });
        const alpha = lax.linalg.triangularSolve(L.ref, z, { leftSide: true, lower: true, transposeA: true });
        return np.sum(y.reshape([n, 1]).mul(alpha)).mul(0.5).add(np.sum(np.log(np.diag(L)))).add(half);
      };
      return call(J(grad(nll, { argnums: [0, 1, 2] }) as Fn), F(inp.logEll), F(inp.logSf2), F(inp.x), F(inp.y));
    },
    W8: (inp) => {
      const loss = (w: A, x: A, y: A): A => {
        const z = np.dot(x, w);
        return nn.softplus(z.ref).sub(y.mul(z));
      };
      return call(J(vmap(grad(loss) as (...a: A[]) => A, [null, 0, 0]) as Fn), T(inp.w), T(inp.x), T(inp.y));
    },
  };
}

/** Measured with jax-js 0.1.25 on wasm: tanh(1e-7) = 8.9e-8, tanh(1e-9) = 0 (W14's activations reach 1e-10…1e-20). */
const JAXJS_TANH = "jax-js's tanh loses tiny arguments (tanh(1e-7) = 8.9e-8, tanh(1e-9) = 0), so deep activations become 0";

/**
 * jax-js 0.1.25's grad recurses once per recorded op: on a 1000-step loop (W13, ~4000 ops) it throws
 * "RangeError: Maximum call stack size exceeded" after about 25 s (2 minutes on a busy machine, past the
 * stall limit), and so does its jit on W15's 2000-op chain. Measured 2026-12-03; other versions run them.
 */
const STACK_OVERFLOW = "jax-js 0.1.25's grad overflows the call stack (RangeError: Maximum call stack size exceeded) on";
function knownFailures(useJit: boolean): Partial<Record<CaseId, string>> {
  if (pkgVersion("@jax-js/jax") !== "0.1.25") return {};
  return {
    W13: `${STACK_OVERFLOW} the 1000-step loop (eager and jit), after ≥ 25 s of CPU: not run`,
    ...(useJit ? { "W15-2000": `${STACK_OVERFLOW} the 2000-op chain under jit: not run` } : {}),
  };
}

async function make(useJit: boolean): Promise<System> {
  const jax = await load();
  const skip = knownFailures(useJit);
  const all = impls(jax, useJit);
  return {
    info: {
      package: "@jax-js/jax",
      version: pkgVersion("@jax-js/jax"),
      device: "wasm",
      // its wasm pool needs a global Worker (browser API); Node 20 has none, so kernels run on the calling thread
      threads: typeof (globalThis as { Worker?: unknown }).Worker === "undefined" ? 1 : "worker pool",
      jit: useJit,
    },
    impls: Object.fromEntries(Object.entries(all).filter(([id]) => !(id in skip))),
    notes: skip,
    how: {
      "W14-0.1": JAXJS_TANH,
      "W14-0.3": JAXJS_TANH,
    },
  };
}

export const eager = (): Promise<System> => make(false);
export const jitted = (): Promise<System> => make(true);
