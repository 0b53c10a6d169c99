"""The lazy modules of either engine: ``is_lazy()``, ``load()``, ``pending()``, ``resolve_all()``.

On 3.10-3.14 they read the proxy engine's state (``_proxy.PENDING``, the proxies in
``sys.modules``); on 3.15+ the native engine's (``_native.DEFERRED`` and the
interpreter's lazy objects).  A module name works on both (``is_lazy("json")``): on
3.15 a lazy global read in order to pass it would be imported by the read.
"""

from __future__ import annotations

import sys

from . import _finder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def is_lazy(obj: object) -> bool:
    """True if ``obj`` is lazily imported and its module has not run yet.

    ``obj`` is a module name (``is_lazy("json")``: the form that works on every
    version) or the object itself: a lazyimp module proxy (3.10-3.14) or the
    interpreter's lazy object (``types.LazyImportType``, 3.15).  Never executes the
    module.  On 3.15 reading a lazy global gives the module (the interpreter
    imports it then), so ``is_lazy(json)`` is always False there: ask by name.  A
    proxy that has been resolved (and is only still held somewhere it could not be
    swapped out) is no longer lazy.
    """
    if _finder._native is not None or _finder.engine() == "pep810":
        return bool(_finder._load_native().is_lazy(obj))
    proxy = _finder._proxy
    if isinstance(obj, str):
        # A proxy whose body failed is out of sys.modules but still pending (SPEC 3.5).
        name = obj
        obj = sys.modules.get(name)
        if obj is None and proxy is not None:
            obj = proxy.PENDING.get(name)
    return proxy is not None and bool(proxy.is_lazy(obj))


def load(obj: Any) -> Any:
    """Execute a lazily imported module now and return the real module.

    The eager idiom: ``importlib.import_module(name)``.  ``obj`` is a lazy module
    (a proxy, or on 3.15 the interpreter's lazy object) or a module name, which is
    imported.  Anything else is returned unchanged.  Raises what the module body
    raises (``ModuleNotFoundError`` for a name that is not found).
    """
    if _finder._native is not None or _finder.engine() == "pep810":
        return _finder._load_native().load(obj)
    if isinstance(obj, str):
        module = sys.modules.get(obj)
        if module is None:
            from importlib import import_module

            return import_module(obj)
        obj = module
    proxy = _finder._proxy
    if proxy is not None and proxy.is_proxy(obj):
        return proxy.resolve(obj)
    return obj


def pending() -> list[str]:
    """Names of the modules handed out lazily and not executed yet, in import order.

    On 3.15: the modules lazyimp's filter deferred that have not run yet.
    """
    if _finder._native is not None:
        return list(_finder._native.pending())
    proxy = _finder._proxy
    return list(proxy.PENDING) if proxy is not None else []


def resolve_all() -> list[str]:
    """Execute every pending lazy module now; return their names (SPEC 1.6).

    For pre-fork servers, privilege drops and freezing.  Modules that the resolved
    bodies import lazily in turn are resolved too.  Then rewrites any remaining
    references in dicts (one heap scan; on 3.15, the lazy objects left in module
    globals whose module is imported now).  Raises the first module failure.
    """
    if _finder._native is not None:
        return list(_finder._native.resolve_all())
    done: list[str] = []
    proxies = _finder._proxy
    if proxies is None:
        return done
    while proxies.PENDING:
        name, proxy = next(iter(proxies.PENDING.items()))
        proxies.resolve(proxy)
        proxies.PENDING.pop(name, None)
        done.append(name)
    from . import _swap

    _swap.scan(force=True)
    return done
