// The ready-made optimizers (optax's alias.py): each is a chain of the transformations in
// transforms.ts ending in the learning rate, so `opt.update(grads, state, params)` returns the
// step to add with applyUpdates.
import type { GradientTransformation, OptState, ScalarOrSchedule } from "./base.js";
import { chain, checkOpts, checkScalarOrSchedule, identity } from "./base.js";
import {
  addDecayedWeights, scaleByAdadelta, scaleByAdam, scaleByLearningRate, scaleByLion, scaleByRms, scaleByRss, scaleByStddev, trace,
} from "./transforms.js";

/** What the optimizer aliases return: a chain of transformations, its state one entry per link. */
export type ChainedTransformation = GradientTransformation<OptState[]>;

function lrOf(api: string, opts: { learningRate?: ScalarOrSchedule } | undefined): ScalarOrSchedule {
  return checkScalarOrSchedule(api, "learningRate", opts?.learningRate);
}

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum: t ← g + μt, params −= lr·t
 * (Nesterov: lr·(g + μt)). Mirrors optax.sgd.
 * @param opts - learningRate (number or schedule), momentum?, nesterov?.
 * @returns a gradient transformation.
 * @throws ValueError for a missing learningRate or an unknown option.
 * @example
 * ```ts
 * const opt = optim.sgd({ learningRate: 0.1 });
 * const params = { w: np.array([1, 2]) };
 * const [u] = opt.update({ w: np.array([10, 10]) }, opt.init(params), params);
 * optim.applyUpdates(params, u).w; // → [0, 1]
 * ```
 */
export function sgd(opts: { learningRate: ScalarOrSchedule; momentum?: number; nesterov?: boolean }): ChainedTransformation {
  const api = "optim.sgd";
  checkOpts(api, opts, ["learningRate", "momentum", "nesterov"]);
  const lr = lrOf(api, opts);
  return chain(opts.momentum === undefined ? identity() : trace({ decay: opts.momentum, nesterov: opts.nesterov ?? false }), scaleByLearningRate(lr));
}

export interface AdamOptions {
  learningRate: ScalarOrSchedule;
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
}

/**
 * Adam (Kingma & Ba 2015): params −= lr·m̂ / (√ν̂ + ε). Mirrors optax.adam.
 * @param opts - learningRate, b1 (0.9), b2 (0.999), eps (1e-8), epsRoot (0).
 * @returns a gradient transformation.
 * @example
 * ```ts
 * const opt = optim.adam({ learningRate: 0.1 });
 * const [u] = opt.update(np.array([5, -0.2]), opt.init(np.zeros([2])));
 * u; // → [-0.1, 0.1]
 * ```
 */
export function adam(opts: AdamOptions): ChainedTransformation {
  const api = "optim.adam";
  checkOpts(api, opts, ["learningRate", "b1", "b2", "eps", "epsRoot"]);
  const lr = lrOf(api, opts);
  return chain(scaleByAdam({ b1: opts.b1, b2: opts.b2, eps: opts.eps, epsRoot: opts.epsRoot }), scaleByLearningRate(lr));
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter 2019): params −= lr·(m̂ / (√ν̂ + ε) +
 * weightDecay·params). Mirrors optax.adamw; `update` needs the params.
 * @param opts - as adam, plus weightDecay (1e-4, number or schedule).
 * @returns a gradient transformation.
 * @example
 * ```ts
 * const opt = optim.adamw({ learningRate: 0.1, weightDecay: 0.5 });
 * const p = np.array([2]);
 * opt.update(np.array([0]), opt.init(p), p)[0]; // → [-0.1]
 * ```
 */
export function adamw(opts: AdamOptions & { weightDecay?: ScalarOrSchedule }): ChainedTransformation {
  const api = "optim.adamw";
  checkOpts(api, opts, ["learningRate", "b1", "b2", "eps", "epsRoot", "weightDecay"]);
  const lr = lrOf(api, opts);
  return chain(scaleByAdam({ b1: opts.b1, b2: opts.b2, eps: opts.eps, epsRoot: opts.epsRoot }), addDecayedWeights(opts.weightDecay ?? 1e-4), scaleByLearningRate(lr));
}

