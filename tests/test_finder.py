"""The finder and the switch: install, uninstall, enabled/disabled, the environment.

contract C1, C2.1, C2.3.  Everything that installs the finder runs in a fresh
interpreter through ``run_python``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import NATIVE
from helpers import REPO, run_python, write_tree

PTH = (REPO / "lazyimp-toolkit.pth").read_text()


def test_install_returns_one_importer_first_in_meta_path(pkgs: Path) -> None:
    """install() puts one importer first in sys.meta_path; again returns it (contract C1.1)."""
    run_python(
        """
        import sys, lazyimp
        assert not lazyimp.is_installed()
        first = lazyimp.install()
        assert sys.meta_path[0] is first and lazyimp.is_installed()
        again = lazyimp.install(ignore=["json"])
        assert again is first
        assert sys.meta_path.count(first) == 1
        assert "json" in first.config.ignore and first.config.ignore["json"] == "install() call 2"
        assert hasattr(first, "uninstall")
        """
    )


def test_a_second_install_adds_to_the_first(pkgs: Path) -> None:
    """install() again merges: lists grow, each entry names its call; reset=True starts over (contract C1.1)."""
    run_python(
        """
        import lazyimp
        imp = lazyimp.install(ignore=["json"], ignore_packages=["email"])
        lazyimp.install()                       # a plugin's bare call elsewhere
        assert imp.config.ignore == {"json": "install()"}, imp.config.ignore
        assert imp.config.ignore_packages == {"email": "install()"}
        lazyimp.install(ignore=["csv"], lazy_from=True)
        assert imp.config.ignore == {"json": "install()", "csv": "install() call 3"}
        assert imp.config.lazy_from and imp.config.sources["lazy_from"] == "install() call 3"
        assert imp.config.calls == 3 and imp.config.as_dict()["install_calls"] == 3
        with lazyimp.enabled(ignore=["uuid"]):  # for the block only, on top
            assert set(imp.config.ignore) == {"json", "csv", "uuid"}
            assert imp.config.ignore["uuid"] == "enabled()"
        assert set(imp.config.ignore) == {"json", "csv"}
        lazyimp.install(reset=True, ignore=["uuid"])
        assert imp.config.ignore == {"uuid": "install()"} and not imp.config.lazy_from
        lazyimp.uninstall()
        lazyimp.install()                       # after uninstall(): from scratch
        assert imp.config.ignore == {} and imp.config.calls in (0, 1)
        try:
            lazyimp.install(reset="yes")
        except TypeError as exc:
            assert "reset" in str(exc) and "'yes'" in str(exc)
        else:
            raise AssertionError("reset='yes' accepted")
        """
    )


def test_uninstall_restores_meta_path_and_proxies_keep_working(pkgs: Path) -> None:
    """uninstall() undoes install; proxies handed out before still work (contract C1.2)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        before = list(sys.meta_path)
        import lazyimp
        lazyimp.install()
        import plain
        lazyimp.uninstall()
        assert sys.meta_path == before and not lazyimp.is_installed()
        assert lazyimp.is_lazy("plain")
        assert plain.VALUE == 1 and not lazyimp.is_lazy("plain")
        import a
        assert not lazyimp.is_lazy("a")  # eager again
        lazyimp.uninstall()  # twice is fine
        """
    )


def test_enabled_and_disabled_are_scoped_to_the_context(pkgs: Path) -> None:
    """enabled()/disabled() switch only the current context (contract C1.3)."""
    run_python(
        f"""
        import sys, threading, contextvars, asyncio
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        with lazyimp.enabled():
            ns = {{}}
            exec("import plain", ns)
            assert lazyimp.is_lazy(ns["plain"])
            seen = {{}}
            def other():
                g = {{}}
                exec("import cyc_x", g)
                seen["thread"] = lazyimp.is_lazy(g["cyc_x"])
            t = threading.Thread(target=other); t.start(); t.join()
            ctx = contextvars.copy_context()
            g2 = {{}}
            ctx.run(exec, "import selfrepl", g2)
            async def task():
                g3 = {{}}
                exec("import pep562", g3)
                return lazyimp.is_lazy(g3["pep562"])
            in_task = asyncio.run(task())
        assert seen["thread"] is False, "a plain new thread starts with an empty context"
        assert lazyimp.is_lazy(g2["selfrepl"]), "a copied context carries the switch"
        assert in_task is True, "asyncio tasks copy the context"
        assert lazyimp.Importer not in map(type, sys.meta_path), "removed after the block"
        lazyimp.install()
        with lazyimp.disabled():
            g4 = {{}}
            exec("import a", g4)
            assert not lazyimp.is_lazy(g4["a"])
        g5 = {{}}
        exec("import slow", g5)
        assert lazyimp.is_lazy(g5["slow"])
        """
    )


def test_modules_imported_before_install_are_left_alone() -> None:
    """Modules already in sys.modules at install stay as they are (contract C1.4)."""
    run_python(
        """
        import sys, json
        before = dict(sys.modules)
        import lazyimp
        lazyimp.install()
        import json as again
        assert again is before["json"] and type(again) is type(sys)
        for name, mod in before.items():
            assert sys.modules[name] is mod, name
        from lazyimp import _finder, _registry
        _finder.sync_registry()  # what report() does first
        assert _registry.RECORDS["json"].state == "existing"
        """
    )


def _site_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "lazyimp-toolkit.pth").write_text(PTH)
    # A .pth file processed after ours that imports a module: must stay eager.
    (site / "zz-other.pth").write_text("import csv\n")
    return site


def _with_site(site: Path, body: str) -> str:
    return (
        "import sys, site\n"
        f"site.addsitedir({str(site)!r})\n"
        "import sys\n"
        + body
    )


def test_env_switch_installs_at_startup_and_site_imports_stay_eager(tmp_path: Path) -> None:
    """LAZYIMP=1 installs through the .pth; imports during site stay eager (contract C1.5)."""
    site = _site_dir(tmp_path)
    body = """
