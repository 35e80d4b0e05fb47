// The GEMM's WebAssembly functions, written with our assembler: panel packing, the register-tiled
// SIMD macro-kernel and a row copier. `scripts/gen-gemm-wasm.ts` assembles them into
// `src/core/backend/gemm-wasm.ts`; the driver is `createGemm` in `src/core/backend/gemm.ts`.
//
// Packed layouts (element size es, all pointers are byte addresses in the module's memory):
//   A panel (MR rows of op(A)):   Ap[panel][p][r]  r < MR, p < kLen, rows past the edge are 0
//   B panel (NR columns of op(B)): Bp[panel][p][j] j < NR
//   C block:                     row-major with a padded row stride ldc (a multiple of NR)
// Every C element is ((0 + a0*b0) + a1*b1) + ... in increasing p, each product and each sum
// rounded to the dtype (no FMA unless the fma variant is asked for), whatever the tile it sits
// in: that is what makes results independent of blocking and equal to the plain-JS path. The fma
// variant computes s = fma(a·b + s) in the same order on every wasm path (macro and gemv), so
// its results are independent of blocking and row splits too, but differ from the JS path.

import { F32X4, F64X2, Func, I32, V128, uleb, type Lanes } from "./wasm-asm.js";

/**
 * Register tile per dtype: MR rows × NR columns; NR/lanes vectors per row. `tall`, where present,
 * is a second MR for products with many rows (float32 6×8: 12 chains of dependent FMAs where the
 * 4×8 tile's 8 cannot keep both FMA ports busy; its 12-row edge panel would pad small products).
 * Every tile computes each element as the same chain s = s + a·b in increasing p, so the tile
 * never changes a result.
 */
export const TILES: Tiles = {
  float32: { mr: 4, nr: 8, tall: 6 },
  float64: { mr: 4, nr: 4 },
};
export interface Tile {
  readonly mr: number;
  readonly nr: number;
  readonly tall?: number;
}
export type Tiles = { readonly [D in "float32" | "float64"]: Tile };

const lanesOf = (dtype: keyof Tiles): Lanes => (dtype === "float32" ? F32X4 : F64X2);

/** `for (c = count; c > 0; c--) body` (count read from local c, which is consumed). */
function countDown(f: Func, c: number, body: () => void): void {
  f.block().get(c).eqz().brIf(0).loop();
  body();
  f.get(c).i32(1).sub().tee(c).brIf(0).end().end();
}

/**
 * Transposes the lanes×lanes block held in vector locals v (v[r] = row r) in place: afterwards
 * v[q] holds element q of every row. f32x4: two rounds of interleaving shuffles; f64x2: one.
 */
function transposeInPlace(f: Func, L: Lanes, v: number[], tmp: number[]): void {
  const lane = (l: number, from: number): number[] => Array.from({ length: L.bytes }, (_, i) => from * 16 + l * L.bytes + i);
  if (L.lanes === 4) {
    // tmp0 = (r0[0] r1[0] r0[1] r1[1]), tmp1 = (r0[2] r1[2] r0[3] r1[3]), tmp2/tmp3 likewise for r2, r3
    for (const [t, x, y, l] of [[0, 0, 1, 0], [1, 0, 1, 2], [2, 2, 3, 0], [3, 2, 3, 2]] as const) {
      f.get(v[x]!).get(v[y]!).shuffle([...lane(l, 0), ...lane(l, 1), ...lane(l + 1, 0), ...lane(l + 1, 1)]).set(tmp[t]!);
    }
    // column q = 64-bit halves of tmp: (tmp0 lo, tmp2 lo), (tmp0 hi, tmp2 hi), (tmp1 lo, tmp3 lo), (tmp1 hi, tmp3 hi)
    const half = (h: number, from: number): number[] => Array.from({ length: 8 }, (_, i) => from * 16 + h * 8 + i);
    for (const [q, x, y, h] of [[0, 0, 2, 0], [1, 0, 2, 1], [2, 1, 3, 0], [3, 1, 3, 1]] as const) {
      f.get(tmp[x]!).get(tmp[y]!).shuffle([...half(h, 0), ...half(h, 1)]).set(v[q]!);
    }
  } else {
    f.get(v[0]!).get(v[1]!).shuffle([...lane(0, 0), ...lane(0, 1)]).set(tmp[0]!);
    f.get(v[0]!).get(v[1]!).shuffle([...lane(1, 0), ...lane(1, 1)]).set(v[1]!);
    f.get(tmp[0]!).set(v[0]!);
  }
}

