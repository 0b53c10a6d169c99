"""Pickling a module proxy as the module would pickle (contract C8.5), never executing it.

Loaded on the first pickling of a proxy: most programs never pickle one.  ``_proxy``
calls ``module_proxy_reduce`` with what it needs of the proxy (its state, the marker of
a module not run yet, ``resolve``), so this module imports nothing from ``_proxy``.
"""

from __future__ import annotations

import sys

from . import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._proxy import _ProxyState


def module_proxy_reduce(
    proxy: Any,
    protocol: Any,
    st: _ProxyState,
    unset: Any,
    resolve: Callable[[Any], Any],
) -> Any:
    # Pickle as the module would pickle (contract C8.5), without executing it.  A module
    # has no reducer of its own: the active pickler decides (cloudpickle's dispatch
    # table writes an import reference; plain pickle refuses).  The active pickler
    # is not passed to __reduce_ex__, so look for it on the calling frames.
    # ``st`` is the proxy's state, ``unset`` the value of ``st.real`` while the module
    # has not run, and ``resolve`` runs it (all from _proxy, which calls this).
    target = st.real if st.real is not unset else st.module
    pickler = _active_pickler()
    if pickler is not None:
        override = getattr(pickler, "reducer_override", None)
        if override is not None:
            result = override(target)
            if result is not NotImplemented:
                return result
        table = getattr(pickler, "dispatch_table", None)
        if table is None:
            with _state.eager_scope():
                import copyreg
            table = copyreg.dispatch_table
        reducer = table.get(type(target))
        if reducer is not None:
            if st.real is unset and _pickled_by_value(target):
                target = resolve(proxy)
            return reducer(target)
    raise TypeError(f"cannot pickle {type(target).__name__!r} object")


def _active_pickler() -> Any:
    pickle = sys.modules.get("pickle")
    if pickle is None:
        return None
    kinds = tuple({pickle.Pickler, getattr(pickle, "_Pickler", pickle.Pickler)})
    # Past this module's two frames and _proxy's shim: __reduce_ex__'s caller.
    frame: Any = sys._getframe(3)
    depth = 0
    while frame is not None and depth < 6:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, kinds):
            return candidate
        frame = frame.f_back
        depth += 1
    return None


def _pickled_by_value(module: Any) -> bool:
    cp = sys.modules.get("cloudpickle.cloudpickle")
    check = getattr(cp, "_is_registered_pickle_by_value", None)
    try:
        return bool(check(module)) if check is not None else False
    except Exception:
        return False
