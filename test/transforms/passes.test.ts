// The optimisation passes, each a function ClosedJaxpr → ClosedJaxpr: DCE, CSE, constant
// folding and elementwise fusion, on hand-built and traced jaxprs (printed IR snapshots), and
// the values they compute against the unoptimised program, bit for bit.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor, jit, makeJaxpr, numpy as np } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { ClosedJaxpr, Jaxpr, Lit, Var, evalJaxpr, typecheckJaxpr, type Atom, type Eqn } from "../../src/core/ir.js";
import { PRIMITIVES, type PrimitiveName } from "../../src/core/primitives/index.js";
import { cse, dce, foldConstants, fuseElementwise, optimize } from "../../src/transforms/passes.js";
import { compiled } from "../../src/transforms/jit.js";
import { expectBitEqual, primNames } from "../util/jit-oracles.js";

// ------------------------------------------------------------------ building jaxprs by hand

const v = (shape: number[], dtype: DType = "float32") => new Var({ shape, dtype });
const lit = (x: number, dtype: DType = "float32") => new Lit(x, dtype);
const eqn = (name: PrimitiveName, inputs: Atom[], outs: Var[], params: object = {}): Eqn => ({ prim: PRIMITIVES[name], inputs, params, outs });
const closed = (constvars: Var[], consts: Tensor[], invars: Var[], eqns: Eqn[], outs: Atom[]) => {
  const cj = new ClosedJaxpr(new Jaxpr(constvars, invars, eqns, outs), consts);
  typecheckJaxpr(cj.jaxpr);
  return cj;
};
/** Evaluates op by op (eager kernels), the reference every pass must agree with. */
const run = (cj: ClosedJaxpr, ...args: Tensor[]) => evalJaxpr(cj.jaxpr, cj.consts, args);
const sameValues = (a: Tensor[], b: Tensor[], what: string) => {
  expect(a.length, `${what}: number of outputs`).toBe(b.length);
  a.forEach((t, i) => expectBitEqual(t, b[i]!, `${what}: output ${i}`));
};

// ------------------------------------------------------------------ DCE