import lazyimp
assert lazyimp.is_installed()
assert type(sys.modules["csv"]) is type(sys), "imported while site ran: eager"
import plain
assert lazyimp.is_lazy("plain")
"""
    write_tree(tmp_path, {"plain.py": "X = 1\n"})
    body = "sys.path.insert(0, '.')\n" + body
    run_python(_with_site(site, body), env={"LAZYIMP": "1"}, cwd=tmp_path)


def test_env_switch_unset_imports_nothing(tmp_path: Path) -> None:
    """With LAZYIMP unset the .pth line imports nothing (contract C1.5)."""
    site = _site_dir(tmp_path)
    run_python(
        _with_site(site, "assert 'lazyimp' not in sys.modules, sorted(sys.modules)\n"),
    )
    run_python(
        _with_site(site, "assert 'lazyimp' not in sys.modules\n"),
        env={"LAZYIMP": "0"},
    )


def test_env_switch_with_broken_config_warns_once_and_runs(tmp_path: Path) -> None:
    """A broken start-up configuration prints one line and never stops Python (contract C1.5)."""
    site = _site_dir(tmp_path)
    proc = run_python(
        _with_site(site, "import lazyimp\nassert not lazyimp.is_installed()\nprint('ran')\n"),
        env={"LAZYIMP": "1", "LAZYIMP_IGNORE": "not a name"},
    )
    assert proc.stdout.strip() == "ran"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lazyimp:"), proc.stderr
    assert "LAZYIMP_IGNORE" in lines[0]


def test_install_loads_only_the_finder(tmp_path: Path) -> None:
    """install() with nothing configured loads no policy, registry or mechanism yet (contract C13.1).

    They load with the first intercepted import; a ``[tool.lazyimp]`` section or a
    ``LAZYIMP_*`` variable is read at install() (it may switch lazy_from on).
    """
    code = (
        "import sys\nbefore = set(sys.modules)\nimport lazyimp\nlazyimp.install()\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    out = run_python(code, cwd=tmp_path).stdout
    # Not even __future__: these modules quote their annotations instead.
    expected = ["lazyimp", "lazyimp._finder", "lazyimp._install", "lazyimp._pending", "lazyimp._state"]
    if NATIVE:  # the PEP 810 engine (its filter loads the rest on first use)
        expected = sorted([*expected, "__future__", "lazyimp._native"])
    assert eval(out) == expected, out
    out = run_python(code, cwd=tmp_path, env={"LAZYIMP_LAZY_FROM": "1"}).stdout
    # The proxy engine wraps __import__ for it; the native filter reads the setting.
    assert ("lazyimp._policy" if NATIVE else "lazyimp._lazyfrom") in eval(out), out


def test_kill_switch_makes_install_a_no_op() -> None:
    """LAZYIMP_DISABLE=1 makes install() a no-op (contract C1.5)."""
    run_python(
        """
        import sys, lazyimp
        importer = lazyimp.install()
        assert importer not in sys.meta_path and not lazyimp.is_installed()
        import csv
        assert type(csv) is type(sys)
        """,
        env={"LAZYIMP_DISABLE": "1"},
    )


SWITCHES = ("LAZYIMP_DISABLE", "LAZYIMP_LAZY_FROM", "LAZYIMP_VERBOSE")


@pytest.mark.parametrize("variable", SWITCHES)
def test_environment_switches_share_one_reading(variable: str) -> None:
    """Every on/off variable reads 1/true/yes/on and 0/false/no/off/empty the same way (contract C1.5, C4.4)."""
    probe = """
        import sys, lazyimp
        importer = lazyimp.install()
        print(lazyimp.is_installed(), importer.config.lazy_from,
              sys.modules.get("lazyimp._registry") is not None
              and sys.modules["lazyimp._registry"].verbose)
        """
    off = {run_python(probe, env={variable: word}).stdout for word in ("0", "false", "No", " off ", "")}
    on = {run_python(probe, env={variable: word}).stdout for word in ("1", "TRUE", "yes", "on")}
    assert len(off) == 1 and len(on) == 1 and off != on, (off, on)
    plain = run_python(probe).stdout
    assert off == {plain}, "an off word must mean what unset means"


@pytest.mark.parametrize("variable", SWITCHES)
def test_environment_switch_rejects_other_words(variable: str) -> None:
    """Any other value is a ValueError naming the variable and the accepted words (contract C4.4)."""
    proc = run_python(
        "import sys, lazyimp\n"
        "try:\n    lazyimp.install()\n"
        "except ValueError as e:\n    print(e)\n    print(lazyimp.is_installed(), sys.meta_path[0])\n",
        env={variable: "maybe"},
    )
    assert f"{variable}='maybe'" in proc.stdout and "true" in proc.stdout and "off" in proc.stdout
    assert "False" in proc.stdout.splitlines()[1]


def test_env_switch_at_startup_reads_the_same_words(tmp_path: Path) -> None:
    """LAZYIMP=false is off without a word; LAZYIMP=maybe warns once and runs (contract C1.5)."""
    site = _site_dir(tmp_path)
    check = _with_site(site, "import lazyimp\nprint(lazyimp.is_installed())\n")
    for word, installed in (("false", "False"), ("Off", "False"), ("yes", "True")):
        proc = run_python(check, env={"LAZYIMP": word})
        assert proc.stdout.strip() == installed and proc.stderr == "", (word, proc.stderr)
    proc = run_python(check, env={"LAZYIMP": "maybe"})
    assert proc.stdout.strip() == "False"
    assert proc.stderr.count("\n") == 1 and "LAZYIMP='maybe'" in proc.stderr, proc.stderr


def test_installed_wheel_ships_the_pth_file() -> None:
    """A regular (non-editable) install puts the .pth at the top of site-packages (contract C1.5)."""
    import importlib.metadata as md

    try:
        files = md.files("lazyimp-toolkit") or []
    except md.PackageNotFoundError:
        pytest.skip("lazyimp-toolkit is not installed as a distribution here")
    names = {str(f) for f in files}
    assert "lazyimp-toolkit.pth" in names


def test_resolve_all_and_pending(pkgs: Path) -> None:
    """pending() lists unresolved modules; resolve_all() runs them all (contract C1.8)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import plain, a.b.c
        assert {{"plain", "a", "a.b", "a.b.c"}} <= set(lazyimp.pending())
        done = lazyimp.resolve_all()
        assert {{"plain", "a", "a.b", "a.b.c"}} <= set(done)
        assert lazyimp.pending() == []
        assert sys._order == ["a", "a.b", "a.b.c"]
        assert not lazyimp.is_lazy(plain) and type(plain) is type(sys)
        """
    )


def test_locks_stay_valid_in_a_forked_child(pkgs: Path) -> None:
    """lazyimp's lock is replaced in a fork child; the child resolves on its own (contract C1.8)."""
    run_python(
        f"""
        import os, sys, threading
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        from lazyimp import _state
        lazyimp.install()
        import plain
        held = threading.Event(); release = threading.Event()
        def hold():
            with _state.lock:
                held.set(); release.wait(10)
        t = threading.Thread(target=hold); t.start(); held.wait(10)
        pid = os.fork()
        if pid == 0:
            ok = _state.lock.acquire(timeout=2)
            lazyimp.install(ignore=["x"])
            os._exit(0 if ok and plain.VALUE == 1 else 3)
        release.set(); t.join()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert lazyimp.is_lazy("plain"), "the parent is unaffected"
        """
    )


