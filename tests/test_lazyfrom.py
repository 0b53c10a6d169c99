"""Lazy ``from x import y`` with ``install(lazy_from=True)`` (contract C12)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import run_python, write_tree

pytestmark = pytest.mark.proxy_engine(
    "lazy_from's stand-in objects and __import__ wrapper (lazyimp/_lazyfrom.py); on 3.15 PEP 810 defers from-imports itself (tests/test_native.py)"
)

LIB = {
    "lib.py": """
        import sys, asyncio, contextlib
        sys._lib_runs = getattr(sys, "_lib_runs", 0) + 1
        class Base:
            def hello(self):
                return "hi"
        class Error(Exception):
            pass
        def double(x):
            return 2 * x
        def deco(f):
            f.decorated = True
            return f
        NUMBER = 10
        ITEMS = [1, 2, 3]
        @contextlib.contextmanager
        def ctx():
            yield "inside"
        async def coro():
            return "awaited"
        SENTINEL = object()
    """,
    "pkg/__init__.py": "import sys\nsys._pkg_runs = 1\n",
    "pkg/sub.py": "import sys\nsys._sub_runs = 1\nS = 5\n",
}


def run(tmp_path: Path, body: str) -> None:
    write_tree(tmp_path, LIB)
    import textwrap

    run_python(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "import lazyimp\nlazyimp.install(lazy_from=True)\n" + textwrap.dedent(body),
        tmp_path=tmp_path,
    )


def test_from_import_binds_lazy_names_and_swaps_them_after_the_module_runs(tmp_path: Path) -> None:
    """Names are lazy; after the module runs each is the real object where bound (contract C12.1)."""
    run(
        tmp_path,
        """
        from lib import double as dbl, NUMBER, Base
        def main():  # the names are used in functions only: lazy
            assert not hasattr(sys, "_lib_runs")
            assert type(dbl).__name__ == "LazyName" and "not loaded yet" in repr(dbl)
            assert dbl(4) == 8 and sys._lib_runs == 1
            assert type(globals()["dbl"]).__name__ == "function", "rebound"
            assert NUMBER == 10 and type(NUMBER) is int
            assert Base is sys.modules["lib"].Base
        main()
        """,
    )


def test_abc_checks_on_a_stand_in_see_the_objects_type(tmp_path: Path) -> None:
    """isinstance(stand-in, Iterable/Sized/Callable/Hashable) answers for the object (contract C12.2).

    Found by the popular-stacks check: SQLAlchemy's to_list() asks Iterable of an alembic
    env's MetaData stand-in and then called list() on it.
    """
    run(
        tmp_path,
        """
        from lib import Base, ITEMS, double, NUMBER
        import collections.abc as abc
        def main():
            B, IT, D, N = Base, ITEMS, double, NUMBER     # copies: stay stand-ins
            obj_checks = (isinstance(B, abc.Iterable), isinstance(IT, abc.Iterable),
                          isinstance(IT, abc.Sized), isinstance(D, abc.Callable),
                          isinstance(N, abc.Iterable), isinstance(N, abc.Hashable),
                          isinstance(IT, abc.Hashable))
            assert obj_checks == (False, True, True, True, False, True, False), obj_checks
            assert type(N).__name__ == "LazyName" and bool(N) and N + 1 == 11
            assert list(IT) == [1, 2, 3] and not callable(N) and callable(D)
            try:
                iter(N)
            except TypeError:
                pass
            else:
                raise AssertionError("a stand-in of an int iterated")
        main()
        """,
    )


def test_lazy_names_stand_in_for_the_object(tmp_path: Path) -> None:
    """Calling, attributes, subclassing, isinstance, decorators, operators, iteration, with, await, functools.wraps (contract C12.2)."""
    run(
        tmp_path,
        """
        import asyncio
        from lib import Base, double, deco, NUMBER, ITEMS, ctx, coro
        def main():
            # copies taken before the module runs keep the lazy objects
            B, dbl, dec, N, IT, CTX, CO = Base, double, deco, NUMBER, ITEMS, ctx, coro
            assert type(B).__name__ == "LazyName"
            class Child(B):
                pass
            assert Child().hello() == "hi"
            assert isinstance(Child(), B) and issubclass(Child, B)
            @dec
            def f():
                pass
            assert f.decorated
            assert dbl(3) == 6
            assert N + 1 == 11 and 1 + N == 11 and N * 2 == 20 and -N == -10 and N == 10
            assert list(IT) == [1, 2, 3] and len(IT) == 3 and 2 in IT and IT[0] == 1
            with CTX() as value:
                assert value == "inside"
            assert asyncio.run(CO()) == "awaited"
            assert hash(N) == hash(10) and str(N) == "10" and f"{N:>3}" == " 10"
            import functools
            @functools.wraps(dbl)
            def wrapper(x):
                return dbl(x)
            assert wrapper.__name__ == "double" and wrapper.__module__ == "lib"
            assert wrapper(2) == 4
        main()
        """,
    )


def test_names_used_in_except_case_super_or_is_stay_eager(tmp_path: Path) -> None:
    """Statements binding names used in except/case/super()/is are eager (contract C12.3)."""
    run(
        tmp_path,
        """
        from lib import Error
        def raise_and_catch():
            try:
                raise Error("x")
            except Error:
                return True
        assert sys._lib_runs == 1
        del sys.modules["lib"]
        from lib import SENTINEL
        def check(x):
            return x is SENTINEL
        from lib import NUMBER  # used by the module body itself: eager
        TWICE = NUMBER * 2
        def main():
            assert raise_and_catch() and type(Error) is type
            assert type(SENTINEL) is object and type(NUMBER) is int
        main()
        """,
    )


def test_missing_name_raises_import_error_at_first_use(tmp_path: Path) -> None:
    """A name the module lacks raises ImportError at first use, naming the statement (contract C12.4)."""
    run(
        tmp_path,
        """
        from lib import no_such_name
        def main():
            try:
                no_such_name()
            except ImportError as e:
                assert "no_such_name" in str(e) and "snippet.py:6" in str(e), e
            else:
                raise AssertionError("no error")
        main()
        """,
    )


def test_submodules_star_try_and_future_imports(tmp_path: Path) -> None:
    """A submodule is a module proxy; star, __future__ and try imports stay eager (contract C12.1, C12.4)."""
    run(
        tmp_path,
        """
        from pkg import sub
        try:
            from lib import NUMBER
        except ImportError:
            raise
        def main():
            assert type(sub).__name__ == "LazyModule" and not hasattr(sys, "_pkg_runs")
            assert sub.S == 5 and sys._pkg_runs == 1
            assert type(NUMBER) is int
        main()
        """,
    )
    write_tree(tmp_path, {"star.py": "from lib import *\nassert type(double).__name__ == 'function'\n"})
    run_python(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "import lazyimp\nlazyimp.install(lazy_from=True)\nimport star\nstar.double\n"
    )


def test_filter_sees_the_names(tmp_path: Path) -> None:
    """The filter gets (importer, module, fromlist); False keeps the statement eager (contract C3.11, C12.4)."""
    write_tree(tmp_path, LIB)
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        calls = []
        def flt(importer, name, fromlist):
            calls.append((importer, name, fromlist))
            return name != "lib"
        lazyimp.install(lazy_from=True, filter=flt)
        from lib import double
        def main():
            assert type(double).__name__ == "function"
            assert ("__main__", "lib", ("double",)) in calls, calls
        main()
        """
    )


