"""import_module_from_path, its finder and the spawn-aware pickler (contract C11, C8.5).

Everything that installs the pickler or the finder process-wide runs in a fresh
interpreter through ``run_python``; the few in-process tests only exercise failures,
which must leave import state exactly as it was (checked with ``import_state``).
Receivers are fresh interpreters that cannot import the package by name: the package
lives in a directory whose name is not its module name, off ``sys.path``.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import import_state, run_python, write_tree
from tests.spawn_fixtures import NAME, write_package

# Scripts import the public names from lazyimp once it exports them, and from the
# private modules until then.
API = """\
import lazyimp
try:
    from lazyimp import ByValue, import_module_from_path, install_pickler, uninstall_pickler
except ImportError:
    from lazyimp._pickler import ByValue, install_pickler, uninstall_pickler
    from lazyimp._spawn import import_module_from_path
"""


def script(body: str, **values: Any) -> str:
    """``API`` + assignments of ``values`` + the dedented ``body``."""
    lines = [API] + [f"{k} = {v!r}" for k, v in values.items()]
    return "\n".join(lines) + "\n" + textwrap.dedent(body)


def run(src: str, tmp_path: Path, **kw: Any) -> Any:
    return run_python(src, tmp_path=tmp_path, timeout=60, **kw)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return write_package(tmp_path)


# --- 7.1 import_module_from_path ------------------------------------------------------


def test_imports_package_and_submodules(pkg: Path, tmp_path: Path) -> None:
    """The package imports under the chosen name and its submodules resolve (contract C11.1)."""
    out = run(
        script(
            """
            import sys
            m = import_module_from_path(NAME, PKG)
            from userproj.models import Point
            from userproj.sub.deep import Deep
            import userproj.helpers
            assert m is sys.modules[NAME] and m.VERSION == 1
            assert Point(1, 2).norm1() == 3 and Deep(1).where() == "userproj.sub.deep"
            assert userproj.helpers.helper(2) == 20
            assert import_module_from_path(NAME, PKG) is m  # same name and path: same module
            assert import_module_from_path(NAME, PKG + "/.") is m
            print(m.__file__)
            """,
            NAME=NAME,
            PKG=str(pkg),
        ),
        tmp_path,
    )
    assert out.stdout.strip() == str(pkg.resolve() / "__init__.py")


def _state() -> tuple[Any, ...]:
    from multiprocessing import reduction

    return (
        dict(sys.modules),
        sys.meta_path[:],
        reduction.dump,
        reduction.ForkingPickler.__dict__.get("reducer_override"),
    )


@pytest.mark.parametrize(
    "layout, target",
    [
        ({}, "missing"),  # no such directory
        ({"plain/module.py": ""}, "plain"),  # a directory without __init__.py
        ({"plain/module.py": ""}, "plain/module.py"),  # a file, not a directory
    ],
)
def test_missing_package_directory_raises_file_not_found(
    tmp_path: Path, layout: dict[str, str], target: str
) -> None:
    """A missing directory or one without __init__.py: FileNotFoundError, state unchanged (contract C11.1)."""
    from lazyimp._spawn import import_module_from_path

    write_tree(tmp_path, layout)
    with import_state():
        before = _state()
        with pytest.raises(FileNotFoundError, match="expected a package directory") as info:
            import_module_from_path("fresh_name", tmp_path / target)
        assert _state() == before
    assert target in str(info.value) and "'fresh_name'" in str(info.value)


@pytest.mark.parametrize("bad", ["", "a.b", "1abc", "class", "a-b", ".rel", "pkg/x"])
def test_invalid_module_name_raises_value_error(pkg: Path, bad: str) -> None:
    """An invalid top-level module name is a ValueError naming it; state unchanged (contract C11.1)."""
    from lazyimp._spawn import import_module_from_path

    with import_state():
        before = _state()
        with pytest.raises(ValueError, match="expects a top-level module name") as info:
            import_module_from_path(bad, pkg)
        assert _state() == before
    assert repr(bad) in str(info.value)


def test_wrong_argument_types_raise_type_error(pkg: Path) -> None:
    """Non-str names and non-path paths are a TypeError naming the input (contract C11.1)."""
    from lazyimp._spawn import import_module_from_path

    with pytest.raises(TypeError, match="as a str, got 3"):
        import_module_from_path(3, pkg)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got 3.5"):
        import_module_from_path("fresh_name", 3.5)  # type: ignore[arg-type]


def test_name_imported_or_importable_elsewhere_raises_value_error(
    pkg: Path, tmp_path: Path
) -> None:
    """A name already imported, or importable from elsewhere, is never shadowed (contract C11.1)."""
    from lazyimp._spawn import import_module_from_path

    elsewhere = write_tree(tmp_path / "onpath", {"shadowme/__init__.py": "RAN = True"})
    with import_state():
        sys.path.insert(0, str(elsewhere))
        before = _state()
        with pytest.raises(ValueError, match="already imported from") as info:
            import_module_from_path("json", pkg)  # imported (pytest uses it)
        assert "'json'" in str(info.value)
        with pytest.raises(ValueError, match="importable from .*shadowme.*would be shadowed"):
            import_module_from_path("shadowme", pkg)
        assert _state() == before
        assert "shadowme" not in sys.modules


def test_same_name_from_another_path_raises_value_error(pkg: Path, tmp_path: Path) -> None:
    """Importing a registered name from a second directory is a ValueError; the first stays (contract C11.1)."""
    other = write_tree(tmp_path / "other", {"copy/__init__.py": "VERSION = 2"}) / "copy"
    run(
        script(
            """
            import sys
            first = import_module_from_path(NAME, PKG)
            try:
                import_module_from_path(NAME, OTHER)
            except ValueError as e:
                assert "already imported from" in str(e) and NAME in str(e), e
            else:
                raise AssertionError("no ValueError")
            assert sys.modules[NAME] is first and first.VERSION == 1
            """,
            NAME=NAME,
            PKG=str(pkg),
            OTHER=str(other),
        ),
        tmp_path,
    )


def test_failing_init_leaves_sys_modules_unchanged(tmp_path: Path) -> None:
    """A package body that raises propagates its error and leaves sys.modules as it was (contract C11.1)."""
    from lazyimp._roots import _ROOTS
    from lazyimp._spawn import import_module_from_path

    pkg = (
        write_tree(
            tmp_path,
            {
                "broken-dir/__init__.py": "from . import part\nraise RuntimeError('boom in init')\n",
                "broken-dir/part.py": "X = 1\n",
            },
        )
        / "broken-dir"
    )
    with import_state():
        before = _state()
        with pytest.raises(RuntimeError, match="boom in init"):
            import_module_from_path("brokenpkg", pkg)
        assert _state() == before
        assert "brokenpkg" not in _ROOTS


def test_lazy_true_returns_an_unexecuted_proxy(pkg: Path, tmp_path: Path) -> None:
    """lazy=True hands out a proxy; the package body runs on first use (contract C11.1, C2.5)."""
    marker = tmp_path / "marker.txt"
    run(
        script(
            """
            import os, sys
            m = import_module_from_path(NAME, PKG, lazy=True)
            assert lazyimp.is_lazy(NAME)
            assert not os.path.exists(MARKER)
            assert m.VERSION == 1                       # first use runs the body
            assert open(MARKER).read() == "ran\\n"
            from userproj.models import Point
            assert Point(1, 1).norm1() == 2
            """,
            NAME=NAME,
            PKG=str(pkg),
            MARKER=str(marker),
        ),
        tmp_path,
        env={"USERPROJ_MARKER": str(marker)},
    )


# --- 7.2 names resolve only inside the package directory -----------------------------


def test_submodule_names_never_reach_outside_the_directory(tmp_path: Path) -> None:
    """Empty, absolute and separator parts, symlinks out, and __path__ extended out: not found (contract C11.2)."""
    outside = write_tree(
        tmp_path / "outside",
        {
            "evil.py": "import os; open(os.environ['EVIL_MARKER'], 'a').write('evil\\n')",
            "evildir/__init__.py": "import os; open(os.environ['EVIL_MARKER'], 'a').write('evildir\\n')",
            "extra/extra_mod.py": "import os; open(os.environ['EVIL_MARKER'], 'a').write('extra\\n')",
            # The same layout on sys.path, for the control below.
            "onpath/ctl/__init__.py": "",
        },
    )
    pkg = (
        write_tree(
            tmp_path,
            {
                "guarded-dir/__init__.py": f"__path__.append({str(outside / 'extra')!r})\n",
                "guarded-dir/inside.py": "WHERE = 'inside'\n",
            },
        )
        / "guarded-dir"
    )
    (pkg / "link.py").symlink_to(outside / "evil.py")
    (outside / "onpath" / "ctl" / "link.py").symlink_to(outside / "evil.py")
    (pkg / "linkdir").symlink_to(outside / "evildir")
    marker = tmp_path / "evil.txt"
    run(
        script(
            """
            import importlib, importlib.util, os, sys
            # Control: the attack is real.  Plain importlib follows a symlink out of a
            # package found on sys.path.
            sys.path.insert(0, ONPATH)
            importlib.import_module("ctl.link")
            assert open(MARKER).read() == "evil\\n"
            os.remove(MARKER)

            import_module_from_path("guarded", PKG)
            assert importlib.import_module("guarded.inside").WHERE == "inside"
            for name in ["guarded." + EVIL_NOEXT, "guarded..inside", "guarded.link",
                         "guarded.linkdir", "guarded.extra_mod", "guarded.a/b",
                         "guarded.nope"]:
                try:
                    importlib.import_module(name)
                except ModuleNotFoundError as e:
                    assert e.name is not None, name
                else:
                    raise AssertionError(f"{name} was found")
                assert name not in sys.modules
            assert importlib.util.find_spec("guarded.nope") is None
            assert not os.path.exists(MARKER), open(MARKER).read()
            """,
            ONPATH=str(outside / "onpath"),
            EVIL_NOEXT=str(outside / "evil"),
            PKG=str(pkg),
            MARKER=str(marker),
        ),
        tmp_path,
        env={"EVIL_MARKER": str(marker)},
    )


# --- 7.3 / 7.4 / 7.5: what travels, in each mode ---------------------------------------

SENDER = """
import io, pickle, sys, traceback
from multiprocessing.reduction import ForkingPickler
import_module_from_path(NAME, PKG)
if MODE == "plain":
    uninstall_pickler()          # the negative control: stdlib ForkingPickler
