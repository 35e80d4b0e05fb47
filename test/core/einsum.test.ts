// numpy.einsum in full: random specs (ellipses, repeated labels, size-1 broadcasting, implicit
// output, 1–4 operands) against the explicit sum-of-products loop written here, the sublist form
// against the string form, numpy's documented errors, and the transforms through the oracles.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { makeJaxpr, numpy as np, ShapeError, ValueError, type Tensor } from "../../src/index.js";
import { checkGrads, checkVmap, expectClose, toF64Array } from "../util/oracles.js";
import { checkJit } from "../util/jit-oracles.js";
import { rng, type Rng } from "../util/rng.js";

/** A generated einsum call: the spec, the operand shapes, and the same spec with "..." spelled out. */
interface Case {
  spec: string;
  shapes: number[][];
  /** terms and output with every ellipsis replaced by explicit labels (uppercase), or null output */
  terms: string[];
  out: string | null;
}

const LETTERS = "abcde";
const ELL_LABELS = "UVW"; // ellipsis axes, left to right

function genCase(r: Rng): Case {
  const nOps = r.int(1, 5);
  const size = new Map([...LETTERS].map((c) => [c, r.int(1, 4)]));
  const useEll = r.next() < 0.4;
  const ellShape = useEll ? Array.from({ length: r.int(0, 3) }, () => r.int(1, 4)) : [];
  const L = ellShape.length;
  const dim = (n: number) => (r.next() < 0.15 ? 1 : n); // size-1 axes broadcast
  const specTerms: string[] = [];
  const terms: string[] = [];
  const shapes: number[][] = [];
  for (let k = 0; k < nOps; k++) {
    const len = r.int(0, 4);
    const labels = Array.from({ length: len }, () => r.pick([...LETTERS]));
    // a repeated label takes a diagonal: its axes share one size (no broadcasting within an operand)
    const sz = labels.map((c, i) => (labels.indexOf(c) !== i || labels.lastIndexOf(c) !== i ? size.get(c)! : dim(size.get(c)!)));
    if (useEll && r.next() < 0.7) {
      const e = r.int(0, L + 1);
      const at = r.int(0, len + 1);
      const eLabels = ELL_LABELS.slice(L - e, L);
      const eSizes = ellShape.slice(L - e).map(dim);
      specTerms.push(labels.slice(0, at).join("") + "..." + labels.slice(at).join(""));
      terms.push(labels.slice(0, at).join("") + eLabels + labels.slice(at).join(""));
      shapes.push([...sz.slice(0, at), ...eSizes, ...sz.slice(at)]);
    } else {
      specTerms.push(labels.join(""));
      terms.push(labels.join(""));
      shapes.push(sz);
    }
  }
  const used = [...new Set(terms.join("").replace(/[UVW]/g, ""))];
  const hasEll = specTerms.some((t) => t.includes("..."));
  if (r.next() < 0.3) return { spec: specTerms.join(","), shapes, terms, out: null };
  const outLetters = used.filter(() => r.next() < 0.5).sort(() => r.next() - 0.5);
  // the explicit output's ellipsis stands for every ellipsis axis; leaving it out sums them (as JAX)
  const ellInOut = hasEll && r.next() < 0.8;
  const allUsedEll = ELL_LABELS.slice(0, L).split("").filter((c) => terms.join("").includes(c)).join("");
  const at = r.int(0, outLetters.length + 1);
  const outSpec = ellInOut ? outLetters.slice(0, at).join("") + "..." + outLetters.slice(at).join("") : outLetters.join("");
  const out = ellInOut ? outLetters.slice(0, at).join("") + allUsedEll + outLetters.slice(at).join("") : outLetters.join("");
  return { spec: `${specTerms.join(",")}->${outSpec}`, shapes, terms, out };
}

/** numpy's implicit output: the ellipsis axes, then the labels that appear once, sorted. */
function implicitOut(terms: string[]): string {
  const all = terms.join("");
  const ell = ELL_LABELS.split("").filter((c) => all.includes(c)).join("");
  const once = [...new Set(all)].filter((c) => !ELL_LABELS.includes(c) && all.split(c).length === 2).sort();
  return ell + once.join("");
}

