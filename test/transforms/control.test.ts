// lax control flow (cond, scan, forILoop, whileLoop): values and derivatives against closed
// forms and against the same computation unrolled into a plain JS loop (JS `if` on concrete
// values) and differentiated; vmap against loop-and-stack; jit against eager.
import { describe, expect, it } from "vitest";
import {
  DTypeError,
  customJvp,
  customVjp,
  ShapeError,
  Tensor,
  TreeError,
  ValueError,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jvp,
  lax,
  linearize,
  makeJaxpr,
  numpy as np,
  vmap,
} from "../../src/index.js";
import { checkGrads, checkVmap, expectClose } from "../util/oracles.js";
import { checkJit, primNames } from "../util/jit-oracles.js";
import { backend } from "../../src/core/backend/index.js";

const f64 = (x: number | number[] | number[][]) => np.array(x, { dtype: "float64" });
const i32 = (x: number | number[]) => np.array(x, { dtype: "int32" });
const TIGHT = { rtol: 1e-12, atol: 1e-12 };
/** The names of every primitive in a jaxpr, sub-jaxprs of control flow included. */
const allPrims = (f: (...a: any[]) => unknown, ...args: unknown[]) => {
  const text = makeJaxpr(f)(...args).toString();
  return [...text.matchAll(/= ([a-z_]+)/g)].map((m) => m[1]!);
};

// ================================================================== cond

