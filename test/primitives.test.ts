// One row per primitive, keyed by PrimitiveName (a primitive without a row does not compile).
// Each row builds seeded inputs on a valid domain and gives a float64 reference written here
// in plain JS; every row runs impl-vs-reference, checkGrads (differentiable rows; a zero
// derivative is checked as zero), checkVmap and checkJit (jit equals eager bit for bit, dtype
// included: alone, fused with elementwise neighbours, and constant-folded), per dtype.
import { describe, expect, it } from "vitest";
import { Tensor, jvp, makeJaxpr, numpy as np, vjp } from "../src/index.js";
import type { DType } from "../src/index.js";
import { PRIMITIVES, type PrimitiveName } from "../src/core/primitives/index.js";
import { bind, type Aval } from "../src/core/trace.js";
import { definePrimitive, linearJvp, vectorized } from "../src/core/primitive.js";
import { checkGrads, checkVmap, expectClose, stackAlong } from "./util/oracles.js";
import { checkJit, optimizedJaxpr, primNames } from "./util/jit-oracles.js";
import { rng } from "./util/rng.js";
import { ndOf, threefry2x32Ref } from "./util/ref.js";
import { coreRows } from "./primitives/core.rows.js";
import { scatterRows } from "./primitives/scatter.rows.js";
import { sortRows } from "./primitives/sort.rows.js";
import { cumulativeRows } from "./primitives/cumulative.rows.js";
import { dynamicRows } from "./primitives/dynamic.rows.js";
import { specialRows } from "./primitives/special.rows.js";
import { bitwiseRows } from "./primitives/bitwise.rows.js";
import { convRows } from "./primitives/conv.rows.js";
import { linalgRows } from "./primitives/linalg.rows.js";
import { isF, typed, type Case, type Row } from "./primitives/row.js";

/** One row per primitive: a family's rows file spreads in here (a missing row does not compile). */
const rows: Record<PrimitiveName, Row> = { ...coreRows, ...specialRows, ...convRows, ...linalgRows, ...bitwiseRows, ...scatterRows, ...sortRows, ...cumulativeRows, ...dynamicRows };

// ------------------------------------------------------------------ running the rows

const apply = (name: PrimitiveName, params: any) => (...args: Tensor[]) => bind(PRIMITIVES[name], args, params)[0]!;
/** An exact elementwise round trip of the dtype (−(−x), or ¬¬x for bools): fusable neighbours. */
const twice = (x: Tensor) => (x.dtype === "bool" ? np.logicalNot(np.logicalNot(x)) : np.negative(np.negative(x)));
const once = (x: Tensor) => (x.dtype === "bool" ? np.logicalNot(x) : np.negative(x));

/** vmap configurations: explicit, or all 0 / all last / the first mapped alone. */
function axesConfigs(c: Case, args: Tensor[]): (number | null)[][] {
  if (c.inAxes) return c.inAxes.map((a) => a.slice(0, args.length));
  const base: (number | null)[][] = [args.map(() => 0), args.map(() => -1)];
  if (args.length > 1) base.push(args.map((_, i) => (i === 0 ? 0 : null)));
  return base;
}

/** Stacks B independent draws of the case's arguments along each argument's vmap axis. */
function batchedArgs(c: Case, d: DType, axes: (number | null)[], seed: number, B = 3): Tensor[] {
  const draws = Array.from({ length: B }, (_, b) => c.args(rng(seed + 101 * b), d));
  return draws[0]!.map((a0, k) => {
    const ax = axes[k];
    if (ax === null || ax === undefined) return a0;
    const pos = ax < 0 ? a0.ndim + 1 + ax : ax;
    const [data, shape] = stackAlong(draws.map((dr) => dr[k]!), pos);
    return typed(Array.from(data), a0.dtype, shape);
  });
}

