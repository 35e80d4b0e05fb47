// Rows of the convolution and window family: conv_general_dilated against a naive float64 loop
// written here (every output element summed from its definition), over 1-D/2-D/3-D, strides,
// explicit and negative padding, lhs/rhs dilation, dimension-number layouts, feature groups
// (depthwise included), batch groups and the 1×1 direct path.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { at, fromFn, type Nd } from "../util/ref.js";
import { FLOATS, gen, type Row } from "./row.js";

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
} satisfies Partial<Record<PrimitiveName, Row>>;