describe("lax.cond", () => {
  // f(x) = Σ sin x if Σx > 0 else Σ x²
  const f = (x: Tensor) => lax.cond(x.sum().greater(0), (a: Tensor) => np.sin(a).sum(), (a: Tensor) => a.mul(a).sum(), x);
  // the same computation with a JS `if` on the concrete predicate
  const unrolled = (x: Tensor) => (x.sum().item() > 0 ? np.sin(x).sum() : x.mul(x).sum());
  const xp = f64([0.5, -1, 2]);
  const xn = f64([-0.5, 1, -2]);

  it("takes the branch the predicate selects (bool tensor, JS boolean, number)", () => {
    expectClose(f(xp), Math.sin(0.5) + Math.sin(-1) + Math.sin(2), TIGHT);
    expectClose(f(xn), 0.25 + 1 + 4, TIGHT);
    const add1 = (a: Tensor) => a.add(1);
    const sub1 = (a: Tensor) => a.sub(1);
    expectClose(lax.cond(true, add1, sub1, f64(5)), 6);
    expectClose(lax.cond(false, add1, sub1, f64(5)), 4);
    expectClose(lax.cond(0, add1, sub1, f64(5)), 4);
    expectClose(lax.cond(i32(3), add1, sub1, f64(5)), 6);
    expectClose(lax.cond(np.array(false), () => f64(1), () => f64(2)), 2);
  });

  it("pytree operands and outputs", () => {
    const g = (p: boolean) =>
      lax.cond(p, (o: { a: Tensor; b: Tensor[] }) => ({ s: o.a.add(o.b[0]!), t: [o.b[1]!.mul(2)] }), (o: { a: Tensor; b: Tensor[] }) => ({ s: o.a.sub(o.b[0]!), t: [o.b[1]!] }), {
        a: f64(3),
        b: [f64(1), f64([1, 2])],
      }) as { s: Tensor; t: Tensor[] };
    const r = g(true);
    expectClose(r.s, 4);
    expectClose(r.t[0]!, [2, 4]);
    expectClose(g(false).s, 2);
  });

  it("grad in each branch: closed forms and the JS `if` differentiated", () => {
    expectClose(grad(f)(xp), [Math.cos(0.5), Math.cos(-1), Math.cos(2)], TIGHT);
    expectClose(grad(f)(xn), [-1, 2, -4], TIGHT);
    expectClose(grad(f)(xp), grad(unrolled)(xp), TIGHT);
    expectClose(grad(f)(xn), grad(unrolled)(xn), TIGHT);
    checkGrads(f, [xp], { order: 2 });
    checkGrads(f, [xn], { order: 2 });
    expectClose(hessian(f)(xp), np.diag(np.sin(xp).neg()), TIGHT);
    expectClose(jacrev(f)(xn), jacfwd(f)(xn), TIGHT);
  });

  it("grad flows into values the branches capture from outside (closure over a traced value)", () => {
    // h(w) = w·3 if w > 0 else w²·4
    const h = (w: Tensor) => (lax.cond(w.greater(0), (o: { a: Tensor; b: Tensor }) => ({ s: o.a.mul(w) }), (o: { a: Tensor; b: Tensor }) => ({ s: o.b.mul(w).mul(w) }), { a: f64(3), b: f64(4) }) as { s: Tensor }).s;
    expectClose(grad(h)(f64(2)), 3, TIGHT);
    expectClose(grad(h)(f64(-2)), -16, TIGHT);
    checkGrads(h, [f64(-1.5)], { order: 2 });
  });

  it("branches with different output shapes, dtypes or structures throw; so does a non-scalar predicate", () => {
    const x = f64([1, 2, 3]);
    expect(() => lax.cond(true, (a: Tensor) => a, (a: Tensor) => a.sum(), x)).toThrow(ShapeError);
    expect(() => lax.cond(true, (a: Tensor) => a, (a: Tensor) => a.sum(), x)).toThrow(/float64\[3\].*float64\[\]/);
    expect(() => lax.cond(true, (a: Tensor) => a, (a: Tensor) => a.astype("float32"), x)).toThrow(DTypeError);
    expect(() => lax.cond(true, (a: Tensor) => [a], (a: Tensor) => a, x)).toThrow(TreeError);
    expect(() => lax.cond(np.array([true, false]), (a: Tensor) => a, (a: Tensor) => a, x)).toThrow(ShapeError);
  });

  it("vmap with an unbatched predicate stays a cond", () => {
    const g = (a: Tensor, p: Tensor) => lax.cond(p, (u: Tensor) => u.mul(2), (u: Tensor) => u.neg(), a);
    const xs = f64([[1, 2], [3, 4], [5, 6]]);
    checkVmap(g, [0, null], [xs, np.array(true)]);
    checkVmap(g, [0, null], [xs, np.array(false)]);
    expect(primNames(makeJaxpr(vmap(g, [0, null]))(xs, np.array(true)))).toEqual(["cond"]);
  });

  it("vmap with a batched predicate becomes a select over both branches", () => {
    const xs = f64([[1, 2], [-1, -2], [3, -5]]);
    checkVmap(f, 0, [xs], TIGHT);
    expectClose(vmap(f)(xs), [Math.sin(1) + Math.sin(2), 5, 34], TIGHT);
    const names = allPrims(vmap(f), xs);
    expect(names).toContain("select");
    expect(names).not.toContain("cond");
    // per-example gradients through the select
    checkVmap(grad(f), 0, [xs], TIGHT);
    // a predicate batched along another axis
    checkVmap(f, 1, [f64([[1, -1, 3], [2, -2, -5]])], TIGHT);
  });

  it("jit: equals eager bit for bit in both branches; a traced predicate stays a cond", () => {
    for (const x of [xp, xn, xp.astype("float32"), xn.astype("float32")]) checkJit(f, [x]);
    expect(makeJaxpr(f)(xp).toString()).toMatchInlineSnapshot(`
      "{ lambda a:f64[3] . let
          b:f64[] = reduce_sum[axes=(0,)] a
          c:bool[] = gt b 0.0:f64[]
          d:f64[] = cond c a
            branches[0]=
              { lambda e:f64[3] . let
                  f:f64[3] = mul e e
                  g:f64[] = reduce_sum[axes=(0,)] f
                in (g) }
            branches[1]=
              { lambda h:f64[3] . let
                  i:f64[3] = sin h
                  j:f64[] = reduce_sum[axes=(0,)] i
                in (j) }
        in (d) }"
    `);
    expectClose(grad(jit(f))(xp), grad(unrolled)(xp), TIGHT);
    expectClose(grad(jit(f))(xn), grad(unrolled)(xn), TIGHT);
    checkJit(grad(f), [xn]);
    // a concrete predicate inside jit is still staged (one program for both values)
    let traces = 0;
    const g = jit((x: Tensor, p: Tensor) => {
      traces++;
      return lax.cond(p, (u: Tensor) => u.add(1), (u: Tensor) => u.sub(1), x);
    });
    expectClose(g(f64(5), np.array(true)), 6);
    expectClose(g(f64(5), np.array(false)), 4);
    expect(traces).toBe(1);
  });
});

