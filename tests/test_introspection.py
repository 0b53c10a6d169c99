"""Introspection on lazily imported modules works as eagerly; sweeps execute nothing.

contract C2.5 (sweeps of ``sys.modules`` read dunders without executing) and C8.2
(``inspect``, ``typing.get_type_hints``, ``doctest``, ``pkgutil``,
``importlib.util.find_spec``, ``importlib.resources`` work on lazy modules), plus
debuggers (``pdb`` driving a program whose modules are lazy).  Each test runs in a
fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import NATIVE
from helpers import python_env, run_python, write_tree

NO_DUNDERS = (
    "on 3.15 reading an attribute of a lazily imported module imports it: PEP 810 keeps "
    "no unexecuted module object to answer it"
)
PARENT_RUNS = (
    "on 3.15 the pending parent package is not in sys.modules, so importlib.util.find_spec "
    "imports it, as it does eagerly"
)

TREE = {
    "target.py": '''
        """A module with doctests.

        >>> add(2, 3)
        5
        """
        import sys
        sys._ran = getattr(sys, "_ran", []) + [__name__]

        def add(a, b):
            """Add.

            >>> add(1, 1)
            2
            """
            return a + b

        class Thing:
            """A thing.

            >>> Thing().name
            'thing'
            """
            name = "thing"
    ''',
    "hints.py": """
        from __future__ import annotations
        import sys
        sys._ran = getattr(sys, "_ran", []) + [__name__]
        import target

        def make(x: target.Thing, n: int = 0) -> target.Thing:
            return x

        class Holder:
            item: target.Thing
            count: int
    """,
    "rpkg/__init__.py": """
        import sys
        sys._ran = getattr(sys, "_ran", []) + [__name__]
    """,
    "rpkg/alpha.py": "import sys\nsys._ran = getattr(sys, '_ran', []) + [__name__]\n",
    "rpkg/beta/__init__.py": "import sys\nsys._ran = getattr(sys, '_ran', []) + [__name__]\n",
    "rpkg/data.txt": "resource text\n",
    "warner.py": """
        import sys, warnings
        sys._ran = getattr(sys, "_ran", []) + [__name__]
        def warn():
            warnings.warn("from warner", UserWarning)
    """,
}

PRELUDE = """
import sys
sys.path.insert(0, {path!r})
import lazyimp
{install}
"""


def run(tmp_path: Path, body: str, *, lazy: bool = True) -> str:
    """Run ``body`` with the tree on sys.path, lazily or eagerly; return stdout."""
    write_tree(tmp_path, TREE)
    src = PRELUDE.format(path=str(tmp_path), install="lazyimp.install()" if lazy else "")
    return run_python(src + textwrap.dedent(body), tmp_path=tmp_path).stdout


def both(tmp_path: Path, body: str) -> None:
    """The same script prints the same lines eagerly and lazily."""
    eager = run(tmp_path / "eager", body, lazy=False)
    lazy = run(tmp_path / "lazy", body, lazy=True)
    assert lazy == eager


def test_inspect_getsource_and_getmodule(tmp_path: Path) -> None:
    """inspect.getsource/getmodule on a lazy module and its objects, as eagerly (contract C8.2)."""
    both(
        tmp_path,
        """
        import inspect
        import target
        print(inspect.getsource(target).splitlines()[-1].strip())
        print(inspect.getsource(target.add).splitlines()[0])
        print(inspect.getmodule(target.add) is sys.modules["target"])
        print(inspect.getmodule(target.Thing).__name__)
        print(inspect.getsourcefile(target) == target.__file__)
        """,
    )


def test_inspect_getmodule_sweep_executes_nothing(tmp_path: Path) -> None:
    """inspect.getmodule of an unrelated object sweeps sys.modules without executing (contract C2.5)."""
    run(
        tmp_path,
        """
        import inspect, target, hints, rpkg.alpha
        def local():
            pass
        assert inspect.getmodule(local).__name__ == "__main__"
        assert inspect.getmodule(len).__name__ == "builtins"
        assert not hasattr(sys, "_ran"), sys._ran
        """,
    )


def test_get_type_hints_across_lazy_modules(tmp_path: Path) -> None:
    """typing.get_type_hints resolves annotations naming another lazy module (contract C8.2)."""
    both(
        tmp_path,
        """
        import typing
        import hints
        h = typing.get_type_hints(hints.make)
        print(sorted(h), h["x"] is sys.modules["target"].Thing, h["return"].__name__)
        c = typing.get_type_hints(hints.Holder)
        print(sorted(c), c["item"] is sys.modules["target"].Thing)
        """,
    )


def test_doctest_testmod_on_a_resolved_module(tmp_path: Path) -> None:
    """doctest.testmod of a lazily imported module used first runs every example (contract C8.2)."""
    out = run(
        tmp_path,
        """
        import doctest
        import target
        target.add
        print(doctest.testmod(target))
        """,
    )
    assert out.strip() == "TestResults(failed=0, attempted=3)", out


@pytest.mark.xfail(
    not NATIVE,  # on 3.15 (PEP 810) there is no proxy: it works
    strict=True,
    reason=(
        "known limitation (contract C14.3): doctest.testmod(proxy) silently skips the functions' and classes' "
        "examples: DocTestFinder._from_module compares `module is inspect.getmodule(obj)`, "
        "and the proxy passed in (a parameter, never swapped) is not the real module"
    ),
)
def test_doctest_testmod_on_a_proxy(tmp_path: Path) -> None:
    """doctest.testmod(proxy) finds and runs all the module's examples, as eagerly (contract C8.2)."""
    out = run(
        tmp_path,
        """
        import doctest
        import target
        assert lazyimp.is_lazy("target")
        print(doctest.testmod(target))
        """,
    )
    assert out.strip() == "TestResults(failed=0, attempted=3)", out


