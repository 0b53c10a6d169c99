"""Reloading lazily imported modules (contract C8.1).

``importlib.reload(proxy)`` must work while lazyimp is installed: importlib's
``reload`` is replaced by one that resolves a proxy first, from the first
intercepted import until ``uninstall()``, which puts the original back.
"""

from __future__ import annotations

from . import _proxy, _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# importlib.reload(proxy) must work while lazyimp is installed (contract C8.1): the
# reload() in importlib is replaced by one that resolves a proxy first, from the
# first intercepted import until uninstall().  (importlib, original, ours).
_reload_patch: tuple[Any, Any, Any] | None = None


def patch() -> None:
    global _reload_patch
    if _reload_patch is not None:
        return
    with _state.eager_scope():
        import importlib
    original = importlib.reload

    def reload(module: Any) -> Any:
        return original(_module_for_reload(module))

    reload.__doc__ = original.__doc__
    reload.__wrapped__ = original  # type: ignore[attr-defined]
    importlib.reload = reload
    _reload_patch = (importlib, original, reload)


def unpatch() -> None:
    global _reload_patch
    if _reload_patch is not None:
        importlib, original, ours = _reload_patch
        if importlib.reload is ours:
            importlib.reload = original
        _reload_patch = None


def _module_for_reload(module: Any) -> Any:
    if _proxy.is_proxy(module):
        return _proxy.resolve(module)
    if type(module).__name__ == "lazy_import" and hasattr(module, "resolve"):
        return module.resolve()  # 3.15: the interpreter's lazy object, held in a local
    return module


def reload(module: Any) -> Any:
    """Reload a module, lazily imported or not, and return it (contract C8.1).

    The eager idiom is ``importlib.reload(module)``.  A lazy module that has not
    run yet (a proxy, or on 3.15 the interpreter's lazy object) is executed first
    (it is then reloaded, as an eagerly imported one would be).  Raises what ``importlib.reload`` raises, and what the body raises.
    """
    original = _reload_patch[1] if _reload_patch is not None else None
    if original is None:
        import importlib

        original = importlib.reload
    return original(_module_for_reload(module))


