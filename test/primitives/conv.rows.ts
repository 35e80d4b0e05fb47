// Rows of the convolution and window family: conv_general_dilated against a naive float64 loop
// written here (every output element summed from its definition), over 1-D/2-D/3-D, strides,
// explicit and negative padding, lhs/rhs dilation, dimension-number layouts, feature groups
// (depthwise included), batch groups and the 1×1 direct path.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { at, fromFn, ravel, unravel, type Nd } from "../util/ref.js";
import { FLOATS, gen, typed, type Row } from "./row.js";

/** Dimension numbers from JAX-style layout strings: [batch, feature, spatial…] axis indices, spatial in rhs order. */
export function dimsOf(lhs: string, rhs: string, out: string) {
  const sp = [...rhs].filter((c) => c !== "O" && c !== "I");
  return {
    lhs: [lhs.indexOf("N"), lhs.indexOf("C"), ...sp.map((c) => lhs.indexOf(c))],
    rhs: [rhs.indexOf("O"), rhs.indexOf("I"), ...sp.map((c) => rhs.indexOf(c))],
    out: [out.indexOf("N"), out.indexOf("C"), ...sp.map((c) => out.indexOf(c))],
  };
}

type Dims = ReturnType<typeof dimsOf>;
export interface ConvRefParams {
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  dims: Dims;
  featureGroupCount: number;
  batchGroupCount: number;
}

const dil = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));

/** The convolution by its definition, in float64: one sum per output element. */
export function convRef(x: Nd, w: Nd, p: ConvRefParams): Nd {
  const { dims, featureGroupCount: G, batchGroupCount: B } = p;
  const d = dims.lhs.length - 2;
  const N = x.shape[dims.lhs[0]!]!;
  const O = w.shape[dims.rhs[0]!]!;
  const I = w.shape[dims.rhs[1]!]!;
  const inSp = dims.lhs.slice(2).map((a) => x.shape[a]!);
  const kSp = dims.rhs.slice(2).map((a) => w.shape[a]!);
  const outSp = inSp.map((s, i) => {
    const inD = dil(s, p.lhsDilation[i]!) + p.padding[i]![0] + p.padding[i]![1];
    const kD = dil(kSp[i]!, p.rhsDilation[i]!);
    return inD < kD ? 0 : Math.floor((inD - kD) / p.strides[i]!) + 1;
  });
  const shape: number[] = [];
  shape[dims.out[0]!] = N / B;
  shape[dims.out[1]!] = O;
  dims.out.slice(2).forEach((a, i) => (shape[a] = outSp[i]!));
  const kCount = kSp.reduce((a, b) => a * b, 1);
  return fromFn(shape, (idx) => {
    const n = idx[dims.out[0]!]!;
    const f = idx[dims.out[1]!]!;
    const o = dims.out.slice(2).map((a) => idx[a]!);
    const g = Math.floor(f / (O / (G * B)));
    const batch = B > 1 ? g * (N / B) + n : n;
    const c0 = G > 1 ? g * I : 0;
    let acc = 0;
    for (let i = 0; i < I; i++) {
      for (let kk = 0; kk < kCount; kk++) {
        const k: number[] = [];
        let rem = kk;
        for (let s = d - 1; s >= 0; s--) {
          k[s] = rem % kSp[s]!;
          rem = Math.floor(rem / kSp[s]!);
        }
        const pos: number[] = [];
        let ok = true;
        for (let s = 0; s < d; s++) {
          const q = o[s]! * p.strides[s]! + k[s]! * p.rhsDilation[s]! - p.padding[s]![0];
          if (q < 0 || q % p.lhsDilation[s]! !== 0 || q / p.lhsDilation[s]! >= inSp[s]!) ok = false;
          pos[s] = q / p.lhsDilation[s]!;
        }
        if (!ok) continue;
        const xi: number[] = [];
        xi[dims.lhs[0]!] = batch;
        xi[dims.lhs[1]!] = c0 + i;
        dims.lhs.slice(2).forEach((a, s) => (xi[a] = pos[s]!));
        const wi: number[] = [];
        wi[dims.rhs[0]!] = f;
        wi[dims.rhs[1]!] = i;
        dims.rhs.slice(2).forEach((a, s) => (wi[a] = k[s]!));
        acc += at(x, xi) * at(w, wi);
      }
    }
    return acc;
  });
}

interface ConvCase {
  lhs: number[];
  rhs: number[];
  specs: [string, string, string];
  strides?: number[];
  padding?: [number, number][];
  lhsDilation?: number[];
  rhsDilation?: number[];
  G?: number;
  B?: number;
}