else:
    install_pickler(MODE)
open(PKG + "/late.py", "w").write("class Late:\\n    def __init__(self, v):\\n        self.v = v\\n")
from userproj import models, late
from userproj.sub.deep import Deep
cases = {
    "instance_method": models.Plain(21),
    "function": models.scale,
    "dataclass": models.Point(1, 2),
    "enum_identity": [models.Color.RED, models.Color.RED],
    "deep_subpackage": Deep(5),
    "late_submodule": late.Late(7),
    "generic": (models.Box[int], models.Box(3)),
    "namedtuple": models.Pair(1, "x"),
    "custom_reduce": models.Custom(4),
    "reduce_to_string": models.SENTINEL,
    "lru_cache": models.cached,
    "import_in_body": models.uses_relative_import,
    "module_lock": models.uses_lock,
    "shared_globals": models.Counter(),
    "lambda": models.make_adder(5),
}
out = {}
for key, value in cases.items():
    try:
        if key == "function":    # direct instantiation, as torch's ConnectionWrapper does
            buf = io.BytesIO()
            ForkingPickler(buf, 5).dump(value)
            out[key] = buf.getvalue()
        else:
            out[key] = bytes(ForkingPickler.dumps(value))
    except Exception as e:
        out[key] = f"DUMP-FAIL {type(e).__name__}: {e}"
