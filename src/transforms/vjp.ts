// Reverse mode: linearize = JVP + partial evaluation; vjp = linearize + transpose; grad and
// valueAndGrad are vjp with a unit cotangent; linearTranspose transposes a linear function.
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, fail } from "../core/errors.js";
import { evalJaxpr, literalSources, type Jaxpr } from "../core/ir.js";
import type { Tan } from "../core/primitive.js";
import { fmtShape } from "../core/shape.js";
import { Tensor, type ArrayLike } from "../core/tensor.js";
import { transformScope, userCode, withMain, type Aval } from "../core/trace.js";
import { flatten, unflatten, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";
import { jvpFlat } from "./jvp.js";
import { PETrace, stageFlat, tracersToJaxpr } from "./partial-eval.js";
import { backwardPass } from "./transpose.js";
import { checkArgList, checkFunction, checkLike, flattenToTensors, normArgnums, requireFloat, splitAux } from "./args.js";
import { checkOptions } from "../core/numpy/options.js";

export interface Linearized {
  outs: Tensor[];
  jaxpr: Jaxpr;
  consts: Tensor[];
}

/** Primal outputs of f at `primals` and the linear jaxpr of its JVP in the tangents. */
export function linearizeFlat(f: (xs: Tensor[]) => Tensor[], primals: readonly Tensor[], name = "linearize"): Linearized {
  return withMain(name, (m) => new PETrace(m), (main) => {
    const pe = main.trace as PETrace;
    const tanIns = primals.map((p) => pe.newArg({ shape: p.shape, dtype: p.dtype }));
    const [outs, touts] = jvpFlat(f, primals, tanIns, name);
    const tanOuts = touts.map((t, i) => t ?? ops.zerosLike(outs[i]!));
    const [jaxpr, consts] = tracersToJaxpr(main, tanIns, tanOuts);
    return { outs, jaxpr, consts };
  });
}

/** f over flat tensors, remembering the output tree and aux; aux tensors travel as extra outputs. */
export class FlatFn {
  outTree: TreeDef | undefined;
  auxTree: TreeDef | undefined;
  auxOther: unknown[] = [];
  nOut = 0;
  constructor(
    readonly api: string,
    readonly f: (...args: any[]) => unknown,
    readonly inTree: TreeDef,
    readonly hasAux: boolean | undefined,
  ) {}
  call = (xs: Tensor[]): Tensor[] => {
    const args = unflatten(this.inTree, xs) as unknown[];
    const [out, aux] = splitAux(this.api, userCode(() => this.f(...args)), this.hasAux);
    const [outLeaves, outTree] = flattenToTensors(this.api, out, "output");
    this.outTree = outTree;
    this.nOut = outLeaves.length;
    if (!this.hasAux) return outLeaves;
    const [auxLeaves, auxTree] = flatten(aux);
    this.auxTree = auxTree;
    this.auxOther = auxLeaves;
    return [...outLeaves, ...auxLeaves.filter((l): l is Tensor => l instanceof Tensor)];
  };
  /** Output pytree from the first nOut flat outputs. */
  out(flat: readonly unknown[]): unknown {
    return unflatten(this.outTree!, flat.slice(0, this.nOut));
  }
  /** aux pytree from the tensors after the outputs (non-tensor aux leaves kept as they were). */
  aux(flat: readonly Tensor[]): unknown {
    if (!this.hasAux) return undefined;
    let k = this.nOut;
    return unflatten(this.auxTree!, this.auxOther.map((l) => (l instanceof Tensor ? flat[k++] : l)));
  }
}

export type VjpFn = (cotangent: unknown) => unknown[];

/** f linearized at its primals, ready to pull cotangents back (vjp, grad). */
interface Pullback {
  ff: FlatFn;
  leaves: Tensor[];
  inTree: TreeDef;
  lin: Linearized;
  /** the primal outputs (lin.outs without the aux tensors) */
  outs: Tensor[];
}

function linearizeTree(api: string, f: (...args: any[]) => unknown, primals: readonly unknown[], hasAux?: boolean): Pullback {
  const [leaves, inTree] = flattenToTensors(api, [...primals], "primal");
  const ff = new FlatFn(api, f, inTree, hasAux);
  const lin = linearizeFlat(ff.call, leaves, api);
  return { ff, leaves, inTree, lin, outs: lin.outs.slice(0, ff.nOut) };
}

/** The cotangents of the primals (a list mirroring them) for cotangent `ct` of the outputs. */
function pullBack(api: string, pb: Pullback, ct: unknown): unknown[] {
  const where = `${api} (the returned vjp function)`;
  const given = flattenToTensors(where, ct, "cotangent");
  checkLike(where, "the cotangent", given, [pb.outs, pb.ff.outTree!]);
  const cts: Tan[] = [...given[0], ...pb.lin.outs.slice(pb.ff.nOut).map(() => null)];
  const res = backwardPass(pb.lin.jaxpr, pb.lin.consts, cts);
  return unflatten(pb.inTree, res.map((r, i) => r ?? ops.zerosLike(pb.leaves[i]!))) as unknown[];
}

/**
 * Reverse mode: `vjp(f, primals)` is `[f(...primals), vjpFn]`, where `vjpFn(cotangent)` returns
 * one cotangent per primal (each mirroring that primal's pytree). f runs once; vjpFn may be
 * called many times. Mirrors `jax.vjp` (with `hasAux`: `[out, vjpFn, aux]`).
 *
 * @throws DTypeError for a cotangent whose dtype differs from the output's; ValueError if
 *   `primals` is not an array.
 * @example
 * ```ts
 * const [y, back] = vjp((x: Tensor) => x.mul(x), [np.array([1, 2])]);
 * y; // → [1, 4]
 * back(np.array([1, 1]))[0]; // → [2, 4]
 * ```
 */
export function vjp(f: (...args: any[]) => unknown, primals: readonly unknown[], opts: { hasAux?: boolean } = {}): any[] {
  checkFunction("vjp", f), checkArgList("vjp", primals, "primals"), checkOptions("vjp", opts, ["hasAux"]);
  let pb: Pullback | undefined;
  return transformScope(
    "vjp",
    () => {
      pb = linearizeTree("vjp", f, primals, opts.hasAux);
      const p = pb;
      const vjpFn: VjpFn = (ct) => transformScope("vjp", () => pullBack("vjp", p, ct));
      const out = p.ff.out(p.outs);
      return opts.hasAux ? [out, vjpFn, p.ff.aux(p.lin.outs)] : [out, vjpFn];
    },
    // the returned function reads the linearization's constants
    (r) => [r, pb?.lin.consts, pb && literalSources(pb.lin.jaxpr), pb?.leaves],
  );
}

export interface GradOptions {
  argnums?: number | readonly number[];
  hasAux?: boolean;
}

/** Shared body of grad and valueAndGrad: [value, grads, aux]. */
function gradImpl(api: string, f: (...args: any[]) => unknown, opts: GradOptions, args: unknown[]): [Tensor, unknown, unknown] {
  const argnums = normArgnums(api, opts.argnums, args.length);
  const diffArgs = argnums.map((i) => args[i]);
  requireFloat(api, flattenToTensors(api, diffArgs, "argument")[0], "the differentiated argument");
  const g = (...d: unknown[]) => {
    const full = [...args];
    argnums.forEach((k, i) => (full[k] = d[i]));
    return f(...full);
  };
  return transformScope(api, (scope) => {
    const pb = linearizeTree(api, g, diffArgs, opts.hasAux);
    const o = checkScalar(api, pb);
    // what the forward pass made and the backward pass does not read is dead now
    scope.sweep([pb.lin.outs, pb.lin.consts, literalSources(pb.lin.jaxpr), pb.leaves]);
    const cts = pullBack(api, pb, ops.onesLike(o));
    const grads = typeof opts.argnums === "number" || opts.argnums === undefined ? cts[0] : cts;
    return [o, grads, pb.ff.aux(pb.lin.outs)];
  });
}

/** grad's output: a scalar float tensor, or an error saying what f returned instead. */
function checkScalar(api: string, pb: Pullback): Tensor {
  const outs = pb.outs;
  const o = outs[0];
  const out = pb.ff.out(outs);
  if (outs.length !== 1 || !(out instanceof Tensor) || o!.ndim !== 0 || !isFloat(o!.dtype)) {
    const bare = out instanceof Tensor;
    const desc = bare ? `${o!.dtype}${fmtShape(o!.shape)}` : `a pytree of ${outs.length} leaves${outs.length ? ` (${outs.map((t) => `${t.dtype}${fmtShape(t.shape)}`).join(", ")})` : ""}`;
    throw fail(
      bare && o!.ndim === 0 ? DTypeError : ShapeError,
      `${api}: f must return a scalar float tensor, but it returned ${desc}. Reduce it (e.g. .sum() or .mean()), or use jacrev/vjp for non-scalar outputs.`,
    );
  }
  return o!;
}

/** The gradient of a pytree argument: the same structure with a Tensor at every leaf. */
export type GradTree<T> = 0 extends 1 & T
  ? any
  : Tensor extends T // a Tensor-or-ArrayLike parameter
  ? Tensor
  : T extends Tensor | number | ArrayBufferView
  ? Tensor
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: GradTree<T[K]> }
    : T extends null | undefined
      ? null
      : T extends object
        ? { -readonly [K in keyof T]: GradTree<T[K]> }
        : T;
