"""What lazyimp's spawn pickler costs multiprocessing messages (contract C11.5).

Run: ``python -m pytest benchmarks/bench_spawn.py`` (``benchmarks/conftest.py``
collects ``bench_*.py``); add ``--benchmark-disable`` to check that it still runs.

Variants, all through ``multiprocessing.reduction.ForkingPickler.dumps``:

- ``plain``: the stdlib ForkingPickler (lazyimp's pickler uninstalled).  The baseline;
  its messages cannot be loaded by a spawn worker that lacks the package.
- ``path``: lazyimp's pickler, path references (the default).
- ``value``: lazyimp's pickler, by value through cloudpickle.
- ``cloudpickle``: ``cloudpickle.dumps`` with the package registered by value (what
  loky and Dask's fallback do), loaded with ``pickle.loads``.

Path mode pickles ``ForkingPickler.dumps`` messages with no per-object hook, so every
payload costs about what plain pickling costs; by value pays one Python call per
non-builtin object.  Builtin-only payloads are bimodal per process (the memo hashes
pointers): compare variants across several processes, not within one; the table in
docs/performance.rst takes from ``benchmarks/spawn_payloads.py``, which does that.
"""

from __future__ import annotations

import contextlib
import datetime
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import pytest

from lazyimp import _roots

try:
    from lazyimp import import_module_from_path, install_pickler, uninstall_pickler
except ImportError:  # before lazyimp/__init__.py exports them
    from lazyimp._pickler import install_pickler, uninstall_pickler
    from lazyimp._spawn import import_module_from_path

MODES = ["plain", "path", "value"]
VARIANTS = [*MODES, "cloudpickle"]

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
        _roots._forget("lazyimp_benchproj")


@contextlib.contextmanager
def pickler(mode: str) -> Iterator[None]:
    if mode not in ("plain", "cloudpickle"):
        install_pickler(mode)
    try:
        yield
    finally:
        uninstall_pickler()


def dumps_loads(variant: str, models: Any) -> tuple[Any, Any, Any]:
    """(dumps, loads, undo) for a variant; cloudpickle gets the package registered."""
    if variant != "cloudpickle":
        return ForkingPickler.dumps, ForkingPickler.loads, lambda: None
    import pickle

    cloudpickle = pytest.importorskip("cloudpickle")
    package = sys.modules[models.__name__.partition(".")[0]]
    cloudpickle.register_pickle_by_value(package)
    return cloudpickle.dumps, pickle.loads, lambda: cloudpickle.unregister_pickle_by_value(package)


def build(name: str, models: Any) -> Any:
    if name == "tuples_100k":
        return [(i, str(i), i / 7) for i in range(100_000)]
    if name == "str_dict_10k":
        return {f"key{i}": f"value number {i}" for i in range(10_000)}
    if name == "bytes_10mb":
        return bytes(range(256)) * 40_960
    if name == "ndarray_10mb":
        return pytest.importorskip("numpy").arange(1_310_720, dtype="float64")
    if name == "arrays_1k":
        np = pytest.importorskip("numpy")
        return [np.arange(16, dtype="float32") + i for i in range(1000)]
    if name == "datetimes_10k":
        start = datetime.datetime(2024, 1, 1)
        return [start + datetime.timedelta(seconds=i) for i in range(10_000)]
    if name == "instances_10k":
        return [models.Sample(i, f"s{i}", i / 3) for i in range(10_000)]
    return models.Sample(1, "one", 0.5)  # one_instance


PAYLOADS = [
    "tuples_100k",
    "str_dict_10k",
    "bytes_10mb",
    "ndarray_10mb",
    "arrays_1k",
    "datetimes_10k",
    "instances_10k",
    "one_instance",
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_dump_payload(benchmark: Any, models: Any, payload: str, variant: str) -> None:
    """Dump each payload under each variant (goal: builtin-only ones equal to plain).

    Path mode's goal is at most 1.1x plain on 10k package instances, by value's 1.5x.
    """
    obj = build(payload, models)
    with pickler(variant):
        dumps, _, undo = dumps_loads(variant, models)
        try:
            benchmark.extra_info["bytes"] = len(dumps(obj))
            benchmark(dumps, obj)
        finally:
            undo()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_load_payload(benchmark: Any, models: Any, payload: str, variant: str) -> None:
    """Load each payload's message in the sending process (decoding, not first import)."""
    obj = build(payload, models)
    with pickler(variant):
        dumps, loads, undo = dumps_loads(variant, models)
        try:
            blob = bytes(dumps(obj))
        finally:
            undo()
    loads(blob)
    benchmark(loads, blob)
