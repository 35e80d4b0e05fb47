// List helpers for the positional layouts of higher-order primitives (a scan's inputs are
// [consts, carry, xs], a split jaxpr's outputs are [known outputs, residuals]…): named pieces
// instead of offset arithmetic.

/**
 * Consecutive pieces of `xs` with the given sizes, then the rest:
 * `split([a, b, c, d], [1, 2])` is `[[a], [b, c], [d]]`.
 */
export function split<T, const S extends readonly number[]>(xs: readonly T[], sizes: S): [...{ -readonly [K in keyof S]: T[] }, T[]] {
  const out: T[][] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(xs.slice(at, at + n));
    at += n;
  }
  out.push(xs.slice(at));
  return out as [...{ -readonly [K in keyof S]: T[] }, T[]];
}

/** `[items where mask is false, items where mask is true]`, each in order. */
export function partition<T>(mask: readonly boolean[], xs: readonly T[]): [T[], T[]] {
  const no: T[] = [];
  const yes: T[] = [];
  for (let i = 0; i < xs.length; i++) (mask[i] ? yes : no).push(xs[i]!);
  return [no, yes];
}

/** The inverse of partition: position i takes the next of `yes` where mask[i], else of `no`. */
export function merge<T>(mask: readonly boolean[], no: readonly T[], yes: readonly T[]): T[] {
  let a = 0;
  let b = 0;
  return mask.map((m) => (m ? yes[b++]! : no[a++]!));
}

/** How many entries of `mask` are true. */
export function count(mask: readonly boolean[]): number {
  let n = 0;
  for (const m of mask) if (m) n++;
  return n;
}

/** The non-null entries, in order. */
export function present<T>(xs: readonly (T | null)[]): T[] {
  return xs.filter((x): x is T => x !== null);
}