/** Gradients for `argnums`: one tree for a number (or default 0), a tuple for an array. */
export type GradsOf<A extends readonly unknown[], N> = N extends readonly number[]
  ? { -readonly [K in keyof N]: GradTree<A[N[K] & number]> }
  : N extends number
    ? GradTree<A[N]>
    : GradTree<A[0]>;
export type AuxOf<R> = R extends readonly [unknown, infer X] ? X : never;
/** The transformed function's parameters: a Tensor parameter also takes any ArrayLike (numbers…). */
export type LooseArgs<A extends unknown[]> = { [K in keyof A]: A[K] extends Tensor ? ArrayLike : A[K] };

/**
 * The gradient of a scalar-valued `f`: `grad(f)(...args)` is ∇f with respect to `args[argnums]`
 * (default 0), with that argument's pytree structure, shapes and dtypes. Mirrors `jax.grad`.
 *
 * @param f - returns a float scalar tensor (with `hasAux`: `[scalar, aux]`).
 * @param opts.argnums - which argument(s) to differentiate: a number, or an array for a tuple of gradients.
 * @param opts.hasAux - f returns `[value, aux]`; the result is then `[grads, aux]`.
 * @throws ValueError if f returns a non-scalar (use jacrev) or an unknown option is given;
 *   DTypeError for integer inputs.
 * @example
 * ```ts
 * const cube = (x: Tensor) => x.mul(x).mul(x);
 * grad(cube)(5).item(); // → 75
 * grad(grad(cube))(5).item(); // → 30
 * grad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: 1 })(np.array([1, 2]), np.array([3, 4])); // → [1, 2]
 * ```
 */