open(OUT, "wb").write(pickle.dumps(out))
print("cloudpickle" in sys.modules)
"""

RECEIVER = """
import dataclasses, json, pickle, sys
checks = {
    "instance_method": lambda o: o.double(),
    "function": lambda o: o(2),
    "dataclass": lambda o: [dataclasses.asdict(o), o.norm1()],
    "enum_identity": lambda o: [o[0] is o[1], o[0].name],
    "deep_subpackage": lambda o: o.where(),
    "late_submodule": lambda o: o.v,
    "generic": lambda o: [o[0].__origin__.__name__, o[1].item],
    "namedtuple": lambda o: [o.a, o.b],
    "custom_reduce": lambda o: o.v,
    "reduce_to_string": lambda o: type(o).__name__,
    "lru_cache": lambda o: o(1),
    "import_in_body": lambda o: o(2),
    "module_lock": lambda o: o(3),
    "shared_globals": lambda o: [o.bump(), o.bump(), o.read()],
    "lambda": lambda o: o(5),
}
results = {}
for key, blob in pickle.loads(open(IN, "rb").read()).items():
    if isinstance(blob, str):
        results[key] = blob
        continue
    try:
        obj = pickle.loads(blob)
    except Exception as e:
        results[key] = f"LOAD-FAIL {type(e).__name__}: {e}"
        continue
    try:
        results[key] = checks[key](obj)
    except Exception as e:
        results[key] = f"CALL-FAIL {type(e).__name__}: {e}"
