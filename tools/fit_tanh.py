#!/usr/bin/env python3
"""Fits the piecewise polynomials of ctnn's AVX-512 float tanh (backend/cpu/simd_tanh.hpp).

tanh(|x|) on 16 pieces: [0, 1/16), half octaves [2^e, 1.5 2^e) and [1.5 2^e, 2^(e+1)) from 1/16
to 8, and [8, 9] (tanh rounds to 1 in float from about 8.7). A piece is found from the bits of
|x| (exponent and first mantissa bit), so its coefficients come from a 16-entry table in one
register permute. On each piece a polynomial of degree 6 in r = |x| - mid (mid: the middle of
the half octave, 0 on the first piece, where the polynomial is odd so that tanh(x) = x near 0)
is fitted to tanh in relative error, near minimax by Lawson's iteration on Chebyshev nodes.

Prints the C++ tables. Needs numpy (Debian: python3-numpy). Check new tables with
tools/tanh_error.cpp (the largest error over every float).
    python3 tools/fit_tanh.py > /tmp/tables.txt
"""
import numpy as np

DEGREE = 6
PIECES = 16


def pieces():
    edges, e = [0.0], 1 / 16
    while e < 8:
        edges += [e, 1.5 * e]
        e *= 2
    edges += [8.0, 9.0]
    segments = list(zip(edges[:-1], edges[1:]))
    assert len(segments) == PIECES
    return segments


def fit(a, b):
    # The half octave [8, 12) is cut at 9, but its middle stays 10: the kernel computes the
    # piece from the bits of |x|, clamped to 9.
    mid = 0.0 if a == 0 else (10.0 if b == 9.0 else (a + b) / 2)
    n = 4000
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    x = (a + b) / 2 + (b - a) / 2 * t
    y = np.tanh(x)
    relative = 1 / np.abs(y)
    r = x - mid
    if a == 0:
        # odd: tanh(r) = c1 r + c3 r^3 + c5 r^5, exactly 0 at 0 and x-like near it
        powers = (1, 3, 5)
        scale = 1.0
    else:
        powers = tuple(range(DEGREE + 1))
        scale = max(abs(a - mid), abs(b - mid))  # r / scale in [-1, 1]: a well-conditioned fit
    basis = np.vstack([(r / scale) ** k for k in powers]).T
    lawson = np.full(n, 1 / n)
    for _ in range(60):
        w = np.sqrt(lawson) * relative
        c, *_ = np.linalg.lstsq(basis * w[:, None], y * w, rcond=None)
        err = np.abs(basis @ c - y) * relative
        lawson = np.maximum(lawson * (err + 1e-30), 1e-12)
        lawson /= lawson.sum()
    coefficients = np.zeros(DEGREE + 1)
    for k, ck in zip(powers, c):
        coefficients[k] = ck / scale**k
    return mid, coefficients


def main():
    mids, table = [], []
    for a, b in pieces():
        mid, c = fit(a, b)
        mids.append(mid)
        table.append(c)
    mids = np.array(mids, dtype=np.float32)
    table = np.array(table, dtype=np.float32)
    row = lambda values: "{" + ", ".join("%.9ef" % v for v in values) + "}"
    print("alignas(64) inline constexpr float tanh_middle[16] = %s;" % row(mids))
    print("alignas(64) inline constexpr float tanh_coefficients[%d][16] = {" % (DEGREE + 1))
    for k in range(DEGREE + 1):
        print("    %s," % row(table[:, k]))
    print("};")


if __name__ == "__main__":
    main()