describe("dce", () => {
  it("drops equations whose outputs nobody reads, transitively", () => {
    const [a, b, c, d, e] = [v([3]), v([3]), v([3]), v([3]), v([3])];
    const cj = closed([], [], [a], [eqn("sin", [a], [b]), eqn("cos", [a], [c]), eqn("exp", [b], [d]), eqn("mul", [c, c], [e])], [d]);
    const out = dce(cj);
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[3] . let
          b:f32[3] = sin a
          c:f32[3] = exp b
        in (c) }"
    `);
    typecheckJaxpr(out.jaxpr);
    const x = np.array([0.1, 0.2, 0.3]);
    sameValues(run(out, x), run(cj, x), "dce");
  });

  it("keeps everything live and returns the same jaxpr when nothing is dead", () => {
    const [a, b] = [v([2]), v([2])];
    const cj = closed([], [], [a], [eqn("sin", [a], [b])], [b]);
    expect(dce(cj)).toBe(cj);
  });

  it("on a traced function: an unused intermediate never reaches the program", () => {
    const f = (x: Tensor) => {
      np.exp(x).sum(); // dead
      return x.mul(2);
    };
    const j = makeJaxpr(f)(np.ones([2]));
    expect(primNames(j)).toEqual(["mul"]);
    expect(primNames(dce(j))).toEqual(["mul"]);
  });
});

// ------------------------------------------------------------------ CSE

describe("cse", () => {
  it("merges duplicate equations, transitively, and keeps different params apart", () => {
    const a = v([2, 3]);
    const [b, c, d, e, f, g, h, i] = [v([2, 3]), v([2, 3]), v([2, 3]), v([2, 3]), v([2, 3]), v([3]), v([3]), v([2])];
    const cj = closed(
      [],
      [],
      [a],
      [
        eqn("sin", [a], [b]),
        eqn("sin", [a], [c]), // = b
        eqn("exp", [b], [d]),
        eqn("exp", [c], [e]), // = d once c is b
        eqn("add", [d, e], [f]),
        eqn("reduce_sum", [f], [g], { axes: [0] }),
        eqn("reduce_sum", [f], [h], { axes: [0] }), // = g
        eqn("reduce_sum", [f], [i], { axes: [1] }), // different axes: kept
      ],
      [g, h, i],
    );
    const out = cse(cj);
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,3] . let
          b:f32[2,3] = sin a
          c:f32[2,3] = exp b
          d:f32[2,3] = add c c
          e:f32[3] = reduce_sum[axes=(0,)] d
          f:f32[2] = reduce_sum[axes=(1,)] d
        in (e, e, f) }"
    `);
    const x = np.array([[0.1, 0.2, 0.3], [1, 2, 3]]);
    sameValues(run(out, x), run(cj, x), "cse");
  });

  it("literals merge by value and dtype; 0 and -0 are different literals", () => {
    const a = v([2]);
    const [b, c, d, e] = [v([2]), v([2]), v([2]), v([2])];
    const cj = closed([], [], [a], [eqn("mul", [a, lit(2)], [b]), eqn("mul", [a, lit(2)], [c]), eqn("mul", [a, lit(0)], [d]), eqn("mul", [a, lit(-0)], [e])], [b, c, d, e]);
    const out = cse(cj);
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2] . let
          b:f32[2] = mul a 2.0:f32[]
          c:f32[2] = mul a 0.0:f32[]
          d:f32[2] = mul a -0.0:f32[]
        in (b, b, c, d) }"
    `);
    const x = np.array([1, -2]);
    sameValues(run(out, x), run(cj, x), "cse with literals");
    // through jit: x·0 and x·(−0) keep their signs of zero
    const [p, q] = jit((t: Tensor) => [t.mul(0), t.mul(-0)])(x) as Tensor[];
    expect(Array.from(p!.dataSync()).map((z) => Object.is(z, -0))).toEqual([false, true]);
    expect(Array.from(q!.dataSync()).map((z) => Object.is(z, -0))).toEqual([true, false]);
  });
});

// ------------------------------------------------------------------ constant folding

describe("foldConstants", () => {
  it("evaluates const-only equations at compile time; scalars become literals, arrays constvars", () => {
    const k = v([3]);
    const a = v([3]);
    const [b, c, d, e] = [v([3]), v([]), v([3]), v([3])];
    const cj = closed(
      [k],
      [np.array([1, 2, 3])],
      [a],
      [eqn("exp", [k], [b]), eqn("reduce_sum", [k], [c], { axes: [0] }), eqn("mul", [a, b], [d]), eqn("add", [d, c], [e])],
      [e],
    );
    const out = foldConstants(cj);
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[3] ; b:f32[3] . let
          c:f32[3] = mul b a
          d:f32[3] = add c 6.0:f32[]
        in (d) }"
    `);
    expect(primNames(out)).toEqual(["mul", "add"]);
    // the folded constant is exp([1, 2, 3]) computed by the same kernel
    expectBitEqual(out.consts[0]!, np.exp(np.array([1, 2, 3])), "folded exp");
    const x = np.array([0.5, -1, 2]);
    sameValues(run(out, x), run(cj, x), "foldConstants");
  });

  it("folds equations with no inputs (iota) and literal-only ones; leaves traced inputs alone", () => {
    const a = v([4], "int32");
    const [b, c, d] = [v([4], "int32"), v([], "int32"), v([4], "int32")];
    const cj = closed([], [], [a], [eqn("iota", [], [b], { shape: [4], axis: 0, dtype: "int32" }), eqn("mul", [lit(3, "int32"), lit(4, "int32")], [c]), eqn("add", [a, b], [d])], [d, c]);
    const out = foldConstants(cj);
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:i32[4] ; b:i32[4] . let
          c:i32[4] = add b a
        in (c, 12:i32[]) }"
    `);
    const x = np.array(Int32Array.from([10, 20, 30, 40]));
    sameValues(run(out, x), run(cj, x), "foldConstants");
  });

  it("does not fold a constant larger than its budget (it would be kept in memory)", () => {
    const b = v([2048, 1024], "int32");
    const a = v([], "int32");
    const c = v([2048, 1024], "int32");
    const cj = closed([], [], [a], [eqn("iota", [], [b], { shape: [2048, 1024], axis: 1, dtype: "int32" }), eqn("add", [b, a], [c])], [c]);
    expect(primNames(foldConstants(cj))).toEqual(["iota", "add"]);
  });

  it("a closure constant inside jit folds away: the compiled program has no equation on it", () => {
    const w = np.array([[1, 2], [3, 4]]);
    const f = (x: Tensor) => x.matmul(np.tanh(w).T).add(np.sum(w));
    const opt = compiled(makeJaxpr(f)(np.ones([3, 2]))).optimized;
    // the transpose is not even folded: the GEMM reads tanh(w) transposed in place (contract 1 with 1)
    expect(opt.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,2] ; b:f32[3,2] . let
          c:f32[3,2] = dot_general[contract=((1,),(1,)) batch=((),())] b a
          d:f32[3,2] = add c 10.0:f32[]
        in (d) }"
    `);
    expect(primNames(opt)).toEqual(["dot_general", "add"]);
  });
});

