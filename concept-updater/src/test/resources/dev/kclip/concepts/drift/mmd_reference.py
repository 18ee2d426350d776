#!/usr/bin/python3
"""Reference values for MaximumMeanDiscrepancyTest, computed independently with numpy (Debian python3-numpy).

Two samples defined by formulas (so the Java test rebuilds them exactly), float32 like the job's vectors:
  x[i][d] = float32(sin(1.3 i + 0.7 d))            i < 40, d < 24
  y[j][d] = float32(1.2 cos(0.9 j + 1.1 d) + 0.1)  j < 30
Bandwidth h: the median of the squared distances over the pairs i < j of x (the median heuristic, Gretton et al.
2012), kernel k(a, b) = exp(-|a - b|^2 / h). MMD^2_u is the unbiased estimator (Gretton et al. 2012, eq. 3).
Run: /usr/bin/python3 mmd_reference.py > mmd_reference.txt
"""
import numpy as np

M, N, D = 40, 30, 24
i = np.arange(M)[:, None]
j = np.arange(N)[:, None]
d = np.arange(D)[None, :]
x = np.sin(1.3 * i + 0.7 * d).astype(np.float32).astype(np.float64)
y = (1.2 * np.cos(0.9 * j + 1.1 * d) + 0.1).astype(np.float32).astype(np.float64)


def sq(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


dxx = sq(x, x)
h = np.median(dxx[np.triu_indices(M, 1)])
kxx, kyy, kxy = np.exp(-dxx / h), np.exp(-sq(y, y) / h), np.exp(-sq(x, y) / h)
mmd2 = ((kxx.sum() - np.trace(kxx)) / (M * (M - 1)) + (kyy.sum() - np.trace(kyy)) / (N * (N - 1))
        - 2 * kxy.mean())
# the same distribution against itself: the first and second half of x
a, b = x[:20], x[20:]
kaa, kbb, kab = np.exp(-sq(a, a) / h), np.exp(-sq(b, b) / h), np.exp(-sq(a, b) / h)
halves = (kaa.sum() - np.trace(kaa)) / (20 * 19) + (kbb.sum() - np.trace(kbb)) / (20 * 19) - 2 * kab.mean()
print("bandwidth=%.17g" % h)
print("mmd2=%.17g" % mmd2)
print("mmd2_halves=%.17g" % halves)
