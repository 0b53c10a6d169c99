"""``track_imports()``: which modules did this piece of work import? (contract C10)

For build tools that must know which Python files a piece of work depended on (a
template that imports project modules, a plugin loader).  Inside
``with track_imports() as seen:`` every import made by code running in this context
is recorded, including modules already cached in ``sys.modules``, relative imports,
submodules reached through ``from package import submodule``, and
``importlib.import_module`` calls.

How: while at least one tracking context is open anywhere in the process, a wrapper
sits on ``builtins.__import__`` (chaining to whatever was there before) and on
``importlib.import_module``.  Each wrapper records into the collectors held by a
context variable, so only the thread or asyncio task that opened the context, and
the tasks and threads started with a copy of its context, are recorded.  When the
last context closes, each wrapper is removed only if it is still the one installed;
if another tool wrapped on top of it meanwhile, it stays in the chain as a
pass-through (one function call per import) rather than cut that tool out.

Imports that lazyimp makes for itself (its registry and ``wrapt`` on the first lazy
import, the report) are not recorded, nor anything they import in turn.

Known limits: a reference to ``import_module`` taken before the first context opened
(``from importlib import import_module``) bypasses the second wrapper; direct calls
to ``importlib._bootstrap`` or ``importlib.util.module_from_spec`` are not imports
and are not seen; ``from package import *`` records the package but not the
submodules its ``__all__`` pulls in.  Imports that raise are not recorded.
"""

from __future__ import annotations

import _thread
import builtins
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from . import _state

# The collectors that imports in this context record into (innermost last).
_active: ContextVar[tuple[TrackedImports, ...]] = ContextVar("lazyimp.track_imports", default=())

# Guards _users and the installation and removal of the two wrappers.
_lock = _thread.allocate_lock()
_users = 0
_import_wrapper: _ImportWrapper | None = None
_import_module_wrapper: _ImportModuleWrapper | None = None


class ImportRecord:
    """One module imported inside a tracking context (contract C10.1).

    Attributes:
        name: the absolute dotted module name.
        origin: the module's file path, or None (built-in, frozen, namespace package).
        cached: True when the module was already in ``sys.modules`` at the first
            import seen in this context.
    """

    __slots__ = ("name", "origin", "cached")

    def __init__(self, name: str, origin: str | None, cached: bool) -> None:
        self.name = name
        self.origin = origin
        self.cached = cached

    def __repr__(self) -> str:
        return f"ImportRecord(name={self.name!r}, origin={self.origin!r}, cached={self.cached})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImportRecord):
            return NotImplemented
        return (self.name, self.origin, self.cached) == (other.name, other.origin, other.cached)

    def __hash__(self) -> int:
        return hash((self.name, self.origin, self.cached))


class TrackedImports:
    """The live, ordered collection a tracking context yields: one record per module.

    Iterating gives ``ImportRecord`` objects in first-import order; ``name in seen``
    tests a module name; ``seen[name]`` returns its record.  It keeps filling while
    its context is open and stops when it closes, even in tasks that copied it.
    """

    def __init__(self) -> None:
        self._records: dict[str, ImportRecord] = {}
        self.closed = False

    def _add(self, name: str, cached: bool) -> None:
        record = self._records.get(name)
        if record is None:
            self._records[name] = ImportRecord(name, _origin(name), cached)
        elif record.cached and not cached:
            # A package's own body imported it (``from . import x``) while the outer
            # import that found it absent was still running: the outer one knows.
            record.cached = False

    def names(self) -> list[str]:
        """The recorded module names, in first-import order."""
        return list(self._records)

    def origins(self) -> list[str]:
        """The file paths of the recorded modules that have one."""
        return [r.origin for r in self._records.values() if r.origin is not None]

    def __iter__(self) -> Iterator[ImportRecord]:
        return iter(list(self._records.values()))

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, ImportRecord):
            return self._records.get(name.name) == name
        return name in self._records

    def __getitem__(self, name: str) -> ImportRecord:
        return self._records[name]

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<TrackedImports {state}, {len(self._records)} modules>"


