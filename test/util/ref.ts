// Plain-JS float64 n-d arrays for reference implementations in tests (no tapir code involved).
import { Tensor } from "../../src/index.js";

export interface Nd {
  shape: number[];
  data: Float64Array;
}

export const nd = (shape: readonly number[], data: ArrayLike<number>): Nd => ({ shape: [...shape], data: Float64Array.from(data) });
export const ndOf = (t: Tensor): Nd => nd(t.shape, t.dataSync() as ArrayLike<number>);
export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < shape.length; d++) off = off * shape[d]! + idx[d]!;
  return off;
}

export const at = (x: Nd, idx: readonly number[]) => x.data[ravel(idx, x.shape)]!;

/** numpy broadcast of shapes (throws on mismatch). */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(n).fill(1);
  for (const s of shapes) {
    s.forEach((d, i) => {
      const j = n - s.length + i;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) throw new Error(`ref: cannot broadcast ${s}`);
    });
  }
  return out;
}

/** Elementwise map with numpy broadcasting. */
export function mapNd(fn: (...v: number[]) => number, ...xs: Nd[]): Nd {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const vals = xs.map((x) => {
      const off = shape.length - x.shape.length;
      return at(x, x.shape.map((d, k) => (d === 1 ? 0 : idx[off + k]!)));
    });
    out[i] = fn(...vals);
  }
  return { shape, data: out };
}

/** Reduces `axes` with (acc, v) starting from init. */
export function reduceNd(x: Nd, axes: readonly number[], init: number, fn: (acc: number, v: number) => number): Nd {
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const out = new Float64Array(sizeOf(shape)).fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    const o = ravel(idx.filter((_, k) => !axes.includes(k)), shape);
    out[o] = fn(out[o]!, x.data[i]!);
  }
  return { shape, data: out };
}

/** Builds an array of `shape` from a function of the multi-index. */
export function fromFn(shape: readonly number[], fn: (idx: number[]) => number): Nd {
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = fn(unravel(i, shape));
  return { shape: [...shape], data: out };
}

export function transposeNd(x: Nd, perm: readonly number[]): Nd {
  return fromFn(
    perm.map((p) => x.shape[p]!),
    (idx) => {
      const src = new Array<number>(perm.length);
      perm.forEach((p, i) => (src[p] = idx[i]!));
      return at(x, src);
    },
  );
}

/** matmul of 2-D arrays. */
export function matmulNd(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  return fromFn([m, n], ([i, j]) => {
    let s = 0;
    for (let p = 0; p < k; p++) s += a.data[i! * k + p]! * b.data[p * n + j!]!;
    return s;
  });
}

/** numpy round-half-to-even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];
/** Threefry-2x32 with 20 rounds (Salmon et al. 2011), written from the paper's description. */
export function threefry2x32Ref(key: [number, number], ctr: [number, number]): [number, number] {
  const k2 = (0x1bd11bda ^ key[0] ^ key[1]) >>> 0;
  const ks = [key[0] >>> 0, key[1] >>> 0, k2];
  let x0 = (ctr[0] + ks[0]!) >>> 0;
  let x1 = (ctr[1] + ks[1]!) >>> 0;
  for (let round = 0; round < 20; round++) {
    const r = ROT[round % 8]!;
    x0 = (x0 + x1) >>> 0;
    x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0;
    x1 = (x1 ^ x0) >>> 0;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      x0 = (x0 + ks[s % 3]!) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3]! + s) >>> 0;
    }
  }
  return [x0, x1];
}
