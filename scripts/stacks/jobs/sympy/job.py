"""SymPy: solving, calculus, simplification, matrices, printing (LaTeX, pretty, code)
and lambdify with NumPy."""

import sympy as sp

x, y, t = sp.symbols("x y t")
print(sp.solve(x**2 - 5 * x + 6, x), sp.solve([x + y - 3, x - y - 1], [x, y]))
print(sp.diff(sp.sin(x) * sp.exp(x), x), sp.integrate(x * sp.exp(-x), (x, 0, sp.oo)))
print(sp.limit(sp.sin(x) / x, x, 0), sp.series(sp.cos(x), x, 0, 6))
print(sp.simplify((x**2 - 1) / (x - 1)), sp.factor(x**3 - x), sp.expand((x + y) ** 3))
m = sp.Matrix([[2, 1], [1, 3]])
print(m.det(), m.inv(), m.eigenvals())
f = sp.Function("f")
print(sp.dsolve(sp.Eq(f(t).diff(t, 2) + f(t), 0), f(t)))
print(sp.latex(sp.Integral(sp.sqrt(x), (x, 0, 1))))
print(sp.pretty(sp.Sum(1 / x**2, (x, 1, sp.oo)), use_unicode=False))
print(sp.ccode(sp.sqrt(x) + sp.Abs(y)), sp.pycode(sp.Piecewise((x, x > 0), (0, True))))
fn = sp.lambdify(x, sp.sin(x) ** 2 + sp.cos(x) ** 2, "numpy")
print(fn(__import__("numpy").array([0.1, 1.0])).round(12))
print(sp.N(sp.pi, 30), sp.nsimplify(0.333333333333), sp.isprime(2**31 - 1))
