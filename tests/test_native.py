"""The native engine: lazyimp driving PEP 810's built-in lazy imports (3.15+, lazyimp/_native.py).

The same configuration as on the proxy engine becomes the interpreter's lazy-imports
filter.  Every test runs in a fresh interpreter; the modules record in ``sys._ran``
that their body ran, so "lazy" is checked by what ran, never by reading a lazy global
(which, on 3.15, imports it).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import run_python, write_tree

pytestmark = pytest.mark.native_engine

RECORD = "import sys\nsys._ran = getattr(sys, '_ran', []) + [__name__]\n"

TREE = {
    "plainmod.py": RECORD + "VALUE = 1\n",
    "othermod.py": RECORD,
    "boom.py": RECORD + "raise LookupError('boom at import')\n",
    "pkg/__init__.py": RECORD + "ATTR = 'attr'\n",
    "pkg/sub.py": RECORD + "S = 2\n",
    "pkg/other.py": RECORD,
    "pkg/registry.py": RECORD + "ENTRIES = ['registered']\n",
    "pkg/loader.py": RECORD + "import pkg.registry\nimport pkg.sub as used\ndef f():\n    return used.S\n",
    "careful.py": "__lazyimp_eager__ = True\n" + RECORD + "import plainmod\n",
}

PRELUDE = """
import sys
sys.path.insert(0, {path!r})
import lazyimp
def ran():
    return getattr(sys, "_ran", [])
"""


def run(tmp_path: Path, body: str, **kwargs: object) -> str:
    """Run ``body`` with the tree on sys.path; return its stdout."""
    write_tree(tmp_path, TREE)
    import textwrap

    src = PRELUDE.format(path=str(tmp_path)) + textwrap.dedent(body)
    return run_python(src, tmp_path=tmp_path, cwd=tmp_path, **kwargs).stdout  # type: ignore[arg-type]


def test_engine_is_pep810_and_install_drives_the_interpreter(tmp_path: Path) -> None:
    """engine() is "pep810"; install() sets mode "all" and lazyimp's filter (contract C1.7, C1.1)."""
    run(
        tmp_path,
        """
        assert lazyimp.engine() == "pep810"
        assert sys.get_lazy_imports() == "normal" and sys.get_lazy_imports_filter() is None
        imp = lazyimp.install()
        assert sys.meta_path[0] is imp and lazyimp.is_installed()
        assert sys.get_lazy_imports() == "all"
        assert sys.get_lazy_imports_filter().__module__ == "lazyimp._native"
        import plainmod
        assert ran() == [] and lazyimp.is_lazy("plainmod")
        assert plainmod.VALUE == 1 and ran() == ["plainmod"]
        """,
    )


def test_uninstall_restores_the_mode_and_the_previous_filter_exactly(tmp_path: Path) -> None:
    """uninstall() puts back sys.get_lazy_imports() and the filter found at install (contract C1.2)."""
    run(
        tmp_path,
        """
        calls = []
        def mine(importer, name, fromlist):
            calls.append(name)
            return name != "othermod"
        sys.set_lazy_imports_filter(mine)
        lazyimp.install()
        import plainmod, othermod       # the previous filter stays in the chain
        assert ran() == ["othermod"], ran()
        assert "plainmod" in calls
        lazyimp.uninstall()
        assert sys.get_lazy_imports() == "normal" and sys.get_lazy_imports_filter() is mine
        assert plainmod.VALUE == 1, "a lazy binding made before uninstall still works"
        lazy import pkg                 # the interpreter's own lazy imports are untouched
        assert "pkg" not in ran()
        """,
    )
    out = run(
        tmp_path,
        """
        lazyimp.install()
        lazyimp.uninstall()
        print(sys.get_lazy_imports(), sys.get_lazy_imports_filter())
        """,
        python_args=["-X", "lazy_imports=all"],
    )
    assert out.strip() == "all None", out


