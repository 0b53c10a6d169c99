"""The module proxy: what executes it, what does not, resolution and failure.

contract C2.4, C2.5, C2.7, C5.1, C6.1, C8.5.  Each test runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import run_python, write_tree

pytestmark = pytest.mark.proxy_engine(
    "the wrapt module proxy and its state machine (lazyimp/_proxy.py); PEP 810 binds the interpreter's lazy objects instead (tests/test_native.py)"
)

PRELUDE = """
import sys, types
sys.path.insert(0, {path!r})
import lazyimp
lazyimp.install()
"""


def run(pkgs: Path, body: str) -> None:
    import textwrap

    run_python(PRELUDE.format(path=str(pkgs)) + textwrap.dedent(body))


def test_proxy_is_a_wrapt_object_proxy_around_the_unexecuted_module(pkgs: Path) -> None:
    """The proxy is a wrapt object proxy around importlib's module (contract C2.4)."""
    run(
        pkgs,
        """
        import plain
        from lazyimp import _wrapt
        import wrapt
        assert isinstance(plain, wrapt.BaseObjectProxy)
        from lazyimp._proxy import proxy_class
        assert issubclass(proxy_class(), wrapt.BaseObjectProxy)
        assert not hasattr(sys, "_plain_runs")
        """,
    )


def test_later_plain_import_of_wrapt_gives_the_same_proxy_type(pkgs: Path) -> None:
    """Loading wrapt's C type early keeps one type for a later `import wrapt` (contract C2.4)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import plain
        assert "wrapt._wrappers" in sys.modules or "wrapt.wrappers" in sys.modules
        assert lazyimp.is_lazy(sys.modules["wrapt"])  # the shortcut: wrapt's body has not run
        assert len([m for m in sys.modules if m.startswith("wrapt")]) <= 3
        import wrapt
        assert type(plain).__mro__[1] is wrapt.BaseObjectProxy
        assert wrapt.exceptions.WrapperNotInitializedError is sys.modules["wrapt.exceptions"].WrapperNotInitializedError
        assert wrapt.ObjectProxy(1) + 1 == 2
        """
    )


def test_reading_import_dunders_does_not_execute(pkgs: Path) -> None:
    """Import dunders, isinstance, repr and is_lazy do not execute (contract C2.5)."""
    run(
        pkgs,
        """
        import plain, a
        assert plain.__name__ == "plain" and plain.__spec__.name == "plain"
        assert plain.__loader__ is plain.__spec__.loader
        assert type(plain.__loader__).__name__ == "SourceFileLoader"
        assert plain.__package__ == "" and plain.__file__.endswith("plain.py")
        assert plain.__cached__ is not None
        assert a.__path__ and plain.__class__ is types.ModuleType
        assert isinstance(plain, types.ModuleType)
        r = repr(plain)
        assert "not loaded yet" in r and "plain" in r, r
        assert lazyimp.is_lazy(plain)
        assert not hasattr(plain, "__warningregistry__")
        assert not hasattr(sys, "_plain_runs") and not hasattr(sys, "_order")
        """,
    )


def test_dotted_imports_execute_no_parent(pkgs: Path) -> None:
    """`import a.b.c` and `import a.b.c as d` execute none of a, a.b, a.b.c (contract C2.5)."""
    run(
        pkgs,
        """
        import a.b.c
        import a.b.c as d
        assert not hasattr(sys, "_order"), sys._order
        assert a.b is sys.modules["a.b"] and a.b.c is d
        assert not hasattr(sys, "_order"), "reading submodules set by importlib"
        assert lazyimp.is_lazy(a) and lazyimp.is_lazy(d)
        assert d.C == 3
        assert sys._order == ["a", "a.b", "a.b.c"], sys._order
        """,
    )


def test_sweepers_do_not_execute(pkgs: Path) -> None:
    """assertWarns and inspect.getmodule sweep sys.modules without executing (contract C2.5)."""
    run(
        pkgs,
        """
        import plain, a.b.c
        import unittest, inspect, warnings
        class T(unittest.TestCase):
            def runTest(self):
                with self.assertWarns(UserWarning):
                    warnings.warn("x", UserWarning)
        result = unittest.TextTestRunner(stream=open("/dev/null", "w")).run(T())
        assert result.wasSuccessful()
        def local(): pass
        assert inspect.getmodule(local).__name__ == "__main__"
        assert inspect.getmodule(len) is not None
        assert not hasattr(sys, "_plain_runs") and not hasattr(sys, "_order")
        """,
    )