export function grad<A extends unknown[], const N extends number | readonly number[] = 0>(
  f: (...args: A) => Tensor,
  opts?: { argnums?: N; hasAux?: false },
): (...args: LooseArgs<A>) => GradsOf<A, N>;
export function grad<A extends unknown[], R extends readonly [Tensor, unknown], const N extends number | readonly number[] = 0>(
  f: (...args: A) => R,
  opts: { argnums?: N; hasAux: true },
): (...args: LooseArgs<A>) => [GradsOf<A, N>, AuxOf<R>];
export function grad(f: (...args: any[]) => unknown, opts?: GradOptions): (...args: any[]) => any;
export function grad(f: (...args: any[]) => unknown, opts: GradOptions = {}): (...args: any[]) => any {
  checkFunction("grad", f), checkOptions("grad", opts, ["argnums", "hasAux"]);
  return (...args) => {
    const [, g, aux] = gradImpl("grad", f, opts, args);
    return opts.hasAux ? [g, aux] : g;
  };
}

/**
 * `[f(...args), grad(f)(...args)]` in one pass (the forward values are shared). Mirrors
 * `jax.value_and_grad`; options as `grad` (with `hasAux`: `[[value, aux], grads]`).
 *
 * @example
 * ```ts
 * const [v, g] = valueAndGrad((x: Tensor) => np.sum(np.square(x)))(np.array([1, 2]));
 * v.item(); // → 5
 * g; // → [2, 4]
 * ```
 */
