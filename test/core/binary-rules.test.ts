// The binary primitives' less-travelled paths, found by mutation testing (docs/mutation.md):
// their bool and int32 scalar expressions inside jit's fused loops, the errors that name the op,
// and the tangent of a select whose branches are constants staying a symbolic zero.
import { describe, expect, it } from "vitest";
import { Tensor, jit, jvp, makeJaxpr, numpy as np } from "../../src/index.js";
import { optimizedJaxpr, primNames } from "../util/jit-oracles.js";

const bools = (xs: number[]) => np.array(xs.map(Boolean), { dtype: "bool" });
const ints = (xs: number[]) => np.array(xs, { dtype: "int32" });
const P = [1, 1, 0, 0];
const Q = [1, 0, 1, 0];

describe("bool operands: add is or, multiply is and, maximum is or, minimum is and", () => {
  // Each runs as one fused loop under jit (a chain of two elementwise ops), and eagerly.
  const cases: [string, (a: Tensor, b: Tensor) => Tensor, number[]][] = [
    ["add(add(p, q), q)", (a, b) => np.add(np.add(a, b), b), [1, 1, 1, 0]],
    ["multiply(multiply(p, q), p)", (a, b) => np.multiply(np.multiply(a, b), a), [1, 0, 0, 0]],
    ["maximum(maximum(p, q), q)", (a, b) => np.maximum(np.maximum(a, b), b), [1, 1, 1, 0]],
    ["minimum(minimum(p, q), p)", (a, b) => np.minimum(np.minimum(a, b), a), [1, 0, 0, 0]],
  ];
  it.each(cases)("%s eagerly and fused under jit", (_n, f, want) => {
    const jf = jit(f);
    expect(primNames(optimizedJaxpr(f, bools(P), bools(Q)))).toEqual(["fused"]);
    for (const out of [f(bools(P), bools(Q)), jf(bools(P), bools(Q))]) {
      expect(out.dtype).toBe("bool");
      expect(Array.from(out.dataSync(), Number)).toEqual(want);
    }
  });
  it("int32 chains wrap as int32 arithmetic does (|0, Math.imul) when fused", () => {
    const big = 2 ** 30;
    const f = (a: Tensor, b: Tensor) => np.subtract(np.multiply(np.add(a, b), b), a);
    const a = ints([big, 7, -3, 2 ** 31 - 1]);
    const b = ints([big, -2, 5, 1]);
    const want = [0, 1, 2, 3].map((i) => {
      const [x, y] = [a.dataSync()[i]!, b.dataSync()[i]!];
      return (Math.imul((x + y) | 0, y) - x) | 0;
    });
    expect(Array.from(jit(f)(a, b).dataSync())).toEqual(want);
    expect(Array.from(f(a, b).dataSync())).toEqual(want);
  });
});

describe("errors name the op", () => {
  it.each([
    ["sub", (a: Tensor, b: Tensor) => np.subtract(np.add(a, b), b)],
  ] as const)("%s on bool operands, eagerly and under jit", (name, f) => {
    const re = new RegExp(`^${name}: not defined for bool inputs`);
    expect(() => f(bools(P), bools(Q))).toThrow(re);
    expect(() => jit(f)(bools(P), bools(Q))).toThrow(re);
  });
  it("pow on bool operands computes in int32, as jnp.power (test/semantics has JAX's table)", () => {
    const f = (a: Tensor, b: Tensor) => np.power(np.add(a, b), b);
    for (const r of [f(bools(P), bools(Q)), jit(f)(bools(P), bools(Q))]) {
      expect([r.dtype, ...r.dataSync()]).toEqual(["int32", 1, 1, 1, 1]);
    }
  });
  it("where with branches that do not broadcast, or a predicate that does not", () => {
    const w = (p: Tensor, a: Tensor, b: Tensor) => np.where(p, a, b);
    expect(() => makeJaxpr(w)(bools([1, 0]), np.zeros([2]), np.zeros([3]))).toThrow(/^where: shapes \[2\] and \[3\]/);
    expect(() => makeJaxpr(w)(bools([1, 0]), np.zeros([3]), np.zeros([3]))).toThrow(/^where: shapes \[2\] and \[3\]/);
  });
});

describe("select's tangent", () => {
  it("is a symbolic zero when neither branch carries a tangent (no select in the tangent program)", () => {
    const g = (x: Tensor) => np.where(np.greater(x, 0), 1, 2);
    const cj = makeJaxpr((x: Tensor, t: Tensor) => jvp(g, [x], [t])[1])(np.array([1, -1]), np.array([1, 1]));
    expect(cj.jaxpr.eqns.map((e) => e.prim.name)).toEqual([]);
  });
  it("selects the branch tangents elementwise when one branch carries one", () => {
    const h = (x: Tensor) => np.where(np.greater(x, 0), x.mul(3), 2);
    const [, t] = jvp(h, [np.array([1, -1, 2])], [np.array([1, 1, -1])]) as Tensor[];
    expect(Array.from(t!.dataSync())).toEqual([3, 0, -3]);
  });
});