@pytest.mark.proxy_engine(NO_DUNDERS)
def test_pkgutil_iter_modules_does_not_execute(tmp_path: Path) -> None:
    """pkgutil.iter_modules(pkg.__path__) lists submodules without executing (contract C2.5, C8.2)."""
    out = run(
        tmp_path,
        """
        import pkgutil
        import rpkg
        print(sorted((m.name, m.ispkg) for m in pkgutil.iter_modules(rpkg.__path__)))
        print(getattr(sys, "_ran", None))
        """,
    )
    assert out.splitlines() == ["[('alpha', False), ('beta', True)]", "None"], out


@pytest.mark.proxy_engine(PARENT_RUNS)
def test_find_spec_of_a_lazy_module_does_not_execute(tmp_path: Path) -> None:
    """importlib.util.find_spec of a pending module answers from its spec, executing nothing (contract C2.5, C8.2)."""
    run(
        tmp_path,
        """
        import importlib.util
        import target, rpkg.alpha
        spec = importlib.util.find_spec("target")
        assert spec.name == "target" and spec.origin.endswith("target.py")
        assert importlib.util.find_spec("rpkg.alpha").name == "rpkg.alpha"
        assert not hasattr(sys, "_ran"), sys._ran
        """,
    )


@pytest.mark.proxy_engine(PARENT_RUNS)
def test_find_spec_of_a_child_of_a_lazy_package_does_not_execute(tmp_path: Path) -> None:
    """find_spec of an unimported child of a pending package executes nothing (contract C2.5, C8.2)."""
    run(
        tmp_path,
        """
        import importlib.util
        import rpkg
        spec = importlib.util.find_spec("rpkg.alpha")
        assert spec is not None and spec.origin.endswith("alpha.py")
        assert "rpkg.alpha" not in sys.modules
        assert not hasattr(sys, "_ran"), sys._ran
        """,
    )


def test_importlib_resources_files_of_a_proxy(tmp_path: Path) -> None:
    """importlib.resources.files(proxy) reads package data as eagerly (contract C8.2)."""
    both(
        tmp_path,
        """
        import importlib.resources
        import rpkg
        root = importlib.resources.files(rpkg)
        print(root.joinpath("data.txt").read_text().strip())
        print(sorted(p.name for p in root.iterdir() if not p.name.startswith("__")))
        """,
    )