/** out[o] = Σ over the other labels of Π_k x_k[its labels], size-1 axes read at 0 (broadcast). */
function einsumRef(terms: string[], out: string, data: Float64Array[], shapes: number[][]): { shape: number[]; data: Float64Array } {
  const size = new Map<string, number>();
  terms.forEach((t, k) => [...t].forEach((c, i) => size.set(c, Math.max(size.get(c) ?? 1, shapes[k]![i]!))));
  // an ellipsis axis absent from every operand still has size 1
  for (const c of ELL_LABELS) if (!size.has(c)) size.set(c, 1);
  const labels = [...size.keys()];
  const outShape = [...out].map((c) => size.get(c)!);
  const res = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const idx = new Map<string, number>();
  const rec = (d: number): void => {
    if (d === labels.length) {
      let p = 1;
      terms.forEach((t, k) => {
        let off = 0;
        [...t].forEach((c, i) => (off = off * shapes[k]![i]! + (shapes[k]![i] === 1 ? 0 : idx.get(c)!)));
        p *= data[k]![off]!;
      });
      let o = 0;
      for (const c of out) o = o * size.get(c)! + idx.get(c)!;
      res[o] = res[o]! + p;
      return;
    }
    for (let i = 0; i < size.get(labels[d]!)!; i++) {
      idx.set(labels[d]!, i);
      rec(d + 1);
    }
  };
  rec(0);
  return { shape: outShape, data: res };
}

const randomArray = (r: Rng, shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return np.array(Float64Array.from({ length: n }, () => r.int(-3, 4)), { dtype: "float64" }).reshape(shape);
};

