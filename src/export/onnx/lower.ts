// Lowering a jaxpr to ONNX nodes: one rule per primitive name, looked up by name so a primitive
// without a rule (a family added later, or one ONNX cannot express) is a typed error naming it.
import type { DType } from "../../core/dtype.js";
import { NoRuleError, fail } from "../../core/errors.js";
import { Lit, type Atom, type Eqn, type Jaxpr } from "../../core/ir.js";
import type { Tensor } from "../../core/tensor.js";
import type { Aval } from "../../core/trace.js";
import { Graph, Model, elemOf } from "./graph.js";

/** Lowers one equation: its inputs' value names in, its outputs' value names out. */
export type OnnxRule = (g: Graph, ins: string[], e: Eqn) => string[];

const rules = new Map<string, OnnxRule>();

/** Registers the ONNX lowering of a primitive (by its name). */
export function defineOnnx(name: string, rule: OnnxRule): void {
  rules.set(name, rule);
}
/** Whether a primitive has an ONNX lowering. */
export const hasOnnxRule = (name: string): boolean => rules.has(name);

/** Primitives ONNX has no counterpart for, with the reason the error gives. */
const reasons = new Map<string, string>();
export function unsupportedOnnx(name: string, reason: string): void {
  reasons.set(name, reason);
}

/** Thrown while lowering an equation without a rule; exportOnnx turns it into the NoRuleError. */
export class Unsupported extends Error {
  constructor(
    readonly primitive: string,
    /** why these params cannot be lowered (a rule's own limit), or undefined: no rule at all */
    readonly reason?: string,
  ) {
    super(`exportOnnx: no ONNX lowering for '${primitive}'`);
  }
}
/** What a rule throws for params it cannot lower: exportOnnx reports it as the NoRuleError. */
export function unsupportedCase(name: string, reason: string): Error {
  return new Unsupported(name, reason);
}
export function unsupported(e: Eqn): Error {
  return new Unsupported(e.prim.name);
}
/** The typed error for a primitive without a lowering, with where it came from when known. */
export function unsupportedError(name: string, site: string | null, reason?: string): Error {
  const why = reason ?? reasons.get(name) ?? "it has no ONNX lowering yet";
  return fail(
    NoRuleError,
    `exportOnnx: the primitive '${name}'${site ? `, produced by ${site},` : ""} cannot be exported to ONNX: ${why}. ` +
      `Keep that part of the program out of the exported function (compute it before or after, outside the export).`,
  );
}

export const dtypeOf = (a: Atom): DType => a.aval.dtype;
export const avalIn = (e: Eqn, i: number): Aval => e.inputs[i]!.aval;
export const avalOut = (e: Eqn, i = 0): Aval => e.outs[i]!.aval;

/** An initializer holding a tensor's values. */
export function tensorConst(m: Model, t: Tensor, hint = "w"): string {
  return m.constant(t._data, t.shape, elemOf(t.dtype), hint);
}

/**
 * Emits the nodes of `j` into `g`: constvars and invars are bound to the given value names;
 * returns the value names of the outputs (literal outputs become scalar constants).
 */
export function lowerJaxpr(g: Graph, j: Jaxpr, constNames: readonly string[], inNames: readonly string[]): string[] {
  const env = new Map<object, string>();
  j.constvars.forEach((v, i) => env.set(v, constNames[i]!));
  j.invars.forEach((v, i) => env.set(v, inNames[i]!));
  const read = (a: Atom): string => (a instanceof Lit ? g.scalar(a.value, elemOf(a.aval.dtype)) : env.get(a)!);
  for (const e of j.eqns) {
    const rule = rules.get(e.prim.name);
    if (!rule) throw unsupported(e);
    const outs = rule(g, e.inputs.map(read), e);
    e.outs.forEach((v, i) => env.set(v, outs[i]!));
  }
  return j.outs.map(read);
}