/**
 * pack_<dtype>_<W>(dst, src, outer, kLen, sOuter, sK): copies the outer × kLen sub-matrix
 * src[o*sOuter + p*sK] (element strides) into panels of W along `outer`, zero-padding the last.
 * Used for A (outer = rows, W = MR) and B (outer = columns, W = NR).
 *
 * packftz_<dtype>_<W>(dst, src, outer, kLen, sOuter, sK, out): the same, and each panel, right
 * after it is written (still in L1), gets the flush-to-zero screen (ftzPanel): its subnormal
 * elements become signed zero and out[panel·W + w] = max over p of |element w|. One
 * pass instead of a pack and then a screen of the whole block: on W1's products (ordinary data)
 * the separate screen made a 128×784·784×256 product 20% slower than without flush-to-zero.
 * The screen is gemm-ftz.ts's step 1 and its row/column maxima (ftzPanel).
 */
function packFunc(dtype: keyof Tiles, w: number, ftz = false): Func {
  if ((w * lanesOf(dtype).bytes) % 8 !== 0) throw new RangeError(`pack: a panel of ${w} is not whole 8-byte halves`);
  const L = lanesOf(dtype);
  const es = L.bytes;
  const f = new Func(`${ftz ? "packftz" : "pack"}_${dtype === "float32" ? "f32" : "f64"}_${w}`, ftz ? [I32, I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32, I32, I32]);
  const [dst, src, outer, kLen, sOuter, sK, out] = [0, 1, 2, 3, 4, 5, 6];
  const screen = ftz ? ftzLocals(f, dtype, w) : null;
  const pstart = screen ? f.local(I32) : -1; // the panel being written (the screen's start)
  const sOb = f.local(I32);
  const sKb = f.local(I32);
  const ptr = f.local(I32);
  const q = f.local(I32);
  const p = f.local(I32);
  const lane = f.local(I32);
  const shift = Math.log2(es);
  f.get(sOuter).i32(shift).shl().set(sOb);
  f.get(sK).i32(shift).shl().set(sKb);

  // Full panels.
  f.block().loop();
  f.get(outer).i32(w).ltU().brIf(1);
  f.get(src).set(ptr).get(kLen).set(p);
  if (screen) f.get(dst).set(pstart);
  const gather = (): void =>
    countDown(f, p, () => {
      f.get(ptr).set(q);
      for (let r = 0; r < w; r++) {
        f.get(dst).get(q).load(L.scalar).store(L.scalar, r * es);
        if (r < w - 1) f.incBy(q, sOb);
      }
      f.incBy(ptr, sKb).inc(dst, w * es);
    });
  // W·es a multiple of 8 bytes: vectors, the last one maybe a half (float32 W = 6: 16 + 8 bytes)
  const nvec = Math.ceil((w * es) / 16);
  const half = (w * es) % 16 === 8;
  const isHalf = (v: number): boolean => half && v === nvec - 1;
  if ((w * es) % 16 === 0 || (L.lanes === 4 && w % 4 === 2)) {
    f.get(sOuter).i32(1).eq().if_();
    // Unit stride along the panel: W contiguous elements per p, moved as vectors (screened as
    // they are moved, in registers: no second pass over the panel)
    if (screen) screenStart(f, screen);
    countDown(f, p, () => {
      for (let v = 0; v < nvec; v++) {
        if (screen) screenVector(f, screen, ptr, dst, v);
        else f.get(dst).get(ptr).seq(() => loadVec(f, isHalf(v), v * 16)).seq(() => storeVec(f, isHalf(v), v * 16));
      }
      f.incBy(ptr, sKb).inc(dst, w * es);
    });
    if (screen) screenEnd(f, screen, out);
    f.else_().get(sK).i32(1).eq().if_();
    // Unit stride along k: load one vector of k from each of `lanes` rows and transpose.
    {
      const rows = Array.from({ length: w }, () => f.local(I32));
      const v = Array.from({ length: L.lanes }, () => f.local(V128));
      const tmp = Array.from({ length: L.lanes }, () => f.local(V128));
      f.get(ptr).set(rows[0]!);
      for (let r = 1; r < w; r++) f.get(rows[r - 1]!).get(sOb).add().set(rows[r]!);
      f.get(kLen).i32(Math.log2(L.lanes)).op(0x76 /* i32.shr_u */).set(p);
      if (screen) screenStart(f, screen);
      countDown(f, p, () => {
        for (let g = 0; g < Math.floor(w / L.lanes); g++) {
          v.forEach((x, r) => f.get(rows[g * L.lanes + r]!).v128load().set(x));
          transposeInPlace(f, L, v, tmp);
          // screened as they are stored (in registers); the tail's rows below, from memory
          v.forEach((x, q) => {
            if (screen) {
              f.get(x).set(screen.x);
              screenX(f, screen, dst, q * w * es + g * 16, g);
            } else f.get(dst).get(x).v128store(q * w * es + g * 16);
          });
        }
        if (half) {
          // float32 W = 6: rows 4 and 5 interleaved, (r4 r5) of p, p+1 in one vector, p+2, p+3 in
          // the other; each half stored at its p (screened as whole vectors into the pair
          // accumulator, folded into the maxima at the end)
          const g = nvec - 1;
          const [a4, a5] = [v[0]!, v[1]!];
          f.get(rows[g * 4]!).v128load().set(a4).get(rows[g * 4 + 1]!).v128load().set(a5);
          f.get(a4).get(a5).shuffle([0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]).set(tmp[0]!);
          f.get(a4).get(a5).shuffle([8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31]).set(tmp[1]!);
          for (let q = 0; q < 4; q++) {
            const pair = tmp[q >> 1]!;
            const off = q * w * es + g * 16;
            if (screen && (q & 1) === 0) {
              f.get(pair).set(screen.x);
              screenX(f, screen, -1, 0, g, screen.pair);
              f.get(screen.x).set(pair); // the flushed pair, stored a half at a time
            }
            f.get(dst).get(pair).simd(0x5b /* v128.store64_lane */, 3, ...uleb(off), q & 1);
          }
        }
        for (const r of rows) f.inc(r, 16);
        f.inc(dst, L.lanes * w * es);
      });
      if (screen && half) foldPair(f, screen);
      if (screen) f.get(dst).set(pstart);
      f.get(kLen).i32(L.lanes - 1).op(0x71 /* i32.and */).set(p);
      if (screen) f.get(p).set(screen.cnt);
      countDown(f, p, () => {
        rows.forEach((r, i) => f.get(dst).get(r).load(L.scalar).store(L.scalar, i * es));
        for (const r of rows) f.inc(r, es);
        f.inc(dst, w * es);
      });
      if (screen) {
        countDown(f, screen.cnt, () => {
          for (let g = 0; g < screen.acc.length; g++) screenVector(f, screen, pstart, pstart, g);
          f.inc(pstart, w * es);
        });
        screenEnd(f, screen, out);
      }
    }
    f.else_();
    gather();
    if (screen) ftzPanel(f, screen, pstart, kLen, out);
    f.end().end();
  } else {
    gather();
    if (screen) ftzPanel(f, screen, pstart, kLen, out);
  }
  f.get(src).get(sOb).i32(w).mul().add().set(src);
  f.get(outer).i32(w).sub().set(outer);
  f.br(0).end().end();

  // Edge panel: zero it, then fill the `outer` (< W) live lanes one at a time.
  f.get(outer).if_();
  f.get(dst).i32(0).get(kLen).i32(w * es).mul().memoryFill();
  f.i32(0).set(lane);
  f.loop();
  {
    f.get(src).get(lane).get(sOb).mul().add().set(ptr);
    f.get(dst).get(lane).i32(es).mul().add().set(q);
    f.get(kLen).set(p);
    countDown(f, p, () => {
      f.get(q).get(ptr).load(L.scalar).store(L.scalar);
      f.incBy(ptr, sKb).inc(q, w * es);
    });
    f.get(lane).i32(1).add().tee(lane).get(outer).ltU().brIf(0);
  }
  f.end();
  if (screen) {
    f.get(dst).set(pstart);
    ftzPanel(f, screen, pstart, kLen, out);
  }
  f.end();
  return f;
}

