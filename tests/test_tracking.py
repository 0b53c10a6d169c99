"""track_imports() (contract C10.1): what code in this context imported, cached or not.

Tracking patches ``builtins.__import__`` process-wide while a context is open, so
every test runs in a fresh interpreter through ``run_python``.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_python, write_tree

TREE = {
    "site_pkg/__init__.py": """
        from . import helpers
        from .helpers import VALUE
    """,
    "site_pkg/helpers.py": "VALUE = 1\n",
    "site_pkg/pages/__init__.py": "",
    "site_pkg/pages/home.py": "from ..helpers import VALUE\n",
    "plain.py": "X = 1\n",
    "broken.py": "raise RuntimeError('boom')\n",
}

PRELUDE = """
import builtins, importlib, sys
from lazyimp._tracking import track_imports, ImportRecord
ORIGINAL = (builtins.__import__, importlib.import_module)

def restored():
    return (builtins.__import__, importlib.import_module) == ORIGINAL
"""


def check(tmp_path: Path, body: str) -> str:
    write_tree(tmp_path, TREE)
    return run_python(PRELUDE + body, tmp_path=tmp_path, cwd=tmp_path).stdout


def test_statement_imports_recorded_with_origin_and_cached(tmp_path: Path) -> None:
    """Records carry name, origin (file or None) and cached (already in sys.modules) (contract C10.1)."""
    check(
        tmp_path,
        """
import os
with track_imports() as seen:
    import plain
    import os
    import sys
    import plain as again
rec = seen["plain"]
assert rec == ImportRecord("plain", str(__import__("pathlib").Path("plain.py").resolve()), False), rec
assert seen["os"].cached is True and seen["os"].origin.endswith("os.py")
assert seen["sys"].cached is True and seen["sys"].origin is None
assert seen.names().index("plain") < seen.names().index("os")
assert len([r for r in seen if r.name == "plain"]) == 1
assert restored()
""",
    )


def test_relative_and_from_imports_are_recorded_absolute(tmp_path: Path) -> None:
    """Relative imports and `from pkg import submodule` record absolute names (contract C10.1)."""
    check(
        tmp_path,
        """
with track_imports() as seen:
    import site_pkg.pages.home
names = seen.names()
for name in ("site_pkg", "site_pkg.helpers", "site_pkg.pages", "site_pkg.pages.home"):
    assert name in seen, (name, names)
    assert seen[name].cached is False, seen[name]
assert seen["site_pkg.helpers"].origin.endswith("helpers.py")
""",
    )


def test_import_module_is_recorded(tmp_path: Path) -> None:
    """importlib.import_module, absolute and relative, is recorded though it bypasses __import__ (contract C10.1)."""
    check(
        tmp_path,
        """
import json
with track_imports() as seen:
    importlib.import_module("plain")
    importlib.import_module(".helpers", "site_pkg")
    importlib.import_module("json")
assert {"plain", "site_pkg", "site_pkg.helpers", "json"} <= set(seen.names()), seen.names()
assert seen["json"].cached is True and seen["plain"].cached is False
assert restored()
""",
    )


def test_failed_import_is_not_recorded(tmp_path: Path) -> None:
    """An import that raises records nothing for the failed module (contract C10.1)."""
    check(
        tmp_path,
        """
with track_imports() as seen:
    try:
        import broken
    except RuntimeError:
        pass
    try:
        import no_such_module_here
    except ImportError:
        pass
assert "broken" not in seen and "no_such_module_here" not in seen, seen.names()
""",
    )


def test_other_threads_are_not_recorded_unless_they_copy_the_context(tmp_path: Path) -> None:
    """A plain thread is not recorded; one run in a copy of the context is (contract C10.1)."""
    check(
        tmp_path,
        """
import contextvars, threading
def work(name):
    importlib.import_module(name)
with track_imports() as seen:
    t = threading.Thread(target=work, args=("plain",)); t.start(); t.join()
    ctx = contextvars.copy_context()
    t = threading.Thread(target=ctx.run, args=(work, "site_pkg")); t.start(); t.join()
assert "plain" not in seen, seen.names()
assert "site_pkg" in seen
""",
    )


def test_asyncio_tasks_track_separately(tmp_path: Path) -> None:
    """Concurrent asyncio tasks each see only their own imports (contract C10.1)."""
    check(
        tmp_path,
        """
import asyncio
async def job(name, other_started, gate):
    with track_imports() as seen:
        other_started.set()
        await gate.wait()
        importlib.import_module(name)
        await asyncio.sleep(0)
    return seen.names()
async def main():
    a, b, gate = asyncio.Event(), asyncio.Event(), asyncio.Event()
    t1 = asyncio.create_task(job("plain", a, gate))
    t2 = asyncio.create_task(job("site_pkg.helpers", b, gate))
    await a.wait(); await b.wait(); gate.set()
    return await t1, await t2
