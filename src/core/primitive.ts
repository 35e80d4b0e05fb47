// definePrimitive and the rule helpers. A primitive is one typed object holding every rule a
// transform needs; symbolic zeros (null tangents/cotangents) are handled here, never in rules.
import type { Aval } from "./trace.js";
import type { DType } from "./dtype.js";
import { bind } from "./trace.js";
import type { Tensor } from "./tensor.js";
import * as ops from "./ops.js";
import { ValueError, fail } from "./errors.js";

/** null stands for a symbolic zero tangent or cotangent. */
export type Tan = Tensor | null;

/** (primals, tangents) ↦ (primal outputs, tangent outputs). */
export type JvpRule<P> = (primals: Tensor[], tangents: Tan[], params: P, self: Primitive<P>) => [Tensor[], Tan[]];
/** (values, batch dims) ↦ (outputs, their batch dims); null = not batched. */
export type BatchRule<P> = (
  args: Tensor[],
  dims: (number | null)[],
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
export type TransposeRule<P> = (cts: Tan[], args: TransposeArg[], params: P) => Tan[];

export interface Primitive<P = any> {
  readonly name: string;
  /** Abstract evaluation: output avals (shape, dtype) from input avals. */
  readonly shape: (avals: Aval[], params: P) => Aval[];
  /** Evaluation on concrete tensors. */
  readonly impl: (args: Tensor[], params: P) => Tensor[];
  readonly jvp: JvpRule<P> | null;
  readonly batch: BatchRule<P>;
  readonly transpose?: TransposeRule<P>;
  /** Higher-order primitives keep sub-programs or functions in params; printed specially. */
  readonly higherOrder?: boolean;
  /** Elementwise primitives: the scalar expression over a0, a1, … (what jit fuses). */
  readonly expr?: (dtypes: DType[], params: P) => string;
}

type Def<N extends string, P> = {
  name: N;
  shape: (avals: Aval[], params: P) => Aval[];
  impl: (args: Tensor[], params: P) => Tensor[];
  batch: BatchRule<P>;
  transpose?: TransposeRule<P>;
  higherOrder?: boolean;
  expr?: (dtypes: DType[], params: P) => string;
} & ({ jvp: JvpRule<P> } | { notDifferentiable: true });

/** A primitive with its literal name in the type (the primitive table is keyed by it). */
export type Prim<N extends string, P> = Primitive<P> & { readonly name: N };

/** Builds a primitive; the type demands a jvp rule (or notDifferentiable) and a batch rule. */
export function definePrimitive<N extends string, P = {}>(def: Def<N, P>): Primitive<P> & { readonly name: N } {
  const jvp = "jvp" in def ? def.jvp : null;
  return { ...def, jvp } as Primitive<P> & { readonly name: N };
}

// ---------------------------------------------------------------- jvp helpers

/**
 * JVP of a single-output primitive as a sum of per-argument terms: rules[i](ẋᵢ, primals, out)
 * is ∂out/∂xᵢ · ẋᵢ. Zero tangents are skipped; terms are broadcast to the output's shape.
 */
export function defJvp<P>(
  ...rules: (((t: Tensor, primals: Tensor[], out: Tensor, params: P) => Tensor) | null)[]
): JvpRule<P> {
  return (primals, tangents, params, self) => {
    const out = bind(self, primals, params)[0]!;
    let acc: Tan = null;
    for (let i = 0; i < tangents.length; i++) {
      const t = tangents[i];
      const rule = rules[i];
      if (!t || !rule) continue;
      let term = rule(t, primals, out, params);
      if (term.ndim !== out.ndim || term.shape.some((d, j) => d !== out.shape[j])) term = ops.broadcastTo(term, out.shape);
      acc = acc ? ops.add(acc, term) : term;
    }
    return [[out], [acc]];
  };
}

/** JVP of a primitive linear in all its (float) inputs: apply it to the tangents. */
export function linearJvp<P>(): JvpRule<P> {
  return (primals, tangents, params, self) => {
    const outs = bind(self, primals, params);
    if (tangents.every((t) => t === null)) return [outs, outs.map(() => null)];
    const ts = tangents.map((t, i) => t ?? ops.zerosLike(primals[i]!));
    return [outs, bind(self, ts, params)];
  };
}

/** The tangent of an output that does not depend on the inputs differentiably (zero). */
export function zeroJvp<P>(): JvpRule<P> {
  return (primals, _tangents, params, self) => {
    const outs = bind(self, primals, params);
    return [outs, outs.map(() => null)];
  };
}

// ---------------------------------------------------------------- batch helpers

/** Moves batch dim `d` of x to axis 0 (or broadcasts an unbatched x to `size` there). */
export function batchToFront(x: Tensor, d: number | null, size: number): Tensor {
  if (d === null) return ops.broadcastTo(ops.expandDims(x, 0), [size, ...x.shape]);
  return d === 0 ? x : ops.moveaxis(x, d, 0);
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
    const front = d === 0 ? a : ops.moveaxis(a, d, 0);
    const inner = front.shape.slice(1);
    if (inner.length === rank) return front;
    return ops.reshape(front, [front.shape[0]!, ...new Array<number>(rank - inner.length).fill(1), ...inner]);
  });
  return [bind(self, moved, params), [0]];
}

// ---------------------------------------------------------------- transpose helpers

/** The error for a non-linear equation met while transposing (only linearTranspose can stage one). */
export function notLinear(what: string): Error {
  return fail(ValueError, `linearTranspose: the function is not linear in its inputs (${what}). Transpose only linear functions; use vjp for others.`);
}