def test_wrapped_never_hands_out_the_unexecuted_module(pkgs: Path) -> None:
    """__wrapped__ and inspect.unwrap return the executed module (contract C2.5)."""
    run(
        pkgs,
        """
        import plain, inspect
        held = (plain,)
        inner = inspect.unwrap(plain)
        assert type(inner) is types.ModuleType and inner.VALUE == 1
        assert held[0].__wrapped__ is inner is sys.modules["plain"]
        import a
        held = (a,)
        assert held[0].__wrapped__ is sys.modules["a"] and type(sys.modules["a"]) is types.ModuleType
        """,
    )


def test_everything_else_executes_once(pkgs: Path) -> None:
    """Other reads, writes, deletes, dir, vars, hasattr, from-import execute once (contract C2.7)."""
    cases = {
        "plain.VALUE": "",
        "plain.NEW = 5": "assert sys.modules['plain'].NEW == 5",
        "del plain.VALUE": "assert not hasattr(sys.modules['plain'], 'VALUE')",
        "dir(plain)": "",
        "vars(plain)": "",
        "hasattr(plain, 'zzz')": "",
        "lazyimp.load(plain)": "",
        "from plain import f": "",
    }
    for action, check in cases.items():
        run(
            pkgs,
            f"""
            import plain
            assert not hasattr(sys, "_plain_runs")
            {action}
            {action if not action.startswith(("del", "from")) else "pass"}
            assert sys._plain_runs == 1, ({action!r}, sys._plain_runs)
            {check}
            """,
        )


def test_resolution_runs_parents_first_with_sys_modules_holding_the_module(pkgs: Path) -> None:
    """Parents resolve outermost first; sys.modules[name] is the real module while it runs (contract C5.1)."""
    (pkgs / "selfref.py").write_text(
        "import sys\nME = sys.modules[__name__]\nassert type(ME) is type(sys)\n"
    )
    run(
        pkgs,
        """
        import a.b.c as d
        d.C
        assert sys._order == ["a", "a.b", "a.b.c"]
        import selfref
        assert selfref.ME is sys.modules["selfref"]
        """,
    )


def test_module_replacing_itself_in_sys_modules(pkgs: Path) -> None:
    """The result is what sys.modules holds after the body (contract C5.1)."""
    run(
        pkgs,
        """
        import selfrepl
        assert selfrepl.REPLACED is True
        assert type(sys.modules["selfrepl"]).__name__ == "Replacement"
        assert selfrepl is sys.modules["selfrepl"]
        """,
    )


def test_pep562_module_getattr(pkgs: Path) -> None:
    """A module __getattr__ works through the proxy, errors keep their text (contract C5.1)."""
    run(
        pkgs,
        """
        import pep562
        holder = [pep562]
        assert pep562.dynamic == 42
        p = holder[0]
        assert p.dynamic == 42
        try:
            p.missing
        except AttributeError as e:
            assert "custom: no missing" in str(e), e
        else:
            raise AssertionError
        """,
    )


def test_import_module_returns_a_proxy_at_module_level(pkgs: Path) -> None:
    """importlib.import_module at module level hands out a proxy (contract C2.1)."""
    run(
        pkgs,
        """
        import importlib
        m = importlib.import_module("plain")
        assert lazyimp.is_lazy(m)
        assert m.VALUE == 1
        """,
    )


def test_failure_leaves_sys_modules_clean_and_retries(pkgs: Path) -> None:
    """A failing body: same type, a note with the import site, clean sys.modules, retry (contract C6.1)."""
    run(
        pkgs,
        """
        import boom
        for attempt in (1, 2):
            try:
                boom.anything
            except ValueError as e:
                notes = getattr(e, "__notes__", [])
                assert any("module 'boom' was imported lazily at <string>:" in n for n in notes), notes
            else:
                raise AssertionError("no error")
            assert "boom" not in sys.modules
            assert "plain" in sys.modules  # what the body imported stays, as eagerly
            assert lazyimp.is_lazy(boom)
            assert sys._boom_runs == attempt
        """,
    )


def test_failure_then_fixed_file_succeeds(pkgs: Path) -> None:
    """After a failure the next access retries from a fresh module (contract C6.1)."""
    run(
        pkgs,
        f"""
        import boom, importlib
        try:
            boom.x
        except ValueError:
            pass
        with open({str(pkgs / 'boom.py')!r}, "w") as fh:
            fh.write("OK = True\\n")
        importlib.invalidate_caches()
        assert boom.OK is True
        assert sys.modules["boom"].OK
        """,
    )


def test_keyboard_interrupt_and_system_exit_leave_clean_state(pkgs: Path) -> None:
    """KeyboardInterrupt and SystemExit leave sys.modules clean (contract C6.1)."""
    (pkgs / "kbi.py").write_text("raise KeyboardInterrupt\n")
    (pkgs / "sysexit.py").write_text("raise SystemExit(3)\n")
    run(
        pkgs,
        """
        import kbi, sysexit
        for mod, exc in ((kbi, KeyboardInterrupt), (sysexit, SystemExit)):
            try:
                mod.x
            except exc:
                pass
            else:
                raise AssertionError(exc)
            assert mod.__name__ not in sys.modules and lazyimp.is_lazy(mod)
        """,
    )