results["imported_for_real"] = NAME in sys.modules
print(json.dumps(results))
"""

OK = {
    "instance_method": 42,
    "function": 6,
    "dataclass": [{"x": 1, "y": 2}, 3],
    "enum_identity": [True, "RED"],
    "deep_subpackage": "userproj.sub.deep",
    "late_submodule": 7,
    "generic": ["Box", 3],
    "namedtuple": [1, "x"],
    "custom_reduce": 4,
    "reduce_to_string": "_Sentinel",
    "lru_cache": 101,
    "import_in_body": 20,
    "module_lock": 3,
    "shared_globals": [1, 2, 2],
    "lambda": 10,
}


def _travel(pkg: Path, tmp_path: Path, mode: str) -> tuple[dict[str, Any], bool]:
    blobs = tmp_path / f"{mode}.pickles"
    sent = run(script(SENDER, NAME=NAME, PKG=str(pkg), MODE=mode, OUT=str(blobs)), tmp_path)
    received = run(script(RECEIVER, NAME=NAME, IN=str(blobs)), tmp_path)
    return json.loads(received.stdout), sent.stdout.strip() == "True"


def test_plain_forking_pickler_cannot_send_the_package(pkg: Path, tmp_path: Path) -> None:
    """Negative control: without lazyimp's pickler a fresh receiver cannot load any of it (contract C11.3)."""
    results, _ = _travel(pkg, tmp_path, "plain")
    assert results.pop("imported_for_real") is False
    assert results.pop("lambda").startswith("DUMP-FAIL")
    for key, value in results.items():
        assert value.startswith("LOAD-FAIL ModuleNotFoundError"), (key, value)


def test_path_reference_mode_carries_everything(pkg: Path, tmp_path: Path) -> None:
    """Path references load in a fresh interpreter with real module state and no cloudpickle (contract C11.3, C11.4)."""
    results, cloudpickle_imported = _travel(pkg, tmp_path, "path")
    assert results.pop("imported_for_real") is True
    assert results == OK
    # Only the lambda needed cloudpickle (the automatic by-value fallback, contract C11.5).
    assert cloudpickle_imported


def test_by_value_mode_carries_code_and_reports_its_limits(pkg: Path, tmp_path: Path) -> None:
    """By value the receiver never imports the package; cloudpickle's limits fail loudly (contract C11.4, C11.5)."""
    results, _ = _travel(pkg, tmp_path, "value")
    assert results.pop("imported_for_real") is False
    limits = {
        "reduce_to_string": "LOAD-FAIL ModuleNotFoundError",
        "lru_cache": "LOAD-FAIL ModuleNotFoundError",
        "import_in_body": "CALL-FAIL ModuleNotFoundError",
        "module_lock": "DUMP-FAIL TypeError: cannot pickle '_thread.lock'",
    }
    for key, prefix in limits.items():
        assert str(results.pop(key)).startswith(prefix), key
    # shared_globals: methods of one class share their module globals within a message.
    assert results == {k: v for k, v in OK.items() if k not in limits}


