// definePrimitive and the rule helpers. A primitive is one typed object holding every rule a
// transform needs; symbolic zeros (null tangents) are handled here, never in rules. Rules
// build their results from lax (never from the numpy layer above it).
import type { Aval } from "./trace.js";
import type { DType } from "./dtype.js";
import { bind, bind1 } from "./trace.js";
import type { Tensor } from "./tensor.js";
import { ValueError, fail } from "./errors.js";
import { add, broadcastTo, expandDims, moveaxis, register, reshape, zerosLike } from "./lax.js";

/** null stands for a symbolic zero tangent or cotangent. */
export type Tan = Tensor | null;

/** Number of operands of a first-order primitive ("n": any number, e.g. concatenate). */
export type Arity = 0 | 1 | 2 | 3 | "n";
/** An arity-long tuple of T: rules destructure their operands without `!`. */
export type Tup<T, A extends Arity> = A extends 0 ? [] : A extends 1 ? [T] : A extends 2 ? [T, T] : A extends 3 ? [T, T, T] : T[];

/** (primals, tangents) ↦ (primal outputs, tangent outputs). */
export type JvpRule<P = any, A extends Arity = "n"> = (primals: Tup<Tensor, A>, tangents: Tup<Tan, A>, params: P, self: Primitive<P>) => [Tensor[], Tan[]];
/** (values, batch dims) ↦ (outputs, their batch dims); null = not batched. */
export type BatchRule<P = any, A extends Arity = "n"> = (
  args: Tup<Tensor, A>,
  dims: Tup<number | null, A>,
  params: P,
  axisSize: number,
  self: Primitive<P>,
) => [Tensor[], (number | null)[]];

/** Marks the linear inputs of an equation during transposition. */
export class UndefPrimal {
  constructor(readonly aval: Aval) {}
}
export type TransposeArg = Tensor | UndefPrimal;
export function avalOf(a: TransposeArg): Aval {
  return a instanceof UndefPrimal ? a.aval : { shape: a.shape, dtype: a.dtype };
}
/**
 * Transpose of a single-result primitive: cotangent in, one cotangent (or null) per operand out.
 * The cotangent is never a symbolic zero: the transpose interpreter skips equations without one.
 */
export type TransposeRule<P = any, A extends Arity = "n"> = (cts: [Tensor], args: Tup<TransposeArg, A>, params: P) => Tup<Tan, A>;
/** Transpose of a multiple-result primitive: null marks an output no cotangent reaches (at least one does). */
export type MultiTransposeRule<P = any> = (cts: Tan[], args: TransposeArg[], params: P) => Tan[];

/** What transforms see of a primitive (rules over plain arrays; the typed block is in its Def). */
export interface Primitive<P = any> {
  readonly name: string;
  /** Abstract evaluation: output avals (shape, dtype) from input avals. */
  readonly abstractEval: (avals: Aval[], params: P) => Aval[];
  /** Evaluation on concrete tensors. */
  readonly impl: (args: Tensor[], params: P) => Tensor[];
  readonly jvp: JvpRule<P> | null;
  readonly batch: BatchRule<P>;
  /** Present exactly for linear and bilinear primitives (and call-like higher-order ones). */
  readonly transpose: MultiTransposeRule<P> | null;
  /**
   * "linear": linear in the operands a transposition may leave unknown (all float operands, or
   * e.g. div's numerator, gather's operand, select's branches: the rule rejects the others);
   * "bilinear": linear in each operand given the other (mul, dot_general).
   */
  readonly linearity: "linear" | "bilinear" | null;
  /** Higher-order primitives keep sub-programs or functions in params; printed specially, never folded. */
  readonly higherOrder: boolean;
  /** Applying it twice to the same inputs is observable, so CSE never merges two applications. */
  readonly effectful: boolean;
  /** Its output repeats its operand's elements: constant folding leaves a growing one to run. */
  readonly broadcasts: boolean;
  /**
   * Fusable primitives: the scalar expression over a0, a1, … that jit compiles into one loop with
   * its elementwise neighbours, or null where these params/dtypes do not fuse.
   */
  readonly expr: ((dtypes: DType[], params: P, inShapes: (readonly number[])[]) => string | null) | null;
}