// ================================================================== scan

/** lax.scan written as a JS loop over tapir ops (xs sliced with index), ys stacked. */
function unrolledScan(fn: (c: any, x: any) => [any, Tensor], init: unknown, xs: Tensor, reverse = false): [any, Tensor] {
  const n = xs.shape[0]!;
  let c = init;
  const ys: Tensor[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = reverse ? n - 1 - k : k;
    const [c2, y] = fn(c, xs.index(i));
    c = c2;
    ys[i] = y;
  }
  return [c, np.stack(ys)];
}

describe("lax.scan", () => {
  // c ← c·x + 1, y = sin c
  const body = (c: Tensor, x: Tensor): [Tensor, Tensor] => [c.mul(x).add(1), np.sin(c)];
  const xs = f64([0.5, -1, 2, 0.75]);
  const loss = (x: Tensor) => {
    const [c, ys] = lax.scan(body, f64(1), x);
    return c.add(ys.sum());
  };
  const lossUnrolled = (x: Tensor) => {
    const [c, ys] = unrolledScan(body, f64(1), x);
    return (c as Tensor).add(ys.sum());
  };

  it("values: cumulative sum and product against closed forms", () => {
    const [s, partial] = lax.scan((c: Tensor, x: Tensor) => [c.add(x), c.add(x)], f64(0), f64([1, 2, 3, 4]));
    expectClose(s, 10);
    expectClose(partial, [1, 3, 6, 10]);
    const [p, before] = lax.scan((c: Tensor, x: Tensor) => [c.mul(x), c], f64(1), f64([2, 3, 4]));
    expectClose(p, 24);
    expectClose(before, [1, 2, 6]);
  });

  it("equals the unrolled JS loop (carry and stacked ys)", () => {
    const [c, ys] = lax.scan(body, f64(1), xs);
    const [cu, ysu] = unrolledScan(body, f64(1), xs);
    expectClose(c, cu, TIGHT);
    expectClose(ys, ysu, TIGHT);
  });

  it("length without xs, and length 0", () => {
    const [c, ys] = lax.scan((k: Tensor) => [k.mul(2), k], f64(1), null, { length: 5 });
    expectClose(c, 32);
    expectClose(ys, [1, 2, 4, 8, 16]);
    const [c0, ys0] = lax.scan((k: Tensor, x: Tensor) => [k.add(x), x.mul(2)], f64([7, 8]), np.zeros([0, 2], { dtype: "float64" }));
    expectClose(c0, [7, 8]);
    expect(ys0.shape).toEqual([0, 2]);
    expect(() => lax.scan((k: Tensor) => [k, k], f64(1), null)).toThrow(ValueError);
  });

  it("a length-0 scan (or empty forILoop) inside jit hands back its init without freeing it twice", () => {
    const f = (x: Tensor) => (lax.scan((c: Tensor, xi: Tensor) => [c.add(xi), c], x.mul(2), np.zeros([0]))[0] as Tensor).add(1);
    checkJit(f, [np.array(3)]);
    const g = (x: Tensor) => (lax.forILoop(0, 0, (_i: Tensor, c: Tensor) => c.mul(2), x.mul(2)) as Tensor).add(1);
    checkJit(g, [np.array(3)]);
    expectClose(jit(g)(np.array(3)), 7);
  });

  it("reverse: iterates from the end, ys stay in xs order", () => {
    const [c, ys] = lax.scan((k: Tensor, x: Tensor) => [k.add(x), k], f64(0), f64([1, 2, 3]), { reverse: true });
    expectClose(c, 6);
    expectClose(ys, [5, 3, 0]);
    const [cu, ysu] = unrolledScan(body, f64(1), xs, true);
    const [cr, ysr] = lax.scan(body, f64(1), xs, { reverse: true });
    expectClose(cr, cu, TIGHT);
    expectClose(ysr, ysu, TIGHT);
  });

  it("pytree carry, xs and ys", () => {
    type C = { a: Tensor; b: Tensor };
    const fn = (c: C, x: [Tensor, Tensor]): [C, [Tensor, { s: Tensor }]] => [{ a: c.a.add(x[0]), b: c.b.mul(x[1]) }, [c.a, { s: c.b.add(x[0]) }]];
    const [c, [ya, { s }]] = lax.scan(fn, { a: f64(0), b: f64(1) }, [f64([1, 2, 3]), f64([2, 2, 2])]) as [C, [Tensor, { s: Tensor }]];
    expectClose(c.a, 6);
    expectClose(c.b, 8);
    expectClose(ya, [0, 1, 3]);
    expectClose(s, [2, 4, 7]);
  });

  it("grad against the unrolled loop differentiated, and finite differences to order 2", () => {
    expectClose(grad(loss)(xs), grad(lossUnrolled)(xs), TIGHT);
    checkGrads(loss, [xs], { order: 2 });
    // reverse scans too
    const lossR = (x: Tensor) => lax.scan(body, f64(1), x, { reverse: true })[0] as Tensor;
    expectClose(grad(lossR)(xs), grad((x: Tensor) => unrolledScan(body, f64(1), x, true)[0] as Tensor)(xs), TIGHT);
  });

  it("grad with respect to the init, a captured constant, and a pytree carry with an int counter", () => {
    // c ← c²/2 three times: c₃ = c₀⁸/2⁷, dc₃/dc₀ = 8c₀⁷/2⁷
    const sq = (c0: Tensor) => lax.scan((c: Tensor) => [c.mul(c).mul(0.5), null], c0, null, { length: 3 })[0] as Tensor;
    expectClose(grad(sq)(f64(1.5)), (8 * 1.5 ** 7) / 128, TIGHT);
    // c ← c·w + x: c₃ = w³ + x₀w² + x₁w + x₂, dc₃/dw = 3w² + 2x₀w + x₁
    const poly = (w: Tensor, x: Tensor) => lax.scan((c: Tensor, xi: Tensor) => [c.mul(w).add(xi), c], f64(1), x)[0] as Tensor;
    const x3 = f64([0.5, -1, 2]);
    expectClose(grad(poly)(f64(0.7), x3), 3 * 0.49 + 2 * 0.7 * 0.5 - 1, TIGHT);
    checkGrads(poly, [f64(0.7), x3], { order: 2 });
    // an int32 step counter in the carry: c ← c·x + i
    const counted = (x: Tensor) =>
      (lax.scan(([i, c]: [Tensor, Tensor], xi: Tensor) => [[i.add(1), c.mul(xi).add(i.astype("float64"))], c], [i32(0), f64(1)], x)[0] as [Tensor, Tensor])[1];
    const countedUnrolled = (x: Tensor) => {
      let c = f64(1);
      for (let i = 0; i < x.shape[0]!; i++) c = c.mul(x.index(i)).add(i);
      return c;
    };
    expectClose(counted(x3), countedUnrolled(x3), TIGHT);
    expectClose(grad(counted)(x3), grad(countedUnrolled)(x3), TIGHT);
  });

  it("hessian through scan: closed form and the unrolled loop", () => {
    const poly = (w: Tensor) => lax.scan((c: Tensor, xi: Tensor) => [c.mul(w).add(xi), c], f64(1), f64([0.5, -1, 2]))[0] as Tensor;
    expectClose(hessian(poly)(f64(0.7)), 6 * 0.7 + 2 * 0.5, TIGHT);
    expectClose(hessian(loss)(xs), hessian(lossUnrolled)(xs), TIGHT);
    expectClose(hessian(jit(loss))(xs), hessian(lossUnrolled)(xs), TIGHT);
  });

  it("vmap against loop-and-stack: batched xs, batched init, both, and another axis", () => {
    const run = (c0: Tensor, x: Tensor) => lax.scan(body, c0, x);
    const X = f64([[0.5, -1, 2], [1, 1.5, -0.5]]);
    checkVmap(run, [null, 0], [f64(1), X], TIGHT);
    checkVmap(run, [0, null], [f64([1, 2, -1]), f64([0.5, -1, 2])], TIGHT);
    checkVmap(run, [0, 0], [f64([1, 2]), X], TIGHT);
    checkVmap(run, [null, 1], [f64(1), X.T], TIGHT);
    // per-example gradients
    checkVmap(grad(loss), 0, [X], TIGHT);
  });

  it("jit: bit for bit equal to eager; grad of jit; jit of grad; jit(vmap(grad))", () => {
    checkJit((x: Tensor) => lax.scan(body, f64(1), x), [xs]);
    checkJit((x: Tensor) => lax.scan(body, np.array(1), x, { reverse: true }), [xs.astype("float32")]);
    expectClose(grad(jit(loss))(xs), grad(lossUnrolled)(xs), TIGHT);
    checkJit(grad(loss), [xs]);
    checkJit(vmap(grad(loss)), [f64([[0.5, -1, 2], [1, 1, 1]])]);
    expect(makeJaxpr((x: Tensor) => lax.scan(body, f64(1), x))(f64([1, 2])).toString()).toMatchInlineSnapshot(`
      "{ lambda a:f64[2] . let
          b:f64[] c:f64[2] = scan[nConsts=0 nCarry=1 length=2 reverse=false] 1.0:f64[] a
            body=
              { lambda d:f64[] e:f64[] . let
                  f:f64[] = mul d e
                  g:f64[] = add f 1.0:f64[]
                  h:f64[] = sin d
                in (g, h) }
        in (b, c) }"
    `);
  });

  it("errors: carry that changes shape or dtype, xs of different lengths, a scalar xs, a length that is not a count", () => {
    expect(() => lax.scan((c: Tensor, x: Tensor) => [c.add(x), x], f64(0), f64([[1, 2]]))).toThrow(ShapeError);
    expect(() => lax.scan((c: Tensor, x: Tensor) => [c.astype("float32"), x], f64(0), f64([1, 2]))).toThrow(DTypeError);
    expect(() => lax.scan((c: Tensor, x: Tensor[]) => [c, x[0]], f64(0), [f64([1, 2]), f64([1, 2, 3])])).toThrow(ShapeError);
    // a length that is not a count of steps: named, not run as 0 or 2 steps
    for (const length of [NaN, 2.5, -3, Infinity]) {
      expect(() => lax.scan((c: Tensor) => [c, null], f64(0), null, { length })).toThrow(ValueError);
      expect(() => lax.scan((c: Tensor) => [c, null], f64(0), null, { length })).toThrow(/lax\.scan: length must be a non-negative integer; got/);
    }
    expect(() => lax.scan((c: Tensor, x: Tensor) => [c, x], f64(0), f64(1))).toThrow(ShapeError);
    expect(() => lax.scan((c: Tensor, x: Tensor) => [[c], x], f64(0), f64([1, 2]))).toThrow(TreeError);
  });
});

