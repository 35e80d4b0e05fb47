// The closed primitive set, keyed by name: every primitive a family module exports is in it
// (the table is built from the modules' exports, so none can be left out), and
// test/primitives.test.ts has one row per key.
import type { Primitive } from "../primitive.js";
import * as elementwise from "./elementwise.js";
import * as binary from "./binary.js";
import * as reduce from "./reduce.js";
import * as structural from "./structural.js";
import * as dot from "./dot.js";
import * as random from "./random.js";
import * as scatter from "./scatter.js";
import * as sort from "./sort.js";
import * as cumulative from "./cumulative.js";
import * as dynamic from "./dynamic.js";
import * as special from "./special.js";
import * as bitwise from "./bitwise.js";
import * as remainder from "./remainder.js";
import * as conv from "./conv.js";
import * as window from "./window.js";
import * as linalg from "./linalg.js";

const FAMILIES = [elementwise, binary, reduce, structural, dot, random, special, conv, window, linalg, bitwise, remainder, scatter, sort, cumulative, dynamic] as const;

/** The primitives among a module's exports (distributed over a union of modules). */
type PrimsOf<M> = M extends unknown ? Extract<M[keyof M], Primitive & { readonly name: string }> : never;
type Family = (typeof FAMILIES)[number];
/** name → primitive, for every primitive some family exports. */
type Table = { [K in PrimsOf<Family> as K["name"]]: K };

function byName(families: readonly object[]): Table {
  const table: Record<string, Primitive> = {};
  for (const f of families) {
    for (const v of Object.values(f)) if (isPrimitive(v)) table[v.name] = v;
  }
  return table as Table;
}
const isPrimitive = (v: unknown): v is Primitive =>
  typeof v === "object" && v !== null && typeof (v as Primitive).name === "string" && typeof (v as Primitive).abstractEval === "function";

export const PRIMITIVES: Table = byName(FAMILIES);

export type PrimitiveName = keyof typeof PRIMITIVES;