/** A case's primitive params (defaults: unit strides and dilations, no padding, no groups). */
export function convParams(c: ConvCase): ConvRefParams {
  const d = c.lhs.length - 2;
  const ones = new Array<number>(d).fill(1);
  return {
    strides: c.strides ?? ones,
    padding: c.padding ?? ones.map(() => [0, 0] as [number, number]),
    lhsDilation: c.lhsDilation ?? ones,
    rhsDilation: c.rhsDilation ?? ones,
    dims: dimsOf(...c.specs),
    featureGroupCount: c.G ?? 1,
    batchGroupCount: c.B ?? 1,
  };
}

const CONV_CASES: ConvCase[] = [
  // 1-D, stride 2, uneven padding
  { lhs: [2, 3, 7], rhs: [4, 3, 3], specs: ["NCH", "OIH", "NCH"], strides: [2], padding: [[1, 2]] },
  // 2-D NCHW, mixed strides, rhs (atrous) dilation
  { lhs: [1, 2, 5, 4], rhs: [3, 2, 2, 3], specs: ["NCHW", "OIHW", "NCHW"], strides: [1, 2], padding: [[0, 1], [2, 0]], rhsDilation: [2, 1] },
  // 2-D NHWC/HWIO with lhs dilation (a transposed convolution's forward form)
  { lhs: [2, 4, 3, 3], rhs: [3, 2, 3, 2], specs: ["NHWC", "HWIO", "NHWC"], padding: [[1, 1], [1, 1]], lhsDilation: [2, 1] },
  // feature groups
  { lhs: [1, 4, 4, 4], rhs: [6, 2, 2, 2], specs: ["NCHW", "OIHW", "NCHW"], G: 2 },
  // depthwise, channel multiplier 2
  { lhs: [1, 5, 4, 3], rhs: [3, 2, 1, 6], specs: ["NHWC", "HWIO", "NHWC"], padding: [[1, 1], [0, 1]], G: 3 },
  // batch groups (the kernel gradient of a grouped convolution)
  { lhs: [4, 2, 3, 3], rhs: [6, 2, 2, 2], specs: ["NCHW", "OIHW", "NCHW"], B: 2 },
  // 3-D
  { lhs: [1, 2, 3, 4, 3], rhs: [2, 2, 2, 2, 2], specs: ["NCDHW", "OIDHW", "NCDHW"], strides: [1, 2, 1], padding: [[0, 0], [1, 0], [0, 1]] },
  // 1×1 (the direct path), and an unusual layout for the output
  { lhs: [2, 3, 3, 4], rhs: [1, 1, 4, 5], specs: ["NHWC", "HWIO", "NCHW"] },
  // negative padding crops the input
  { lhs: [1, 1, 8], rhs: [2, 1, 3], specs: ["NCH", "OIH", "NCH"], padding: [[-1, 2]] },
];

// ------------------------------------------------------------------ windows

interface WinParams {
  window: number[];
  strides: number[];
  padding: [number, number][];
  baseDilation: number[];
  windowDilation: number[];
  select?: "max" | "min";
}

/** The windows' shape, and for each window its elements' operand indices in row-major window order (null: padding or a base-dilation hole). */
export function windowsRef(shape: number[], p: WinParams): { shape: number[]; at: (o: number[]) => (number[] | null)[] } {
  const out = shape.map((s, i) => {
    const inD = dil(s, p.baseDilation[i]!) + p.padding[i]![0] + p.padding[i]![1];
    const wD = dil(p.window[i]!, p.windowDilation[i]!);
    return inD < wD ? 0 : Math.floor((inD - wD) / p.strides[i]!) + 1;
  });
  const nWin = p.window.reduce((a, b) => a * b, 1);
  return {
    shape: out,
    at: (o) =>
      Array.from({ length: nWin }, (_, kk) => {
        const k = unravel(kk, p.window);
        const idx = o.map((v, i) => v * p.strides[i]! + k[i]! * p.windowDilation[i]! - p.padding[i]![0]);
        const ok = idx.every((q, i) => q >= 0 && q % p.baseDilation[i]! === 0 && q / p.baseDilation[i]! < shape[i]!);
        return ok ? idx.map((q, i) => q / p.baseDilation[i]!) : null;
      }),
  };
}

/** Index of the selected element of each window (first max/min; null for a padding position). */
function selectedRef(x: Nd, win: (number[] | null)[], select: "max" | "min"): number[] | null {
  const init = select === "max" ? -Infinity : Infinity;
  const val = (e: number[] | null) => (e === null ? init : at(x, e));
  let best = val(win[0]!);
  let pick: number[] | null = win[0]!;
  for (const e of win.slice(1)) {
    const v = val(e);
    if (select === "max" ? !(best >= v) : !(best <= v)) [best, pick] = [v, e];
  }
  return pick;
}

function windowReduceRef(x: Nd, p: WinParams, op: "sum" | "max" | "min"): Nd {
  const w = windowsRef(x.shape, p);
  const init = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
  return fromFn(w.shape, (o) =>
    w.at(o).reduce((acc, e) => {
      const v = e === null ? init : at(x, e);
      return op === "sum" ? acc + v : op === "max" ? Math.max(acc, v) : Math.min(acc, v);
    }, init),
  );
}