export function valueAndGrad<A extends unknown[], const N extends number | readonly number[] = 0>(
  f: (...args: A) => Tensor,
  opts?: { argnums?: N; hasAux?: false },
): (...args: LooseArgs<A>) => [Tensor, GradsOf<A, N>];
export function valueAndGrad<A extends unknown[], R extends readonly [Tensor, unknown], const N extends number | readonly number[] = 0>(
  f: (...args: A) => R,
  opts: { argnums?: N; hasAux: true },
): (...args: LooseArgs<A>) => [[Tensor, AuxOf<R>], GradsOf<A, N>];
export function valueAndGrad(f: (...args: any[]) => unknown, opts?: GradOptions): (...args: any[]) => any;
export function valueAndGrad(f: (...args: any[]) => unknown, opts: GradOptions = {}): (...args: any[]) => any {
  checkFunction("valueAndGrad", f), checkOptions("valueAndGrad", opts, ["argnums", "hasAux"]);
  return (...args) => {
    const [v, g, aux] = gradImpl("valueAndGrad", f, opts, args);
    return opts.hasAux ? [[v, aux], g] : [v, g];
  };
}

/**
 * `[f(...primals), jvpFn]`: evaluates f once and returns its linearisation at `primals`, a
 * function of tangents (one per primal, same pytree structure, shapes and dtypes) that gives
 * `J·t` without re-running f. Mirrors `jax.linearize` (arguments as a list instead of varargs).
 *
 * @param f - a function of tensors (pytrees of them) to tensors.
 * @param primals - the point, as the list of f's arguments.
 * @returns `[out, jvpFn]`: f's outputs, and `jvpFn(...tangents)` with outputs shaped as f's.
 * @throws ValueError when primals is not an array; ShapeError/DTypeError when the tangents
 *   given to jvpFn differ from the primals in structure, shape or dtype.
 * @example
 * ```ts
 * const [y, f_jvp] = linearize((x: Tensor) => np.sin(x), [np.array([0, 1])]);
 * y; // → [0, 0.84147]
 * f_jvp(np.array([1, 1])); // → [1, 0.54030]
 * f_jvp(np.array([2, 0])); // → [2, 0]
 * ```
 */
export function linearize(f: (...args: any[]) => unknown, primals: readonly unknown[]): [any, (...tangents: unknown[]) => any] {
  const api = "linearize";
  checkFunction(api, f), checkArgList(api, primals, "primals");
  let lin: Linearized | undefined;
  return transformScope(
    api,
    (): [any, (...tangents: unknown[]) => any] => {
      const [leaves, inTree] = flattenToTensors(api, [...primals], "primal");
      const ff = new FlatFn(api, f, inTree, false);
      const l = (lin = linearizeFlat(ff.call, leaves, api));
      const jvpFn = (...tangents: unknown[]) =>
        transformScope(api, () => {
          const given = flattenToTensors(`${api} (the returned jvp function)`, tangents, "tangent");
          checkLike(`${api} (the returned jvp function)`, "the tangents", given, [leaves, inTree]);
          return ff.out(evalJaxpr(l.jaxpr, l.consts, given[0]));
        });
      return [ff.out(l.outs), jvpFn];
    },
    // the returned function reads the linearization's constants
    (r) => [r, lin?.consts, lin && literalSources(lin.jaxpr)],
  );
}