def test_function_and_class_body_imports_stay_eager(pkgs: Path) -> None:
    """Imports inside functions and class bodies are eager (contract C2.1)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        def f():
            import plain
            return plain
        assert not lazyimp.is_lazy(f())
        class K:
            import cyc_x
        assert not lazyimp.is_lazy(K.cyc_x)
        import a
        assert lazyimp.is_lazy("a")
        """
    )


@pytest.mark.proxy_engine("on 3.15 extension modules are deferred too (only Python code needs a proxy); tests/test_native.py checks built-ins")
def test_builtin_extension_and_frozen_modules_stay_eager() -> None:
    """Built-in, frozen and extension modules load eagerly (contract C2.1)."""
    run_python(
        """
        import sys, lazyimp
        lazyimp.install()
        import _json, math, _csv, _decimal
        for m in (_json, math, _csv, _decimal):
            assert type(m) is type(sys), m
        from lazyimp import _registry
        assert _registry.RECORDS["math"].state == "eager"
        """
    )


def test_later_finders_are_asked_in_order(tmp_path: Path) -> None:
    """Every later finder is asked, in order, not only PathFinder (contract C2.1)."""
    run_python(
        """
        import sys, importlib.abc, importlib.util, importlib.machinery, types
        import lazyimp
        class Loader(importlib.abc.Loader):  # default module creation (inherited)
            def exec_module(self, module):
                module.FROM_CUSTOM = True
        class Custom(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "virtual_mod":
                    return importlib.util.spec_from_loader(name, Loader())
        class SixLike(importlib.abc.MetaPathFinder, importlib.abc.Loader):
            def find_spec(self, name, path, target=None):
                if name == "made_by_create":
                    return importlib.util.spec_from_loader(name, self)
            def create_module(self, spec):
                m = types.ModuleType(spec.name); m.MADE = True; return m
            def exec_module(self, module): pass
        sys.meta_path.append(Custom()); sys.meta_path.append(SixLike())
        lazyimp.install()
        import virtual_mod, made_by_create
        assert lazyimp.is_lazy("virtual_mod") and virtual_mod.FROM_CUSTOM
        assert not lazyimp.is_lazy(made_by_create) and made_by_create.MADE
        """
    )


