// Counter-based random bits: Threefry-2x32 (20 rounds) of the counter (0, i) under key (k0, k1)
// gives out[2i], out[2i+1]. A unit is one counter (two words), so any split gives the same bits.
import { defineKernel, type TypedArray } from "../kernel.js";

/** ns per 32-bit word (bench/threshold.ts). */
export const BITS_NS = 6;

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

function bitsPairs(k0: number, k1: number, out: TypedArray, q0: number, q1: number): void {
  const len = out.length;
  const ks0 = k0 | 0, ks1 = k1 | 0, ks2 = (0x1bd11bda ^ k0 ^ k1) | 0;
  const ks = [ks0, ks1, ks2];
  for (let q = q0; q < q1; q++) {
    let x0 = ks0;
    let x1 = (q + ks1) | 0;
    for (let blk = 0; blk < 5; blk++) {
      for (let r = 0; r < 4; r++) {
        const rot = ROT[(blk & 1) * 4 + r]!;
        x0 = (x0 + x1) | 0;
        x1 = (x1 << rot) | (x1 >>> (32 - rot));
        x1 ^= x0;
      }
      x0 = (x0 + ks[(blk + 1) % 3]!) | 0;
      x1 = (x1 + ks[(blk + 2) % 3]! + blk + 1) | 0;
    }
    out[2 * q] = x0;
    if (2 * q + 1 < len) out[2 * q + 1] = x1;
  }
}

type BitsArgs = [k0: number, k1: number, out: TypedArray];
export interface BitsJob {
  k0: number;
  k1: number;
  out: TypedArray;
}

export const randomBits = defineKernel<BitsArgs, BitsJob>({
  name: "randomBits",
  cost: (_k0, _k1, out) => out.length * BITS_NS,
  plan: ([k0, k1, out]) => (out.length === 0 ? null : { job: { k0, k1, out }, units: Math.ceil(out.length / 2), unitNs: 2 * BITS_NS }),
  run: ({ k0, k1, out }, q0, q1) => bitsPairs(k0, k1, out, q0, q1),
});