function gatherRef(t: Nd, x: Nd, p: WinParams): Nd {
  const w = windowsRef(x.shape, p);
  return fromFn(w.shape, (o) => {
    const e = selectedRef(x, w.at(o), p.select!);
    return e === null ? 0 : at(t, e);
  });
}

function scatterRef(ct: Nd, x: Nd, p: WinParams): Nd {
  const w = windowsRef(x.shape, p);
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < ct.data.length; r++) {
    const e = selectedRef(x, w.at(unravel(r, w.shape)), p.select!);
    if (e !== null) data[ravel(e, x.shape)] = data[ravel(e, x.shape)]! + ct.data[r]!;
  }
  return { shape: [...x.shape], data };
}

interface WinCase {
  shape: number[];
  window: number[];
  strides?: number[];
  padding?: [number, number][];
  baseDilation?: number[];
  windowDilation?: number[];
}
const WIN_CASES: WinCase[] = [
  // 2×2 pooling, stride 2, NHWC
  { shape: [2, 4, 4, 3], window: [1, 2, 2, 1], strides: [1, 2, 2, 1] },
  // overlapping 3-windows with padding, 1-D
  { shape: [7], window: [3], strides: [1], padding: [[1, 2]] },
  // NCHW, stride 2 with an uneven tail, window dilation
  { shape: [1, 2, 5, 6], window: [1, 1, 2, 2], strides: [1, 1, 2, 2], padding: [[0, 0], [0, 0], [0, 1], [1, 0]], windowDilation: [1, 1, 2, 1] },
  // base dilation
  { shape: [2, 4], window: [2, 3], strides: [1, 2], baseDilation: [1, 2], padding: [[0, 0], [1, 1]] },
  // 3-D window, negative padding
  { shape: [3, 4, 3], window: [2, 2, 2], strides: [1, 1, 1], padding: [[0, 0], [-1, 1], [0, 0]] },
];
const winParams = (c: WinCase): WinParams => {
  const ones = c.shape.map(() => 1);
  return { window: c.window, strides: c.strides ?? ones, padding: c.padding ?? ones.map(() => [0, 0] as [number, number]), baseDilation: c.baseDilation ?? ones, windowDilation: c.windowDilation ?? ones };
};

/** Distinct values (no ties: the selection's derivative is then well defined). */
function distinct(r: Rng, d: DType, shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => (i - n / 2) / 4 + r.uniform(0, 0.2));
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(0, i + 1);
    [vals[i], vals[j]] = [vals[j]!, vals[i]!];
  }
  return typed(vals, d, shape);
}

const windowRow = (op: "sum" | "max" | "min"): Row => ({
  dtypes: FLOATS,
  cases: () => WIN_CASES.map((c) => ({ params: winParams(c), args: (r: Rng, d: DType) => [op === "sum" ? gen(r, d, c.shape) : distinct(r, d, c.shape)] })),
  ref: ([x], p) => windowReduceRef(x!, p, op),
  grad: "yes",
  tol: [2e-6, 1e-13],
});

const selectRow = (kind: "gather" | "scatter"): Row => ({
  dtypes: FLOATS,
  cases: () =>
    WIN_CASES.flatMap((c) =>
      (["max", "min"] as const).map((select) => {
        const p = { ...winParams(c), select };
        const outShape = windowsRef(c.shape, p).shape;
        return {
          params: p,
          args: (r: Rng, d: DType) => [gen(r, d, kind === "gather" ? c.shape : outShape), distinct(r, d, c.shape)],
          inAxes: [[0, 0], [-1, -1], [0, null], [null, 0]],
        };
      }),
    ),
  ref: ([a, x], p) => (kind === "gather" ? gatherRef(a!, x!, p) : scatterRef(a!, x!, p)),
  grad: "yes",
});

export const convRows = {
  conv_general_dilated: {
    dtypes: FLOATS,
    cases: () =>
      CONV_CASES.map((c) => ({
        params: convParams(c),
        args: (r: Rng, d: DType) => [gen(r, d, c.lhs), gen(r, d, c.rhs)],
        inAxes: [[0, 0], [-1, -1], [0, null], [null, 1]],
      })),
    ref: ([x, w], p) => convRef(x!, w!, p),
    grad: "yes",
    tol: [2e-5, 1e-12],
  },
  reduce_window_sum: windowRow("sum"),
  reduce_window_max: windowRow("max"),
  reduce_window_min: windowRow("min"),
  select_and_gather_add: selectRow("gather"),
  select_and_scatter_add: selectRow("scatter"),
} satisfies Partial<Record<PrimitiveName, Row>>;