def test_pickling_matches_the_module(pkgs: Path) -> None:
    """Plain pickle refuses like a module; cloudpickle writes an import reference (contract C8.5)."""
    run(
        pkgs,
        """
        import pickle, copy
        import plain
        for dump in (pickle.dumps, copy.copy):
            try:
                dump(plain)
            except TypeError as e:
                assert "module" in str(e)
            else:
                raise AssertionError(dump)
        import cloudpickle
        data = cloudpickle.dumps(plain)
        assert not hasattr(sys, "_plain_runs"), "pickling executed the module"
        back = pickle.loads(data)
        assert back is sys.modules["plain"] or back.VALUE == 1
        """,
    )


def test_warnings_from_a_lazy_body_are_attributed_to_the_import_statement(tmp_path: Path) -> None:
    """A body's warn(stacklevel=2) points at the import statement, shown as eagerly (contract C5.6)."""
    (tmp_path / "depmod.py").write_text(
        "import warnings\n"
        "warnings.warn('depmod is deprecated', DeprecationWarning, stacklevel=2)\n"
        "X = 1\n"
    )
    (tmp_path / "main.py").write_text(
        "import lazyimp\nlazyimp.install()\nimport depmod\nprint(depmod.X)\n"
    )
    import subprocess
    import sys

    from helpers import python_env

    proc = subprocess.run(
        [sys.executable, str(tmp_path / "main.py")],
        capture_output=True, text=True, env=python_env(), timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"{tmp_path / 'main.py'}:3: DeprecationWarning: depmod is deprecated" in proc.stderr
    assert "import depmod" in proc.stderr  # the source line of the statement


def test_traceback_through_a_lazy_body_shows_the_import_statement(pkgs: Path) -> None:
    """A failing body's traceback passes through the import statement's line (contract C6.1)."""
    proc = run_python(
        PRELUDE.format(path=str(pkgs)) + "import boom\nboom.x\n", tmp_path=pkgs, check=False
    )
    assert proc.returncode == 1
    assert "import boom" in proc.stderr and "ValueError: boom at import" in proc.stderr


def test_pure_python_proxy_first_needed_inside_a_module_it_imports() -> None:
    """wrapt's pure-Python proxy first needed while contextlib runs: that import stays eager, later ones lazy, no warning (contract C2.1)."""
    # runpy imports contextlib, whose body's from-imports (lazy_from) are the first
    # lazy decisions; building the pure-Python proxy type imports inspect, which
    # needs contextlib finished.
    proc = run_python(
        """
        import lazyimp
        lazyimp.install(lazy_from=True)
        import runpy
        import json
        assert lazyimp.is_lazy(json)
        """,
        env={"WRAPT_DISABLE_EXTENSIONS": "1"},
    )
    assert "stay eager" not in proc.stderr, proc.stderr


@pytest.mark.skipif(
    bool(os.environ.get("WRAPT_DISABLE_EXTENSIONS")),
    reason="wrapt's C type switched off: the pure-Python proxy imports inspect itself",
)
def test_wrapt_2_1_gives_its_c_type_without_its_package_body(tmp_path: Path) -> None:
    """With wrapt 2.1 (no ``wrapt.exceptions``) the first proxy loads only the C type (contract C2.4).

    The shortcut used to require ``wrapt.exceptions`` and fell back to ``import
    wrapt``: its ``__init__`` imports inspect, importlib.metadata and 170 modules
    more (about 95M instructions) on the first intercepted import.
    """
    import subprocess

    target = tmp_path / "wrapt21"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--only-binary", ":all:",
         "--target", str(target), "wrapt==2.1.2"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"wrapt 2.1.2 could not be installed here: {proc.stderr.strip()[-200:]}")
    write_tree(tmp_path, {"plain.py": "X = 1\n"})
    run_python(
        f"""
        import sys
        sys.path[:0] = [{str(target)!r}, {str(tmp_path)!r}]
        import lazyimp
        lazyimp.install()
        import plain
        assert lazyimp.is_lazy("plain")
        c_type = sys.modules["wrapt._wrappers"].ObjectProxy
        assert sys.modules["wrapt._wrappers"].__file__.startswith({str(target)!r})
        assert issubclass(type(plain), c_type)
        assert lazyimp.is_lazy(sys.modules["wrapt"]), "wrapt's body ran"
        assert "wrapt.decorators" not in sys.modules and "inspect" not in sys.modules
        assert plain.X == 1
        import wrapt  # its body runs into the package the C type was loaded with
        assert wrapt._wrappers.ObjectProxy is c_type
        """
    )