/** The rules every first-order primitive has, typed by its arity (see Def). */
export interface Common<N extends string, P, A extends Arity> {
  name: N;
  abstractEval: (avals: Tup<Aval, A>, params: P) => Aval[];
  impl: (args: Tup<Tensor, A>, params: P) => Tensor[];
  batch: BatchRule<P, A>;
  effectful?: boolean;
  broadcasts?: boolean;
  expr?: (dtypes: Tup<DType, A>, params: P, inShapes: (readonly number[])[]) => string | null;
}
/** Differentiation of a first-order primitive: a jvp rule, and a transpose exactly when it is (bi)linear. */
export type Differentiation<P, A extends Arity> =
  | { jvp: JvpRule<P, A>; linearity?: undefined; transpose?: undefined; notDifferentiable?: undefined }
  | { notDifferentiable: true; jvp?: undefined; linearity?: undefined; transpose?: undefined }
  | { jvp: JvpRule<P, A>; linearity: "linear" | "bilinear"; transpose: TransposeRule<P, A>; notDifferentiable?: undefined };

/** A first-order, single-result primitive: rules typed by its arity. */
export type Def<N extends string, P, A extends Arity> = Common<N, P, A> & Differentiation<P, A>;

/**
 * A primitive with several results or sub-programs (jit_call, cond, scan, custom calls…): rules
 * over plain arrays, a transpose where the transform that owns it can transpose it.
 */
export interface MultiDef<N extends string, P> {
  name: N;
  abstractEval: (avals: Aval[], params: P) => Aval[];
  impl: (args: Tensor[], params: P) => Tensor[];
  batch: BatchRule<P>;
  jvp?: JvpRule<P>;
  notDifferentiable?: true;
  transpose?: MultiTransposeRule<P>;
  higherOrder?: boolean;
  multipleResults: true;
}

/** A primitive with its literal name in the type (the primitive table is keyed by it). */
export type Prim<N extends string, P> = Primitive<P> & { readonly name: N };

/**
 * Builds a primitive and adds it to the table lax binds through. The type demands abstractEval,
 * impl, batch, and a jvp rule (or notDifferentiable); a transpose exactly when linearity says
 * it is linear or bilinear (see defLinear, defBilinear). Rules are typed by the arity A.
 */
export function definePrimitive<N extends string, P = {}>(def: MultiDef<N, P>): Prim<N, P>;
export function definePrimitive<N extends string, P = {}, A extends Arity = 1>(def: Def<N, P, A>): Prim<N, P>;
export function definePrimitive<N extends string, P>(def: Def<N, P, "n"> | MultiDef<N, P>): Prim<N, P> {
  const d = def as Def<N, P, "n"> & Partial<MultiDef<N, P>>;
  const prim: Prim<N, P> = {
    name: d.name,
    abstractEval: d.abstractEval as Primitive<P>["abstractEval"],
    impl: d.impl as Primitive<P>["impl"],
    jvp: (d.jvp ?? null) as JvpRule<P> | null,
    batch: d.batch as BatchRule<P>,
    transpose: (d.transpose ?? null) as MultiTransposeRule<P> | null,
    linearity: d.linearity ?? null,
    higherOrder: d.higherOrder ?? false,
    effectful: d.effectful ?? false,
    broadcasts: d.broadcasts ?? false,
    expr: (d.expr ?? null) as Primitive<P>["expr"],
  };
  register(prim);
  return prim;
}

/**
 * A primitive linear in its operands (those a transposition may leave unknown): its transpose
 * is required, and its jvp applies it to the tangents unless `jvp` gives a better rule.
 */
export function defLinear<N extends string, P = {}, A extends Arity = 1>(def: Common<N, P, A> & { transpose: TransposeRule<P, A>; jvp?: JvpRule<P, A> }): Prim<N, P> {
  return definePrimitive<N, P, A>({ ...def, linearity: "linear", jvp: def.jvp ?? linearJvp<P, A>() });
}

/**
 * A bilinear primitive f(x, y) (mul, dot_general): d f = f(dx, y) + f(x, dy), transposed with
 * respect to whichever operand is linear by `lhs(ct, y, aval of x, params)` (the cotangent of
 * x) or `rhs(ct, x, aval of y, params)` (that of y).
 */
export function defBilinear<N extends string, P = {}>(def: Common<N, P, 2>, lhs: BilinearTranspose<P>, rhs: BilinearTranspose<P>): Prim<N, P> {
  return definePrimitive<N, P, 2>({ ...def, ...bilinearRules(def.name, lhs, rhs) });
}
/** The cotangent of one operand of a bilinear primitive, given the other operand's value. */
export type BilinearTranspose<P> = (ct: Tensor, other: Tensor, self: Aval, params: P) => Tensor;