def test_path_reference_sizes_and_no_cloudpickle(pkg: Path, tmp_path: Path) -> None:
    """Path references are small and path mode imports no cloudpickle for importable code (contract C11.4, C11.5)."""
    out = run(
        script(
            """
            import json, sys
            from multiprocessing.reduction import ForkingPickler
            m = import_module_from_path(NAME, PKG)
            p = m.models.Point(1, 2)
            path_size = len(ForkingPickler.dumps(p))
            many = len(ForkingPickler.dumps([m.models.Point(i, i) for i in range(100)]))
            assert "cloudpickle" not in sys.modules
            install_pickler("value")
            value_size = len(ForkingPickler.dumps(p))
            print(json.dumps([path_size, many, value_size]))
            """,
            NAME=NAME,
            PKG=str(pkg),
        ),
        tmp_path,
    )
    path_size, many, value_size = json.loads(out.stdout)
    assert path_size < 250 < 1000 < value_size
    assert many < 100 * 30 + path_size  # the class goes once per message


def test_receiver_that_cannot_see_the_directory_gets_a_clear_error(
    pkg: Path, tmp_path: Path
) -> None:
    """A path reference to a directory the receiver lacks names it and points to by-value (contract C11.4)."""
    blob = tmp_path / "ref.pickle"
    run(
        script(
            """
            from multiprocessing.reduction import ForkingPickler
            m = import_module_from_path(NAME, PKG)
            open(OUT, "wb").write(ForkingPickler.dumps(m.models.scale))
            """,
            NAME=NAME,
            PKG=str(pkg),
            OUT=str(blob),
        ),
        tmp_path,
    )
    pkg.rename(tmp_path / "moved")
    out = run(
        script(
            """
            import pickle
            try:
                pickle.loads(open(IN, "rb").read())
            except FileNotFoundError as e:
                print(e)
            """,
            IN=str(blob),
        ),
        tmp_path,
    )
    assert str(pkg.resolve()) in out.stdout and "by value" in out.stdout


def test_receiver_with_the_name_from_elsewhere_refuses(pkg: Path, tmp_path: Path) -> None:
    """A receiver that imported the name from another directory refuses the reference (contract C11.4)."""
    other = write_tree(tmp_path / "o", {"copy/__init__.py": "", "copy/models.py": ""}) / "copy"
    blob = tmp_path / "ref.pickle"
    run(
        script(
            """
            from multiprocessing.reduction import ForkingPickler
            m = import_module_from_path(NAME, PKG)
            open(OUT, "wb").write(ForkingPickler.dumps(m.models.scale))
            """,
            NAME=NAME,
            PKG=str(pkg),
            OUT=str(blob),
        ),
        tmp_path,
    )
    out = run(
        script(
            """
            import pickle
            import_module_from_path(NAME, OTHER)
            try:
                pickle.loads(open(IN, "rb").read())
            except ImportError as e:
                print(e)
            """,
            NAME=NAME,
            OTHER=str(other),
            IN=str(blob),
        ),
        tmp_path,
    )
    assert str(pkg.resolve()) in out.stdout and str(other.resolve()) in out.stdout