def test_missing_module_raises_at_the_import_statement() -> None:
    """Finding is not deferred: ModuleNotFoundError at the statement (contract C2.3)."""
    run_python(
        """
        import sys, lazyimp
        lazyimp.install()
        before = set(sys.modules)
        try:
            import no_such_module_xyz
        except ModuleNotFoundError as e:
            assert e.name == "no_such_module_xyz"
        else:
            raise AssertionError("no error")
        try:
            import json.no_such_sub
        except ModuleNotFoundError:
            pass
        else:
            raise AssertionError("no error")
        """
    )


def test_bad_install_arguments_are_clear_errors_and_change_nothing() -> None:
    """A wrong install() argument is a clear error and changes nothing (contract C4.4)."""
    run_python(
        """
        import sys, lazyimp
        meta = list(sys.meta_path)
        for kwargs, exc, words in [
            ({"ignroe": ["x"]}, TypeError, "ignroe"),
            ({"ignore": 3}, TypeError, "ignore"),
            ({"ignore": ["no good"]}, ValueError, "no good"),
            ({"defaults": "yes"}, TypeError, "defaults"),
            ({"filter": 5}, TypeError, "filter"),
            ({"ignore_paths": ["rel*glob"]}, ValueError, "never match"),
        ]:
            try:
                lazyimp.install(**kwargs)
            except exc as e:
                assert words in str(e), (kwargs, e)
            else:
                raise AssertionError(kwargs)
            assert sys.meta_path == meta and not lazyimp.is_installed()
        """
    )


