// dot_general: contraction with batch dimensions, the one bilinear primitive. Output axes are
// (batch…, lhs free…, rhs free…) as in XLA; the kernel is a batched GEMM over packed layouts.
import { defBilinear, type Prim } from "../primitive.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { backend, type FloatArray } from "../backend/index.js";
import { fmtShape, invertPerm } from "../shape.js";
import { emptyTensor, shareStorage, type Tensor } from "../tensor.js";
import { mapKernel } from "./util.js";
import { isSmallMatmul, smallMatmul } from "../backend/small-matmul.js";
import { bind1, type Aval } from "../trace.js";
import { moveaxis, transpose } from "../lax.js";

export type DotParams = { contract: [number[], number[]]; batch: [number[], number[]] };

/** The axes of an ndim-array in neither c nor b, increasing (plain loops: eager matmuls call this per op). */
function free(ndim: number, c: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) if (c.indexOf(i) < 0 && b.indexOf(i) < 0) out.push(i);
  return out;
}

function dotShape(l: Aval, r: Aval, { contract: [lc, rc], batch: [lb, rb] }: DotParams): number[] {
  if (l.dtype !== r.dtype) throw fail(DTypeError, `dot_general: operand dtypes differ (${l.dtype} and ${r.dtype}); convert one with astype.`);
  for (let i = 0; i < lc.length; i++) {
    const a = lc[i]!;
    if (l.shape[a] !== r.shape[rc[i]!]) {
      throw fail(ShapeError, `dot_general: contracting dimensions do not match: ${fmtShape(l.shape)} axis ${a} has ${l.shape[a]}, ${fmtShape(r.shape)} axis ${rc[i]} has ${r.shape[rc[i]!]}. The contracted axes must have equal sizes.`);
    }
  }
  for (let i = 0; i < lb.length; i++) {
    const a = lb[i]!;
    if (l.shape[a] !== r.shape[rb[i]!]) throw fail(ShapeError, `dot_general: batch dimensions do not match: ${fmtShape(l.shape)} axis ${a} has ${l.shape[a]}, ${fmtShape(r.shape)} axis ${rb[i]} has ${r.shape[rb[i]!]}. Batch axes must have equal sizes.`);
  }
  const out: number[] = [];
  for (const a of lb) out.push(l.shape[a]!);
  for (const a of free(l.shape.length, lc, lb)) out.push(l.shape[a]!);
  for (const a of free(r.shape.length, rc, rb)) out.push(r.shape[a]!);
  return out;
}

/** A dot_general's GEMM layout when neither operand needs a transposed copy (else null). */
export interface DotLayout {
  shape: number[];
  batch: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

/** The layout dotImpl would use for operands of these avals, when it needs no copies (step programs precompute it once per loop). */
export function dotLayout(l: Aval, r: Aval, params: DotParams): DotLayout | null {
  const p = dotPlan(l, r, params);
  return p.lPerm === null && p.rPerm === null ? { shape: p.shape, batch: p.B, m: p.M, k: p.K, n: p.N, transA: p.transA, transB: p.transB } : null;
}

/**
 * Exact integer contraction over the packed layouts (A [B,M,K] or its transpose [B,K,M], B
 * [B,K,N] or [B,N,K]): int32 sums of products wrap modulo 2³², as XLA's integer dot; bool
 * contracts as "any of a∧b", as JAX's bool matmul. The GEMM is float, so ints take this loop.
 */
function intDot(a: ArrayLike<number>, transA: boolean, b: ArrayLike<number>, transB: boolean, nb: number, m: number, k: number, n: number, out: { [i: number]: number }, isBool: boolean): void {
  for (let p = 0; p < nb; p++) {
    const ao = p * m * k;
    const bo = p * k * n;
    const oo = p * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) {
          const x = a[ao + (transA ? q * m + i : i * k + q)]!;
          const y = b[bo + (transB ? j * k + q : q * n + j)]!;
          acc = isBool ? acc | (x & y) : (acc + Math.imul(x, y)) | 0;
        }
        out[oo + i * n + j] = acc;
      }
    }
  }
}

/**
 * What dotImpl needs: the output shape, the GEMM sizes, and per operand either its layout flag or
 * the permutation of the transposed copy it needs. Plain loops and no cache: eager code makes a
 * params object per call, so a cache keyed by it only adds work; this costs ~0.1 µs.
 */
