"""Micro benchmarks of lazyimp's core paths (contract C13).

Groups:

- ``import``: an ``import x`` statement handing out a proxy, against finding the
  module alone and against importing it eagerly from its bytecode cache (contract C13.2).
- ``resolve``: first use of a small lazy module, total against running its body
  alone, with no extra heap and at 10k..3M extra gc-tracked objects; the proxy is
  held only where lazyimp knows (the importing globals, ``sys.modules``), so the
  swap must not scan the heap (contract C13.3; target: overhead <= 30 us at 1M).  The
  ``gc.get_referrers`` group shows what one batched scan would cost instead.
- ``attr``: one attribute read through a plain module, a swapped-out lazyimp
  module, a resolved proxy that could not be swapped (contract C13.5: <= 15x plain),
  ``wrapt.lazy_import`` and ``importlib.util.LazyLoader`` after load.
- ``reimport``: ``import x`` of a module already imported, with and without
  lazyimp installed (target: no slower).

The conftest's terminal summary prints the derived ratios after a real run.
"""

from __future__ import annotations

import functools
import gc
import importlib.machinery
import importlib.util
import sys
from typing import Any

import pytest
import wrapt
from benchutil import (
    forget,
    hand_out,
    import_code,
    lazyimp_installed,
    lazyimp_removed,
    reader,
)

import lazyimp
from lazyimp import _proxy, _swap

pytestmark = pytest.mark.proxy_engine(
    "micro benchmarks of the proxy engine (hand-out, resolution, swap, forwarding); "
    "on 3.15 benchmarks/native.py measures the PEP 810 engine"
)

ModuleType = type(sys)
PathFinder = importlib.machinery.PathFinder
module_from_spec = importlib.util.module_from_spec

NAME = "bm_small"


# -- import: hand-out vs find vs eager ----------------------------------------------------


@pytest.mark.benchmark(group="import")
def test_import_hands_out_proxy(benchmark: Any, modules_dir: Any) -> None:
    """``import bm_small`` at module level with lazyimp installed: the statement
    finds the module and binds a proxy; the body does not run (contract C13.2)."""
    code = import_code(NAME)

    def setup() -> Any:
        forget(NAME)
        return ({"__name__": "bm_importer"},), {}

    def run(ns: dict[str, Any]) -> None:
        exec(code, ns)

    with lazyimp_installed():
        benchmark.pedantic(run, setup=setup, rounds=2000, warmup_rounds=20)
        ns = hand_out(NAME)
        assert lazyimp.is_lazy(ns[NAME])


@pytest.mark.benchmark(group="import")
def test_import_find_spec_only(benchmark: Any, modules_dir: Any) -> None:
    """``PathFinder.find_spec('bm_small')`` alone: the floor for any importer
    that must raise ``ModuleNotFoundError`` at the import statement."""
    forget(NAME)
    benchmark.pedantic(PathFinder.find_spec, args=(NAME,), rounds=2000, warmup_rounds=20)
    assert PathFinder.find_spec(NAME) is not None


@pytest.mark.benchmark(group="import")
def test_import_eager_from_pyc(benchmark: Any, modules_dir: Any) -> None:
    """``import bm_small`` without lazyimp: find, read the ``.pyc``, run the body."""
    code = import_code(NAME)

    def setup() -> Any:
        forget(NAME)
        return ({"__name__": "bm_importer"},), {}

    def run(ns: dict[str, Any]) -> None:
        exec(code, ns)

    with lazyimp_removed():
        benchmark.pedantic(run, setup=setup, rounds=2000, warmup_rounds=20)
        assert type(sys.modules[NAME]) is ModuleType
        cached = sys.modules[NAME].__spec__.cached
        assert cached and cached.endswith(".pyc")


# -- resolve: total vs body, at several heap sizes ----------------------------------------


def _resolve_total(benchmark: Any, rounds: int) -> None:
    def setup() -> Any:
        forget(NAME)
        ns = hand_out(NAME)
        return (ns,), {}

    def run(ns: dict[str, Any]) -> Any:
        return ns[NAME].VALUE  # first use: runs the body, swaps the proxy out

    before = dict(_swap.stats)
    with lazyimp_installed():
        benchmark.pedantic(run, setup=setup, rounds=rounds, warmup_rounds=5)
    # Only known places held the proxies: nothing was queued for a heap scan.
    assert _swap.stats["queued"] == before["queued"], "a proxy was queued for the heap scan"
    assert _swap.stats["scans"] == before["scans"]
    assert type(sys.modules[NAME]) is ModuleType