describe("numpy.einsum", () => {
  it("equals the explicit sum-of-products loop for random specs (ellipses, repeats, broadcasting, implicit output)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const r = rng(seed);
        const c = genCase(r);
        const xs = c.shapes.map((s) => randomArray(r, s));
        const got = np.einsum(c.spec, ...xs);
        const out = c.out ?? implicitOut(c.terms);
        const want = einsumRef(c.terms, out, xs.map((x) => toF64Array(x)), c.shapes);
        expect([...got.shape], `${c.spec} on ${JSON.stringify(c.shapes)}`).toEqual(want.shape);
        expectClose(got, want.data, { rtol: 0, atol: 0, what: c.spec });
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it("the sublist form equals the string form", () => {
    const a = randomArray(rng(1), [2, 3]);
    const b = randomArray(rng(2), [3, 4]);
    const e = randomArray(rng(3), [5, 2, 3]);
    expectClose(np.einsum(a, [0, 1], b, [1, 2], [0, 2]), np.einsum("AB,BC->AC", a, b));
    expectClose(np.einsum(a, [27, 0], b, [0, 2]), np.einsum("bA,AC", a, b));
    expectClose(np.einsum(e, ["...", 0, 1], b, [1, 2]), np.einsum("...AB,BC", e, b));
    expect(np.einsum(e, ["...", 0, 1], b, [1, 2]).shape).toEqual([5, 2, 4]);
  });

  it("documented cases: trace, diagonal, iij->ij, broadcasting of size 1, int and bool dtypes", () => {
    const m = np.arange(9, { dtype: "float64" }).reshape([3, 3]);
    expect(np.einsum("ii", m).item()).toBe(12);
    expect(np.einsum("ii->i", m).toArray()).toEqual([0, 4, 8]);
    expect(np.einsum("iij->ij", np.arange(12, { dtype: "int32" }).reshape([2, 2, 3])).toArray()).toEqual([
      [0, 1, 2],
      [9, 10, 11],
    ]);
    expect(np.einsum("i,i", np.ones([1]), np.ones([3])).item()).toBe(3);
    expect(np.einsum("ij,ij->ij", np.ones([1, 3]), np.ones([2, 3])).shape).toEqual([2, 3]);
    expect(np.einsum("ij,jk", np.ones([2, 2], { dtype: "int32" }), np.ones([2, 2], { dtype: "int32" })).dtype).toBe("int32");
    const b = np.einsum("ij->i", np.array([[true, false], [false, false]]));
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([true, false]);
    expect(np.einsum("ij,->ij", np.ones([3, 2]), 2).toArray()).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(np.einsum("...", 3).item()).toBe(3);
    expect(np.einsum("ii", np.zeros([0, 0])).item()).toBe(0);
  });

  it("bad subscripts are typed errors naming numpy.einsum and the spec", () => {
    const x = np.ones([2, 3]);
    const bad: [() => unknown, typeof ValueError | typeof ShapeError, RegExp][] = [
      [() => np.einsum("ij->ii", np.ones([2, 2])), ValueError, /numpy\.einsum: the output of "ij->ii" names "i" more than once/],
      [() => np.einsum("ii->i", x), ShapeError, /numpy\.einsum: label "i" repeats .*\[2,3\]/],
      [() => np.einsum("ij,jk", x, x), ShapeError, /numpy\.einsum: label "j" of "ij,jk" has size 3 .* and 2/],
      [() => np.einsum("ijk", x), ShapeError, /numpy\.einsum: operand 0 has shape \[2,3\]/],
      [() => np.einsum("ij,jk", x), ValueError, /numpy\.einsum: "ij,jk" names 2 operands but 1 was given/],
      [() => np.einsum("i1", x), ValueError, /numpy\.einsum: "i1" contains "1"/],
      [() => np.einsum("ij->k", x), ValueError, /output label "k" of "ij->k" is in no input/],
      [() => np.einsum("i...j...", x), ValueError, /more than one "\.\.\."/],
      [() => np.einsum("ij->i->j", x), ValueError, /more than one "->"/],
      [() => np.einsum(x, [0, 99]), ValueError, /numpy\.einsum: the sublist of operand 0 holds number 99/],
      [() => np.einsum(x, "ij" as never), ValueError, /numpy\.einsum: in the sublist form/],
    ];
    for (const [f, type, msg] of bad) {
      expect(f).toThrow(type);
      expect(f).toThrow(msg);
    }
  });

  it("contracts 3+ operands in a greedy order (small intermediates first), one dot_general per pair", () => {
    // a[1000, 2] · b[2, 1000] · v[1000]: left to right makes a 1000×1000 intermediate; the greedy
    // path contracts b·v first. Values against the loop; the path through the printed IR.
    const r = rng(5);
    const a = randomArray(r, [30, 2]);
    const b = randomArray(r, [2, 30]);
    const v = randomArray(r, [30]);
    const want = einsumRef(["ij", "jk", "k"], "i", [a, b, v].map((t) => toF64Array(t)), [[30, 2], [2, 30], [30]]);
    expectClose(np.einsum("ij,jk,k->i", a, b, v), want.data, { rtol: 1e-12 });
    const f = (x: Tensor, y: Tensor, z: Tensor) => np.einsum("ij,jk,k->i", x, y, z);
    checkJit(f, [a, b, v]);
    const dots = makeJaxpr(f)(a, b, v).jaxpr.eqns.filter((e) => e.prim.name === "dot_general");
    expect(dots.map((e) => e.inputs.map((x) => [...x.aval.shape]))).toEqual([
      [[2, 30], [30]],
      [[30, 2], [2]],
    ]);
  });

  it("differentiates, batches and jits (checkGrads / checkVmap / checkJit)", () => {
    const r = rng(9);
    const specs: [string, number[][]][] = [
      ["ij,jk->ik", [[2, 3], [3, 2]]],
      ["ii->i", [[3, 3]]],
      ["ii", [[3, 3]]],
      ["iij->ji", [[2, 2, 3]]],
      ["...ij,...jk", [[2, 2, 3], [3, 2]]],
      ["ij,jk,kl->il", [[2, 3], [3, 2], [2, 2]]],
      ["i,i", [[1], [3]]],
    ];
    for (const [spec, shapes] of specs) {
      const xs = shapes.map((s) => np.array(Float64Array.from({ length: s.reduce((p, q) => p * q, 1) }, () => r.uniform(-1, 1)), { dtype: "float64" }).reshape(s));
      const f = (...ts: Tensor[]) => np.einsum(spec, ...ts);
      checkGrads(f, xs, { order: 2 });
      checkVmap(f, xs.map(() => 0), xs.map((x) => np.stack([x, np.multiply(x, 2)])));
      checkVmap(f, [-1, ...xs.slice(1).map(() => null)], [np.stack([xs[0]!, np.negative(xs[0]!)], -1), ...xs.slice(1)]);
      checkJit(f, xs);
    }
  });
});