def _origin(name: str) -> str | None:
    # Reading __spec__ and __file__ does not execute a lazy proxy (contract C2.5).
    module = sys.modules.get(name)
    if module is None:
        return None
    spec = getattr(module, "__spec__", None)
    if spec is not None and spec.has_location and isinstance(spec.origin, str):
        return spec.origin
    # Frozen stdlib modules (os, codecs on 3.11+) have no location but a __file__.
    origin = getattr(module, "__file__", None)
    return origin if isinstance(origin, str) else None


def _package_of(globals: Any) -> str | None:
    # The package a relative import is relative to, as importlib computes it.
    if not isinstance(globals, dict):
        return None
    package = globals.get("__package__")
    if package is not None:
        return package if isinstance(package, str) else None
    spec = globals.get("__spec__")
    if spec is not None:
        return spec.parent if isinstance(spec.parent, str) else None
    name = globals.get("__name__")
    if not isinstance(name, str):
        return None
    return name if "__path__" in globals else name.rpartition(".")[0]


def _absolute(name: str, globals: Any, level: int) -> str | None:
    if level <= 0:
        return name or None
    package = _package_of(globals)
    if not package:
        return None
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None
    base = bits[0]
    return f"{base}.{name}" if name else base


def _candidates(absolute: str, fromlist: Any) -> list[str]:
    # ``import a.b.c`` imports a, a.b and a.b.c; ``from a.b import c`` may import the
    # submodule a.b.c through importlib's own __import__ (not through ours).
    parts = absolute.split(".")
    names = [".".join(parts[: i + 1]) for i in range(len(parts))]
    if fromlist:
        for item in fromlist:
            if isinstance(item, str) and item != "*":
                names.append(f"{absolute}.{item}")
    return names