def _resolve_body_only(benchmark: Any, rounds: int) -> None:
    def setup() -> Any:
        forget(NAME)
        spec = PathFinder.find_spec(NAME)
        module = module_from_spec(spec)
        sys.modules[NAME] = module
        return (spec.loader, module), {}

    def run(loader: Any, module: ModuleType) -> None:
        loader.exec_module(module)  # what resolution runs: read the .pyc, run the body

    benchmark.pedantic(run, setup=setup, rounds=rounds, warmup_rounds=5)


@pytest.mark.benchmark(group="resolve")
def test_resolve_total(benchmark: Any, modules_dir: Any) -> None:
    """First attribute read of an unexecuted proxy: body + lazyimp's bookkeeping
    (lock, registry record, swap in the importing globals and sys.modules)."""
    _resolve_total(benchmark, rounds=1000)


@pytest.mark.benchmark(group="resolve")
def test_resolve_body_only(benchmark: Any, modules_dir: Any) -> None:
    """``loader.exec_module(module)`` alone: the part of resolution an eager import
    pays too.  total - this = lazyimp's own overhead."""
    _resolve_body_only(benchmark, rounds=1000)


@pytest.mark.benchmark(group="resolve-heap")
def test_resolve_total_heap(benchmark: Any, modules_dir: Any, heap: int) -> None:
    """Resolution with ``heap`` extra gc-tracked objects alive: must stay flat
    (contract C13.3; <= 30 us overhead at 1M), since no heap scan is needed."""
    benchmark.extra_info["heap"] = heap
    _resolve_total(benchmark, rounds=500)


@pytest.mark.benchmark(group="resolve-heap")
def test_resolve_body_only_heap(benchmark: Any, modules_dir: Any, heap: int) -> None:
    """Body execution alone at the same heap size (the reference for the above)."""
    benchmark.extra_info["heap"] = heap
    _resolve_body_only(benchmark, rounds=500)


@pytest.mark.benchmark(group="gc-scan")
def test_gc_referrers_scan_heap(benchmark: Any, heap: int) -> None:
    """One batched ``gc.get_referrers`` call for 8 queued proxies: what lazyimp's
    fallback scan costs at this heap size (why it is batched and rate-limited)."""
    benchmark.extra_info["heap"] = heap
    targets = [[] for _ in range(8)]  # gc-tracked, as proxies are
    holders = [{"x": t} for t in targets]
    found = benchmark.pedantic(gc.get_referrers, args=tuple(targets), rounds=15, warmup_rounds=1)
    assert len([r for r in found if type(r) is dict]) >= len(holders)


# -- attribute reads ----------------------------------------------------------------------

READ = reader("m.VALUE")


def _bench_reads(benchmark: Any, target: Any, read: Any = READ) -> None:
    benchmark.extra_info["reads"] = read.reads
    assert read(target) == 1 or read is not READ
    benchmark(read, target)


@pytest.mark.benchmark(group="attr")
def test_attr_loop_floor(benchmark: Any) -> None:
    """The read loop with ``x = m`` instead of ``x = m.VALUE``: the loop's own
    cost per read, subtracted for the "net" ratios in the summary."""
    _bench_reads(benchmark, object(), reader("m"))


@pytest.mark.benchmark(group="attr")
def test_attr_plain_module(benchmark: Any, modules_dir: Any) -> None:
    """``m.VALUE`` on an eagerly imported module (CPython specialises this read)."""
    with lazyimp_removed():
        forget("bm_plain")
        module = hand_out("bm_plain")["bm_plain"]
    assert type(module) is ModuleType
    _bench_reads(benchmark, module)


@pytest.mark.benchmark(group="attr")
def test_attr_swapped_lazyimp_module(benchmark: Any, modules_dir: Any) -> None:
    """A lazyimp module after first use, read through the importing globals: the
    proxy was swapped out, so this is a plain module (same speed as plain)."""
    forget(NAME)
    with lazyimp_installed():
        ns = hand_out(NAME)
        assert ns[NAME].VALUE == 1
    module = ns[NAME]
    assert type(module) is ModuleType
    _bench_reads(benchmark, module)


@pytest.mark.benchmark(group="attr")
def test_attr_unswapped_proxy(benchmark: Any, modules_dir: Any) -> None:
    """A resolved proxy that could not be swapped out because a local and a list
    held it: forwarding through its per-instance class (contract C13.5: <= 15x plain)."""
    forget(NAME)
    with lazyimp_installed():
        ns = hand_out(NAME)
        proxy = ns[NAME]
        holder = [proxy]
        assert proxy.VALUE == 1
    assert _proxy.is_proxy(holder[0]) and not lazyimp.is_lazy(proxy)
    assert type(proxy) is not _proxy.proxy_class(), "expected the specialised class"
    _bench_reads(benchmark, holder[0])


