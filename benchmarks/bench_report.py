"""What the report costs: recording per import (contract C9: "must not slow imports") and rendering.

Run with ``pytest benchmarks/bench_report.py``; CI runs it with ``--benchmark-disable``.
The import benchmarks install lazyimp in this process for their duration and restore
the import state afterwards.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lazyimp import _registry, _report

N_MODULES = 50


@pytest.fixture
def registry_snapshot() -> Iterator[None]:
    saved = dict(_registry.RECORDS), _registry.installed_at, _registry.memory_probe
    try:
        yield
    finally:
        _registry.RECORDS.clear()
        _registry.RECORDS.update(saved[0])
        _registry.installed_at, _registry.memory_probe = saved[1], saved[2]


def test_record_proxied_cost(benchmark: Any, registry_snapshot: None) -> None:
    """One registry write as the finder makes it per proxied import (about a microsecond)."""
    benchmark(_registry.record_proxied, "pkg.mod", "pkg", "/src/pkg/__init__.py", 3)


def test_rss_probe_cost(benchmark: Any) -> None:
    """One default memory sample (two per resolution): a pread of /proc/self/statm."""
    probe = _registry._default_probe()
    if probe is None:
        pytest.skip("no /proc/self/statm")
    benchmark(probe)


@pytest.fixture
def package(tmp_path: Path) -> Iterator[list[str]]:
    for i in range(N_MODULES):
        (tmp_path / f"bench_mod_{i}.py").write_text(f"X = {i}\n")
    names = [f"bench_mod_{i}" for i in range(N_MODULES)]
    sys.path.insert(0, str(tmp_path))
    try:
        yield names
    finally:
        sys.path.remove(str(tmp_path))
        for name in names:
            sys.modules.pop(name, None)


def _lazy_imports(names: list[str]) -> None:
    code = compile("\n".join(f"import {n}" for n in names), "<bench>", "exec")
    exec(code, {"__name__": "bench_importer"})


def _bench_lazy_import(benchmark: Any, names: list[str], record: bool) -> None:
    import lazyimp

    real = _registry.record_proxied
    if not record:
        # Recording off: the finder still gets a record object, but nothing is stored.
        _registry.record_proxied = lambda name, *a: _registry.ModuleRecord(name, "proxied")  # type: ignore[assignment]

    def setup() -> None:
        for name in names:
            sys.modules.pop(name, None)

    lazyimp.install()
    try:
        benchmark.pedantic(_lazy_imports, args=(names,), setup=setup, rounds=30)
    finally:
        lazyimp.uninstall()
        _registry.record_proxied = real  # type: ignore[assignment]


def test_lazy_import_with_registry(
    benchmark: Any, package: list[str], registry_snapshot: None
) -> None:
    """50 module-level lazy imports with the registry recording each (compare with the next)."""
    _bench_lazy_import(benchmark, package, record=True)


def test_lazy_import_without_registry(
    benchmark: Any, package: list[str], registry_snapshot: None
) -> None:
    """The same 50 lazy imports with registry writes replaced by a bare record object."""
    _bench_lazy_import(benchmark, package, record=False)


def _fill(n: int) -> None:
    _registry.RECORDS.clear()
    _registry.installed_at = 0.0
    _registry.memory_probe = lambda: 0
    for i in range(n):
        rec = _registry.record_proxied(f"pkg{i % 25}.mod{i}", f"pkg{i % 25}", "/src/x.py", i)
        if i % 3:
            rec.state = _registry.RESOLVED
            rec.started_at, rec.duration = i * 0.001, 0.0005
            rec.parent = f"pkg{i % 25}.mod{i - 1}" if i % 5 == 0 else None
            rec.trigger_module, rec.trigger_file, rec.trigger_line = "m", "/src/m.py", 1
            rec.memory_before, rec.memory_after = 1000, 2000


@pytest.mark.parametrize("fmt", _report.FORMATS)
def test_render_500_modules(benchmark: Any, fmt: str, registry_snapshot: None) -> None:
    """Building and rendering a report of 500 recorded modules, per format."""
    _fill(500)
    benchmark(lambda: _report.report(io.StringIO(), format=fmt))