// ---------------------------------------------------------------- jvp helpers

/**
 * JVP of a single-output primitive as a sum of per-argument terms: rules[i](ẋᵢ, primals, out)
 * is ∂out/∂xᵢ · ẋᵢ. Zero tangents are skipped; terms are broadcast to the output's shape.
 */
export function defJvp<P, A extends Arity = "n">(
  ...rules: (((t: Tensor, primals: Tup<Tensor, A>, out: Tensor, params: P) => Tensor) | null)[]
): JvpRule<P, A> {
  return (primals, tangents, params, self) => {
    const out = bind1(self, primals, params);
    let acc: Tan = null;
    for (let i = 0; i < tangents.length; i++) {
      const t = tangents[i];
      const rule = rules[i];
      if (!t || !rule) continue;
      const term = broadcastTo(rule(t, primals, out, params), out.shape);
      acc = acc ? add(acc, term) : term;
    }
    return [[out], [acc]];
  };
}

/** JVP of a primitive linear in all its (float) inputs: apply it to the tangents. */
export function linearJvp<P, A extends Arity = "n">(): JvpRule<P, A> {
  return (primals, tangents, params, self) => {
    const outs = bind(self, primals, params);
    if (tangents.every((t) => t === null)) return [outs, outs.map(() => null)];
    const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
    return [outs, bind(self, ts, params)];
  };
}

/** The tangent of an output that does not depend on the inputs differentiably (zero). */
export function zeroJvp<P, A extends Arity = "n">(): JvpRule<P, A> {
  return (primals, _tangents, params, self) => {
    const outs = bind(self, primals, params);
    return [outs, outs.map(() => null)];
  };
}

// ---------------------------------------------------------------- linearity helpers

/** The jvp and transpose of a bilinear primitive named `name` (see defBilinear). */
export function bilinearRules<P>(name: string, lhs: BilinearTranspose<P>, rhs: BilinearTranspose<P>): { linearity: "bilinear"; jvp: JvpRule<P, 2>; transpose: TransposeRule<P, 2> } {
  return {
    linearity: "bilinear",
    jvp: (primals, [dx, dy], params, self) => {
      const out = bind1(self, primals, params);
      const [x, y] = primals;
      const a = dx ? broadcastTo(bind1(self, [dx, y], params), out.shape) : null;
      const b = dy ? broadcastTo(bind1(self, [x, dy], params), out.shape) : null;
      return [[out], [a && b ? add(a, b) : a ?? b]];
    },
    transpose: ([ct], [x, y], params) => {
      if (x instanceof UndefPrimal && y instanceof UndefPrimal) throw notLinear(`${name} of two values that both depend on them`);
      if (x instanceof UndefPrimal) return [lhs(ct, y as Tensor, x.aval, params), null];
      return [null, rhs(ct, x, (y as UndefPrimal).aval, params)];
    },
  };
}

// ---------------------------------------------------------------- batch helpers

/** Moves batch dim `d` of x to axis 0 (or broadcasts an unbatched x to `size` there). */
export function batchToFront(x: Tensor, d: number | null, size: number): Tensor {
  if (d === null) return broadcastTo(expandDims(x, 0), [size, ...x.shape]);
  return moveaxis(x, d, 0);
}

/**
 * Batch rule of an elementwise n-ary primitive with numpy broadcasting: batched operands get
 * their batch axis in front and are padded with unit axes to the per-example output rank, so
 * broadcasting lines up; unbatched operands broadcast over the batch axis on their own.
 */
export function vectorized(args: Tensor[], dims: (number | null)[], params: any, _size: number, self: Primitive<any>): [Tensor[], (number | null)[]] {
  let rank = 0;
  args.forEach((a, i) => (rank = Math.max(rank, a.ndim - (dims[i] === null ? 0 : 1))));
  const moved = args.map((a, i) => {
    const d = dims[i];
    if (d === null || d === undefined) return a;
    const front = moveaxis(a, d, 0);
    const inner = front.shape.slice(1);
    if (inner.length === rank) return front;
    return reshape(front, [front.shape[0]!, ...new Array<number>(rank - inner.length).fill(1), ...inner]);
  });
  return [bind(self, moved, params), [0]];
}

// ---------------------------------------------------------------- transpose helpers

/** The error for a non-linear equation met while transposing (only linearTranspose can stage one). */
export function notLinear(what: string): Error {
  return fail(ValueError, `linearTranspose: the function is not linear in its inputs (${what}). Transpose only linear functions; use vjp for others.`);
}