@pytest.mark.xfail(
    not NATIVE,  # on 3.15 (PEP 810) there is no proxy: it works
    strict=True,
    reason=(
        "known limitation (contract C14.3): pickle.whichmodule (an object without __module__) sweeps "
        "sys.modules with getattr(module, name) and executes every pending proxy"
    ),
)
def test_pickle_whichmodule_sweep_executes_nothing(tmp_path: Path) -> None:
    """pickle.whichmodule sweeps sys.modules without executing pending modules (contract C2.5)."""
    run(
        tmp_path,
        """
        import pickle
        import target, hints, rpkg.alpha
        def helper():
            pass
        helper.__module__ = None
        globals()["helper"] = helper
        assert pickle.whichmodule(helper, "helper") == "__main__"
        assert not hasattr(sys, "_ran"), sys._ran
        """,
    )


def test_pickle_whichmodule_finds_objects_of_resolved_modules(tmp_path: Path) -> None:
    """pickle.whichmodule finds an object defined in a lazily imported module (contract C8.2)."""
    both(
        tmp_path,
        """
        import pickle
        import target
        add = target.add
        add.__module__ = None
        print(pickle.whichmodule(add, "add"))
        """,
    )


def test_assert_warns_sweep_executes_nothing_and_catches(tmp_path: Path) -> None:
    """unittest's assertWarns probes __warningregistry__ without executing, and works (contract C2.5)."""
    run(
        tmp_path,
        """
        import unittest, warnings, io
        import target, hints, rpkg.alpha, rpkg.beta, warner
        class T(unittest.TestCase):
            def test_plain(self):
                with self.assertWarns(UserWarning):
                    warnings.warn("x", UserWarning)
        result = unittest.TextTestRunner(stream=io.StringIO()).run(
            unittest.defaultTestLoader.loadTestsFromTestCase(T))
        assert result.wasSuccessful(), result.failures
        assert not hasattr(sys, "_ran"), sys._ran
        if lazyimp.engine() == "proxy":  # on 3.15 reading `target` imports it
            assert not hasattr(target, "__warningregistry__")
        class U(unittest.TestCase):
            def test_lazy(self):
                with self.assertWarns(UserWarning):
                    warner.warn()
        result = unittest.TextTestRunner(stream=io.StringIO()).run(
            unittest.defaultTestLoader.loadTestsFromTestCase(U))
        assert result.wasSuccessful(), result.failures
        assert sys._ran == ["warner"], sys._ran
        """,
    )


PDB_APP = """
import sys
import lazyimp
import debugged
print("lazy before use:", lazyimp.is_lazy("debugged"))
print("result:", debugged.compute(20))
"""

DEBUGGED = """
def compute(n):
    doubled = n * 2
    return doubled + 2
"""


def run_pdb(tmp_path: Path, commands: str, debugged: str = DEBUGGED) -> str:
    """Run app.py under pdb (lazyimp installed first, no .pth) with commands on stdin."""
    (tmp_path / "app.py").write_text(PDB_APP)
    (tmp_path / "debugged.py").write_text(debugged)
    code = (
        "import sys, lazyimp; lazyimp.install(); import pdb; "
        "sys.argv = ['pdb', 'app.py']; pdb.main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=commands,
        capture_output=True,
        text=True,
        env=python_env({"LAZYIMP": "1"}),
        cwd=str(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_pdb_breakpoint_in_a_lazily_loaded_module(tmp_path: Path) -> None:
    """pdb sets a breakpoint in a lazy module's file and stops there when it runs (contract C8.2)."""
    out = run_pdb(tmp_path, "break debugged.py:4\ncontinue\np doubled\ncontinue\nquit\n")
    assert "lazy before use: True" in out, out
    assert "debugged.py(4)compute()" in out, out
    assert "\n(Pdb) 40\n" in out, out
    assert "result: 42" in out, out


def test_breakpoint_call_inside_a_lazily_loaded_module(tmp_path: Path) -> None:
    """breakpoint() in a lazily loaded module's function stops in pdb (contract C8.2)."""
    debugged = "def compute(n):\n    doubled = n * 2\n    breakpoint()\n    return doubled + 2\n"
    out = run_pdb(tmp_path, "continue\np doubled\ncontinue\nquit\n", debugged)
    assert "lazy before use: True" in out, out
    assert "\n(Pdb) 40\n" in out, out
    assert "result: 42" in out, out