describe.each(Object.keys(rows) as PrimitiveName[])("primitive %s", (name) => {
  const row = rows[name];
  const prim = PRIMITIVES[name];

  it("is registered under its own name", () => {
    expect(prim.name).toBe(name);
  });

  describe.each(row.dtypes)("%s", (dtype) => {
    const cases = row.cases(dtype);
    const [f32tol, f64tol] = row.tol ?? [2e-6, 1e-13];

    it("impl matches the float64 reference", () => {
      cases.forEach((c, ci) => {
        const args = c.args(rng(1000 + ci), dtype);
        const out = apply(name, c.params)(...args);
        const want = row.ref(args.map(ndOf), c.params, dtype);
        const od = row.outDtype ? row.outDtype(dtype, c.params) : dtype;
        expect(out.dtype, `case ${ci} dtype`).toBe(od);
        expect([...out.shape], `case ${ci} shape`).toEqual(want.shape);
        const tol = od === "float32" ? f32tol : od === "float64" ? f64tol : 0;
        expectClose(out, want.data, { rtol: tol, atol: tol, what: `${name} case ${ci}` });
        // the abstract evaluation rule agrees with the kernel
        const [aval] = prim.abstractEval(args.map((a) => ({ shape: a.shape, dtype: a.dtype })), c.params);
        expect([...aval!.shape], `case ${ci} shape rule`).toEqual([...out.shape]);
        expect(aval!.dtype, `case ${ci} dtype rule`).toBe(out.dtype);
      });
    });

    if (row.grad === "yes" && isF(dtype)) {
      it("checkGrads: jvp, vjp and grad vs finite differences, dot-product test" + (dtype === "float64" ? ", order 2" : ""), () => {
        cases.forEach((c, ci) => {
          if (c.grad === false) return;
          const args = c.args(rng(2000 + ci), dtype);
          checkGrads(apply(name, c.params), args, { ...row.gradOpts, dtype, order: dtype === "float64" ? 2 : 1, seed: ci + 1 });
        });
      });
    }

    if (row.grad === "zero" && isF(dtype)) {
      it("has a zero derivative (jvp tangent and vjp cotangent are zeros)", () => {
        cases.forEach((c, ci) => {
          const args = c.args(rng(2000 + ci), dtype);
          const f = apply(name, c.params);
          const [out, t] = jvp(f, args, args.map((a) => np.onesLike(a)));
          expect(toZeros(t as Tensor)).toBe(true);
          if (isF((out as Tensor).dtype)) {
            const [, back] = vjp(f, args) as [Tensor, (ct: Tensor) => Tensor[]];
            back(np.onesLike(out as Tensor)).forEach((g) => expect(toZeros(g)).toBe(true));
          }
        });
      });
    }

    it("checkJit: jit equals eager bit for bit (alone; the first case also fused and folded)", () => {
      cases.forEach((c, ci) => {
        const args = c.args(rng(500 + ci), dtype);
        const f = apply(name, c.params);
        checkJit(f, args, { what: `${name} case ${ci}` });
        if (ci > 0) return;
        // neighbours that fuse with it: inputs and output go through exact elementwise round trips
        const chain = (...xs: Tensor[]) => once(f(...xs.map(twice)));
        checkJit(chain, args, { what: `${name} case ${ci} in a chain` });
        const fusable = prim.expr?.(args.map((a) => a.dtype), c.params, args.map((a) => a.shape)) ?? null;
        if (fusable !== null) expect(primNames(optimizedJaxpr(chain, ...args)), `${name} fuses with its neighbours`).toContain("fused");
        // every input a constant of the traced function: constant folding computes it at compile
        // time (except a broadcast that grows its constant: it is left to run, fused with its consumers)
        checkJit(() => chain(...args), [], { what: `${name} case ${ci} folded` });
        const left = primNames(optimizedJaxpr(() => chain(...args)));
        if (prim.broadcasts) expect(left.length, `${name} on constants leaves at most one loop`).toBeLessThanOrEqual(1);
        else expect(left, `${name} on constants folds away`).toEqual([]);
      });
    });

    if (row.vmap !== false) {
      it("checkVmap: vmap equals loop-and-stack", () => {
        cases.forEach((c, ci) => {
          if (c.vmap === false) return;
          const per = c.args(rng(3000 + ci), dtype);
          for (const axes of axesConfigs(c, per)) {
            if (axes.every((a) => a === null)) continue;
            const args = batchedArgs(c, dtype, axes, 3000 + ci);
            const tol = dtype === "float32" ? f32tol : 1e-12;
            checkVmap(apply(name, c.params), axes, args, { rtol: tol, atol: tol });
          }
        });
      });
    }
  });
});

