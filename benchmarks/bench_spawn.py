"""What lazyimp's spawn pickler costs multiprocessing messages (SPEC 7.5).

Run: ``python -m pytest benchmarks/bench_spawn.py`` (``benchmarks/conftest.py``
collects ``bench_*.py``); add ``--benchmark-disable`` to check that it still runs.

Variants, all through ``multiprocessing.reduction.ForkingPickler.dumps``:

- ``plain``: the stdlib ForkingPickler (lazyimp's pickler uninstalled).  The baseline;
  its messages cannot be loaded by a spawn worker that lacks the package.
- ``path``: lazyimp's pickler, path references (the default).
- ``value``: lazyimp's pickler, by value through cloudpickle.

Payloads of builtin scalars and containers never reach ``reducer_override``, so they
cost the same under every variant; instance-heavy payloads pay one Python call per
instance.  Builtin-only payloads are bimodal per process (the memo hashes pointers):
compare variants across several runs, not within one.
"""

from __future__ import annotations

import contextlib
import datetime
import tempfile
import textwrap
from collections.abc import Iterator
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import pytest

from lazyimp import _spawn

try:
    from lazyimp import import_module_from_path, install_pickler, uninstall_pickler
except ImportError:  # before lazyimp/__init__.py exports them
    from lazyimp._pickler import install_pickler, uninstall_pickler
    from lazyimp._spawn import import_module_from_path

MODES = ["plain", "path", "value"]

SOURCE = """\
import dataclasses

@dataclasses.dataclass
class Sample:
    index: int
    label: str
    score: float
"""


@pytest.fixture(scope="module")
def models() -> Iterator[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench-project"
        root.mkdir()
        (root / "__init__.py").write_text("from . import models\n")
        (root / "models.py").write_text(textwrap.dedent(SOURCE))
        module = import_module_from_path("lazyimp_benchproj", root)
        uninstall_pickler()
        yield module.models
        uninstall_pickler()
        _spawn._forget("lazyimp_benchproj")


@contextlib.contextmanager
def pickler(mode: str) -> Iterator[None]:
    if mode != "plain":
        install_pickler(mode)
    try:
        yield
    finally:
        uninstall_pickler()


@pytest.mark.parametrize("mode", MODES)
def test_dump_10k_path_imported_dataclasses(benchmark: Any, models: Any, mode: str) -> None:
    """10k instances of a path-imported dataclass: the per-instance cost of the override.

    Goal: path within 1.1x of plain, value within 1.5x.  The class travels once per
    message (a path reference, or its definition by value); each instance costs one
    reducer_override call that returns at once.
    """
    payload = [models.Sample(i, f"s{i}", i / 3) for i in range(10_000)]
    with pickler(mode):
        size = len(ForkingPickler.dumps(payload))
        benchmark.extra_info["bytes"] = size
        benchmark(ForkingPickler.dumps, payload)


@pytest.mark.parametrize("mode", MODES)
def test_dump_one_path_imported_instance(benchmark: Any, models: Any, mode: str) -> None:
    """One instance per message (a small Pool task): fixed cost and size of each variant.

    By value carries the class definition in every message (about 1.5 KB, tens of
    microseconds); a path reference carries (name, directory, module, qualname).
    """
    payload = models.Sample(1, "one", 0.5)
    with pickler(mode):
        benchmark.extra_info["bytes"] = len(ForkingPickler.dumps(payload))
        benchmark(ForkingPickler.dumps, payload)


@pytest.mark.parametrize("mode", ["plain", "path"])
def test_dump_10k_datetimes(benchmark: Any, models: Any, mode: str) -> None:
    """10k instances of a stdlib class: what installing costs code that never uses it."""
    start = datetime.datetime(2024, 1, 1)
    payload = [start + datetime.timedelta(seconds=i) for i in range(10_000)]
    with pickler(mode):
        benchmark(ForkingPickler.dumps, payload)


@pytest.mark.parametrize("mode", ["plain", "path"])
def test_dump_100k_builtin_tuples(benchmark: Any, models: Any, mode: str) -> None:
    """100k (int, str, float) tuples never reach reducer_override: equal within noise."""
    payload = [(i, str(i), i / 7) for i in range(100_000)]
    with pickler(mode):
        benchmark(ForkingPickler.dumps, payload)


@pytest.mark.parametrize("mode", MODES)
def test_load_10k_path_imported_dataclasses(benchmark: Any, models: Any, mode: str) -> None:
    """Loading 10k instances: a path reference resolves once per message, then it is plain."""
    payload = [models.Sample(i, f"s{i}", i / 3) for i in range(10_000)]
    with pickler(mode):
        blob = bytes(ForkingPickler.dumps(payload))
    loaded = ForkingPickler.loads(blob)
    assert len(loaded) == 10_000 and loaded[5].label == "s5"
    benchmark(ForkingPickler.loads, blob)