def test_unsupported_interpreters_get_a_clear_error() -> None:
    """Free-threaded builds: install() and enabled() raise saying why (contract C1.7)."""
    run_python(
        """
        import sys, lazyimp
        sys._is_gil_enabled = lambda: False
        try:
            with lazyimp.enabled():
                pass
        except RuntimeError as e:
            assert "free-threaded" in str(e)
        else:
            raise AssertionError("no error")
        try:
            lazyimp.install()
        except RuntimeError as e:
            assert "free-threaded" in str(e)
        else:
            raise AssertionError("no error")
        assert not lazyimp.is_installed()
        """
    )


@pytest.mark.proxy_engine("on 3.15 it returns the interpreter's lazy object, which only a global read reifies (tests/test_native.py)")
def test_import_lazily_hands_out_a_proxy_from_a_function(pkgs: Path) -> None:
    """import_lazily() hands out a proxy whatever the calling frame (contract C11.1 lazy=True)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        from lazyimp._install import import_lazily
        def f():
            return import_lazily("plain")
        p = f()
        assert lazyimp.is_lazy(p) and not hasattr(sys, "_plain_runs")
        assert p.VALUE == 1
        assert lazyimp.Importer not in map(type, sys.meta_path)
        """
    )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception table parsing")
def test_try_block_imports_stay_eager(pkgs: Path) -> None:
    """Imports in try/except/finally are eager; in with blocks lazy (contract C3.2)."""
    run_python(
        f"""
        import sys, contextlib
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        try:
            import plain
        except ImportError:
            pass
        assert not lazyimp.is_lazy("plain")
        with contextlib.nullcontext():
            import cyc_x
        assert lazyimp.is_lazy("cyc_x")
        try:
            with contextlib.nullcontext():
                import pep562
        finally:
            pass
        assert not lazyimp.is_lazy("pep562")
        try:
            raise KeyError
        except KeyError:
            import selfrepl
        assert not lazyimp.is_lazy("selfrepl")
        import a
        assert lazyimp.is_lazy("a")
        """
    )