@pytest.mark.parametrize("mode", [False, True])
def test_uninstall_removes_the_import_wrapper(mode: bool) -> None:
    """uninstall() restores builtins.__import__ exactly (contract C1.2)."""
    run_python(
        f"""
        import builtins, lazyimp
        before = builtins.__import__
        lazyimp.install(lazy_from={mode})
        lazyimp.install(lazy_from=False)
        assert builtins.__import__ is before
        lazyimp.install(lazy_from=True)
        lazyimp.uninstall()
        assert builtins.__import__ is before
        """
    )


def test_lazy_from_from_the_environment(tmp_path: Path) -> None:
    """LAZYIMP_LAZY_FROM=1 turns the mode on; a bad value is a clear error (contract C3.9, C4.4, C12)."""
    write_tree(tmp_path, LIB)
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        importer = lazyimp.install()
        assert importer.config.lazy_from is True
        assert importer.config.sources["lazy_from"] == "environment (LAZYIMP_LAZY_FROM)"
        from lib import double
        def main():
            assert type(double).__name__ == "LazyName"
        main()
        """,
        env={"LAZYIMP_LAZY_FROM": "1"},
    )
    proc = run_python(
        "import lazyimp\nlazyimp.install()\n", env={"LAZYIMP_LAZY_FROM": "maybe"}, check=False
    )
    assert proc.returncode == 1 and "LAZYIMP_LAZY_FROM='maybe'" in proc.stderr


# -- the code analysis (contract C12.3), read from compiled code: no import state touched --


def _unsafe(source: str, *names: str) -> bool:
    import textwrap

    from lazyimp import _lazyfrom

    code = compile(textwrap.dedent(source), "<analysed>", "exec")
    return _lazyfrom.any_unsafe(code, names)


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    try:\n        pass\n    except Error:\n        pass\n",
        "def f():\n    try:\n        pass\n    except (OSError, Error) as e:\n        pass\n",
        "def f():\n    try:\n        pass\n    except* Error:\n        pass\n",
        "def f(x):\n    match x:\n        case Error(a=1):\n            pass\n",
        "class A:\n    def f(self):\n        return super(Error, self).f()\n",
        "def f(x):\n    return x is Error\n",
        "def f(x):\n    return Error is not x\n",
        "async def f(x):\n    return [y for y in x if y is Error]\n",
        "X = Error\n",  # used while the module body runs
        "class A(Error):\n    pass\n",
        "class A:\n    attr = Error\n",
        "data = [Error for _ in range(2)]\n",
    ],
)
def test_analysis_finds_uses_a_stand_in_cannot_serve(source: str) -> None:
    """except/except*/case/super()/is operands and import-time loads (contract C12.3)."""
    if "except*" in source and sys.version_info < (3, 11):
        pytest.skip("except* is 3.11+")
    assert _unsafe(source, "Error")


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    return Error('x')\n",  # a call: the stand-in forwards it
        "def f(x):\n    return isinstance(x, Error)\n",
        "def f(x):\n    return x is Other\n",
        "def f(Error):\n    return x is Error\n",  # a local of the same name
        "def f():\n    try:\n        pass\n    except mod.Error:\n        pass\n",
        "def f(x):\n    return x.Error is None\n",  # an attribute of that name
        "class A:\n    def f(self):\n        return super().f()\n",
        "def f(x):\n    return Error.attr is x\n",  # the attribute is the real one
    ],
)
def test_analysis_leaves_other_uses_lazy(source: str) -> None:
    """Calls, isinstance, other names, locals and attributes do not force eagerness (contract C12.3)."""
    assert not _unsafe(source, "Error")


def test_analysis_reads_names_past_extended_args() -> None:
    """A name whose index needs EXTENDED_ARG (over 255 names) is still found (contract C12.3)."""
    filler = "".join(f"    n{i} = g.a{i}\n" for i in range(300))
    late = "def f(x, g):\n" + filler + "    return x is Error\n"
    assert _unsafe(late, "Error")
    assert not _unsafe(late.replace("x is Error", "Error(x)"), "Error")
    # The low byte of a large index must not be mistaken for a small one.
    clash = "def f(x, g):\n" + filler + "    return x is n0\n"
    assert not _unsafe(clash, "a0")


def test_a_pending_module_imported_in_a_function_runs_with_the_wrapper_on(tmp_path: Path) -> None:
    """`import pkg.sub` in a function runs the pending module past our __import__ wrappers (contract C2.4, C12).

    idna's tests rely on it: a module-level `import idna.codec` leaves it pending, and a
    later eager import of it in a function must register the codec, as it does eagerly.
    """
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub.py": """
                import codecs
                def _search(name):
                    return codecs.lookup("utf-8") if name == "minicodec" else None
                codecs.register(_search)
            """,
            "user.py": "import pkg.sub\n",
        },
    )
    for setup in ("lazyimp.install(lazy_from=True)", "lazyimp.install(); lazyimp.track_imports().__enter__()"):
        run_python(
            f"""
            import sys, codecs
            sys.path.insert(0, {str(tmp_path)!r})
            import lazyimp
            {setup}
            import user
            lazyimp.load(user)
            assert lazyimp.is_lazy("pkg.sub")
            def f():
                import pkg.sub
                return codecs.lookup("minicodec").name
            assert f() == "utf-8"
            """
        )


def test_module_getattr_of_the_source_module(tmp_path: Path) -> None:
    """Names served by the source module's __getattr__ (PEP 562) resolve lazily (contract C12.1)."""
    write_tree(
        tmp_path,
        {
            "dyn.py": """
                import sys
                sys._dyn_runs = getattr(sys, "_dyn_runs", 0) + 1
                def __getattr__(name):
                    if name == "computed":
                        return 42
                    raise AttributeError(name)
            """,
        },
    )
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install(lazy_from=True)
        from dyn import computed
        from concurrent.futures import ThreadPoolExecutor
        from typing import Any
        def main():
            assert not hasattr(sys, "_dyn_runs")
            assert computed + 1 == 43 and sys._dyn_runs == 1
            assert globals()["computed"] == 42
            with ThreadPoolExecutor(1) as pool:
                assert pool.submit(len, "ab").result() == 2
            assert str(Any) == "typing.Any"  # str() is a use; repr() only describes
        main()
        """
    )


def test_re_exported_name_compared_with_is_in_another_module(tmp_path: Path) -> None:
    """A re-export (`text_type = str`) compared with `is` elsewhere: each importer decides for itself (contract C12.3).

    The module that compares with ``is`` binds eagerly (its own code says so); a module
    that only calls the name gets the stand-in, then the real object once ``compat`` runs.
    Comparisons across modules see the real object because the comparing module's
    binding is eager: documented in docs/contract.rst (C12.5).
    """
    write_tree(
        tmp_path,
        {
            "compat.py": "text_type = str\n",
            "checks.py": """
                from compat import text_type
                def is_text(x):
                    return type(x) is text_type
            """,
            "maker.py": """
                from compat import text_type
                def make(x):
                    return text_type(x)
            """,
        },
    )
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install(lazy_from=True)
        import maker, checks
        lazyimp.load(maker)
        assert type(maker.__dict__["text_type"]).__name__ == "LazyName"
        lazyimp.load(checks)
        assert checks.__dict__["text_type"] is str  # eager: compared with `is`
        assert checks.is_text(maker.make(5))
        assert maker.__dict__["text_type"] is str  # swapped when compat ran
        """
    )


def test_the_report_says_why_lazy_from_left_a_from_import_eager(tmp_path: Path) -> None:
    """The report gives lazy_from's own reason for a from-import it kept eager (contract C12.3, C9.1).

    Not "the module is used at once", which is what the finder alone would say.
    """
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "from .models import Model\nfrom app.views import View\n",
            "app/models.py": "class Model:\n    pass\n",
            "app/views.py": "class View:\n    pass\n",
        },
    )
    run(
        tmp_path,
        """
        import os
        from lib import SENTINEL
        def check(x):
            return x is SENTINEL
        import app
        app.Model
        reasons = {
            record["name"]: record["reason"]
            for record in lazyimp.report(file=open(os.devnull, "w")).to_dict()["modules"]
        }
        assert reasons["lib"].startswith("a name used where a stand-in cannot serve"), reasons["lib"]
        assert reasons["app.models"] == "from-import within one package", reasons["app.models"]
        assert reasons["app.views"] == "from-import within one package", reasons["app.views"]
        """,
    )
