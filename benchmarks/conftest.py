"""Fixtures for the micro benchmarks, and a summary of the derived numbers.

Every benchmark runs in this process, so each one leaves the interpreter as it found
it: ``restore_state`` (autouse) puts back ``sys.meta_path``, ``sys.path``, lazyimp's
install state, its pending proxies and swap counters, and drops every module the
benchmark added that is ours (``bm_*``) or still a lazy proxy.

The generated modules live in a session temp folder and are compiled to bytecode
with ``py_compile`` (which writes the ``.pyc`` whatever ``PYTHONDONTWRITEBYTECODE``
says), so every import of them is an import from the bytecode cache.

At the end of a real benchmarking run (not ``--benchmark-disable``) the terminal
summary prints the numbers docs/performance.rst quotes: resolution overhead per heap size,
attribute-read ratios, hand-out vs find, and import with and without lazyimp.
"""

from __future__ import annotations

import gc
import importlib.machinery
import importlib.util
import py_compile
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import wrapt  # noqa: F401  imported fully up front: the wrapt.lazy_import benchmark needs it
from benchutil import SMALL_BODY, SMALL_NAMES, forget

import lazyimp
from lazyimp import _proxy, _swap

# Build the proxy type now, outside any benchmark, so no benchmark pays for (or
# cleans up after) loading wrapt's C type.
_proxy.proxy_class()


@pytest.fixture(scope="session")
def modules_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder on ``sys.path`` with the generated small modules, bytecode written."""
    folder = tmp_path_factory.mktemp("bm_modules")
    for name in SMALL_NAMES:
        path = folder / f"{name}.py"
        path.write_text(SMALL_BODY)
        py_compile.compile(str(path), doraise=True)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield folder
    finally:
        if str(folder) in sys.path:
            sys.path.remove(str(folder))
        for name in SMALL_NAMES:
            forget(name)


@pytest.fixture(autouse=True)
def restore_state() -> Iterator[None]:
    """Leave sys.modules, sys.meta_path, sys.path and lazyimp as they were."""
    modules = set(sys.modules)
    meta_path = list(sys.meta_path)
    path = list(sys.path)
    installed = lazyimp.is_installed()
    pending = dict(_proxy.PENDING)
    stats = dict(_swap.stats)
    queue = list(_swap._queue)
    next_scan = _swap._next_scan
    known_refs = _swap._KNOWN_REFS
    try:
        yield
    finally:
        if lazyimp.is_installed() and not installed:
            lazyimp.uninstall()
        sys.meta_path[:] = meta_path
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            if name.startswith("bm_") or _proxy.is_proxy(sys.modules[name]):
                del sys.modules[name]
        _proxy.PENDING.clear()
        _proxy.PENDING.update(pending)
        _swap.stats.clear()
        _swap.stats.update(stats)
        _swap._queue[:] = queue
        _swap._next_scan = next_scan
        _swap._KNOWN_REFS = known_refs


HEAP_SIZES = (10_000, 100_000, 1_000_000, 3_000_000)


@pytest.fixture(scope="module", params=HEAP_SIZES, ids=lambda n: f"heap{n // 1000}k")
def heap(request: pytest.FixtureRequest) -> Iterator[int]:
    """``n`` extra gc-tracked objects (empty lists) alive for the benchmark."""
    n = request.param
    objects = [[] for _ in range(n)]
    gc.collect()
    try:
        yield n
    finally:
        del objects
        gc.collect()


# -- the derived summary ------------------------------------------------------------------


def _medians(config: pytest.Config) -> dict[str, Any]:
    session = getattr(config, "_benchmarksession", None)
    if session is None or getattr(session, "disabled", False):
        return {}
    out = {}
    for bench in session.benchmarks:
        stats = getattr(bench, "stats", None)
        if not stats:
            continue
        out[bench.name] = (stats.median, bench.extra_info)
    return out


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    medians = _medians(config)
    if not medians:
        return
    write = terminalreporter.write_line
    write("")
    write("lazyimp derived numbers (medians)")

    def us(seconds: float) -> str:
        return f"{seconds * 1e6:9.2f} us"

    def get(name: str) -> float | None:
        item = medians.get(name)
        return None if item is None else item[0]

    handout = get("test_import_hands_out_proxy")
    find = get("test_import_find_spec_only")
    eager = get("test_import_eager_from_pyc")
    if handout and find and eager:
        write(f"  import x: proxy hand-out {us(handout)}  find_spec {us(find)}  eager {us(eager)}")
        write(f"    hand-out / find = {handout / find:.2f}x   hand-out / eager = {handout / eager:.2f}x")
    for label in ["noheap"] + [f"heap{n // 1000}k" for n in HEAP_SIZES]:
        suffix = "" if label == "noheap" else f"_heap[{label}]"
        total = get(f"test_resolve_total{suffix}")
        body = get(f"test_resolve_body_only{suffix}")
        scan = get(f"test_gc_referrers_scan{suffix}")
        if total and body:
            line = f"  resolve {label:>9}: total {us(total)}  body {us(body)}  overhead {us(total - body)}"
            if scan:
                line += f"  one gc.get_referrers scan {scan * 1e3:8.2f} ms"
            write(line)
    per_read = {}
    for name, (median, extra) in medians.items():
        if name.startswith("test_attr_") and extra.get("reads"):
            per_read[name[len("test_attr_"):]] = median / extra["reads"]
    plain = per_read.get("plain_module")
    floor = per_read.get("loop_floor", 0.0)
    if plain:
        for key, value in sorted(per_read.items(), key=lambda kv: kv[1]):
            net = (value - floor) / (plain - floor) if plain > floor else float("nan")
            write(
                f"  attr read {key:>28}: {value * 1e9:7.2f} ns  {value / plain:6.2f}x plain"
                f"  ({net:6.2f}x net of loop)"
            )
    on = get("test_reimport_lazyimp_installed")
    off = get("test_reimport_lazyimp_not_installed")
    if on and off:
        write(f"  import of an imported module: installed / not installed = {on / off:.3f}x")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the proxy engine's benchmarks on 3.15+ (PEP 810 engine), saying why, as tests/ does."""
    if not hasattr(sys, "set_lazy_imports_filter"):
        return
    for item in items:
        marker = item.get_closest_marker("proxy_engine")
        if marker is not None:
            why = marker.args[0] if marker.args else "measures the proxy engine"
            item.add_marker(pytest.mark.skip(reason=f"proxy engine only (3.10-3.14): {why}"))