/**
 * macro_<dtype>(ap, bp, cp, mPanels, nPanels, kc, ldcB, apPanelB, bpPanelB, first):
 * for every (B panel jr, A panel ir): C tile (ir, jr) (+)= Ap[ir][0..kc) · Bp[jr][0..kc).
 * `first` starts the accumulators at zero, otherwise at the C tile's values. ap/bp point at
 * the current k offset inside panel 0; apPanelB/bpPanelB are the byte strides between panels.
 * The jr-outer, ir-inner order keeps one B micro-panel in L1 while A streams from L2.
 */
function macroFunc(dtype: keyof Tiles, fma: boolean, mr: number, nr: number, name = `macro_${dtype === "float32" ? "f32" : "f64"}`): Func {
  const L = lanesOf(dtype);
  const es = L.bytes;
  const nv = nr / L.lanes;
  const f = new Func(name, [
    I32, I32, I32, I32, I32, I32, I32, I32, I32, I32,
  ]);
  const [ap, bp, cp, mPanels, nPanels, kc, ldcB, apPanelB, bpPanelB, first] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const acc: number[][] = [];
  for (let r = 0; r < mr; r++) acc.push(Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  const jr = f.local(I32);
  const ir = f.local(I32);
  const a = f.local(I32);
  const c = f.local(I32);
  const cRow = f.local(I32);
  const pa = f.local(I32);
  const pb = f.local(I32);
  const pbEnd = f.local(I32);
  const cCol = f.local(I32);
  const bPanel = f.local(I32);

  f.get(cp).set(cCol).get(bp).set(bPanel).get(nPanels).set(jr);
  countDown(f, jr, () => {
    f.get(ap).set(a).get(cCol).set(c).get(mPanels).set(ir);
    countDown(f, ir, () => {
      // Accumulators: zero, or the C tile so far (continuing the same k order).
      f.get(first).if_();
      for (const row of acc) for (const x of row) f.v128zero().set(x);
      f.else_();
      f.get(c).set(cRow);
      acc.forEach((row, r) => {
        row.forEach((x, v) => f.get(cRow).v128load(v * 16).set(x));
        if (r < mr - 1) f.incBy(cRow, ldcB);
      });
      f.end();
      // k loop: one rank-1 update of the tile per step (no unrolling: it spills, see TOOLCHAIN.md).
      f.get(a).set(pa).get(bPanel).tee(pb).get(kc).i32(nr * es).mul().add().set(pbEnd);
      f.loop();
      bv.forEach((x, v) => f.get(pb).v128load(v * 16).set(x));
      for (let r = 0; r < mr; r++) {
        f.get(pa).loadSplat(es, r * es).set(av);
        for (let v = 0; v < nv; v++) {
          const x = acc[r]![v]!;
          if (fma) f.get(av).get(bv[v]!).get(x).simd(L.madd).set(x);
          else f.get(x).get(av).get(bv[v]!).simd(L.mul).simd(L.add).set(x);
        }
      }
      f.inc(pa, mr * es).get(pb).i32(nr * es).add().tee(pb).get(pbEnd).ne().brIf(0);
      f.end();
      // Store the tile.
      f.get(c).set(cRow);
      acc.forEach((row, r) => {
        row.forEach((x, v) => f.get(cRow).get(x).v128store(v * 16));
        if (r < mr - 1) f.incBy(cRow, ldcB);
      });
      f.incBy(a, apPanelB).get(c).get(ldcB).i32(mr).mul().add().set(c);
    });
    f.incBy(bPanel, bpPanelB).inc(cCol, nr * es);
  });
  return f;
}

/**
 * gemv_axpy_<dtype>(y, x, b, kLen, n, ldbB, first): y[0..n) (+)= Σ_p x[p]·b[p·ldb + 0..n), p in
 * increasing order: a row vector times a matrix whose rows are contiguous. Vectorised along n,
 * so every y[j] is the sequential sum. `first` zeroes y first.
 */
function gemvAxpyFunc(dtype: keyof Tiles, fma: boolean): Func {
  const L = lanesOf(dtype);
  const es = L.bytes;
  const f = new Func(`gemv_axpy_${dtype === "float32" ? "f32" : "f64"}`, [I32, I32, I32, I32, I32, I32, I32]);
  const [y, x, b, kLen, n, ldbB, first] = [0, 1, 2, 3, 4, 5, 6];
  const xs = f.local(V128);
  const py = f.local(I32);
  const pb = f.local(I32);
  const cnt = f.local(I32);
  const nv = f.local(I32);
  const tail = f.local(I32);
  f.get(first).if_().get(y).i32(0).get(n).i32(es).mul().memoryFill().end();
  f.get(n).i32(Math.log2(L.lanes)).op(0x76 /* i32.shr_u */).set(nv);
  f.get(n).get(nv).i32(L.lanes).mul().sub().set(tail);
  countDown(f, kLen, () => {
    f.get(x).loadSplat(es).set(xs);
    f.get(y).set(py).get(b).set(pb).get(nv).set(cnt);
    countDown(f, cnt, () => {
      if (fma) f.get(py).get(xs).get(pb).v128load().get(py).v128load().simd(L.madd).v128store();
      else f.get(py).get(py).v128load().get(xs).get(pb).v128load().simd(L.mul).simd(L.add).v128store();
      f.inc(py, 16).inc(pb, 16);
    });
    f.get(tail).set(cnt);
    countDown(f, cnt, () => {
      // with fma the scalar tail fuses too (in lane 0 of splats: wasm has no scalar FMA)
      if (fma) f.get(py).get(x).loadSplat(es).get(pb).loadSplat(es).get(py).loadSplat(es).simd(L.madd).simd(es === 4 ? 0x1f : 0x21, 0).store(L.scalar);
      else f.get(py).get(py).load(L.scalar).get(x).load(L.scalar).get(pb).load(L.scalar).op(L.smul).op(L.sadd).store(L.scalar);
      f.inc(py, es).inc(pb, es);
    });
    f.inc(x, es).incBy(b, ldbB);
  });
  return f;
}

/**
 * gemv_dot_<dtype>(y, a, ldaB, blocks, x, kLen, first): for 4·blocks rows of a (row stride ldaB),
 * y[i] (+)= Σ_p a[i·lda + p]·x[p] in increasing p: a matrix with contiguous rows times a vector.
 * Vectorised across rows: 4 rows × one vector of p are loaded and transposed in registers, so
 * each lane still sums its row sequentially. Reads (and computes) whole blocks of 4 rows: the
 * caller reserves the memory past the last row and ignores the extra outputs.
 * Blocks go GROUP at a time while GROUP are left, each with its own accumulators: one block's
 * sums are a chain of dependent adds (4 per vector of p), so a lone block waits on the adder's
 * latency; interleaving GROUP independent chains fills it (the same operations per row, in the
 * same order: the same bits). The blocks left over go one at a time.
 */
const GEMV_GROUP = 4;
function gemvDotFunc(dtype: keyof Tiles, fma: boolean): Func {
  const L = lanesOf(dtype);
  const es = L.bytes;
  const f = new Func(`gemv_dot_${dtype === "float32" ? "f32" : "f64"}`, [I32, I32, I32, I32, I32, I32, I32]);
  const [y, a, ldaB, blocks, x, kLen, first] = [0, 1, 2, 3, 4, 5, 6];
  const rowsPerBlock = 4;
  const nacc = rowsPerBlock / L.lanes; // accumulators per block, L.lanes rows each
  const G = GEMV_GROUP;
  const acc = Array.from({ length: G * nacc }, () => f.local(V128));
  const ld = Array.from({ length: G * rowsPerBlock }, () => f.local(V128));
  const t = Array.from({ length: rowsPerBlock }, () => f.local(V128));
  const xs = f.local(V128);
  const row = Array.from({ length: G * rowsPerBlock }, () => f.local(I32));
  const px = f.local(I32);
  const cnt = f.local(I32);
  const groups = f.local(I32);
  const lanesLog = Math.log2(L.lanes);
  /** One step over `nb` blocks (rows a … a + 4·nb − 1) into y … y + 16·nacc·nb bytes. */
  const step = (nb: number): void => {
    const rows = row.slice(0, nb * rowsPerBlock);
    const accs = acc.slice(0, nb * nacc);
    accs.forEach((r, v) => {
      f.get(first).if_().v128zero().set(r).else_().get(y).v128load(v * 16).set(r).end();
    });
    f.get(a).set(rows[0]!);
    for (let r = 1; r < rows.length; r++) f.get(rows[r - 1]!).get(ldaB).add().set(rows[r]!);
    f.get(x).set(px).get(kLen).i32(lanesLog).op(0x76 /* i32.shr_u */).set(cnt);
    countDown(f, cnt, () => {
      // ld[r] = a[row r][p .. p+lanes); after transposing each group of `lanes` rows,
      // ld[g·lanes + q] = column p+q of the rows of accumulator g.
      rows.forEach((r, i) => f.get(r).v128load().set(ld[i]!));
      for (let g = 0; g < accs.length; g++) transposeInPlace(f, L, ld.slice(g * L.lanes, (g + 1) * L.lanes), t);
      for (let q = 0; q < L.lanes; q++) {
        f.get(px).loadSplat(es, q * es).set(xs);
        for (let g = 0; g < accs.length; g++) {
          if (fma) f.get(xs).get(ld[g * L.lanes + q]!).get(accs[g]!).simd(L.madd).set(accs[g]!);
          else f.get(accs[g]!).get(xs).get(ld[g * L.lanes + q]!).simd(L.mul).simd(L.add).set(accs[g]!);
        }
      }
      for (const r of rows) f.inc(r, 16);
      f.inc(px, 16);
    });
    // The last kLen mod lanes columns, one at a time.
    f.get(kLen).i32(L.lanes - 1).op(0x71 /* i32.and */).set(cnt);
    countDown(f, cnt, () => {
      f.get(px).loadSplat(es).set(xs);
      for (let g = 0; g < accs.length; g++) {
        f.get(rows[g * L.lanes]!).load(L.scalar).splat(es);
        for (let q = 1; q < L.lanes; q++) f.get(rows[g * L.lanes + q]!).load(L.scalar).replaceLane(es, q);
        f.set(t[0]!);
        if (fma) f.get(xs).get(t[0]!).get(accs[g]!).simd(L.madd).set(accs[g]!);
        else f.get(accs[g]!).get(xs).get(t[0]!).simd(L.mul).simd(L.add).set(accs[g]!);
      }
      for (const r of rows) f.inc(r, es);
      f.inc(px, es);
    });
    accs.forEach((r, v) => f.get(y).get(r).v128store(v * 16));
    f.inc(y, 16 * accs.length);
    f.get(a).get(ldaB).i32(rowsPerBlock * nb).mul().add().set(a);
  };
  f.get(blocks).i32(Math.log2(G)).op(0x76 /* i32.shr_u */).set(groups);
  countDown(f, groups, () => step(G));
  f.get(blocks).i32(G - 1).op(0x71 /* i32.and */).set(blocks);
  countDown(f, blocks, () => step(1));
  return f;
}

/** A v128.const of `lanes` copies of the little-endian integer `bits` (bytes each). */
function constLanes(f: Func, bytes: 4 | 8, bits: bigint): void {
  const out: number[] = [];
  for (let l = 0; l < 16 / bytes; l++) for (let i = 0; i < bytes; i++) out.push(Number((bits >> BigInt(8 * i)) & 0xffn));
  f.simd(0x0c, ...out);
}

/** The locals and constants of a flush-to-zero screen of panels of W (ftzPanel). */
interface Screen {
  readonly L: Lanes;
  readonly w: number;
  /** the running maxima, one per vector of a panel row (the last a half: float32 W = 6) */
  readonly acc: number[];
  readonly half: boolean;
  /** the half's maxima over pairs of rows (the transposing pack's interleaved rows 4 and 5) */
  readonly pair: number;
  readonly x: number;
  readonly ab: number;
  readonly mask: number;
  readonly cnt: number;
}
function ftzLocals(f: Func, dtype: keyof Tiles, w: number): Screen {
  const L = lanesOf(dtype);
  const half = (w * L.bytes) % 16 === 8;
  return {
    L, w, acc: Array.from({ length: Math.ceil((w * L.bytes) / 16) }, () => f.local(V128)), half, pair: half ? f.local(V128) : -1,
    x: f.local(V128), ab: f.local(V128), mask: f.local(V128), cnt: f.local(I32),
  };
}

/** Loads vector v of a panel row: 16 bytes, or 8 into the low lanes (v128.load64_zero) for a half. */
function loadVec(f: Func, half: boolean, off: number): void {
  if (half) f.simd(0x5d /* v128.load64_zero */, 3, ...uleb(off));
  else f.v128load(off);
}
/** Stores vector v of a panel row: 16 bytes, or the low 8 (v128.store64_lane 0) for a half. */
function storeVec(f: Func, half: boolean, off: number): void {
  if (half) f.simd(0x5b /* v128.store64_lane */, 3, ...uleb(off), 0);
  else f.v128store(off);
}

/**
 * The screen of one packed panel (kLen rows of W elements from the address in local `ptr`, which
 * it advances past the panel): every subnormal element becomes signed zero in place, and
 * out[0..W) = max over p of |element w| (NaN when one is NaN); `out` is advanced by W elements.
 * Integer compares on the magnitude bits, so no float instruction ever sees a subnormal operand
 * (x86 would take its slow path for that too).
 */
function ftzPanel(f: Func, sc: Screen, ptr: number, kLen: number, out: number): void {
  const { L, w, cnt } = sc;
  screenStart(f, sc);
  f.get(kLen).set(cnt);
  countDown(f, cnt, () => {
    for (let v = 0; v < sc.acc.length; v++) screenVector(f, sc, ptr, ptr, v);
    f.inc(ptr, w * L.bytes);
  });
  screenEnd(f, sc, out);
}

/** A screen's start: the running maxima at zero. */
function screenStart(f: Func, sc: Screen): void {
  for (const a of sc.acc) f.v128zero().set(a);
  if (sc.half) f.v128zero().set(sc.pair);
}

/** A screen's end: out[0..W) = the maxima; `out` is advanced by W elements. */
function screenEnd(f: Func, sc: Screen, out: number): void {
  sc.acc.forEach((a, v) => f.get(out).get(a).seq(() => storeVec(f, sc.half && v === sc.acc.length - 1, v * 16)));
  f.inc(out, sc.w * sc.L.bytes);
}

/** Folds the pair maxima (lanes: row 4, row 5, row 4, row 5) into the half's (lanes 0 and 1). */
function foldPair(f: Func, sc: Screen): void {
  const h = sc.acc[sc.acc.length - 1]!;
  f.get(h).get(sc.pair).get(sc.pair).get(sc.pair).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  f.simd(0xb9 /* i32x4.max_u */).simd(0xb9).set(h);
}

/**
 * Vector v of a panel row: loaded from `src`, its subnormal lanes made signed zero, stored at
 * `dst` (the same address: the screen of a packed panel; another: a pack that screens as it
 * moves), and its magnitudes folded into the running maximum acc[v].
 */
function screenVector(f: Func, sc: Screen, src: number, dst: number, v: number): void {
  const half = sc.half && v === sc.acc.length - 1;
  f.get(src).seq(() => loadVec(f, half, v * 16)).set(sc.x);
  screenX(f, sc, dst, v * 16, v);
}

/**
 * screenVector of the vector in the screen's local x: flushed in x, stored at dst + off (a half
 * for the half vector; not stored when dst is -1), folded into acc[v] (or into `into`).
 */
function screenX(f: Func, sc: Screen, dst: number, off: number, v: number, into = sc.acc[v]!): void {
  const { L, x, ab, mask } = sc;
  const es = L.bytes;
  const f32 = L.lanes === 4;
  const absBits = f32 ? 0x7fffffffn : 0x7fffffffffffffffn;
  const signBits = f32 ? 0x80000000n : 0x8000000000000000n;
  const tinyBits = f32 ? 0x007fffffn : 0x000fffffffffffffn; // largest subnormal
  f.get(x);
  constLanes(f, es, absBits);
  f.simd(0x4e /* v128.and */).tee(ab);
  constLanes(f, es, tinyBits);
  f.simd(f32 ? 0x3b /* i32x4.gt_s */ : 0xd9 /* i64x2.gt_s */).set(mask);
  f.get(x).get(mask);
  constLanes(f, es, signBits);
  f.simd(0x50 /* v128.or */).simd(0x4e).set(x);
  if (dst >= 0) f.get(dst).get(x).seq(() => storeVec(f, sc.half && v === sc.acc.length - 1, off));
  // the running max of the magnitude bits: for float32 an integer max (one instruction; the
  // bits of non-negative floats order as their values, a NaN's above +Inf), where f32x4.max
  // is a NaN- and ±0-aware sequence on the loop's dependency chain (~16 cycles a vector);
  // Wasm has no i64x2.max, so float64 keeps f64x2.max
  f.get(into).get(ab).get(mask).simd(0x4e).simd(f32 ? 0xb9 /* i32x4.max_u */ : 0xf5 /* f64x2.max */).set(into);
}

/** copy_rows(dst, src, rows, rowBytes, dstLdB, srcLdB): copies `rows` strided rows. */
function copyRowsFunc(): Func {
  const f = new Func("copy_rows", [I32, I32, I32, I32, I32, I32]);
  const [dst, src, rows, rowBytes, dstLdB, srcLdB] = [0, 1, 2, 3, 4, 5];
  countDown(f, rows, () => {
    f.get(dst).get(src).get(rowBytes).memoryCopy();
    f.incBy(dst, dstLdB).incBy(src, srcLdB);
  });
  return f;
}

/**
 * The module's functions: pack_<f32|f64>_<W> and packftz_<f32|f64>_<W> for W in {mr, nr, tall},
 * macro_<f32|f64> (the MR × NR tile) and macro_<f32|f64>_<tall> (the tall tile's rows),
 * gemv_axpy_<f32|f64>, gemv_dot_<f32|f64> and copy_rows. With `fma` the macro and gemv kernels use
 * relaxed-SIMD fused multiply-add instead, every element then s = fma(a, b, s) in increasing p
 * (a module that validates only where relaxed SIMD is enabled).
 */
export function gemmFuncs(fma = false, tiles: Tiles = TILES): Func[] {
  const packs = new Map<string, Func>();
  const macros: Func[] = [];
  for (const dtype of ["float32", "float64"] as const) {
    const { mr, nr, tall } = tiles[dtype];
    for (const w of [mr, nr, ...(tall === undefined ? [] : [tall])]) {
      for (const fn of [packFunc(dtype, w), packFunc(dtype, w, true)]) packs.set(fn.name, fn);
    }
    macros.push(macroFunc(dtype, fma, mr, nr));
    if (tall !== undefined) macros.push(macroFunc(dtype, fma, tall, nr, `macro_${dtype === "float32" ? "f32" : "f64"}_${tall}`));
  }
  return [
    ...packs.values(),
    ...macros,
    gemvAxpyFunc("float32", fma),
    gemvAxpyFunc("float64", fma),
    gemvDotFunc("float32", fma),
    gemvDotFunc("float64", fma),
    copyRowsFunc(),
  ];
}