/**
 * The transpose of a linear function: for `linearFn(x) = A·x`, returns `ct => [Aᵀ·ct]`, one
 * cotangent per primal. `primals` fix only the shapes and dtypes the function is traced at
 * (their values are not used). Mirrors `jax.linear_transpose`.
 *
 * @param linearFn - a function linear in its (float) arguments.
 * @param primals - example arguments giving the shapes and dtypes.
 * @returns a function of the output cotangent (shaped as linearFn's output) returning the list
 *   of input cotangents.
 * @throws DTypeError for integer primals; NoRuleError when linearFn is not linear (it uses a
 *   primitive that has no transpose, such as `sin`).
 * @example
 * ```ts
 * const A = np.array([[1, 2], [3, 4]]);
 * const t = linearTranspose((x: Tensor) => np.matmul(A, x), np.zeros([2]));
 * const [ct] = t(np.array([1, 0]));
 * ct; // → [1, 2]
 * ```
 */
export function linearTranspose(linearFn: (...args: any[]) => unknown, ...primals: unknown[]): (cotangent: unknown) => unknown[] {
  const api = "linearTranspose";
  checkFunction(api, linearFn, "linearFn");
  const [leaves, inTree] = flattenToTensors(api, primals, "primal");
  requireFloat(api, leaves, "primal");
  const ff = new FlatFn(api, linearFn, inTree, false);
  const avals: Aval[] = leaves.map((l) => ({ shape: l.shape, dtype: l.dtype }));
  const [jaxpr, consts, outs] = transformScope(api, () => stageFlat(ff.call, avals, api));
  return (ct) =>
    transformScope(api, () => {
      const given = flattenToTensors(api, ct, "cotangent");
      checkLike(api, "the cotangent", given, [outs, ff.outTree!]);
      const res = backwardPass(jaxpr, consts, given[0]);
      return unflatten(inTree, res.map((r, i) => r ?? ops.zerosLike(leaves[i]!))) as unknown[];
    });
}

/**
 * Forward mode: `jvp(f, primals, tangents)` is `[f(...primals), J·tangents]`, both mirroring f's
 * output pytree; one tangent per primal, of its shape and dtype. Mirrors `jax.jvp` (with
 * `hasAux`: `[out, tangentOut, aux]`).
 *
 * @example
 * ```ts
 * const [y, dy] = jvp((x: Tensor) => np.sin(x), [np.array(0)], [np.array(2)]);
 * y.item(); // → 0
 * dy.item(); // → 2
 * ```
 */
export function jvp(f: (...args: any[]) => unknown, primals: readonly unknown[], tangents: readonly unknown[], opts: { hasAux?: boolean } = {}): any[] {
  const api = "jvp";
  checkFunction(api, f), checkArgList(api, primals, "primals"), checkArgList(api, tangents, "tangents"), checkOptions(api, opts, ["hasAux"]);
  const [leaves, inTree] = flattenToTensors(api, [...primals], "primal");
  const tl = flattenToTensors(api, [...tangents], "tangent");
  checkLike(api, "tangents", tl, [leaves, inTree]);
  tl[0].forEach((t, i) => {
    if (t.dtype !== leaves[i]!.dtype) {
      throw fail(DTypeError, `jvp: tangent leaf ${i} has dtype ${t.dtype} but its primal is ${leaves[i]!.dtype}; tangents must have the primal's dtype.`);
    }
  });
  return transformScope(api, () => {
    const ff = new FlatFn(api, f, inTree, opts.hasAux);
    const [outs, touts] = jvpFlat(ff.call, leaves, tl[0]);
    const tangentOut = ff.out(touts.map((t, i) => t ?? ops.zerosLike(outs[i]!)));
    return opts.hasAux ? [ff.out(outs), tangentOut, ff.aux(outs)] : [ff.out(outs), tangentOut];
  });
}
