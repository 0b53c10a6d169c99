"""Where import statements bind a module proxy: the sites its swap rewrites (SPEC 3.2).

The finder knows the site of the statement that handed a proxy out.  Other
statements bind the same proxy later, and this module hears of them: one that finds
it in ``sys.modules`` (the C import code reads its ``__spec__``), one that reads it
off its unexecuted package (IMPORT_FROM), and one whose package runs while importlib
checks its fromlist and hands the submodule out meanwhile.
"""

from __future__ import annotations

import sys

from . import _frames, _proxy, _rule, _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def note_cached_import(proxy: Any, st: _proxy._ProxyState) -> bool:
    # The C import code reads __spec__ (to test _initializing) every time an import
    # statement finds the module already in sys.modules.  If that statement must be
    # eager (the one rule, _rule: inside a function or a try block, a module that
    # opted out, a side-effect import, the policy), return True: the body runs
    # now, as it would eagerly.  Otherwise, at module level, its namespace now
    # holds the proxy: remember it for the swap.
    # The statement's frame: with builtins.__import__ wrapped (lazy_from,
    # track_imports) the wrapper's frames sit between it and the C import code.
    frame = _frames.statement_frame(4)
    if frame is None:
        return False
    code = frame.f_code
    if code.co_filename.startswith("<frozen"):
        return False
    stmt = _frames.statement(frame)
    if stmt[0] is None:
        return False  # something else reading __spec__
    importer = _state.importer
    config = importer.config if importer is not None else None
    if _rule.eager_reason(config, frame, st.name, None, _rule.CACHED) is not None:
        return True
    ns = frame.f_locals
    bound = _frames.bindings(frame, stmt)
    key = None
    if bound is not None:
        key = bound.get(st.name)
        if key is None:
            if stmt[1] and stmt[0] == st.name:
                _expect_from_bindings(ns, bound)
            return False  # this statement binds something else (a parent package)
    add_site(st.sites, ns, key)
    return False


# Full name -> [(namespace, name)]: `from pkg import sub as name` statements whose
# package was pending when they started.  Reading `sub` may run `pkg` first, and a
# proxy for `sub` handed out while it runs is then read off the real package by
# IMPORT_FROM, where no hook sees it: the proxy takes these sites when it is made.
# Names that turn out not to be submodules are never claimed; bounded.
expected: dict[str, list[tuple[dict[str, Any], str | None]]] = {}


def _expect_from_bindings(ns: dict[str, Any], bound: dict[str, str]) -> None:
    if len(expected) > 256:
        expected.clear()
    for full, key in bound.items():
        existing = sys.modules.get(full)
        if existing is not None:
            if _proxy.is_lazy(existing):
                add_site(_proxy._get(existing, "_self_state").sites, ns, key)
            continue
        add_site(expected.setdefault(full, []), ns, key)


def add_site(sites: list[tuple[dict[str, Any], str | None]], ns: dict[str, Any], key: str | None) -> None:
    for known_ns, known_key in sites:
        if known_ns is ns and known_key == key:
            return
    sites.append((ns, key))


def note_from_binding(sub: Any) -> None:
    # Called for IMPORT_FROM reading a submodule off its unexecuted package: the
    # frame three levels up is the import statement's (importlib's own reads come
    # from frozen frames and are skipped).
    frame = sys._getframe(3)
    if not _frames.is_module_level(frame) or frame.f_code.co_filename.startswith("<frozen"):
        return
    key = _frames.from_binding(frame)
    if key is None:
        return
    add_site(_proxy._get(sub, "_self_state").sites, frame.f_locals, key)


def take_expected(st: _proxy._ProxyState) -> None:
    """Give a new proxy the sites statements left for it before it existed."""
    for ns, key in expected.pop(st.name, ()):
        add_site(st.sites, ns, key)