// ================================================================== forILoop

describe("lax.forILoop", () => {
  const sumSquares = (lo: number, hi: number) => lax.forILoop(lo, hi, (i: Tensor, c: Tensor) => c.add(i.astype("float64").mul(i.astype("float64"))), f64(0)) as Tensor;

  it("static bounds: values, an int32 scalar index, and an empty range", () => {
    expectClose(sumSquares(2, 7), 4 + 9 + 16 + 25 + 36);
    expectClose(sumSquares(3, 3), 0);
    expectClose(sumSquares(5, 2), 0);
    const seen: string[] = [];
    lax.forILoop(0, 2, (i: Tensor, c: Tensor) => (seen.push(`${i.dtype}${JSON.stringify(i.shape)}`), c), f64(0));
    expect(seen[0]).toBe("int32[]");
  });

  it("static bounds stage a scan; grad against the closed form and the unrolled loop", () => {
    // c ← c·x + i for i in [0, 3), c₀ = x: c₃ = x⁴ + x + 2 ... derivative against the JS loop
    const g = (x: Tensor) => lax.forILoop(0, 3, (i: Tensor, c: Tensor) => c.mul(x).add(i.astype("float64")), x) as Tensor;
    const gu = (x: Tensor) => {
      let c = x;
      for (let i = 0; i < 3; i++) c = c.mul(x).add(i);
      return c;
    };
    // c = x·x + 0 = x²; x³ + 1; x⁴ + x + 2
    expectClose(g(f64(2)), 16 + 2 + 2);
    expectClose(grad(g)(f64(2)), 4 * 8 + 1, TIGHT);
    expectClose(grad(g)(f64(-1.3)), grad(gu)(f64(-1.3)), TIGHT);
    checkGrads(g, [f64(0.8)], { order: 2 });
    expect(primNames(makeJaxpr(g)(f64(2)))).toContain("scan");
  });

  it("traced bounds (inside jit) run as a while loop: values, jvp; grad throws the while error", () => {
    const pow = jit((n: Tensor, x: Tensor) => lax.forILoop(0, n, (_i: Tensor, c: Tensor) => c.mul(x), f64(1)) as Tensor);
    expectClose(pow(i32(5), f64(2)), 32);
    expectClose(pow(i32(0), f64(2)), 1);
    expect(allPrims((n: Tensor, x: Tensor) => lax.forILoop(0, n, (_i: Tensor, c: Tensor) => c.mul(x), f64(1)), i32(3), f64(2))).toContain("while");
    const [, t] = jvp((x: Tensor) => pow(i32(3), x), [f64(2)], [f64(1)]);
    expectClose(t, 12, TIGHT);
    expect(() => grad((x: Tensor) => pow(i32(3), x))(f64(2))).toThrow(/whileLoop/);
  });

  it("vmap: batched carry with static bounds, and per-example upper bounds", () => {
    const cube = (x: Tensor) => lax.forILoop(0, 3, (_i: Tensor, c: Tensor) => c.mul(x), f64(1)) as Tensor;
    checkVmap(cube, 0, [f64([1, 2, 3])], TIGHT);
    const tri = (n: Tensor) => lax.forILoop(0, n, (i: Tensor, c: Tensor) => c.add(i.astype("float64")), f64(0)) as Tensor;
    expectClose(vmap(tri)(i32([0, 3, 5])), [0, 3, 10]);
    checkVmap(tri, 0, [i32([0, 3, 5, 1])]);
  });

  it("jit equals eager bit for bit", () => {
    checkJit((x: Tensor) => lax.forILoop(1, 4, (i: Tensor, c: Tensor) => np.sin(c).mul(i.astype("float32")).add(x), x), [np.array([0.3, -0.7])]);
  });
});

