// A small seeded generator for test inputs (mulberry32), so every failure reproduces.

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  uniform(lo: number, hi: number): number;
  normal(): number;
  int(lo: number, hiExclusive: number): number;
  /** n uniform draws in [lo, hi) */
  uniforms(n: number, lo: number, hi: number): number[];
  normals(n: number): number[];
  pick<T>(xs: readonly T[]): T;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    uniforms: (n, lo, hi) => Array.from({ length: n }, () => lo + (hi - lo) * next()),
    normals: (n) => Array.from({ length: n }, normal),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
  };
}
