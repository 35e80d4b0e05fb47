// Batching: the batch trace carries each value with the axis (or null) its examples live on.
import { NoRuleError, TreeError, ValueError, fail } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { fmtShape, normAxis } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { checkFunction, flattenArgs, isArrayLikeList } from "./args.js";
import type { LooseArgs } from "./vjp.js";
import { Trace, Tracer, bind, currentApi, transformScope, userCode, withMain, type MainTrace } from "../core/trace.js";
import * as ops from "../core/numpy/index.js";
import { broadcastPrefix, flatten, unflatten } from "../core/tree.js";

export class BatchTracer extends Tracer {
  constructor(
    readonly _trace: BatchTrace,
    readonly val: Tensor,
    readonly bdim: number | null,
  ) {
    super(bdim === null ? val.shape : val.shape.filter((_, i) => i !== bdim), val.dtype);
  }
  override fullLower(): Tensor {
    return this.bdim === null ? this.val : this;
  }
}

export class BatchTrace extends Trace {
  constructor(
    main: MainTrace,
    readonly axisSize: number,
  ) {
    super(main);
  }
  pure(x: Tensor): BatchTracer {
    return new BatchTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Tensor[] {
    const vals = tracers.map((t) => (t as BatchTracer).val);
    const dims = tracers.map((t) => (t as BatchTracer).bdim);
    if (dims.every((d) => d === null)) return bind(prim, vals, params);
    if (!prim.batch) throw fail(NoRuleError, `${currentApi("vmap")}: primitive ${prim.name} has no batching rule.`);
    const [outs, odims] = prim.batch(vals, dims, params, this.axisSize, prim);
    return outs.map((o, i) => new BatchTracer(this, o, odims[i] ?? null));
  }
}

/** Value of x with its batch axis at `outAxis` (broadcast if x is not batched by `main`). */
export function moveBatchAxis(main: MainTrace, x: Tensor, size: number, outAxis: number | null, api = "vmap"): Tensor {
  const batched = x instanceof BatchTracer && x._trace.main === main && x.bdim !== null;
  if (outAxis === null) {
    if (batched) throw fail(ValueError, `${api}: an output is batched but its outAxes entry is null; give it an axis, or make the output independent of the mapped inputs.`);
    return x instanceof BatchTracer && x._trace.main === main ? x.val : x;
  }
  if (!batched) {
    const v = x instanceof BatchTracer && x._trace.main === main ? x.val : x;
    const ax = normAxis(api, outAxis, v.ndim + 1);
    return ops.broadcastTo(ops.expandDims(v, ax), [...v.shape.slice(0, ax), size, ...v.shape.slice(ax)]);
  }
  const bt = x as BatchTracer;
  return ops.moveaxis(bt.val, bt.bdim!, normAxis(api, outAxis, bt.val.ndim));
}

/** vmap over flat tensors: inDims per input (null = unmapped), outDims per output. */
export function vmapFlat(
  f: (xs: Tensor[]) => Tensor[],
  ins: readonly Tensor[],
  inDims: readonly (number | null)[],
  outDims: (n: number) => readonly (number | null)[],
  axisSize: number,
): Tensor[] {
  return withMain("vmap", (m) => new BatchTrace(m, axisSize), (main) => {
    const trace = main.trace as BatchTrace;
    const xs = ins.map((x, i) => {
      const d = inDims[i];
      return d === null || d === undefined ? x : new BatchTracer(trace, x, d);
    });
    const outs = f(xs);
    const od = outDims(outs.length);
    return outs.map((o, i) => moveBatchAxis(main, o, axisSize, od[i] === undefined ? 0 : od[i]!));
  });
}

/** The common size of the mapped axes (or `axisSize`), with the error JAX users expect. */
export function mappedAxisSize(api: string, leaves: readonly Tensor[], dims: readonly (number | null)[], axisSize?: number): number {
  const sizes = new Map<number, string[]>();
  leaves.forEach((x, i) => {
    const d = dims[i];
    if (d === null || d === undefined) return;
    const n = x.shape[d]!;
    const list = sizes.get(n) ?? [];
    list.push(`arg leaf ${i}: ${x.dtype}${fmtShape(x.shape)} axis ${d}`);
    sizes.set(n, list);
  });
  if (sizes.size > 1) {
    const detail = [...sizes.entries()].map(([n, l]) => `size ${n} for ${l.join(", ")}`).join("; ");
    throw fail(ValueError, `${api}: mapped axes have different sizes: ${detail}. All mapped axes must have the same size.`);
  }
  if (sizes.size === 1) {
    const n = [...sizes.keys()][0]!;
    if (axisSize !== undefined && axisSize !== n) throw fail(ValueError, `${api}: axisSize ${axisSize} disagrees with the mapped axis size ${n}.`);
    return n;
  }
  if (axisSize === undefined) throw fail(ValueError, `${api}: no input is mapped (all inAxes are null), so the batch size is unknown; pass {axisSize}.`);
  return axisSize;
}


// ------------------------------------------------------------------ public vmap


export type InAxes = number | null | readonly unknown[] | Record<string, unknown>;
export interface VmapOptions {
  inAxes?: InAxes;
  outAxes?: unknown;
  axisSize?: number;
}

/**
 * Vectorises `f` over a batch axis: `vmap(f, inAxes)` or `vmap(f, {inAxes, outAxes, axisSize})`,
 * with JAX's pytree prefixes (`null`: not mapped). Every primitive has a batching rule, so the
 * result runs as whole-array ops, not a loop. Mirrors `jax.vmap`.
 *
 * @param spec - axis per argument (a number for all, an array per argument, null = broadcast),
 *   or an options object with `inAxes`, `outAxes` (default 0) and `axisSize`.
 * @throws TreeError when inAxes does not match the arguments; ShapeError for unequal batch sizes.
 * @example
 * ```ts
 * const norm = (v: Tensor) => np.sqrt(np.sum(np.square(v)));
 * vmap(norm)(np.array([[3, 4], [6, 8]])); // → [5, 10]
 * vmap((a: Tensor, b: Tensor) => a.mul(b), [0, null])(np.array([[1, 2], [3, 4]]), np.array([10, 100])); // → [[10, 200], [30, 400]]
 * ```
 */
export function vmap<F extends (...args: any[]) => any>(f: F, spec?: InAxes | VmapOptions): (...args: LooseArgs<Parameters<F>>) => ReturnType<F>;
export function vmap(f: (...args: any[]) => unknown, spec: InAxes | VmapOptions = 0): (...args: any[]) => any {
  checkFunction("vmap", f);
  const opts: VmapOptions =
    spec !== null && typeof spec === "object" && !Array.isArray(spec) && ("inAxes" in spec || "outAxes" in spec || "axisSize" in spec)
      ? (spec as VmapOptions)
      : { inAxes: spec as InAxes };
  // null is a meaningful entry (not mapped), so only a missing option takes the default
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  return (...args) => transformScope("vmap", () => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw fail(TreeError, `vmap: inAxes has ${inAxes.length} entries but the function was called with ${args.length} argument(s); give one entry per argument (or a single number for all).`);
    }
    const prefix = Array.isArray(inAxes) ? inAxes : args.map(() => inAxes);
    const [leaves, inTree] = flattenArgs("vmap", args);
    const axes = broadcastPrefix("vmap", prefix, args, "inAxes", isArrayLikeList);
    const ts: Tensor[] = [];
    const dims: (number | null)[] = [];
    leaves.forEach((l, i) => {
      const a = axes[i];
      if (a === null || a === undefined) {
        ts.push(l as Tensor);
        dims.push(null);
        return;
      }
      if (typeof a !== "number") throw fail(TreeError, `vmap: inAxes entries must be integers or null, got ${JSON.stringify(a)}.`);
      const t = l instanceof Tensor ? l : ops.array(l as number);
      if (t.ndim === 0) throw fail(ValueError, `vmap: cannot map over axis ${a} of a scalar (argument leaf ${i}); use null in inAxes for unmapped arguments.`);
      ts.push(t);
      dims.push(normAxis("vmap", a, t.ndim));
    });
    const size = mappedAxisSize("vmap", ts, dims, opts.axisSize);
    let outTree: ReturnType<typeof flatten>[1] | undefined;
    let outDims: unknown[] = [];
    const res = vmapFlat(
      (xs) => {
        const flatArgs = leaves.map((l, i) => (dims[i] === null ? l : xs[i]));
        const out = userCode(() => f(...(unflatten(inTree, flatArgs) as unknown[])));
        const [ol, od] = flatten(out);
        outTree = od;
        outDims = broadcastPrefix("vmap", outAxes, out, "outAxes");
        return ol.map((o) => (o instanceof Tensor ? o : ops.array(o as number)));
      },
      ts,
      dims,
      () => outDims.map((d) => d as number | null),
      size,
    );
    return unflatten(outTree!, res);
  });
}