/**
 * RMSprop (Hinton): params −= lr·g / √(ν + ε) with ν the moving average of g² (centered: of the
 * variance), then optional momentum on that step. Mirrors optax.rmsprop.
 * @param opts - learningRate, decay (0.9), eps (1e-8), initialScale (0), centered, momentum?, nesterov?.
 * @returns a gradient transformation.
 * @example
 * ```ts
 * const opt = optim.rmsprop({ learningRate: 0.1, decay: 0.75, eps: 0 });
 * opt.update(np.array([3]), opt.init(np.zeros([1])))[0]; // → [-0.2]
 * ```
 */
export function rmsprop(opts: { learningRate: ScalarOrSchedule; decay?: number; eps?: number; initialScale?: number; centered?: boolean; momentum?: number; nesterov?: boolean }): ChainedTransformation {
  const api = "optim.rmsprop";
  checkOpts(api, opts, ["learningRate", "decay", "eps", "initialScale", "centered", "momentum", "nesterov"]);
  const lr = lrOf(api, opts);
  const rms = { decay: opts.decay, eps: opts.eps, initialScale: opts.initialScale };
  return chain(
    opts.centered ? scaleByStddev(rms) : scaleByRms(rms),
    scaleByLearningRate(lr),
    opts.momentum === undefined ? identity() : trace({ decay: opts.momentum, nesterov: opts.nesterov ?? false }),
  );
}

/**
 * Adagrad (Duchi et al. 2011): params −= lr·g / √(Σg² + ε), the sum starting at
 * initialAccumulatorValue. Mirrors optax.adagrad.
 * @param opts - learningRate, initialAccumulatorValue (0.1), eps (1e-7).
 * @returns a gradient transformation.
 * @example
 * ```ts
 * const opt = optim.adagrad({ learningRate: 1, initialAccumulatorValue: 0, eps: 0 });
 * opt.update(np.array([4]), opt.init(np.zeros([1])))[0]; // → [-1]
 * ```
 */
export function adagrad(opts: { learningRate: ScalarOrSchedule; initialAccumulatorValue?: number; eps?: number }): ChainedTransformation {
  const api = "optim.adagrad";
  checkOpts(api, opts, ["learningRate", "initialAccumulatorValue", "eps"]);
  const lr = lrOf(api, opts);
  return chain(scaleByRss({ initialAccumulatorValue: opts.initialAccumulatorValue, eps: opts.eps }), scaleByLearningRate(lr));
}

/**
 * Lion (Chen et al. 2023): params −= lr·(sign((1−β₁)g + β₁m) + weightDecay·params), m ←
 * β₂m + (1−β₂)g. Mirrors optax.lion; `update` needs the params.
 * @param opts - learningRate, b1 (0.9), b2 (0.99), weightDecay (1e-3).
 * @returns a gradient transformation.
 * @example
 * ```ts
 * const opt = optim.lion({ learningRate: 0.1, weightDecay: 0 });
 * const p = np.zeros([2]);
 * opt.update(np.array([0.5, -3]), opt.init(p), p)[0]; // → [-0.1, 0.1]
 * ```
 */
export function lion(opts: { learningRate: ScalarOrSchedule; b1?: number; b2?: number; weightDecay?: ScalarOrSchedule }): ChainedTransformation {
  const api = "optim.lion";
  checkOpts(api, opts, ["learningRate", "b1", "b2", "weightDecay"]);
  const lr = lrOf(api, opts);
  return chain(scaleByLion({ b1: opts.b1, b2: opts.b2 }), addDecayedWeights(opts.weightDecay ?? 1e-3), scaleByLearningRate(lr));
}

/**
 * Adadelta (Zeiler 2012) with optional weight decay: params −= lr·Δ, Δ = g·√(E[Δ²] + ε)/√(E[g²] + ε).
 * Mirrors optax.adadelta.
 * @param opts - learningRate, rho (0.9), eps (1e-6), weightDecay (0).
 * @returns a gradient transformation.
 * @example
 * ```ts
 * const opt = optim.adadelta({ learningRate: 1, rho: 0, eps: 1 });
 * const p = np.zeros([1]);
 * opt.update(np.array([1]), opt.init(p), p)[0]; // → [-0.7071068]
 * ```
 */
export function adadelta(opts: { learningRate: ScalarOrSchedule; rho?: number; eps?: number; weightDecay?: ScalarOrSchedule }): ChainedTransformation {
  const api = "optim.adadelta";
  checkOpts(api, opts, ["learningRate", "rho", "eps", "weightDecay"]);
  const lr = lrOf(api, opts);
  return chain(addDecayedWeights(opts.weightDecay ?? 0), scaleByAdadelta({ rho: opts.rho, eps: opts.eps }), scaleByLearningRate(lr));
}
