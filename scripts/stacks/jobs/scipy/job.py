"""SciPy: optimize, integrate, interpolate, sparse linear algebra, statistics, signal."""

import numpy as np
from scipy import integrate, interpolate, optimize, signal, sparse, stats
from scipy.sparse.linalg import spsolve

res = optimize.minimize(lambda v: (v[0] - 1) ** 2 + 10 * (v[1] - v[0] ** 2) ** 2, [0.0, 0.0], method="BFGS")
print("minimize:", np.round(res.x, 5), res.success)
print("root:", round(optimize.brentq(lambda t: t**3 - 2 * t - 5, 2, 3), 10))
val, err = integrate.quad(np.sin, 0, np.pi)
print("quad:", round(val, 10))
sol = integrate.solve_ivp(lambda t, y: -0.5 * y, (0, 10), [2.0], t_eval=[0, 5, 10], rtol=1e-8)
print("solve_ivp:", np.round(sol.y[0], 6))
spline = interpolate.CubicSpline(np.arange(6.0), np.arange(6.0) ** 2)
print("spline:", np.round(spline([0.5, 2.5, 4.5]), 6))
n = 50
lap = sparse.diags([-1, 2, -1], [-1, 0, 1], shape=(n, n), format="csr")
x = spsolve(lap, np.ones(n))
print("spsolve max:", round(float(x.max()), 6), "nnz:", lap.nnz)
sample = stats.norm(loc=2, scale=3).rvs(size=500, random_state=np.random.default_rng(7))
print("describe:", stats.describe(sample).mean.round(6))
print("ttest:", round(float(stats.ttest_1samp(sample, 2.0).pvalue), 6))
print("pearsonr:", round(float(stats.pearsonr(np.arange(10), np.arange(10) ** 2).statistic), 6))
b, a = signal.butter(3, 0.2)
print("filtfilt:", np.round(signal.filtfilt(b, a, np.sin(np.arange(20.0)))[:5], 6))
print("special gamma:", __import__("scipy.special", fromlist=["gamma"]).gamma(5.5))
