"""The float32 range reduction of vecmath's float32 sin/cos (trig32, src/core/backend/vecmath.ts),
checked against exact arithmetic where it matters most: the float32s nearest k*pi/2 (eight each
side, both signs) for every k up to 4075, i.e. every |x| up to TRIG32_MAX = 6400 (above it the
recipe calls Math.sin/Math.cos per lane). Emulates the recipe's float32 steps in numpy float32
(IEEE round-to-nearest, as Math.fround of the float64 operation gives):
  k = floor(fl(fl(x * INV_PIO2_32) + 0.5)),  r = fl(...fl(fl(x - fl(k*P1)) - fl(k*P2))... - fl(k*P5))
and prints the smallest |x - k*pi/2|, the largest relative error of r, and how many products
k*P_i were not exact (the pieces P1..P4 have at most 12 significant bits: none should be).
Run: python3 scripts/trig-reduction.py (numpy; ~2 s). Printed on 2026-12-04:
  min |r| 4.185706803757208e-09 worst rel err 1.1845269738829148e-07 at 1248.7840576171875 inexact products 0
(1.2e-7 is about one float32 ulp of r: sin/cos of such an r stay within 2 ulp end to end.)
"""
import math
from fractions import Fraction

import numpy as np

B = 240


def half_pi_scaled(bits):
    """floor(pi/2 * 2^(bits+1)) by Machin's formula in integers."""
    s = 1 << (bits + 10)

    def arctan_inv(n):
        tot, term, k, n2 = 0, s // n, 1, n * n
        while term:
            tot += term // k if (k // 2) % 2 == 0 else -(term // k)
            term //= n2
            k += 2
        return tot

    return (16 * arctan_inv(5) - 4 * arctan_inv(239)) >> 10


HALFPI = half_pi_scaled(B)
INV_PIO2_32 = np.float32(6.36619772367581382433e-1)
TRIG32_MAX = 6400
# the pieces of pi/2 (vecmath.ts PIO2_32): four of at most 12 significant bits, then the float32 nearest the rest
P = [np.float32(v) for v in (1.5703125, 4.837512969970703e-4, 7.549533620476723e-8, 2.5632829192545614e-12, 6.123234262925839e-17)]
for p in P:
    assert float(p) == float(np.float64(p)), "each piece is a float32"
# the pieces' sum is pi/2 to within 2^-75
tail = Fraction(HALFPI, 1 << (B + 1)) - sum(Fraction(float(p)) for p in P)
assert abs(tail) < Fraction(1, 1 << 75), float(tail)

c = (np.arange(1, 4076, dtype=np.float64) * (np.pi / 2)).astype(np.float32)
xs, up, dn = [c], c.copy(), c.copy()
for _ in range(8):
    up = np.nextafter(up, np.float32(np.inf))
    dn = np.nextafter(dn, np.float32(-np.inf))
    xs += [up.copy(), dn.copy()]
x = np.concatenate(xs)
x = np.concatenate([x, -x])
x = x[np.abs(x) <= TRIG32_MAX].astype(np.float32)
k = np.floor(np.float32(np.float32(x * INV_PIO2_32) + np.float32(0.5))).astype(np.float32)
r = x.copy()
inexact = 0
for p in P[:4]:
    prod = np.float32(k * p)
    inexact += int(np.sum(prod.astype(np.float64) != k.astype(np.float64) * np.float64(p)))
    r = np.float32(r - prod)
r = np.float32(r - np.float32(k * P[4]))

worst, at, min_r = 0.0, 0.0, 1.0
for xi, ki, ri in zip(x.astype(np.float64).tolist(), k.astype(np.float64).tolist(), r.astype(np.float64).tolist()):
    m, e = math.frexp(xi)
    mant, e = int(m * (1 << 53)), e - 53
    scaled = (mant << (B + 1 + e)) if B + 1 + e >= 0 else (mant >> -(B + 1 + e))
    exact = scaled - int(ki) * HALFPI  # (x - k*pi/2) * 2^(B+1), exact
    ex = Fraction(exact, 1 << (B + 1))
    min_r = min(min_r, abs(float(ex)))
    rel = float(abs(Fraction(ri) - ex) / abs(ex))
    if rel > worst:
        worst, at = rel, xi
print("min |r|", min_r, "worst rel err", worst, "at", at, "(2^-24 =", 2.0 ** -24, ") inexact products", inexact)
