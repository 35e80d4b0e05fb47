// The closed primitive set, keyed by name (tests have one row per key).
import * as ew from "./elementwise.js";
import * as bin from "./binary.js";
import * as red from "./reduce.js";
import * as st from "./structural.js";
import * as dot from "./dot.js";
import * as rnd from "./random.js";

export const PRIMITIVES = {
  neg: ew.negP, sin: ew.sinP, cos: ew.cosP, tan: ew.tanP, exp: ew.expP, log: ew.logP, log1p: ew.log1pP,
  expm1: ew.expm1P, sqrt: ew.sqrtP, tanh: ew.tanhP, logistic: ew.logisticP, asin: ew.asinP, acos: ew.acosP,
  atan: ew.atanP, sinh: ew.sinhP, cosh: ew.coshP, abs: ew.absP, sign: ew.signP, floor: ew.floorP,
  ceil: ew.ceilP, round: ew.roundP, not: ew.notP, isnan: ew.isnanP, isfinite: ew.isfiniteP,
  convert: ew.convertP, stop_gradient: ew.stopGradientP, random_unit: ew.randomUnitP,
  add: bin.addP, sub: bin.subP, mul: bin.mulP, div: bin.divP, pow: bin.powP, max: bin.maxP, min: bin.minP,
  lt: bin.ltP, le: bin.leP, gt: bin.gtP, ge: bin.geP, eq: bin.eqP, ne: bin.neP, and: bin.andP, or: bin.orP,
  select: bin.selectP,
  reduce_sum: red.reduceSumP, reduce_max: red.reduceMaxP, reduce_min: red.reduceMinP, reduce_prod: red.reduceProdP,
  argmax: red.argmaxP, argmin: red.argminP, cumsum: red.cumsumP,
  broadcast_in_dim: st.broadcastInDimP, reshape: st.reshapeP, transpose: st.transposeP, slice: st.sliceP,
  pad: st.padP, concatenate: st.concatenateP, rev: st.revP, gather: st.gatherP, scatter_add: st.scatterAddP,
  iota: st.iotaP,
  dot_general: dot.dotGeneralP,
  random_bits: rnd.randomBitsP,
} as const;

export type PrimitiveName = keyof typeof PRIMITIVES;