// ------------------------------------------------------------------ fusion

describe("fuseElementwise", () => {
  const chain = (x: Tensor, y: Tensor) => np.exp(x.mul(2).add(y)).sub(x).mul(0.5);

  it("merges an elementwise chain into one fused equation", () => {
    const cj = makeJaxpr(chain)(np.ones([2, 3]), np.ones([3]));
    expect(cj.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,3] b:f32[3] . let
          c:f32[2,3] = mul a 2.0:f32[]
          d:f32[2,3] = add c b
          e:f32[2,3] = exp d
          f:f32[2,3] = sub e a
          g:f32[2,3] = mul f 0.5:f32[]
        in (g) }"
    `);
    const out = dce(fuseElementwise(cj));
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,3] b:f32[3] . let
          c:f32[2,3] = fused[expr=const t0 = Math.fround((a0) * ((2))); const t1 = Math.fround((t0) + (a1)); const t2 = Math.fround(Math.exp((t1))); const t3 = Math.fround((t2) - (a0)); const t4 = Math.fround((t3) * ((0.5))); t4 dtype=float32 label=mul·add·exp·sub·mul shape=(2,3)] a b
        in (c) }"
    `);
    expect(primNames(out)).toEqual(["fused"]);
  });

  it.each(["float32", "float64"] as DType[])("the fused result equals the unfused one bit for bit (%s)", (dtype) => {
    const x = np.array([[0.3, -1.7, 2.2], [1e-3, 5, -0.25]], { dtype });
    const y = np.array([0.1, -0.2, 1 / 3], { dtype });
    const cj = makeJaxpr(chain)(x, y);
    sameValues(run(dce(fuseElementwise(cj)), x, y), run(cj, x, y), `fused ${dtype}`);
    sameValues([jit(chain)(x, y)], [chain(x, y)], `jit ${dtype}`);
  });

  it("float32 temporaries round after each step, as the op-by-op kernels do", () => {
    // (x + 1e-8) − x in float32: 1 + 1e-8 rounds to 1, so the answer is 0; a loop computing
    // in float64 without rounding would give ≈1e-8
    const f = (x: Tensor) => x.add(1e-8).sub(x);
    const x = np.array([1, 1, 1]);
    expect(primNames(compiled(makeJaxpr(f)(x)).optimized)).toEqual(["fused"]);
    expect(Array.from(jit(f)(x).dataSync())).toEqual([0, 0, 0]);
    const x64 = x.astype("float64");
    expectBitEqual(jit(f)(x64), f(x64), "float64");
    expect(jit(f)(x64).dataSync()[0]).not.toBe(0);
    // int32 temporaries wrap as Int32Array stores do: (2³¹−1)+1 wraps, then −1
    const g = (i: Tensor) => i.add(1).sub(1).mul(3);
    const big = np.array(Int32Array.from([2147483647, -2147483648, 7]));
    expectBitEqual(jit(g)(big), g(big), "int32 wrap");
  });

  it("a jaxpr output or a non-elementwise equation ends a chain; a value read twice inside one group is computed once", () => {
    const f = (x: Tensor) => {
      const s = np.sin(x).mul(2); // read twice, both times by the group below: joins it as a temporary
      const t = s.mul(s).add(1); // sin·mul·mul·add in one loop
      const r = t.sum(0); // not elementwise
      return [np.exp(r).sub(1), t]; // t is also an output
    };
    const x = np.array([[0.5, 1], [2, 3]]);
    const cj = makeJaxpr(f)(x);
    const out = dce(fuseElementwise(cj));
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[2,2] . let
          b:f32[2,2] = fused[expr=const t0 = Math.fround(Math.sin((a0))); const t1 = Math.fround((t0) * ((2))); const t2 = Math.fround((t1) * (t1)); const t3 = Math.fround((t2) + ((1))); t3 dtype=float32 label=sin·mul·mul·add shape=(2,2)] a
          c:f32[2] = reduce_sum[axes=(0,)] b
          d:f32[2] = fused[expr=const t4 = Math.fround(Math.exp((a0))); const t5 = Math.fround((t4) - ((1))); t5 dtype=float32 label=exp·sub shape=(2,)] c
        in (d, b) }"
    `);
    sameValues(run(out, x), run(cj, x), "chains");
  });

  it("applying the pass again to a fused program still computes the same values", () => {
    const f = (x: Tensor) => np.tanh(np.sin(x).add(1)).mul(np.cos(x).sub(2));
    const x = np.array([0.3, -1.1, 2]);
    const cj = makeJaxpr(f)(x);
    const once = dce(fuseElementwise(cj));
    const twice = dce(fuseElementwise(once));
    sameValues(run(twice, x), run(cj, x), "fused twice");
  });

  it("random elementwise programs: jit (fused) equals eager bit for bit", () => {
    const unary = [np.sin, np.exp, np.tanh, np.negative, np.abs, np.floor, (t: Tensor) => t.mul(0.7), (t: Tensor) => np.sqrt(np.abs(t))];
    const binary = [np.add, np.subtract, np.multiply, np.maximum, (a: Tensor, b: Tensor) => np.where(a.greater(b), a, b.mul(1.5))];
    const op = fc.oneof(
      fc.record({ kind: fc.constant("u" as const), f: fc.nat(unary.length - 1), a: fc.nat(7) }),
      fc.record({ kind: fc.constant("b" as const), f: fc.nat(binary.length - 1), a: fc.nat(7), b: fc.nat(7) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 8 }), fc.constantFrom<DType>("float32", "float64"), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), (prog, dtype, vals) => {
        // each op reads earlier values (inputs or results) by index modulo what exists
        const f = (x: Tensor, y: Tensor) => {
          const vs = [x, y];
          for (const o of prog) {
            const at = (i: number) => vs[vs.length - 1 - (i % vs.length)]!;
            vs.push(o.kind === "u" ? unary[o.f]!(at(o.a)) : binary[o.f]!(at(o.a), at(o.b)));
          }
          return vs[vs.length - 1]!;
        };
        const x = np.array(vals.slice(0, 3), { dtype }).reshape([1, 3]);
        const y = np.array(vals.slice(3), { dtype }).reshape([3, 1]);
        expectBitEqual(jit(f)(x, y), f(x, y), "random program");
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

// ------------------------------------------------------------------ the pipeline

describe("optimize", () => {
  it("DCE, CSE, folding and fusion together on a traced function", () => {
    const c = np.array([1, 2, 3]);
    const f = (x: Tensor) => {
      const a = np.sin(x);
      const b = np.sin(x); // duplicate
      np.cos(x); // dead
      const k = np.exp(c).sum(); // constant
      return a.add(b).mul(k).sub(1);
    };
    const x = np.array([0.1, 0.2, 0.3]);
    const cj = makeJaxpr(f)(x);
    const out = optimize(cj);
    expect(out.toString()).toMatchInlineSnapshot(`
      "{ lambda a:f32[3] . let
          b:f32[3] = fused[expr=const t0 = Math.fround(Math.sin((a0))); const t1 = Math.fround((t0) + (t0)); const t2 = Math.fround((t1) * ((30.192874908447266))); const t3 = Math.fround((t2) - ((1))); t3 dtype=float32 label=sin·add·mul·sub shape=(3,)] a
        in (b) }"
    `);
    typecheckJaxpr(out.jaxpr);
    sameValues(run(out, x), run(cj, x), "optimize");
  });
});
