"""Real stacks behave as they do eagerly, in the core mode and with lazy_from (contract C2.5, C12).

sympy is the case the issue names: mpmath registers functions in ``from . import
zetazeros`` while its package runs, and both LazyLoader and hgdemandimport break on it
("'mpmath' is not a package").
"""

from __future__ import annotations

import importlib.util

import pytest
from helpers import run_python

# Checked without importing it: sympy in this process would import modules (colorsys,
# ...) that other in-process tests expect to import lazily themselves.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sympy") is None, reason="sympy is not installed"
)

SYMPY = """
import sympy
import mpmath
x = sympy.Symbol("x")
print(sympy.sympify("x**2 + 2*x").diff(x))
print(sympy.integrate(sympy.sin(x) * x, x))
print(sympy.N(sympy.zeta(3), 12))
print(mpmath.zetazero(1))
print(sympy.Matrix([[1, 2], [3, 4]]).det())
"""

MODES = {
    "eager": "",
    "core": "import lazyimp\nlazyimp.install()\n",
    "lazy_from": "import lazyimp\nlazyimp.install(lazy_from=True)\n",
}


@pytest.mark.slow
def test_sympy_gives_the_eager_output_in_both_modes() -> None:
    """sympy (with mpmath's import-time registrations) works lazily (contract C2.5, C12.1)."""
    out = {mode: run_python(setup + SYMPY, timeout=120).stdout for mode, setup in MODES.items()}
    assert "2*x + 2" in out["eager"] and "14.134725" in out["eager"], out["eager"]
    assert out["core"] == out["eager"]
    assert out["lazy_from"] == out["eager"]


@pytest.mark.slow
@pytest.mark.native_engine
def test_sympy_breaks_under_pep810_alone_and_works_with_lazyimp() -> None:
    """3.15: ``-X lazy_imports=all`` alone breaks sympy on mpmath's registrations; lazyimp's rules keep it working (contract C3.6, C12).

    mpmath's ``functions`` registers ``zetazero`` and others while its package runs;
    deferred, ``FPContext`` lacks them ("has no attribute 'zetazero'").
    """
    alone = run_python(SYMPY, python_args=["-X", "lazy_imports=all"], check=False, timeout=120)
    assert alone.returncode == 1 and "zetazero" in alone.stderr, (alone.stdout, alone.stderr[-2000:])
    eager = run_python(SYMPY, timeout=120).stdout
    for setup in (MODES["core"], MODES["lazy_from"]):
        assert run_python(setup + SYMPY, timeout=120).stdout == eager
