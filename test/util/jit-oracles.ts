// jit oracles: jit(f) equals f bit for bit (same pytree, shapes, dtypes, and every element
// identical under Object.is, so NaN matches NaN and -0 differs from +0), and helpers to read
// the optimised IR a jitted call runs.
import { expect } from "vitest";
import { Tensor, jit, makeJaxpr, tree } from "../../src/index.js";
import { compiled } from "../../src/transforms/jit.js";
import type { ClosedJaxpr } from "../../src/core/ir.js";
import { treeDefString } from "../../src/core/tree.js";

/** Leaves of a pytree output as tensors, with the structure's printed form. */
function leavesOf(out: unknown): [Tensor[], string] {
  const [leaves, def] = tree.flatten(out);
  return [leaves.map((l) => (l instanceof Tensor ? l : (expect.fail(`checkJit: output leaf ${String(l)} is not a tensor`) as never))), treeDefString(def)];
}

/** actual equals expected bit for bit (Object.is per element), same shape and dtype. */
export function expectBitEqual(actual: Tensor, expected: Tensor, what = "value"): void {
  expect([...actual.shape], `${what}: shape`).toEqual([...expected.shape]);
  expect(actual.dtype, `${what}: dtype`).toBe(expected.dtype);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const bad: string[] = [];
  let n = 0;
  for (let i = 0; i < e.length; i++) {
    if (!Object.is(a[i], e[i])) {
      n++;
      if (bad.length < 6) bad.push(`[${i}] got ${a[i]}, expected ${e[i]}`);
    }
  }
  if (n > 0) expect.fail(`${what}: ${n}/${e.length} elements differ from eager (bit for bit):\n  ${bad.join("\n  ")}`);
}

export interface JitCheckOptions {
  staticArgnums?: number[];
  /** times the jitted function is called (the second and later calls hit the cache) */
  calls?: number;
  what?: string;
}

/**
 * checkJit: jit(f)(...args) equals f(...args) bit for bit, on the first call (trace + compile)
 * and on a cached call. Returns the jitted function for further use.
 */
export function checkJit<F extends (...a: any[]) => unknown>(f: F, args: readonly unknown[], opts: JitCheckOptions = {}): F {
  const what = opts.what ?? "checkJit";
  const [want, wantDef] = leavesOf(f(...args));
  const jf = jit(f, opts.staticArgnums ? { staticArgnums: opts.staticArgnums } : {});
  for (let c = 0; c < (opts.calls ?? 2); c++) {
    const [got, gotDef] = leavesOf(jf(...args));
    expect(gotDef, `${what}: output structure`).toBe(wantDef);
    got.forEach((g, i) => expectBitEqual(g, want[i]!, `${what}: call ${c + 1}, output ${i}`));
  }
  return jf;
}

/** The IR jit runs for f at these arguments: traced, then optimised (DCE, CSE, folding, fusion). */
export function optimizedJaxpr(f: (...a: any[]) => unknown, ...args: unknown[]): ClosedJaxpr {
  return compiled(makeJaxpr(f)(...args)).optimized;
}

/** Names of the primitives of a jaxpr's top-level equations, in order. */
export const primNames = (cj: ClosedJaxpr): string[] => cj.jaxpr.eqns.map((e) => e.prim.name);