def test_enabled_and_disabled_are_scoped_to_the_context(tmp_path: Path) -> None:
    """enabled()/disabled() switch through the filter per context; the mode is restored (contract C1.3)."""
    run(
        tmp_path,
        """
        import contextvars, threading
        with lazyimp.enabled():
            assert sys.get_lazy_imports() == "all"
            import plainmod
            seen = {}
            def other():
                g = {"__name__": "other"}
                exec("import othermod", g)
                seen["thread"] = "othermod" in ran()
            t = threading.Thread(target=other); t.start(); t.join()
            g2 = {"__name__": "copied"}
            contextvars.copy_context().run(exec, "import pkg", g2)
        assert ran() == ["othermod"], ran()
        assert seen["thread"] is True, "a plain new thread starts with an empty context"
        assert lazyimp.is_lazy("plainmod") and lazyimp.is_lazy("pkg"), "a copied context is lazy"
        assert sys.get_lazy_imports() == "normal" and sys.get_lazy_imports_filter() is None
        lazyimp.install()
        with lazyimp.disabled():
            import pkg.other
        assert "pkg.other" in ran(), "disabled(): eager"
        """,
    )


def test_policy_is_the_filter_ignore_lists_defaults_and_user_filter(tmp_path: Path) -> None:
    """Ignore lists, the defaults and install(filter=) decide through the interpreter's filter (contract C3.9, C3.8, C3.11)."""
    out = run(
        tmp_path,
        """
        seen = []
        def keep(importer, name, fromlist):
            seen.append((importer, name, fromlist))
            return name != "othermod"
        lazyimp.install(ignore=["plainmod"], ignore_packages=["pkg"], filter=keep)
        import plainmod, othermod, pkg.sub
        assert ran() == ["plainmod", "othermod", "pkg", "pkg.sub"], ran()
        assert ("__main__", "othermod", None) in seen, seen
        import rlcompleter            # a built-in default: installs the completer at import
        assert "rlcompleter" in sys.modules
        import _contextvars           # built-in: nothing to defer
        assert "_contextvars" in sys.modules
        from lazyimp import _registry
        print(_registry.RECORDS["plainmod"].state, _registry.RECORDS["othermod"].reason)
        """,
    )
    assert out.split() == ["ignored", "filter"], out


def test_defaults_false_lets_a_default_entry_be_lazy(tmp_path: Path) -> None:
    """install(defaults=False) drops the built-in list: rlcompleter is deferred then (contract C3.8)."""
    run(
        tmp_path,
        """
        lazyimp.install(defaults=False)
        import rlcompleter
        assert "rlcompleter" not in sys.modules and lazyimp.is_lazy("rlcompleter")
        """,
    )


def test_side_effect_rule_and_marker_through_the_filter(tmp_path: Path) -> None:
    """An unread import within a package runs at once; __lazyimp_eager__ keeps a module's imports eager (contract C3.10, C3.6)."""
    run(
        tmp_path,
        """
        lazyimp.install()
        import pkg.loader
        pkg.loader.f                    # runs pkg and pkg.loader
        assert "pkg.registry" in ran(), "never read: a side-effect import, eager"
        assert "pkg.sub" not in ran() and lazyimp.is_lazy("pkg.sub"), "read in f(): lazy"
        import careful
        careful.__name__
        assert "plainmod" in ran(), "__lazyimp_eager__"
        from lazyimp import _registry
        assert _registry.RECORDS["pkg.registry"].state == "eager"
        assert "side effect" in _registry.RECORDS["pkg.registry"].reason
        """,
    )


def test_try_function_and_missing_modules(tmp_path: Path) -> None:
    """try blocks and functions stay eager (the compiler marks them); a missing module raises at the statement (contract C2.1, C2.3, C3.2)."""
    run(
        tmp_path,
        """
        lazyimp.install()
        try:
            import plainmod
        except ImportError:
            pass
        def f():
            import othermod
        f()
        assert ran() == ["plainmod", "othermod"], ran()
        try:
            import no_such_module_xyz
        except ModuleNotFoundError as e:
            assert e.name == "no_such_module_xyz"
        else:
            raise AssertionError("finding must not be deferred")
        """,
    )


def test_from_imports_follow_lazy_from(tmp_path: Path) -> None:
    """lazy_from off: `from m import x` runs m at once, `from pkg import sub` defers sub only; on: deferred (contract C12)."""
    run(
        tmp_path,
        """
        lazyimp.install()
        from plainmod import VALUE
        assert ran() == ["plainmod"], ran()
        from pkg import sub, ATTR
        assert ran() == ["plainmod", "pkg"], ran()
        assert lazyimp.is_lazy("pkg.sub") and ATTR == "attr"
        assert sub.S == 2 and ran()[-1] == "pkg.sub"
        """,
    )
    run(
        tmp_path,
        """
        lazyimp.install(lazy_from=True)
        from plainmod import VALUE
        from pkg import sub
        assert ran() == [], ran()
        assert VALUE == 1 and sub.S == 2
        assert ran() == ["plainmod", "pkg", "pkg.sub"], ran()
        """,
    )