def test_by_value_envelope_needs_neither_directory_nor_pickler(pkg: Path, tmp_path: Path) -> None:
    """ByValue(fn) pickles by value with plain pickle, and stays an envelope (contract C11.4)."""
    blob = tmp_path / "byvalue.pickle"
    run(
        script(
            """
            import pickle, cloudpickle
            m = import_module_from_path(NAME, PKG)
            uninstall_pickler()
            env = ByValue(m.models.make_point)
            assert env(2) == m.models.Point(2, 3)          # calling the envelope calls fn
            open(OUT, "wb").write(pickle.dumps(env))
            assert cloudpickle.list_registry_pickle_by_value() == set()  # registration undone
            """,
            NAME=NAME,
            PKG=str(pkg),
            OUT=str(blob),
        ),
        tmp_path,
    )
    pkg.rename(tmp_path / "gone")
    out = run(
        script(
            """
            import pickle, sys
            env = pickle.loads(open(IN, "rb").read())
            p = env(4)
            print(type(env).__name__, env.obj.__name__, p.norm1(), NAME in sys.modules)
            """,
            NAME=NAME,
            IN=str(blob),
        ),
        tmp_path,
    )
    assert out.stdout.split() == ["ByValue", "make_point", "9", "False"]


# --- 3.6: module objects and lazy proxies --------------------------------------------------


@pytest.mark.proxy_engine("on 3.15 reading the global that holds the lazy object imports the module: no unexecuted module to pickle")
def test_modules_and_lazy_proxies_pickle_as_references(pkg: Path, tmp_path: Path) -> None:
    """A module or an unexecuted lazy proxy pickles as a reference, without running it (contract C8.5)."""
    marker = tmp_path / "marker.txt"
    blob = tmp_path / "mods.pickle"
    run(
        script(
            """
            import json, os, pickle
            from multiprocessing.reduction import ForkingPickler
            proxy = import_module_from_path(NAME, PKG, lazy=True)
            assert lazyimp.is_lazy(proxy)
            data = ForkingPickler.dumps([proxy, json])
            assert lazyimp.is_lazy(proxy) and not os.path.exists(MARKER)
            try:
                pickle.dumps(json)
            except TypeError as e:
                assert "module" in str(e)
            open(OUT, "wb").write(data)
            """,
            NAME=NAME,
            PKG=str(pkg),
            MARKER=str(marker),
            OUT=str(blob),
        ),
        tmp_path,
        env={"USERPROJ_MARKER": str(marker)},
    )
    out = run(
        script(
            """
            import pickle
            mod, js = pickle.loads(open(IN, "rb").read())
            print(mod.__name__, mod.VERSION, js.__name__)
            """,
            IN=str(blob),
        ),
        tmp_path,
        env={"USERPROJ_MARKER": str(marker)},
    )
    assert out.stdout.split() == [NAME, "1", "json"]
    assert marker.read_text() == "ran\n"  # once, in the receiver


# --- 7.6 installing and uninstalling ----------------------------------------------------------


def test_import_lazyimp_installs_nothing(tmp_path: Path) -> None:
    """import lazyimp imports neither the spawn code, multiprocessing nor cloudpickle (contract C11.6, C13.1)."""
    run(
        """
        import sys
        before = sys.meta_path[:]
        import lazyimp
        for name in ("lazyimp._spawn", "lazyimp._roots", "lazyimp._pickler", "multiprocessing", "cloudpickle"):
            assert name not in sys.modules, name
        assert sys.meta_path == before
        import lazyimp._spawn, lazyimp._pickler
        for name in ("multiprocessing", "cloudpickle", "distributed"):
            assert name not in sys.modules, name
        """,
        tmp_path=tmp_path,
    )


def test_install_is_idempotent_and_uninstall_restores_exactly(tmp_path: Path) -> None:
    """Install twice, switch modes, uninstall twice: every replaced object is back (contract C11.6)."""
    run(_install_script(tmp_path), tmp_path)


