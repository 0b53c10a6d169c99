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


# Defers from-imports within one package on the native engine as the interpreter's
# own mode would, keeping lazyimp's other rules: the statement is judged as a plain
# import of the module it names.
WITHIN_PACKAGE_LIFTED = """
import lazyimp
from lazyimp import _rule
_original = _rule.eager_reason
def _lifted(config, frame, fullname, origin=None, mode=_rule.FIND, lazy_from=None, scope_checked=False):
    importer = frame.f_globals.get("__name__") or "" if frame is not None else ""
    if mode == _rule.NATIVE_FROM and importer.partition(".")[0] == fullname.partition(".")[0]:
        mode = _rule.FIND
    return _original(config, frame, fullname, origin, mode, lazy_from, scope_checked)
_rule.eager_reason = _lifted
lazyimp.install(lazy_from=True)
"""


@pytest.mark.slow
@pytest.mark.native_engine
def test_sympy_needs_its_from_imports_within_the_package_eager() -> None:
    """3.15: deferring sympy's from-imports within sympy enters its import cycles from the other side (contract C12.3).

    ``sympy.core`` and ``sympy.logic`` import each other (``core.symbol`` imports
    ``logic.boolalg``, which imports ``core.decorators``; ``core.expr`` imports
    ``core.function``, which imports ``core.symbol``).  Eagerly the package's own
    order decides which module of a cycle runs first.  Deferred, a module runs at the
    first use of a name, from the middle of another: one of the cycle then imports a
    name from a half-run module ("cannot import name ... from partially initialized
    module").  So from-imports within one package stay eager on the native engine
    too (on the proxy engine stand-ins add reasons of their own).
    """
    lifted = run_python(WITHIN_PACKAGE_LIFTED + SYMPY, check=False, timeout=120)
    assert lifted.returncode == 1, (lifted.stdout, lifted.stderr[-2000:])
    assert "from partially initialized module 'sympy." in lifted.stderr, lifted.stderr[-2000:]
    assert run_python(MODES["lazy_from"] + SYMPY, timeout=120).stdout == run_python(SYMPY, timeout=120).stdout


JSONSCHEMA = """
import jsonschema
jsonschema.validate({"n": 1}, {"type": "object", "properties": {"n": {"type": "integer"}}})
print("valid")
"""


@pytest.mark.native_engine
def test_jsonschema_needs_its_from_imports_within_the_package_eager() -> None:
    """3.15: deferring jsonschema's from-imports within jsonschema breaks it too (contract C12.3).

    ``jsonschema/__init__.py`` imports from ``jsonschema.validators``; deferred,
    ``validators`` runs later, and while it runs it asks the package for a name its
    ``__getattr__`` serves by importing it from ``validators``, half run: ImportError.
    """
    lifted = run_python(WITHIN_PACKAGE_LIFTED + JSONSCHEMA, check=False, timeout=120)
    assert lifted.returncode == 1, (lifted.stdout, lifted.stderr[-2000:])
    assert "from partially initialized module 'jsonschema.validators'" in lifted.stderr, lifted.stderr[-2000:]
    assert run_python(MODES["lazy_from"] + JSONSCHEMA, timeout=120).stdout == "valid\n"