@pytest.mark.benchmark(group="attr")
def test_attr_unswapped_proxy_shared_class(benchmark: Any, modules_dir: Any) -> None:
    """Diagnostic: a resolved proxy left with the shared proxy class (the swap's
    refcount hint did not see the extra holder, so it was never specialised)."""
    forget(NAME)
    _swap._KNOWN_REFS = 10**6  # make swap() believe nobody else holds it
    with lazyimp_installed():
        ns = hand_out(NAME)
        proxy = ns[NAME]
        assert proxy.VALUE == 1
    assert type(proxy) is _proxy.proxy_class()
    _bench_reads(benchmark, proxy)


@pytest.mark.benchmark(group="attr")
def test_attr_unswapped_proxy_c_forwarder_prototype(benchmark: Any, modules_dir: Any) -> None:
    """Prototype, not lazyimp's code: the same resolved proxy given a class whose
    ``__getattribute__`` is ``staticmethod(functools.partial(getattr, real))``, so a
    read runs no Python frame (what ``_specialise`` could install)."""
    forget(NAME)
    with lazyimp_installed():
        ns = hand_out(NAME)
        proxy = ns[NAME]
        assert proxy.VALUE == 1
    real = sys.modules[NAME]
    base = type(proxy)
    cls = type(base.__name__, (base,), {
        "__slots__": (),
        "__getattribute__": staticmethod(functools.partial(getattr, real)),
    })
    _proxy._set_class(proxy, cls)
    assert proxy.f3 is real.f3
    _bench_reads(benchmark, proxy)


@pytest.mark.benchmark(group="attr")
def test_attr_wrapt_lazy_import(benchmark: Any, modules_dir: Any) -> None:
    """``wrapt.lazy_import('bm_wrapt')`` after its first use: wrapt's C
    ``LazyObjectProxy`` forwarding every read."""
    forget("bm_wrapt")
    with lazyimp_removed():
        proxy = wrapt.lazy_import("bm_wrapt")
        assert proxy.VALUE == 1
    _bench_reads(benchmark, proxy)


@pytest.mark.benchmark(group="attr")
def test_attr_lazyloader_module(benchmark: Any, modules_dir: Any) -> None:
    """A module loaded through ``importlib.util.LazyLoader``, after first use
    (the stdlib resets its class to ``ModuleType`` on load)."""
    forget("bm_ll")
    spec = PathFinder.find_spec("bm_ll")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = module_from_spec(spec)
    sys.modules["bm_ll"] = module
    loader.exec_module(module)
    assert module.VALUE == 1
    benchmark.extra_info["class_after_load"] = type(module).__name__
    _bench_reads(benchmark, module)


# -- import of an already imported module -------------------------------------------------

REIMPORT = compile(
    "for _ in range(200):\n" + "    import bm_small\n" * 50, "<bench reimport>", "exec"
)


def _reimport(benchmark: Any) -> None:
    ns: dict[str, Any] = {"__name__": "bm_importer"}
    benchmark.extra_info["reads"] = 10_000
    benchmark(exec, REIMPORT, ns)


@pytest.mark.benchmark(group="reimport")
def test_reimport_lazyimp_installed(benchmark: Any, modules_dir: Any) -> None:
    """10,000 ``import bm_small`` statements at module level, the module lazily
    imported and resolved before, lazyimp still installed."""
    forget(NAME)
    with lazyimp_installed():
        ns = hand_out(NAME)
        assert ns[NAME].VALUE == 1
        assert type(sys.modules[NAME]) is ModuleType
        _reimport(benchmark)


@pytest.mark.benchmark(group="reimport")
def test_reimport_lazyimp_not_installed(benchmark: Any, modules_dir: Any) -> None:
    """The same statements with the module imported eagerly and lazyimp not in
    ``sys.meta_path`` (the reference)."""
    forget(NAME)
    with lazyimp_removed():
        hand_out(NAME)
        _reimport(benchmark)


@pytest.mark.benchmark(group="reimport")
def test_reimport_pending_proxy(benchmark: Any, modules_dir: Any) -> None:
    """Diagnostic: the same statements while the module is still an unexecuted
    proxy (each one reads ``__spec__`` through the proxy to note the site)."""
    forget(NAME)
    with lazyimp_installed():
        hand_out(NAME)
        assert lazyimp.is_lazy(sys.modules[NAME])
        _reimport(benchmark)
        assert lazyimp.is_lazy(sys.modules[NAME])