def test_explicit_lazy_imports_are_the_programs_own(tmp_path: Path) -> None:
    """`lazy import` and __lazy_modules__ stay lazy whatever lazyimp's policy or switch says (native engine)."""
    run(
        tmp_path,
        """
        lazyimp.install(ignore=["plainmod"])
        lazy import plainmod
        with lazyimp.disabled():
            lazy import othermod
        assert ran() == [], ran()
        """,
    )


def test_report_records_deferred_resolved_failed_and_triggers(tmp_path: Path) -> None:
    """The report: deferred, resolved with load time, trigger and import site, failed with a note; every format renders (contract C9.1, C6.1)."""
    out = run(
        tmp_path,
        """
        import io, json
        lazyimp.install(ignore=["othermod"])
        import plainmod
        import othermod
        import pkg.other
        import boom
        plainmod.VALUE                      # four lines below the import
        for attempt in range(2):
            try:
                boom.x
            except LookupError as e:        # the body's own exception type
                assert "imported lazily" in e.__notes__[-1], e.__notes__
            else:
                raise AssertionError("no error")
        assert "boom" not in sys.modules
        rep = lazyimp.report(file=io.StringIO(), format="json")
        data = json.loads(rep.render("json"))
        assert data["engine"] == "pep810"
        mods = {m["name"]: m for m in data["modules"]}
        p = mods["plainmod"]
        assert p["state"] == "resolved" and p["load_time"] > 0
        assert p["trigger_line"] - p["import_line"] == 4 and p["trigger_module"] == "__main__", p
        assert p["trigger_file"] == p["import_file"] == __file__
        assert mods["othermod"]["state"] == "ignored"
        assert mods["pkg.other"]["state"] == "proxied" and mods["pkg"]["state"] == "proxied"
        assert mods["boom"]["state"] == "failed" and mods["boom"]["attempts"] == 2
        for fmt in ("text", "importtime", "chrome-trace"):
            assert rep.render(fmt)
        assert "(engine: pep810)" in rep.render("text").splitlines()[0]
        assert "plainmod" in rep.render("importtime")
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_pending_resolve_all_is_lazy_and_load(tmp_path: Path) -> None:
    """pending() names deferred modules; resolve_all() runs them; is_lazy()/load() take names and lazy objects (contract C1.8)."""
    run(
        tmp_path,
        """
        lazyimp.install()
        import plainmod, pkg.sub
        assert lazyimp.pending() == ["plainmod", "pkg", "pkg.sub"], lazyimp.pending()
        def held():
            # A dict read gives the lazy object itself (held in a local: never reified).
            lazy_object = globals()["plainmod"]
            assert lazyimp.is_lazy(lazy_object) and not lazyimp.is_lazy("sys")
            return lazyimp.load(lazy_object)
        assert held().VALUE == 1 and not lazyimp.is_lazy("plainmod")
        assert lazyimp.load("othermod") is sys.modules["othermod"]
        assert lazyimp.resolve_all() == ["pkg", "pkg.sub"]
        assert lazyimp.pending() == [] and ran()[-2:] == ["pkg", "pkg.sub"]
        assert type(globals()["pkg"]) is type(sys), "lazy objects of imported modules replaced"
        """,
    )


def test_threads_reading_lazy_globals_run_each_body_once(tmp_path: Path) -> None:
    """Many threads reading the same lazy globals: each body runs once, all see it finished (contract C7.1)."""
    names = [f"tm{i}" for i in range(30)]
    files = {f"{n}.py": RECORD + "import time\ntime.sleep(0.001)\nDONE = True\n" for n in names}
    write_tree(tmp_path, files)
    run(
        tmp_path,
        f"""
        import threading, collections
        lazyimp.install()
        {"; ".join(f"import {n}" for n in names)}
        NAMES = {names!r}
        barrier = threading.Barrier(16)
        errors = []
        def worker(seed):
            try:
                barrier.wait(10)
                for name in NAMES[seed:] + NAMES[:seed]:
                    assert eval(name + ".DONE") is True, name
            except BaseException as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
        for t in threads: t.start()
        for t in threads: t.join(30)
        assert not errors, errors[:3]
        runs = collections.Counter(ran())
        assert all(runs[n] == 1 for n in NAMES), runs
        """,
    )


def test_env_switch_and_free_threaded_refusal(tmp_path: Path) -> None:
    """LAZYIMP=1 installs the native engine at start-up; a free-threaded build is refused (contract C1.5, top)."""
    from test_finder import _site_dir, _with_site

    site = _site_dir(tmp_path)
    write_tree(tmp_path, TREE)
    body = (
        "sys.path.insert(0, '.')\nimport lazyimp\nassert lazyimp.is_installed()\n"
        "assert sys.get_lazy_imports() == 'all'\n"
        "assert type(sys.modules['csv']) is type(sys), 'imported while site ran: eager'\n"
        "import plainmod\nassert lazyimp.is_lazy('plainmod')\n"
    )
    run_python(_with_site(site, body), env={"LAZYIMP": "1"}, cwd=tmp_path)
    run_python(
        """
        import sys, lazyimp
        sys._is_gil_enabled = lambda: False
        try:
            lazyimp.install()
        except RuntimeError as e:
            assert "free-threaded" in str(e)
        else:
            raise AssertionError("no error")
        assert sys.get_lazy_imports() == "normal" and sys.get_lazy_imports_filter() is None
        """
    )


def test_reload_takes_a_lazy_object_or_a_module(tmp_path: Path) -> None:
    """lazyimp.reload() runs a pending lazy object first, then reloads; importlib.reload works on the module (contract C8.1)."""
    run(
        tmp_path,
        """
        import importlib
        lazyimp.install()
        import plainmod
        def held():
            return lazyimp.reload(globals()["plainmod"])
        module = held()
        assert module is sys.modules["plainmod"] and ran() == ["plainmod", "plainmod"], ran()
        assert importlib.reload(plainmod) is module and ran().count("plainmod") == 3
        """,
    )


def test_a_name_served_by_module_getattr_is_asked_for_as_often_as_eagerly(tmp_path: Path) -> None:
    """`from pkg import name` where pkg's ``__getattr__`` serves the name: asked as eagerly (contract C12, C3.3).

    The filter tells names the package has from submodules to defer by the
    package's namespace, never by ``hasattr``, which would run ``__getattr__`` once
    more than the import system does (a deprecation shim's warning, a lazy_loader
    style import).
    """
    write_tree(
        tmp_path,
        {
            "shim/__init__.py": (
                "import sys\nsys._asked = []\n"
                "def __getattr__(name):\n"
                "    sys._asked.append(name)\n"
                "    if name == 'OLD':\n"
                "        return 'old value'\n"
                "    raise AttributeError(name)\n"
            ),
        },
    )
    body = """
        import shim
        shim.__name__
        from shim import OLD
        print(OLD, sys._asked)
        """
    eager = run(tmp_path, body)
    assert eager.startswith("old value ['OLD'"), eager
    assert run(tmp_path, "lazyimp.install()\n" + textwrap.dedent(body)) == eager


SUPPRESSED = """
from contextlib import suppress
with suppress(ImportError):
    from no_such_module_lazyimp_x import thing
with suppress(ImportError):
    import no_such_module_lazyimp_y
print(sorted(name for name in ("thing", "no_such_module_lazyimp_y") if name in globals()))
"""


def test_a_missing_module_under_suppress_raises_at_the_statement(tmp_path: Path) -> None:
    """`with suppress(ImportError): from missing import x` binds nothing, as eagerly; PEP 810 alone binds a lazy object (contract C2.3).

    A ``with`` block is not a ``try`` block: the interpreter's mode defers the
    statement and the missing module is found missing only on first use.  lazyimp
    finds each module at the statement, in both modes.
    """
    eager = run_python(SUPPRESSED).stdout
    assert eager == "[]\n", eager
    alone = run_python(SUPPRESSED, python_args=["-X", "lazy_imports=all"]).stdout
    assert alone != eager, alone
    for setup in ("lazyimp.install()\n", "lazyimp.install(lazy_from=True)\n"):
        assert run(tmp_path, setup + SUPPRESSED) == eager
