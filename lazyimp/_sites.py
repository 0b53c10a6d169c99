"""Where import statements bind a module proxy: the sites its swap rewrites (contract C5.2).

The finder knows the site of the statement that handed a proxy out.  Other
statements bind the same proxy later, and this module hears of them: one that finds
it in ``sys.modules`` (the C import code reads its ``__spec__``), one that reads it
off its unexecuted package (IMPORT_FROM), one whose package runs while importlib
checks its fromlist and hands the submodule out meanwhile, and ``from pkg import
sub`` where ``sub`` is already a pending attribute of ``pkg`` (importlib's
``_handle_fromlist`` then imports nothing: its wrapper here sees the statement).

Each of them asks the one rule (``_rule``) whether the statement must be eager; if
so the module runs there, as it would eagerly.
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
# IMPORT_FROM, where no hook sees it: the proxy takes these sites when it is made
# (the dict is the proxy module's).  Names that turn out not to be submodules are
# never claimed; bounded.
expected = _proxy.expected
add_site = _proxy.add_site


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


# (importlib's bootstrap module, its _handle_fromlist, ours) while patched.
_fromlist_patch: tuple[Any, Any, Any] | None = None


def patch_fromlist() -> None:
    """Wrap importlib's ``_handle_fromlist`` while lazyimp is installed (idempotent).

    The C import code looks it up on ``_frozen_importlib`` for every ``from package
    import names`` statement, 3.10 to 3.14.  When a name is a submodule already
    handed out lazily, importlib finds it as an attribute of the package and imports
    nothing, so no other hook sees the statement: a package's own ``from . import
    sub`` would not run ``sub`` (trio, seaborn).  The wrapper asks the rule for each
    such name, runs the module when the statement must be eager and records the
    binding otherwise, then calls the original.
    """
    global _fromlist_patch
    if _fromlist_patch is not None:
        return
    bootstrap: Any = sys.modules["_frozen_importlib"]
    original = bootstrap._handle_fromlist
    get = _proxy._get

    def _handle_fromlist(module: Any, fromlist: Any, import_: Any, *, recursive: bool = False) -> Any:
        cls = _proxy._proxy_class
        if cls is not None:
            namespace = _proxy.namespace_of(module)
            for name in fromlist:
                value = namespace.get(name) if type(name) is str else None
                if type(value) is cls and get(value, "_self_state").real is _proxy._UNSET:
                    _note_fromlist_name(value, get(value, "_self_state"))
        return original(module, fromlist, import_, recursive=recursive)

    _handle_fromlist.__wrapped__ = original  # type: ignore[attr-defined]
    bootstrap._handle_fromlist = _handle_fromlist
    _fromlist_patch = (bootstrap, original, _handle_fromlist)


def unpatch_fromlist() -> None:
    """Put importlib's own ``_handle_fromlist`` back, if ours is still there."""
    global _fromlist_patch
    if _fromlist_patch is not None:
        bootstrap, original, ours = _fromlist_patch
        if bootstrap._handle_fromlist is ours:
            bootstrap._handle_fromlist = original
        _fromlist_patch = None


def _note_fromlist_name(proxy: Any, st: _proxy._ProxyState) -> None:
    # `from pkg import sub` where sub is pending: the statement's frame is the
    # caller of _handle_fromlist (C has no frame), past our __import__ wrappers.
    frame = _frames.statement_frame(3)
    if frame is None or frame.f_code.co_filename.startswith("<frozen"):
        return  # importlib's own use (a recursive star import), no statement
    stmt = _frames.statement(frame)
    if stmt[0] is None or not stmt[1]:
        return  # not a from-statement (an __import__() call)
    importer = _state.importer
    config = importer.config if importer is not None else None
    if _rule.eager_reason(config, frame, st.name, None, _rule.CACHED) is not None:
        _proxy.resolve(proxy)  # eagerly the statement would run it here
        return
    bound = _frames.bindings(frame, stmt)
    key = bound.get(st.name) if bound else None
    if key is not None:
        add_site(st.sites, frame.f_locals, key)


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


# The proxy reports what only this module knows how to follow; the fromlist wrapper's
# frames are import machinery.
_proxy.note_cached_import = note_cached_import
_proxy.note_from_binding = note_from_binding
_state.add_wrapper(note_from_binding.__code__.co_filename)