def test_eager_child_of_a_lazy_parent_runs_the_parent_first_and_once(tmp_path: Path) -> None:
    """An eager import of a lazy package's child runs the parent first, every body once (contract C5.1)."""
    write_tree(
        tmp_path,
        {
            "pp/__init__.py": "import sys\nsys._runs = getattr(sys, '_runs', []) + ['pp']\n",
            "pp/sub/__init__.py": (
                "import sys\nsys._runs.append('pp.sub')\n"
                "from pp.sub.leaf import *\n"
            ),
            "pp/sub/leaf.py": "import sys\nsys._runs.append('pp.sub.leaf')\nLEAF = 1\n",
            "user.py": "from pp.sub.leaf import LEAF\n",
        },
    )
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import pp.sub
        def f():
            import user
            return user
        assert f().LEAF == 1
        assert sys._runs == ["pp", "pp.sub", "pp.sub.leaf"], sys._runs
        """
    )


def test_stdlib_packages_importing_each_other_under_lazyimp() -> None:
    """pkgutil, importlib.metadata and friends import and work (contract C2.1 regression)."""
    run_python(
        """
        import lazyimp
        lazyimp.install()
        def f():
            import pkgutil, importlib.metadata, importlib.abc
            return pkgutil, importlib.metadata
        pkgutil, md = f()
        assert any(True for _ in pkgutil.iter_modules())
        assert md.version("wrapt")
        """
    )


def test_a_module_imported_while_it_is_being_found_is_not_executed_twice() -> None:
    """Work done while finding a module that imports it yields one module object (contract C5.1)."""
    run_python(
        """
        import sys, lazyimp
        lazyimp.install()
        from lazyimp import _registry  # loading lazyimp's mechanism imports it too
        from lazyimp import _finder
        _finder.sync_registry()
        assert _finder._registry is _registry is sys.modules["lazyimp._registry"]
        assert _registry.installed_at is not None
        """
    )


def test_a_submodule_only_its_package_body_makes(tmp_path: Path) -> None:
    """`import pkg.sub` where only pkg's body puts pkg.sub in sys.modules works as eagerly (contract C2.3, C5.1).

    CPython 3.14's collections/__init__.py makes collections.abc that way (there is no
    collections/abc.py): a lazily imported inspect failed at `import collections.abc`.
    The module keeps its own __spec__.  (Lazily importlib also sets it on the package
    as ``pkg.virtual``, as for any submodule it loads; eagerly it finds the entry and
    sets nothing.)
    """
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "import sys\nfrom . import _impl\nsys.modules['pkg.virtual'] = _impl\n",
            "pkg/_impl.py": "X = 1\n",
            "user.py": "import pkg.virtual\nimport pkg.virtual as v\n",
        },
    )
    src = f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        {{setup}}
        import pkg              # pending under lazyimp
        import user
        print(user.v.X, user.v is sys.modules["pkg._impl"], user.v.__spec__.name,
              sorted(n for n in sys.modules if n.startswith("pkg")))
    """
    eager = run_python(src.format(setup="")).stdout
    lazy = run_python(src.format(setup="import lazyimp; lazyimp.install()")).stdout
    assert eager == "1 True pkg._impl ['pkg', 'pkg._impl', 'pkg.virtual']\n"
    assert lazy == eager


def test_eager_from_import_of_a_child_the_pending_parent_makes(tmp_path: Path) -> None:
    """`from p.virt import X`, p pending and p.virt made by p's body, works as eagerly (contract C2.3).

    The from-import is eager and decided before anything is found: with p's
    ``__path__`` holding no ``virt``, p runs first (as an eager import would run it)
    and the module its body put in sys.modules is handed back (3.14's
    ``collections.abc`` is such a module).
    """
    write_tree(
        tmp_path,
        {
            "p/__init__.py": (
                "import sys, types\n"
                "virt = types.ModuleType('p.virt')\nvirt.X = 1\nsys.modules['p.virt'] = virt\n"
            ),
        },
    )
    out = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import p
        assert lazyimp.is_lazy("p")
        from p.virt import X
        print(X, lazyimp.is_lazy("p"))
        """
    ).stdout
    assert out.split() == ["1", "False"], out