def _install_script(tmp_path: Path) -> str:
    pkg = write_package(tmp_path / "inst")
    return script(
        """
        import cloudpickle, copyreg
        from multiprocessing import reduction, connection, queues
        fp = reduction.ForkingPickler

        class Marked:
            pass

        def foreign(self, obj):          # another library's hook, kept and chained
            return (str, ("seen",)) if isinstance(obj, Marked) else NotImplemented
        fp.reducer_override = foreign

        def snapshot():
            return (reduction.dump, fp.__dict__.get("reducer_override"), fp.dumps,
                    fp.loads, dict(fp._extra_reducers), dict(copyreg.dispatch_table),
                    connection._ForkingPickler, queues._ForkingPickler,
                    cloudpickle.list_registry_pickle_by_value())
        before = snapshot()
        m = import_module_from_path(NAME, PKG)
        once = snapshot()
        install_pickler()
        assert snapshot() == once
        assert once[0] is not before[0] and once[1] is not foreign
        assert fp.loads(fp.dumps(Marked())) == "seen"    # the foreign hook still runs
        install_pickler("value")
        assert NAME in cloudpickle.list_registry_pickle_by_value()
        install_pickler("path")
        assert NAME not in cloudpickle.list_registry_pickle_by_value()
        install_pickler("value")
        uninstall_pickler()
        assert snapshot() == before
        uninstall_pickler()
        assert snapshot() == before
        del fp.reducer_override
        install_pickler()
        uninstall_pickler()
        assert "reducer_override" not in fp.__dict__
        try:
            install_pickler("fast")
        except ValueError as e:
            assert "'fast'" in str(e) and "'path' or 'value'" in str(e)
        else:
            raise AssertionError("no ValueError")
        """,
        NAME=NAME,
        PKG=str(pkg),
    )


def test_uninstall_under_a_later_wrapper_passes_through(pkg: Path, tmp_path: Path) -> None:
    """A reduction.dump wrapped by someone after us stays, and ours no longer acts (contract C11.6)."""
    run(
        script(
            """
            import io, pickle
            from multiprocessing import reduction
            m = import_module_from_path(NAME, PKG)
            ours = reduction.dump
            calls = []
            def theirs(obj, file, protocol=None):
                calls.append(obj)
                ours(obj, file, protocol)
            reduction.dump = theirs
            uninstall_pickler()
            assert reduction.dump is theirs
            buf = io.BytesIO()
            reduction.dump(m.models.Point(1, 2), buf)
            assert b"_make_pathref" not in buf.getvalue() and len(calls) == 1
            """,
            NAME=NAME,
            PKG=str(pkg),
        ),
        tmp_path,
    )


def test_importing_from_path_does_not_touch_unrelated_pickling(pkg: Path, tmp_path: Path) -> None:
    """Objects of other modules pickle byte for byte as before; __main__ lambdas still fail (contract C11.5)."""
    run(
        script(
            """
            import datetime, collections
            from multiprocessing.reduction import ForkingPickler
            payload = [datetime.datetime(2020, 1, 1), collections.OrderedDict(a=1), len, {1: (2, 3)}]
            before = bytes(ForkingPickler.dumps(payload))
            import_module_from_path(NAME, PKG)
            assert bytes(ForkingPickler.dumps(payload)) == before
            try:
                ForkingPickler.dumps(lambda: 1)
            except Exception as e:
                assert "lambda" in str(e), e
            else:
                raise AssertionError("a __main__ lambda was pickled")
            """,
            NAME=NAME,
            PKG=str(pkg),
        ),
        tmp_path,
    )


def test_spawn_children_get_no_bootstrap_without_path_imports(tmp_path: Path) -> None:
    """With no package imported by path, spawn children install nothing (contract C11.6)."""
    out = run(
        script(
            """
            import multiprocessing as mp
            from multiprocessing.reduction import ForkingPickler

            def child(q):
                q.put("reducer_override" in ForkingPickler.__dict__)

            if __name__ == "__main__":
                install_pickler()
                ctx = mp.get_context("spawn")
                q = ctx.Queue()
                p = ctx.Process(target=child, args=(q,))
                p.start()
                print(q.get(timeout=30))
                p.join(30)
            """
        ),
        tmp_path,
    )
    assert out.stdout.strip() == "False"