function toZeros(t: Tensor): boolean {
  return Array.from(t.dataSync() as ArrayLike<number>).every((v) => v === 0);
}

describe("iota under vmap", () => {
  it("its batch rule returns an unbatched value", () => {
    const p = { shape: [2, 3], axis: 1, dtype: "int32" as DType };
    const [[out], [d]] = PRIMITIVES.iota.batch([], [], p, 4, PRIMITIVES.iota);
    expect(d).toBeNull();
    expect(out!.toArray()).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });
  it("a vmapped function that uses iota broadcasts it over the batch", () => {
    const f = (x: Tensor) => x.add(bind(PRIMITIVES.iota, [], { shape: [3], axis: 0, dtype: "float32" })[0]!);
    checkVmap(f, 0, [np.array([[1, 2, 3], [4, 5, 6]])]);
  });
});

describe("random_bits reference", () => {
  it("the test's Threefry-2x32 matches the published known-answer vectors", () => {
    // Random123 / JAX test vectors for threefry2x32 with 20 rounds
    expect(threefry2x32Ref([0, 0], [0, 0])).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32Ref([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32Ref([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3])).toEqual([0xc4923a9c, 0x483df7a0]);
  });
});

describe("errors of the primitive layer name the API the user called and the fix", () => {
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("expected an error");
  };
  it("dot_general's shape rule says dot_general, and the numpy callers check with their own name", () => {
    const l = np.ones([2, 3]);
    const r = np.ones([4, 5]);
    const direct = message(() => bind(PRIMITIVES.dot_general, [l, r], { contract: [[1], [0]], batch: [[], []] }));
    expect(direct).toMatch(/^dot_general: contracting dimensions do not match: \[2,3\] axis 1 has 3, \[4,5\] axis 0 has 4/);
    // abstract evaluation (jit) reports the same
    expect(message(() => makeJaxpr((a: Tensor, b: Tensor) => bind(PRIMITIVES.dot_general, [a, b], { contract: [[1], [0]], batch: [[], []] })[0])(l, r))).toMatch(/^dot_general:/);
    expect(message(() => np.einsum("ij,jk->ik", l, r))).toMatch(/^numpy\.einsum:/);
    expect(message(() => np.vdot(np.ones([3]), np.ones([4])))).toMatch(/^vdot: shapes \[3\] and \[4\]/);
    expect(message(() => np.dot(l, r))).toMatch(/^dot:/);
    expect(message(() => l.matmul(r))).toMatch(/^matmul:/);
  });
  it("an op outside its dtypes names the dtypes it takes and the conversion", () => {
    const m = message(() => np.sign(np.array([true, false])));
    expect(m).toBe('sign: not defined for bool inputs; it takes float32, float64 or int32. Convert the operand first, e.g. x.astype("int32").');
    expect(message(() => np.subtract(np.array([true]), np.array([false])))).toContain('sub: not defined for bool inputs; it takes float32, float64 or int32');
    expect(message(() => bind(PRIMITIVES.not, [np.array([1.5])], {}))).toBe('not: not defined for float32 inputs; it takes int32 or bool. Convert the operand first, e.g. x.astype("int32").');
  });
});

describe("definePrimitive's type", () => {
  it("demands a jvp (or notDifferentiable), a transpose exactly when declared linear, and arity-typed rules", () => {
    const base = { abstractEval: ([x]: [Aval]) => [x], impl: ([x]: [Tensor]) => [x], batch: vectorized };
    // compile-time checks (tsc runs them; never called)
    const checks = () => [
      // @ts-expect-error a linear primitive without its transpose
      definePrimitive<"t1", {}, 1>({ name: "t1", ...base, jvp: linearJvp(), linearity: "linear" }),
      // @ts-expect-error a transpose on a primitive not declared linear
      definePrimitive<"t2", {}, 1>({ name: "t2", ...base, jvp: linearJvp(), transpose: ([ct]) => [ct] }),
      // @ts-expect-error neither a jvp rule nor notDifferentiable
      definePrimitive<"t3", {}, 1>({ name: "t3", ...base }),
      // @ts-expect-error a unary primitive's rules see one operand
      definePrimitive<"t4", {}, 1>({ name: "t4", ...base, jvp: ([x, y]) => [[x, y], [null]] }),
    ];
    expect(typeof checks).toBe("function");
  });
});