export interface DotPlan {
  shape: number[];
  B: number;
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  /** the transposed copy an operand needs first, or null when its own layout serves */
  lPerm: number[] | null;
  rPerm: number[] | null;
}

/** Whether x ++ y ++ z is 0, 1, 2, …. */
function inOrder(x: readonly number[], y: readonly number[], z: readonly number[]): boolean {
  let i = 0;
  for (const a of x) if (a !== i++) return false;
  for (const a of y) if (a !== i++) return false;
  for (const a of z) if (a !== i++) return false;
  return true;
}

const sizeAt = (shape: readonly number[], axes: readonly number[]): number => {
  let n = 1;
  for (const a of axes) n *= shape[a]!;
  return n;
};

/** As asMatrix: [flag transposed?, perm of a copy or null]. */
function matrixLayout(bAxes: number[], first: number[], second: number[]): [boolean, number[] | null] {
  if (inOrder(bAxes, first, second)) return [false, null];
  if (inOrder(bAxes, second, first)) return [true, null];
  return [false, [...bAxes, ...first, ...second]];
}

/** The plan of a dot_general of operands with these avals (jit's step list makes it once per equation). */
export function dotPlan(l: Aval, r: Aval, params: DotParams): DotPlan {
  const { contract: [lc, rc], batch: [lb, rb] } = params;
  const lf = free(l.shape.length, lc, lb);
  const rf = free(r.shape.length, rc, rb);
  const shape = dotShape(l, r, params);
  const [transA, lPerm] = matrixLayout(lb, lf, lc);
  const [transB, rPerm] = matrixLayout(rb, rc, rf);
  return {
    shape, B: sizeAt(l.shape, lb), M: sizeAt(l.shape, lf), K: sizeAt(l.shape, lc), N: sizeAt(r.shape, rf),
    transA, transB, lPerm, rPerm,
  };
}

function dotImpl([l, r]: [Tensor, Tensor], params: DotParams): Tensor[] {
  return [dotRun(l, r, dotPlan(l, r, params))];
}

/** dot_general of l and r by a plan made for their avals (dotPlan): the output tensor. */
export function dotRun(l: Tensor, r: Tensor, plan: DotPlan): Tensor {
  const { shape, B, M, K, N, transA, transB } = plan;
  const A = plan.lPerm === null ? l : transpose(l, plan.lPerm);
  const Bm = plan.rPerm === null ? r : transpose(r, plan.rPerm);
  if (l.dtype === "int32" || l.dtype === "bool") {
    const out = emptyTensor(shape, l.dtype);
    intDot(A._data, transA, Bm._data, transB, B, M, K, N, out._data, l.dtype === "bool");
    if (A !== l) A.dispose();
    if (Bm !== r) Bm.dispose();
    return out;
  }
  if ((l.dtype === "float32" || l.dtype === "float64") && isSmallMatmul(l.dtype, B, M, K, N)) {
    // small products: straight on this thread, no plan or dispatch (backend/small-matmul.ts)
    const out = emptyTensor(shape, l.dtype);
    smallMatmul(l.dtype, A._data as FloatArray, transA, Bm._data as FloatArray, transB, B, M, K, N, out._data as FloatArray);
    if (A !== l) A.dispose();
    if (Bm !== r) Bm.dispose();
    return out;
  }
  if (K === 1 && M * N > 0) {
    // nothing to contract (an outer product per batch): a broadcast multiply, no packing; with
    // K = 1 a [M,1] operand and its transpose [1,M] share one layout
    const prod = mapKernel("a0 * a1", [shareStorage(A, [B, M, 1]), shareStorage(Bm, [B, 1, N])], l.dtype, "dot_general", [B, M, N]);
    if (A !== l) A.dispose();
    if (Bm !== r) Bm.dispose();
    const res = shareStorage(prod, shape);
    prod.dispose();
    return res;
  }
  const out = emptyTensor(shape, l.dtype);
  if (out.size === 0) return out;
  backend().matmul(
    l.dtype as "float32" | "float64",
    { a: A._data as FloatArray, aStride: M * K, transA, b: Bm._data as FloatArray, bStride: K * N, transB, batch: B, m: M, k: K, n: N },
    out._data as FloatArray,
  );
  // transposed copies are temporaries of this kernel: back to the arena now
  if (A !== l) A.dispose();
  if (Bm !== r) Bm.dispose();
  return out;
}