// ================================================================== whileLoop

describe("lax.whileLoop", () => {
  // doubles until the sum reaches 100
  const dbl = (x: Tensor) => lax.whileLoop((c: Tensor) => c.sum().less(100), (c: Tensor) => c.mul(2), x) as Tensor;
  const dblUnrolled = (x: Tensor) => {
    let c = x;
    while (c.sum().item() < 100) c = c.mul(2);
    return c;
  };
  // x³ by a counted loop: [i, c] ← [i + 1, c·x] while i < 3
  const cube = (x: Tensor) => (lax.whileLoop(([i]: Tensor[]) => i!.less(3), ([i, c]: Tensor[]) => [i!.add(1), c!.mul(x)], [i32(0), f64(1)]) as Tensor[])[1]!;

  it("values against the JS loop, pytree carry with an int counter, zero trips", () => {
    expectClose(dbl(f64([1, 2])), [64, 128]);
    expectClose(dbl(f64([3, 5])), dblUnrolled(f64([3, 5])));
    expectClose(dbl(f64([300, 1])), [300, 1]);
    expectClose(cube(f64(1.5)), 1.5 ** 3, TIGHT);
    const [i, c] = lax.whileLoop(([k]: Tensor[]) => k!.less(5), ([k, v]: Tensor[]) => [k!.add(1), v!.mul(2)], [i32(0), np.array(1)]) as Tensor[];
    expect(i!.dtype).toBe("int32");
    expectClose(i!, 5);
    expectClose(c!, 32);
  });

  it("jvp and jacfwd: closed forms and finite differences", () => {
    const [y, t] = jvp(cube, [f64(2)], [f64(1)]);
    expectClose(y, 8, TIGHT);
    expectClose(t, 12, TIGHT);
    expectClose(jvp(dbl, [f64([1, 2])], [f64([1, 0])])[1], [64, 0], TIGHT);
    expectClose(jacfwd(dbl)(f64([1, 2])), [[64, 0], [0, 64]], TIGHT);
    checkGrads(cube, [f64(0.9)], { modes: ["fwd"] });
    expectClose(linearize(cube, [f64(2)])[1](f64(1)), 12, TIGHT);
  });

  it("reverse mode throws a clear error pointing to scan / forILoop", () => {
    for (const g of [grad(cube), grad(jit(cube)), jacrev(cube)]) {
      let e: unknown;
      try {
        g(f64(2));
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(ValueError);
      expect((e as Error).message).toMatch(/whileLoop/);
      expect((e as Error).message).toMatch(/lax\.scan/);
      expect((e as Error).message).toMatch(/forILoop/);
    }
  });

  it("vmap with per-example trip counts equals loop-and-stack", () => {
    const X = f64([[1, 2], [30, 40], [200, 1], [0.5, 0.25]]);
    checkVmap(dbl, 0, [X]);
    expectClose(vmap(dbl)(X), [[64, 128], [60, 80], [200, 1], [128, 64]]);
    // batched loop constant in the condition
    const upTo = (lim: Tensor) => lax.whileLoop((c: Tensor) => c.less(lim), (c: Tensor) => c.mul(2), f64(1)) as Tensor;
    checkVmap(upTo, 0, [f64([1, 5, 100, 0.5])]);
    // per-example jvp
    checkVmap((x: Tensor) => jvp(dbl, [x], [np.onesLike(x)])[1], 0, [X]);
  });

  it("jit: equals eager bit for bit; composes with vmap and jvp; a whileLoop inside cond and scan", () => {
    checkJit(dbl, [np.array([1.5, 2.5])]);
    checkJit(cube, [f64(1.7)]);
    const upTo = (lim: Tensor) => lax.whileLoop((c: Tensor) => c.less(lim), (c: Tensor) => c.mul(2), f64(1)) as Tensor;
    checkJit(upTo, [f64(5)]);
    checkVmap(jit(upTo), 0, [f64([1, 5, 100])]);
    expectClose(jvp(jit(cube), [f64(2)], [f64(1)])[1], 12, TIGHT);
    expectClose(lax.cond(true, upTo, (x: Tensor) => x, f64(5)), 8);
    const [c, ys] = lax.scan((k: Tensor, x: Tensor) => [k.add(upTo(x)), k], f64(0), f64([3, 9]));
    expectClose(c, 4 + 16);
    expectClose(ys, [0, 4]);
  });

  it("errors: a non-scalar condition, a body that changes the carry", () => {
    expect(() => lax.whileLoop((c: Tensor) => c.less(3), (c: Tensor) => c.mul(2), f64([1, 2]))).toThrow(ShapeError);
    expect(() => lax.whileLoop((c: Tensor) => c.sum().less(3), (c: Tensor) => c.sum(), f64([1, 2]))).toThrow(ShapeError);
    expect(() => lax.whileLoop((c: Tensor) => c.less(3), (c: Tensor) => c.astype("float32"), f64(1))).toThrow(DTypeError);
    expect(() => lax.whileLoop((c: Tensor[]) => c[0]!.less(3), (c: Tensor[]) => c[0], [f64(1)])).toThrow(TreeError);
  });
});

// ================================================================== custom rules in bodies

describe("custom derivative rules inside control-flow bodies", () => {
  // x² with its cotangent clipped to [-1, 1]; log with a tangent rule of 100·t
  const clipped = customVjp(
    (x: Tensor) => x.mul(x),
    (x: Tensor) => [x.mul(x), [x]],
    ([x]: Tensor[], ct: Tensor) => [np.clip(ct.mul(x!).mul(2), -1, 1)],
  );
  const loud = customJvp((x: Tensor) => np.log(x), ([x]: Tensor[], [t]: Tensor[]) => [np.log(x!), t!.mul(100)]);
  const x = f64([0.1, 3]);

  it("customVjp keeps its bwd in scan, cond, vmap(jit) and vmap(scan) under grad", () => {
    const want = [0.2, 1];
    expectClose(grad((u: Tensor) => clipped(u).sum())(x), want, TIGHT);
    expectClose(grad((u: Tensor) => lax.scan((c: Tensor, xi: Tensor) => [c.add(clipped(xi)), null], f64(0), u)[0] as Tensor)(x), want, TIGHT);
    expectClose(grad((u: Tensor) => lax.cond(true, (a: Tensor) => clipped(a).sum(), (a: Tensor) => a.sum(), u) as Tensor)(x), want, TIGHT);
    expectClose(grad((u: Tensor) => vmap(jit((a: Tensor) => clipped(a)))(u).sum())(x), want, TIGHT);
    expectClose(grad((u: Tensor) => vmap((r: Tensor) => lax.scan((c: Tensor, xi: Tensor) => [c.add(clipped(xi)), null], f64(0), r)[0])(u).sum())(x.reshape([1, 2])), [want], TIGHT);
  });

  it("customJvp keeps its rule in a scan body (forward and reverse)", () => {
    const g = (u: Tensor) => lax.scan((c: Tensor, xi: Tensor) => [c.add(loud(xi)), null], f64(0), u)[0] as Tensor;
    expectClose(grad(g)(f64([1, 2])), [100, 100], TIGHT);
    expectClose(jvp(g, [f64([1, 2])], [f64([1, 1])])[1], 200, TIGHT);
  });
});

// ================================================================== memory

describe("control flow inside a jitted step", () => {
  it("scan, whileLoop, cond and grad of scan allocate no new large buffers after warm-up", () => {
    const W = np.full([48, 48], 0.01);
    const xs = np.full([6, 48, 48], 0.5);
    const cell = (h: Tensor, x: Tensor) => np.tanh(h.matmul(W).add(x));
    const steps: [string, (h: Tensor) => Tensor][] = [
      ["scan", jit((h: Tensor) => lax.scan((c: Tensor, x: Tensor) => [cell(c, x), c.sum()], h, xs)[0] as Tensor)],
      ["whileLoop", jit((h: Tensor) => (lax.whileLoop((c: Tensor[]) => c[0]!.less(4), (c: Tensor[]) => [c[0]!.add(1), np.tanh(c[1]!.matmul(W))], [i32(0), h]) as Tensor[])[1]!)],
      ["cond", jit((h: Tensor) => lax.cond(h.sum().greater(0), (a: Tensor) => np.tanh(a.matmul(W)), (a: Tensor) => a.mul(2), h) as Tensor)],
      ["grad of scan", jit(grad((h: Tensor) => (lax.scan((c: Tensor, x: Tensor) => [cell(c, x), null], h, xs)[0] as Tensor).sum()))],
    ];
    for (const [name, step] of steps) {
      let h = np.full([48, 48], 0.1);
      const advance = (n: number) => {
        for (let i = 0; i < n; i++) {
          const next = step(h);
          h.dispose();
          h = next;
        }
      };
      advance(3);
      const before = backend().arenaStats().created;
      advance(10);
      expect(backend().arenaStats().created - before, `${name}: new buffers over 10 steps`).toBe(0);
    }
  });
});