class _ImportWrapper:
    """Our ``builtins.__import__``: record, then chain to the previous one."""

    __slots__ = ("previous", "active")

    def __init__(self, previous: Callable[..., Any]) -> None:
        self.previous = previous
        self.active = True

    def __call__(
        self,
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        collectors = _active.get() if self.active else ()
        if not collectors:
            return self.previous(name, globals, locals, fromlist, level)
        # The importer: from its globals, or for a bare ``__import__(name)`` (and
        # imports made by C code) the nearest Python frame.
        importer = globals if isinstance(globals, dict) else sys._getframe(1).f_globals
        if _is_internal(importer.get("__name__")):
            return _untracked(self.previous, name, globals, locals, fromlist, level)
        try:
            absolute = _absolute(name, globals, level)
            wanted = _candidates(absolute, fromlist) if absolute else []
            before = [n in sys.modules for n in wanted]
        except Exception:  # a malformed call: the real __import__ reports it
            wanted, before = [], []
        result = self.previous(name, globals, locals, fromlist, level)
        _record(collectors, wanted, before)
        return result


class _ImportModuleWrapper:
    """Our ``importlib.import_module``, which does not go through ``__import__``."""

    __slots__ = ("previous", "active", "__wrapped__")

    def __init__(self, previous: Callable[..., Any]) -> None:
        self.previous = previous
        self.active = True
        self.__wrapped__ = previous

    def __call__(self, name: str, package: str | None = None) -> Any:
        collectors = _active.get() if self.active else ()
        if not collectors:
            return self.previous(name, package)
        if _is_internal(package):  # lazyimp.__getattr__ loading ._report, ._spawn...
            return _untracked(self.previous, name, package)
        try:
            level = len(name) - len(name.lstrip("."))
            absolute = _absolute(name[level:], {"__package__": package}, level)
            wanted = _candidates(absolute, None) if absolute else []
            before = [n in sys.modules for n in wanted]
        except Exception:
            wanted, before = [], []
        result = self.previous(name, package)
        _record(collectors, wanted, before)
        return result


def _is_internal(module: object) -> bool:
    return isinstance(module, str) and (module == "lazyimp" or module.startswith("lazyimp."))


def _untracked(function: Callable[..., Any], *args: Any) -> Any:
    # lazyimp's own imports (the finder loading its registry and wrapt on the first
    # lazy import, the package loading a feature module) are not the tracked code's:
    # nothing they import, however deep, is recorded.
    token = _active.set(())
    try:
        return function(*args)
    finally:
        _active.reset(token)


def _record(collectors: tuple[TrackedImports, ...], wanted: list[str], before: list[bool]) -> None:
    modules = sys.modules
    for name, cached in zip(wanted, before, strict=True):
        if name in modules:
            for seen in collectors:
                if not seen.closed:
                    seen._add(name, cached)


def note_deferred(name: str, origin: str | None, cached: bool) -> None:
    """Record an import that the native engine (PEP 810) deferred or made itself.

    A lazy import statement on 3.15 does not call ``__import__`` (the interpreter
    binds a lazy object), so lazyimp's filter reports it here, in the context of
    the statement, as the proxy engine's ``__import__`` would have seen it.
    """
    collectors = _active.get()
    for seen in collectors:
        if not seen.closed and name not in seen._records:
            seen._records[name] = ImportRecord(name, origin, cached)


def _acquire() -> None:
    # First user in the process: put both wrappers on top of what is there now.
    global _users, _import_wrapper, _import_module_wrapper
    import importlib

    with _lock:
        _users += 1
        if _users == 1:
            _import_wrapper = _ImportWrapper(builtins.__import__)
            builtins.__import__ = _import_wrapper
            _import_module_wrapper = _ImportModuleWrapper(importlib.import_module)
            importlib.import_module = _import_module_wrapper


def _release() -> None:
    # Last user: take each wrapper off only if it is still on top; otherwise another
    # tool wrapped it and removing ours would remove theirs too, so ours stays as an
    # inactive pass-through and the next _acquire() installs a fresh one above.
    global _users, _import_wrapper, _import_module_wrapper
    import importlib

    with _lock:
        _users -= 1
        if _users:
            return
        wrapper, module_wrapper = _import_wrapper, _import_module_wrapper
        _import_wrapper = _import_module_wrapper = None
        if wrapper is not None:
            wrapper.active = False
            if builtins.__import__ is wrapper:
                builtins.__import__ = wrapper.previous
        if module_wrapper is not None:
            module_wrapper.active = False
            if importlib.import_module is module_wrapper:
                importlib.import_module = module_wrapper.previous


class track_imports:
    """Record the modules imported by code in this context (contract C10.1).

    The tracked counterpart of running code and diffing ``sys.modules``, which misses
    modules already imported and imports made by other threads at the same time::

        with lazyimp.track_imports() as seen:
            render_page("index")
        deps = seen.origins()

    Contexts nest: an import inside an inner context is recorded by the enclosing
    ones too.  It works with and without ``lazyimp.install()``: a lazily imported
    module is recorded when its import statement runs, not when first used.  The
    same object cannot be entered twice at once; create one per ``with``.

    Raises:
        RuntimeError: when entered while already open.
    """

    __slots__ = ("seen", "_token")

    def __init__(self) -> None:
        self.seen = TrackedImports()
        self._token: Any = None

    def __enter__(self) -> TrackedImports:
        if self._token is not None or self.seen.closed:
            raise RuntimeError(
                "this track_imports() context was already entered; "
                "use a new track_imports() for each with-block"
            )
        _acquire()
        self._token = _active.set(_active.get() + (self.seen,))
        return self.seen

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.seen.closed = True
        try:
            _active.reset(self._token)
        except ValueError:
            # Exited in another context than the one it was entered in (a generator
            # or task switched contexts): drop this collector from the current one.
            _active.set(tuple(s for s in _active.get() if s is not self.seen))
        finally:
            _release()


# The wrappers' frames stand between an import statement and importlib.
_state.add_wrapper(_acquire.__code__.co_filename)
