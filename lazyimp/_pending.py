"""The lazy modules of either engine: ``is_lazy()``, ``load()``, ``pending()``, ``resolve_all()``.

On 3.10-3.14 they read the proxy engine's state (``_proxy.PENDING``, the proxies in
``sys.modules``); on 3.15+ the native engine's (``_native.DEFERRED`` and the
interpreter's lazy objects).  A module name works on both (``is_lazy("json")``): on
3.15 a lazy global read in order to pass it would be imported by the read.
"""

import sys

from . import _finder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def is_lazy(obj: "object") -> "bool":
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
        return _native_is_lazy(_finder._load_native().DEFERRED, obj)
    proxy = _finder._proxy
    if isinstance(obj, str):
        # A proxy whose body failed is out of sys.modules but still pending (contract C6.1).
        name = obj
        obj = sys.modules.get(name)
        if obj is None and proxy is not None:
            obj = proxy.PENDING.get(name)
    return proxy is not None and bool(proxy.is_lazy(obj))


def load(obj: "Any") -> "Any":
    """Execute a lazily imported module now and return the real module.

    The eager idiom: ``importlib.import_module(name)``.  ``obj`` is a lazy module
    (a proxy, or on 3.15 the interpreter's lazy object) or a module name, which is
    imported.  Anything else is returned unchanged.  Raises what the module body
    raises (``ModuleNotFoundError`` for a name that is not found).
    """
    if _finder._native is not None or _finder.engine() == "pep810":
        return _native_load(obj)
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


def pending() -> "list[str]":
    """Names of the modules handed out lazily and not executed yet, in import order.

    On 3.15: the modules lazyimp's filter deferred that have not run yet.
    """
    if _finder._native is not None:
        return _native_pending(_finder._native.DEFERRED)
    proxy = _finder._proxy
    return list(proxy.PENDING) if proxy is not None else []


def resolve_all() -> "list[str]":
    """Execute every pending lazy module now; return their names (contract C1.8).

    For pre-fork servers, privilege drops and freezing.  Modules that the resolved
    bodies import lazily in turn are resolved too.  Then rewrites any remaining
    references in dicts (one heap scan; on 3.15, the lazy objects left in module
    globals whose module is imported now).  Raises the first module failure.
    """
    if _finder._native is not None:
        return _native_resolve_all(_finder._native.DEFERRED)
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


# --- the native engine (3.15+): _native.DEFERRED and the interpreter's lazy objects ----


def _native_pending(deferred: "dict[str, Any]") -> "list[str]":
    # Deferred by lazyimp's filter and not imported yet, in the order deferred.
    modules = sys.modules
    return [name for name in deferred if name not in modules]


def _native_is_lazy(deferred: "dict[str, Any]", obj: "object") -> "bool":
    # A lazy object, or a module name whose lazy import (lazyimp's or the program's
    # own `lazy import`) has not run yet.
    if isinstance(obj, str):
        if obj in sys.modules:
            return False
        return obj in deferred or obj in sys.lazy_modules  # type: ignore[attr-defined]
    return type(obj) is _lazy_type()


def _lazy_type() -> "type":
    import types

    return types.LazyImportType  # type: ignore[attr-defined,no-any-return]


def _native_load(obj: "Any") -> "Any":
    if isinstance(obj, str):
        from importlib import import_module

        return import_module(obj)
    if type(obj) is _lazy_type():
        return obj.resolve()  # type: ignore[attr-defined]
    return obj


def _native_resolve_all(deferred: "dict[str, Any]") -> "list[str]":
    # Import every pending module, then replace the lazy objects left in module
    # globals whose module is imported now (reading them would do it one by one).
    from importlib import import_module

    done: list[str] = []
    while True:
        names = _native_pending(deferred)
        if not names:
            break
        for name in names:
            if name not in sys.modules:
                import_module(name)
            deferred.pop(name, None)
            done.append(name)
    lazy_type = _lazy_type()
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if type(namespace) is not dict:
            continue
        for key, value in list(namespace.items()):
            if type(value) is lazy_type and _target(value) in sys.modules:
                namespace[key] = value.resolve()  # type: ignore[attr-defined]
    return done


def _target(lazy: "Any") -> "str":
    # repr is "<lazy_import 'a.b'>": the module (or module.attribute) it stands for.
    text = repr(lazy)
    name = text.partition("'")[2].rpartition("'")[0]
    return name if name in sys.modules else name.rpartition(".")[0]
