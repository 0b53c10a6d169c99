"""Getting wrapt's C object proxy type without importing the whole ``wrapt`` package.

``import wrapt`` (2.x) costs 55-100 ms and 170 modules (asyncio, inspect,
importlib.metadata) because its ``__init__`` imports every feature.  The proxy type
lives in the extension ``wrapt._wrappers``, whose initialisation imports at most
``wrapt.exceptions`` (a small pure-Python module of recent releases) through the
package.  So we build the ``wrapt`` package module from its spec *without executing it*, let the two
submodules import into it, and leave a lazy proxy of that same package object in
``sys.modules``: a later ``import wrapt`` runs the package body into that object,
finds both submodules already imported, and so exports the very type we subclass.

Fallbacks, each tested: when wrapt's C extension is disabled
(``WRAPT_DISABLE_EXTENSIONS``) or missing, the same shortcut loads the pure-Python
proxy from ``wrapt.wrappers``; when ``wrapt`` is already imported, or the layout is
not the one above (wrapt 1.x), we import ``wrapt`` normally and use its proxy.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


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
    if "wrapt" in sys.modules:
        return _full_import(), None
    # The frozen bootstrap modules, not importlib: importing importlib here would
    # run its package body behind the back of a lazy import of it in progress.
    _bootstrap = sys.modules["_frozen_importlib"]
    PathFinder = sys.modules["_frozen_importlib_external"].PathFinder

    spec = PathFinder.find_spec("wrapt")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("lazyimp needs the 'wrapt' package: pip install wrapt")
    locations = list(spec.submodule_search_locations)
    # The C proxy (wrapt._wrappers) unless wrapt's own switch turns extensions off
    # or the extension is missing; then the pure-Python one (wrapt.wrappers, which
    # imports inspect but not the rest of wrapt), as wrapt's __wrapt__ chooses.
    attempts = []
    if not os.environ.get("WRAPT_DISABLE_EXTENSIONS"):
        attempts.append(("wrapt._wrappers", "ObjectProxy"))
    attempts.append(("wrapt.wrappers", "ObjectProxy"))
    for module_name, type_name in attempts:
        if PathFinder.find_spec(module_name, locations) is None:
            continue
        # Recent wrapt releases (2.5) keep their exceptions in wrapt.exceptions, which
        # the C type's initialisation imports; 2.0 and 2.1 have no such module and
        # import nothing there.
        subs: tuple[str, ...] = (module_name,)
        if PathFinder.find_spec("wrapt.exceptions", locations) is not None:
            subs = ("wrapt.exceptions", module_name)
        package = _bootstrap.module_from_spec(spec)
        added = []
        sys.modules["wrapt"] = package
        try:
            for sub in subs:
                if sub not in sys.modules:
                    _import_eagerly(sub)
                    added.append(sub)
            base = getattr(sys.modules[module_name], type_name)
        except Exception:
            # Leave sys.modules as we found it and try the next way.
            for sub in added:
                sys.modules.pop(sub, None)
            sys.modules.pop("wrapt", None)
            continue
        del sys.modules["wrapt"]
        return base, package
    return _full_import(), None


def _full_import() -> type:
    wrapt = _import_eagerly("wrapt")
    base = getattr(wrapt, "BaseObjectProxy", None) or wrapt.ObjectProxy
    return base  # type: ignore[no-any-return]
