// Forward mode: the JVP trace carries a tangent (null = symbolic zero) beside each primal.
import { NoRuleError, fail } from "../core/errors.js";
import type { Tan } from "../core/primitive.js";
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { Trace, Tracer, bind, currentApi, toConcrete, withMain, type MainTrace } from "../core/trace.js";

export class JVPTracer extends Tracer {
  constructor(
    readonly _trace: JVPTrace,
    readonly primal: Tensor,
    readonly tangent: Tan,
  ) {
    super(primal.shape, primal.dtype);
  }
  override toConcrete(api: string): Tensor {
    return toConcrete(this.primal, api);
  }
}

export class JVPTrace extends Trace {
  pure(x: Tensor): JVPTracer {
    return new JVPTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Tensor[] {
    const primals = tracers.map((t) => (t as JVPTracer).primal);
    const tangents = tracers.map((t) => (t as JVPTracer).tangent);
    if (tangents.every((t) => t === null)) return bind(prim, primals, params);
    if (!prim.jvp) throw fail(NoRuleError, `${currentApi("jvp")}: primitive ${prim.name} has no differentiation rule.`);
    const [outs, touts] = prim.jvp(primals, tangents, params, prim);
    return outs.map((p, i) => {
      const t = touts[i] ?? null;
      return t === null ? p : new JVPTracer(this, p, t);
    });
  }
}

/** The primal and tangent of `x` as seen from the JVP trace `main` (zero tangent if not its tracer). */
export function unpackJVP(main: MainTrace, x: Tensor): [Tensor, Tan] {
  if (x instanceof JVPTracer && x._trace.main === main) return [x.primal, x.tangent];
  return [x, null];
}

/** Runs f on JVP tracers of (primals, tangents); returns primal and tangent outputs. */
export function jvpFlat(
  f: (xs: Tensor[]) => Tensor[],
  primals: readonly Tensor[],
  tangents: readonly Tan[],
  name = "jvp",
): [Tensor[], Tan[]] {
  return withMain(name, (m) => new JVPTrace(m), (main) => {
    const trace = main.trace as JVPTrace;
    const ins = primals.map((p, i) => new JVPTracer(trace, p, tangents[i] ?? null));
    const outs = f(ins);
    const res = outs.map((o) => unpackJVP(main, o));
    return [res.map((r) => r[0]), res.map((r) => r[1])] as [Tensor[], Tan[]];
  });
}