/**
 * Cotangent of the lhs: contract ct with rhs over rhs's free axes, then permute the result
 * (batch, lhs free, rhs contracting) back to lhs's axis order.
 */
function transposeLhs(ct: Tensor, lhs: Aval, rhs: Tensor, { contract: [lc, rc], batch: [lb, rb] }: DotParams): Tensor {
  const nb = lb.length;
  const lf = free(lhs.shape.length, lc, lb);
  const rf = free(rhs.ndim, rc, rb);
  const ctRf = rf.map((_, i) => nb + lf.length + i);
  const ctB = lb.map((_, i) => i);
  const y = bind1(dotGeneralP, [ct, rhs], { contract: [ctRf, rf], batch: [ctB, rb] });
  // y axes: batch (lb order), lhs free (lf order), rhs contracting axes in rc's remaining order
  const rcOrder = free(rhs.ndim, rf, rb); // rhs's contracting axes in increasing order
  const lhsAxesOfY = [...lb, ...lf, ...rcOrder.map((a) => lc[rc.indexOf(a)]!)];
  return transpose(y, invertPerm(lhsAxesOfY));
}

/**
 * Cotangent of the rhs: contract lhs with ct over lhs's free axes; the result's axes are
 * (batch, lhs contracting, rhs free), permuted back to rhs's order. For a plain matmul this is
 * xᵀ·ct with no transposed copy.
 */
function transposeRhs(ct: Tensor, lhs: Tensor, rhs: Aval, { contract: [lc, rc], batch: [lb, rb] }: DotParams): Tensor {
  const nb = lb.length;
  const lf = free(lhs.ndim, lc, lb);
  const rf = free(rhs.shape.length, rc, rb);
  const ctLf = lf.map((_, i) => nb + i);
  const ctB = lb.map((_, i) => i);
  const y = bind1(dotGeneralP, [lhs, ct], { contract: [lf, ctLf], batch: [lb, ctB] });
  // y axes: batch (lb order), lhs's contracting axes in increasing order, then rhs free (rf order)
  const lcOrder = free(lhs.ndim, lf, lb);
  const rhsAxesOfY = [...rb, ...lcOrder.map((a) => rc[lc.indexOf(a)]!), ...rf];
  return transpose(y, invertPerm(rhsAxesOfY));
}

// d(x·y) = dx·y + x·dy (bilinear)
export const dotGeneralP: Prim<"dot_general", DotParams> = defBilinear<"dot_general", DotParams>(
  {
  name: "dot_general",
  abstractEval: ([l, r], params) => [{ shape: dotShape(l, r, params), dtype: l.dtype }],
  impl: dotImpl,
  batch: ([l, r], [dl, dr], params, _n, self) => {
    const { contract: [lc, rc], batch: [lb, rb] } = params;
    const shift = (axes: number[]) => axes.map((a) => a + 1);
    if (dl !== null && dr !== null) {
      // both batched: a new leading batch dimension
      const lm = moveaxis(l, dl, 0);
      const rm = moveaxis(r, dr, 0);
      return [[bind1(self, [lm, rm], { contract: [shift(lc), shift(rc)], batch: [[0, ...shift(lb)], [0, ...shift(rb)]] })], [0]];
    }
    if (dl !== null) {
      // lhs batched only: its batch axis becomes the first lhs free axis
      const lm = moveaxis(l, dl, 0);
      return [[bind1(self, [lm, r], { contract: [shift(lc), rc], batch: [shift(lb), rb] })], [lb.length]];
    }
    const rm = moveaxis(r, dr!, 0);
    const nlf = free(l.ndim, lc, lb).length;
    return [[bind1(self, [l, rm], { contract: [lc, shift(rc)], batch: [lb, shift(rb)] })], [lb.length + nlf]];
  },
  },
  (ct, r, l, p) => transposeLhs(ct, l, r, p),
  (ct, l, r, p) => transposeRhs(ct, l, r, p),
);