def test_importing_another_package_keeps_the_chosen_mode(pkg: Path, tmp_path: Path) -> None:
    """import_module_from_path installs the pickler without overriding install_pickler(mode) (contract C11.6)."""
    second = write_tree(tmp_path / "two", {"second-dir/__init__.py": "def f():\n    return 2\n"})
    run(
        script(
            """
            import cloudpickle
            from lazyimp import _pickler
            import_module_from_path(NAME, PKG)
            assert _pickler.is_pickler_installed() and _pickler._mode == "path"
            install_pickler("value")
            import_module_from_path("secondpkg", SECOND)
            assert _pickler._mode == "value"
            assert {NAME, "secondpkg"} <= cloudpickle.list_registry_pickle_by_value()
            """,
            NAME=NAME,
            PKG=str(pkg),
            SECOND=str(second / "second-dir"),
        ),
        tmp_path,
    )


# --- 7.5 path mode without a per-object hook -------------------------------------------------


def test_path_mode_dumps_calls_no_per_object_hook(pkg: Path, tmp_path: Path) -> None:
    """ForkingPickler.dumps in path mode runs the hook only for what plain pickle cannot name (contract C11.5)."""
    blob = tmp_path / "hookless.pickle"
    run(
        script(
            """
            import io
            from multiprocessing.reduction import ForkingPickler
            from lazyimp import _pickler
            m = import_module_from_path(NAME, PKG)
            calls = []
            real = _pickler._reducer_override
            def counting(self, obj):
                calls.append(type(obj).__name__)
                return real(self, obj)
            _pickler._reducer_override = counting
            points = [m.models.Point(i, i) for i in range(100)]
            data = bytes(ForkingPickler.dumps(points))
            assert calls == [] and b"_adopt_root" in data, calls
            ForkingPickler(io.BytesIO(), 5).dump(points)     # a pickler made elsewhere
            assert calls.count("Point") == 100, calls
            del calls[:]
            lam = bytes(ForkingPickler.dumps([m.models.Point(1, 1), m.models.make_adder(2)]))
            assert "function" in calls, calls                # the retry, with the hook
            open(OUT, "wb").write(ForkingPickler.dumps((data, lam)))
            """,
            NAME=NAME,
            PKG=str(pkg),
            OUT=str(blob),
        ),
        tmp_path,
    )
    out = run(
        script(
            """
            import pickle
            data, lam = pickle.loads(open(IN, "rb").read())
            points = pickle.loads(data)
            point, adder = pickle.loads(lam)
            print(len(points), points[7].norm1(), type(points[0]) is type(point), adder(1))
            """,
            IN=str(blob),
        ),
        tmp_path,
    )
    assert out.stdout.split() == ["100", "14", "True", "3"]


def test_roots_prefix_registers_only_the_packages_a_message_names(
    pkg: Path, tmp_path: Path
) -> None:
    """A message registers in the receiver only the packages it names (contract C11.4, C11.5)."""
    second = write_tree(tmp_path / "two", {"second-dir/__init__.py": "def f(n):\n    return n + 2\n"})
    blob = tmp_path / "two.pickle"
    run(
        script(
            """
            import pickle
            from multiprocessing.reduction import ForkingPickler
            m = import_module_from_path(NAME, PKG)
            s = import_module_from_path("secondpkg", SECOND)
            blobs = [bytes(ForkingPickler.dumps(x)) for x in (m.models.Point(1, 2), s.f, [1, "a"])]
            assert blobs[2] == pickle.dumps([1, "a"])        # names no package: no prefix
            open(OUT, "wb").write(pickle.dumps(blobs))
            """,
            NAME=NAME,
            PKG=str(pkg),
            SECOND=str(second / "second-dir"),
            OUT=str(blob),
        ),
        tmp_path,
    )
    (second / "second-dir").rename(second / "gone")
    out = run(
        script(
            """
            import pickle, sys
            from lazyimp import _roots
            blobs = pickle.loads(open(IN, "rb").read())
            point = pickle.loads(blobs[0])
            print(point.norm1(), sorted(_roots._ROOTS), "secondpkg" in sys.modules)
            try:
                pickle.loads(blobs[1])
            except FileNotFoundError as e:
                print("by value" in str(e))
            """,
            IN=str(blob),
        ),
        tmp_path,
    )
    assert out.stdout.split() == ["3", f"['{NAME}']", "False", "True"]
