// Seeded inputs shared by every system: a 32-bit counter hash (mulberry32-style) feeding Box–Muller.

/** A uniform generator on [0, 1) from a 32-bit seed; the same seed gives the same stream everywhere. */
export function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string: turns "W3/x" into a seed, so inputs do not depend on generation order. */
export function seedOf(label: string, base = 20240917): number {
  let h = (0x811c9dc5 ^ base) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** n standard normals times `scale`, rounded to float32 (z = √(−2 ln u₁)·cos 2πu₂). */
export function normal(label: string, n: number, scale = 1): Float32Array {
  const next = uniformStream(seedOf(label));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - next(); // (0, 1]: log stays finite
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2) * scale;
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2) * scale;
  }
  return out;
}

/** n values in {0, 1}, each 1 with probability ½. */
export function bernoulli(label: string, n: number): Float32Array {
  const next = uniformStream(seedOf(label));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() < 0.5 ? 1 : 0;
  return out;
}
