// tapir's TensorFlow-style tape (src/compat): GradientTape.gradient / jacobian / batchJacobian and nested tapes.
import type { Arr, CaseId, Inputs } from "../lib/workloads.js";
import { W13_D, W13_H, W13_T, W14_WEIGHTS, W15_FACTOR, w15Length } from "../lib/cliffs.js";
import { importTapir, requireNames, type TTensor } from "./tapir-api.js";
import { loadTapir, threadsOf } from "./tapir.js";
import { tapeW12 } from "./mnist-step.js";
import type { Impl, System } from "./types.js";

interface Tape {
  record<R>(fn: () => R): R;
  watch(x: unknown): void;
  gradient(target: TTensor, sources: TTensor | TTensor[]): TTensor | TTensor[];
  jacobian(target: TTensor, source: TTensor): TTensor;
  batchJacobian(target: TTensor, source: TTensor): TTensor;
}
type Op1 = (x: TTensor) => TTensor;
type Op2 = (x: TTensor | number, y: TTensor | number) => TTensor;

interface Compat {
  GradientTape: new (opts?: { persistent?: boolean }) => Tape;
  constant(value: Float32Array, opts?: { shape?: number[]; dtype?: string }): TTensor;
}

async function make(): Promise<System> {
  const tp = await loadTapir(false);
  const mod = await importTapir("../../dist/compat/index.js", "tapir/compat (dist/compat/index.js, built by npm run bench)");
  requireNames(mod, ["GradientTape", "constant"], "tapir/compat");
  const tf = mod as unknown as Compat & Record<string, unknown>;
  const np = tp.numpy as unknown as Record<string, unknown>;

  // TF names where tapir/compat has them, else the functional op (the tape records either); fallbacks are reported.
  const fallbacks: string[] = [];
  const pick = <F>(tfName: string, npName: string, from: Record<string, unknown> = np): F => {
    const own = tfName.split(".").reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), tf);
    if (typeof own === "function") return own as F;
    fallbacks.push(`${tfName}→${npName}`);
    return from[npName.split(".").pop()!] as F;
  };
  const add = pick<Op2>("add", "add");
  const sub = pick<Op2>("subtract", "subtract");
  const mul = pick<Op2>("multiply", "multiply");
  const pow = pick<Op2>("pow", "power");
  const matmul = pick<Op2>("matmul", "matmul");
  const square = pick<Op1>("square", "square");
  const tanh = pick<Op1>("tanh", "tanh");
  const sin = pick<Op1>("sin", "sin");
  const cos = pick<Op1>("cos", "cos");
  const exp = pick<Op1>("exp", "exp");
  const softplus = pick<Op1>("nn.softplus", "nn.softplus", tp.nn as unknown as Record<string, unknown>);
  const reduceSum = pick<(x: TTensor) => TTensor>("reduceSum", "sum");
  const reduceMean = pick<(x: TTensor) => TTensor>("reduceMean", "mean");
  const reshape = (x: TTensor, s: number[]) => x.reshape(s);

  const C = (a: Arr | undefined): TTensor => {
    if (!a) throw new Error("tapir tape: input missing");
    return tf.constant(a.data, { shape: [...a.shape] });
  };
  const read = (ts: TTensor | TTensor[]) => (Array.isArray(ts) ? ts : [ts]).map((t) => t.dataSync());

  /** W14: 20 layers h ← tanh(h W_i) under one tape; gradients of mean(h²) for all W_i. */
  const deepMlp = (inp: Inputs) => {
    const x = C(inp.x), ws = W14_WEIGHTS.map((k) => C(inp[k]));
    return () => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => {
        tape.watch(ws);
        let h = x;
        for (const w of ws) h = tanh(matmul(h, w));
        return reduceMean(square(h));
      });
      return read(tape.gradient(loss, ws));
    };
  };
  /** W15: Σ of sin, × 1.0001, sin, … (n ops) of x, recorded op by op. */
  const longChain = (inp: Inputs, n: number) => {
    const x = C(inp.x);
    return () => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(x);
        let v = x;
        for (let k = 0; k < n; k++) v = k % 2 === 0 ? sin(v) : mul(v, W15_FACTOR);
        return reduceSum(v);
      });
      return read(tape.gradient(y, x));
    };
  };

  const impls: Partial<Record<CaseId, Impl>> = {
    // W13: the recurrence as a TF user writes it, a JS loop under one tape (x split into rows beforehand: data, not work)
    W13: (inp) => {
      const [w, u] = [C(inp.w), C(inp.u)];
      const xd = inp.x!.data;
      const rows = Array.from({ length: W13_T }, (_, t) => tf.constant(xd.slice(t * W13_D, (t + 1) * W13_D), { shape: [1, W13_D] }));
      const h0 = tf.constant(new Float32Array(W13_H), { shape: [1, W13_H] });
      return () => {
        const tape = new tf.GradientTape();
        const loss = tape.record(() => {
          tape.watch([w, u]);
          let h = h0;
          for (const xt of rows) h = tanh(add(matmul(h, w), matmul(xt, u)));
          return reduceSum(square(h));
        });
        return read(tape.gradient(loss, [w, u]));
      };
    },
    "W14-0.1": deepMlp,
    "W14-0.3": deepMlp,
    "W15-200": (inp) => longChain(inp, w15Length("W15-200")),
    "W15-2000": (inp) => longChain(inp, w15Length("W15-2000")),
    W1: (inp) => {
      const [x, t] = [C(inp.x), C(inp.t)];
      const ps = [C(inp.w1), C(inp.b1), C(inp.w2), C(inp.b2)] as const;
      return () => {
        const tape = new tf.GradientTape();
        const loss = tape.record(() => {
          tape.watch([...ps]);
          const h = tanh(add(matmul(x, ps[0]), ps[1]));
          return reduceMean(square(sub(add(matmul(h, ps[2]), ps[3]), t)));
        });
        return read(tape.gradient(loss, [...ps]));
      };
    },
    W3: (inp) => {
      const [w, b, x] = [C(inp.w), reshape(C(inp.b), [256, 1]), C(inp.x)];
      return () => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return tanh(add(matmul(w, reshape(x, [256, 1])), b)); // [256,1]: Jacobian [256,1,256]
        });
        return read(tape.jacobian(y, x));
      };
    },
    W4: (inp) => {
      const [x, w] = [C(inp.x), C(inp.w)];
      return () => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return tanh(matmul(x, w));
        });
        return read(tape.batchJacobian(y, x));
      };
    },
    W5: (inp) => {
      const [x, a] = [C(inp.x), C(inp.a)];
      const n = x.shape[0]!;
      return () => {
        const outer = new tf.GradientTape();
        const inner = new tf.GradientTape();
        let g!: TTensor;
        outer.record(() => {
          outer.watch(x);
          const s = inner.record(() => {
            inner.watch(x);
            const quad = matmul(reshape(x, [1, n]), matmul(a, reshape(x, [n, 1]))); // xᵀ A x as [1,1]
            return add(reduceSum(mul(sin(x), square(x))), mul(0.5, reduceSum(quad)));
          });
          g = inner.gradient(s, x) as TTensor;
        });
        return read(outer.jacobian(g, x));
      };
    },
    W6: (inp) => {
      const x = C(inp.x);
      return () => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return reduceSum(mul(exp(sin(x)), cos(x)));
        });
        return read(tape.gradient(y, x));
      };
    },
    W7: (inp) => {
      const x = C(inp.x);
      return () => {
        const outer = new tf.GradientTape();
        const inner = new tf.GradientTape();
        let d1!: TTensor;
        outer.record(() => {
          outer.watch(x);
          const y = inner.record(() => {
            inner.watch(x);
            return pow(x, 3);
          });
          d1 = inner.gradient(y, x) as TTensor;
        });
        const d2 = outer.gradient(d1, x) as TTensor;
        return [...read(d1), ...read(d2)];
      };
    },
    W8: (inp) => {
      const [X, w, y] = [C(inp.x), C(inp.w), C(inp.y)];
      const [B, D] = [X.shape[0]!, X.shape[1]!];
      return () => {
        const tape = new tf.GradientTape();
        const losses = tape.record(() => {
          tape.watch(w);
          const z = reshape(matmul(X, reshape(w, [D, 1])), [B]);
          return sub(softplus(z), mul(y, z));
        });
        return read(tape.jacobian(losses, w)); // [256, 512]: one gradient row per example
      };
    },
  };
  return {
    info: {
      package: "tapir/compat",
      mode: "GradientTape",
      threads: threadsOf(tp),
      fallbacks: fallbacks.length ? fallbacks.join(", ") : "none",
    },
    impls: { ...impls, W12: tapeW12(tf) },
    notes: {
      "W2-512": "forward only: nothing for a tape to record",
      "W2-1024": "forward only: nothing for a tape to record",
      W10: "tapir/compat has no conv2d / maxPool layer yet",
      W11: "tapir/compat has no tf.linalg.cholesky / triangularSolve (TF.js, which it mirrors, has neither)",
    },
  };
}

export const tape = make;
