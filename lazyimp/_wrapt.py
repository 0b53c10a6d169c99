"""Getting wrapt's C object proxy type without importing the whole ``wrapt`` package.

``import wrapt`` (2.x) costs 55-100 ms and 170 modules (asyncio, inspect,
importlib.metadata) because its ``__init__`` imports every feature.  The proxy type
lives in the extension ``wrapt._wrappers``, whose initialisation only imports
``wrapt.exceptions`` (a small pure-Python module) through the package.  So we build
the ``wrapt`` package module from its spec *without executing it*, let the two
submodules import into it, and leave a lazy proxy of that same package object in
``sys.modules``: a later ``import wrapt`` runs the package body into that object,
finds both submodules already imported, and so exports the very type we subclass.

Fallbacks, each tested: when ``wrapt`` is already imported, or its C extension is
disabled (``WRAPT_DISABLE_EXTENSIONS``) or missing, or the layout is not the one
above (wrapt 1.x), we import ``wrapt`` normally and use its ``ObjectProxy``.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# True when the C type was loaded through the shortcut (for the tests' report header).
shortcut_used = False


def _import_eagerly(name: str) -> Any:
    # Our own imports must never be handed out lazily: the finder consults this flag.
    from . import _state

    with _state.eager_scope():
        __import__(name)
    return sys.modules[name]


def load_base() -> tuple[type, Any]:
    """Return ``(ObjectProxy type, unexecuted wrapt package or None)``.

    The second item is the not-yet-executed ``wrapt`` package module when the
    shortcut was taken; the caller wraps it in a lazy proxy and puts that in
    ``sys.modules`` so that later imports of ``wrapt`` execute it on first use.
    """
    global shortcut_used
    if "wrapt" in sys.modules or os.environ.get("WRAPT_DISABLE_EXTENSIONS"):
        return _full_import(), None
    # The frozen bootstrap modules, not importlib: importing importlib here would
    # run its package body behind the back of a lazy import of it in progress.
    _bootstrap = sys.modules["_frozen_importlib"]
    PathFinder = sys.modules["_frozen_importlib_external"].PathFinder

    spec = PathFinder.find_spec("wrapt")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("lazyimp needs the 'wrapt' package: pip install wrapt")
    locations = list(spec.submodule_search_locations)
    if (
        PathFinder.find_spec("wrapt._wrappers", locations) is None
        or PathFinder.find_spec("wrapt.exceptions", locations) is None
    ):
        return _full_import(), None
    package = _bootstrap.module_from_spec(spec)
    added = []
    sys.modules["wrapt"] = package
    try:
        for sub in ("wrapt.exceptions", "wrapt._wrappers"):
            if sub not in sys.modules:
                _import_eagerly(sub)
                added.append(sub)
        base = sys.modules["wrapt._wrappers"].ObjectProxy
    except Exception:
        # Leave sys.modules as we found it and take the slow, safe road.
        for sub in added:
            sys.modules.pop(sub, None)
        sys.modules.pop("wrapt", None)
        return _full_import(), None
    del sys.modules["wrapt"]
    shortcut_used = True
    return base, package


def _full_import() -> type:
    wrapt = _import_eagerly("wrapt")
    base = getattr(wrapt, "BaseObjectProxy", None) or wrapt.ObjectProxy
    return base  # type: ignore[no-any-return]
