"""Replacing a resolved proxy in the namespaces that hold it (contract C5.2).

``gc.get_referrers`` scans the whole heap on every call (about 15 ms at a million
objects), so it cannot be the way each proxy is swapped out.  Instead the proxy
carries the namespaces known to bind it (the globals of the import statements that
bound it and its parent package's ``__dict__``) and ``swap`` rewrites exactly those:
a few dict reads per site.

What remains unknown (a dict elsewhere that copied the binding, a class attribute)
is found by a *batched* ``gc.get_referrers`` pass over every proxy queued so far.
``sys.getrefcount`` decides whether a proxy is queued: only a hint (CPython 3.14
leaves some stack references uncounted), which is why the pass is also run by
``resolve_all()``.  Passes are spaced so that they take at most about 5% of the
elapsed time: after a pass of ``d`` seconds the next one waits ``20 * d``, and the
proxies queued meanwhile are rewritten together by the next pass.
References that are not in dicts (locals, closures, tuples) cannot be rewritten;
they keep forwarding to the real module (contract C5.4).
"""

from __future__ import annotations

import sys
import time
from _weakref import ref as _ref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# References to the proxy that the resolution path itself holds when swap() reads
# the count, on the deepest common path (an attribute read at module level):
# getrefcount's argument, the parameters of swap, _execute, resolve,
# _unresolved_getattr and __getattribute__, and the caller's value stack (9 on
# 3.11).  How many of those the interpreter counts is its calling convention,
# measured on each version the suite runs on (tests/test_swap.py checks both
# sides: no scan when nothing else holds it, a scan when one more dict does).
# 3.10 keeps each argument on the caller's value stack as well as in the callee's
# locals (13: one more for each of the four Python calls on the path); 3.12 and
# 3.13 count 8; 3.14 leaves most stack references borrowed (uncounted) and counts
# 3.  Shorter paths (a parent resolved first) count fewer and may miss an unknown
# holder or two: those keep forwarding until resolve_all() scans.
_KNOWN_REFS = {(3, 10): 13, (3, 11): 9, (3, 12): 8, (3, 13): 8}.get(sys.version_info[:2], 3)

# (weak reference to the proxy, real module) pairs waiting for the batched referrer
# scan.  Weak: a proxy the program drops must be freed, not kept for the scan.
_queue: list[tuple[Any, Any]] = []
_next_scan = 0.0
# Guards the scan (only one thread scans; others skip).  The queue itself is only
# appended to and swapped out under the GIL.
_scanning = False

# Counters for the report and the benchmarks.
stats = {"swapped": 0, "queued": 0, "scans": 0, "scanned_rewrites": 0, "scan_seconds": 0.0}


def swap(
    proxy: Any,
    real: Any,
    sites: list[tuple[dict[str, Any], str | None]],
    first_use: dict[str, Any] | None = None,
) -> bool:
    """Replace ``proxy`` by ``real`` in ``sites``; queue it if others may hold it.

    Each site is a namespace and the name the import statement bound there (read
    from its bytecode), or None when the name is unknown (``import_module()``) and
    the namespace must be searched.  Returns True when the proxy was queued
    (someone we do not know of holds it).  ``first_use`` is the namespace of
    the code whose use triggered the resolution: when the count says unknown
    holders remain, it is searched before the proxy is queued (the module that
    uses a proxy usually holds it, e.g. through ``from pkg import sub``).
    """
    swapped = 0
    for ns, key in sites:
        if key is not None:
            if ns.get(key) is proxy:
                ns[key] = real
                swapped += 1
            continue
        keys = [k for k, value in ns.items() if value is proxy]
        for k in keys:
            ns[k] = real
        swapped += len(keys)
    stats["swapped"] += swapped
    if sys.getrefcount(proxy) <= _KNOWN_REFS:
        return False
    if first_use is not None:
        # Someone we do not know of holds it: most often the module whose use
        # triggered the resolution (`x = pkg.sub` off an executed package binds
        # the proxy where no hook sees it).  About 250 instructions per global.
        keys = [k for k, value in first_use.items() if value is proxy]
        for k in keys:
            first_use[k] = real
        stats["swapped"] += len(keys)
        if keys and sys.getrefcount(proxy) <= _KNOWN_REFS:
            return False
    _queue.append((_ref(proxy), real))
    stats["queued"] += 1
    if time.perf_counter() >= _next_scan:
        scan()
    return True


def scan(force: bool = False) -> int:
    """Rewrite queued proxies in every dict that refers to them; return rewrites."""
    global _next_scan, _scanning
    if _scanning or not _queue:
        return 0
    if not force and time.perf_counter() < _next_scan:
        return 0
    _scanning = True
    try:
        batch = _queue[:]
        del _queue[: len(batch)]
        started = time.perf_counter()
        import gc

        live = [(ref(), real) for ref, real in batch]
        by_id = {id(proxy): (proxy, real) for proxy, real in live if proxy is not None}
        proxies = [pair[0] for pair in by_id.values()]
        del live
        if not proxies:
            return 0
        rewrites = 0
        for referrer in gc.get_referrers(*proxies):
            if type(referrer) is not dict:
                continue
            keys = [
                key
                for key, value in referrer.items()
                if id(value) in by_id and by_id[id(value)][0] is value
            ]
            for key in keys:
                referrer[key] = by_id[id(referrer[key])][1]
            rewrites += len(keys)
        del proxies, batch, by_id
        elapsed = time.perf_counter() - started
        _next_scan = time.perf_counter() + 20 * elapsed
        stats["scans"] += 1
        stats["scanned_rewrites"] += rewrites
        stats["scan_seconds"] += elapsed
        return rewrites
    finally:
        _scanning = False