one, two = asyncio.run(main())
assert "plain" in one and "site_pkg.helpers" not in one, one
assert "site_pkg.helpers" in two and "plain" not in two, two
assert restored()
""",
    )


def test_nested_contexts_record_into_both(tmp_path: Path) -> None:
    """An inner context's imports are recorded by the outer one too; a closed one stops (contract C10.1)."""
    check(
        tmp_path,
        """
with track_imports() as outer:
    import plain
    with track_imports() as inner:
        import site_pkg
    import json
assert "plain" in outer and "site_pkg" in outer and "json" in outer
assert "site_pkg" in inner and "plain" not in inner and "json" not in inner
assert inner.closed and outer.closed
import csv
assert "csv" not in outer
try:
    ctx = track_imports(); ctx.__enter__(); ctx.__enter__()
except RuntimeError as exc:
    assert "already entered" in str(exc)
else:
    raise AssertionError("entering twice must fail")
ctx.__exit__(None, None, None)
assert restored()
""",
    )


def test_composes_with_other_import_wrappers(tmp_path: Path) -> None:
    """Chains to a wrapper installed before; one installed on top is never removed (contract C10.1)."""
    check(
        tmp_path,
        """
calls = []
def make(prev, tag):
    def hook(name, *args, **kw):
        calls.append((tag, name))
        return prev(name, *args, **kw)
    return hook
below = make(builtins.__import__, "below")
builtins.__import__ = below
with track_imports() as seen:
    import plain
    above = make(builtins.__import__, "above")
    builtins.__import__ = above
    import site_pkg
assert ("below", "plain") in calls and ("above", "site_pkg") in calls
assert "site_pkg" in seen
# Ours stayed under "above" as a pass-through; their hook is still on top.
assert builtins.__import__ is above
calls.clear()
with track_imports() as again:
    import json
assert again.names().count("json") == 1 and ("above", "json") in calls
assert builtins.__import__ is above
builtins.__import__ = ORIGINAL[0]
with track_imports() as last:
    import plain
assert builtins.__import__ is ORIGINAL[0] and "plain" in last
""",
    )


def test_overlapping_contexts_in_threads_restore_exactly(tmp_path: Path) -> None:
    """Many threads opening and closing contexts out of order leave __import__ as it was (contract C10.1)."""
    check(
        tmp_path,
        """
import random, threading
barrier = threading.Barrier(8)
errors = []
def work(i):
    rnd = random.Random(i)
    try:
        for _ in range(50):
            with track_imports() as seen:
                barrier.wait() if _ == 0 else None
                importlib.import_module("plain")
                __import__("json")
            assert "plain" in seen and "json" in seen, seen.names()
    except BaseException as exc:
        errors.append(exc)
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors
assert restored()
""",
    )


def test_works_with_lazy_imports_installed(tmp_path: Path) -> None:
    """Under install() a tracked import is recorded and still handed out lazily (contract C10.1, C2.1)."""
    check(
        tmp_path,
        """
import lazyimp
lazyimp.install()
with track_imports() as seen:
    import plain
assert "plain" in seen and seen["plain"].origin.endswith("plain.py")
assert lazyimp.is_lazy("plain"), "tracking made the import eager"
assert plain.X == 1
""",
    )


def test_lazy_dotted_import_recorded_before_and_after_first_use(tmp_path: Path) -> None:
    """Under install() `import a.b.c` records a, a.b, a.b.c unexecuted; their bodies' imports on first use (contract C10.1, C2.5)."""
    check(
        tmp_path,
        """
import lazyimp
lazyimp.install()
dotted = ["site_pkg", "site_pkg.pages", "site_pkg.pages.home"]
with track_imports() as seen:
    import site_pkg.pages.home
    before = seen.names()
    assert all(lazyimp.is_lazy(n) for n in dotted), "tracking executed a module"
    assert site_pkg.pages.home.VALUE == 1  # first use: site_pkg runs and imports helpers
assert before == dotted, before
assert all(seen[n].origin and not seen[n].cached for n in dotted), list(seen)
assert "site_pkg.helpers" in seen and seen["site_pkg.helpers"].origin.endswith("helpers.py")
""",
    )


def test_uninstalled_tracking_adds_no_lazy_state(tmp_path: Path) -> None:
    """Without install() tracking imports eagerly and loads no lazy-import machinery (contract C10.1)."""
    check(
        tmp_path,
        """
import lazyimp
with track_imports() as seen:
    import site_pkg
assert type(sys.modules["site_pkg"]).__name__ == "module" and "site_pkg.helpers" in seen
assert not lazyimp.is_installed() and not any(m.startswith("wrapt") for m in sys.modules)
assert restored()
""",
    )


def test_lazyimp_own_imports_are_not_recorded(tmp_path: Path) -> None:
    """Imports lazyimp makes for itself (the report's json, dataclasses) are not the context's (contract C10.1)."""
    check(
        tmp_path,
        """
import io, lazyimp
lazyimp.install()
with track_imports() as seen:
    import plain
    lazyimp.report(io.StringIO())
assert "dataclasses" in sys.modules
assert seen.names() == ["plain"], seen.names()
""",
    )
