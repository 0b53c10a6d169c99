"""The registry of packages imported by path, and the meta-path finder that serves it.

Scope: ``_ROOTS`` maps each top-level name registered by ``import_module_from_path``
(``_spawn``) to the real directory of its package; ``_PathImportFinder`` resolves that
name, and its submodules, only inside the directory (contract C11.1, C11.2).  The
pickler (``_pickler``) reads the registry to write path references and registers names
in ``spawn`` and ``forkserver`` children; the Dask plugin (``_dask``) registers them in
workers (contract C11.3, C11.4).  This module imports nothing from lazyimp, so all of
them can use it without importing each other.

Known limits:

- Below a registered name this finder is the authority: a submodule that does not exist
  inside the directory is not found, even if the package's ``__init__`` extends its own
  ``__path__`` to other directories.  A name that is not a valid dotted identifier, or
  whose file resolves (through a symlink) outside the directory, raises
  ``ModuleNotFoundError`` at ``find_spec`` time rather than returning ``None``, so that
  the path-based finder behind us cannot be tricked into resolving it.
- Registration refuses a name that is already imported (or, from
  ``import_module_from_path``, importable) from elsewhere: a ``ValueError``, never a
  silent shadow.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

# name -> the real (symlink-free) directory of the package.  import_module_from_path
# adds an entry before the package's __init__ runs, so the submodules __init__ imports
# already resolve through the finder (docs/how-it-works.rst, pickler-internals), and
# removes it again if it fails.
_ROOTS: dict[str, str] = {}

# Guards _ROOTS and the finder's place on sys.meta_path.  import_module_from_path
# (_spawn) holds it while the package body runs: re-entrant because that body may
# itself call import_module_from_path.
_LOCK = threading.RLock()

# The loaders FileFinder uses for a plain directory, in CPython's order: extension
# modules first, then source, then bytecode.
_LOADER_DETAILS: tuple[tuple[Any, list[str]], ...] = (
    (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
    (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES),
    (importlib.machinery.SourcelessFileLoader, importlib.machinery.BYTECODE_SUFFIXES),
)


def _inside(root: str, path: str) -> bool:
    """True when the real location of ``path`` is ``root`` or below it."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


class _PathImportFinder:
    """The meta-path finder for packages imported by ``import_module_from_path``.

    Only names whose first part is registered are ours; for every other name this
    returns None at once (one dict lookup), so it costs nothing to the rest of the
    process.  Below a registered root it either returns a spec inside the package
    directory or raises ModuleNotFoundError: it sits before the path-based finder, and
    answering None there would let that finder join an absolute or empty name part
    onto the directory and read a file outside it (contract C11.2).
    """

    @classmethod
    def find_spec(
        cls,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        root_name, dot, rest = fullname.partition(".")
        root = _ROOTS.get(root_name)
        if root is None:
            return None
        if not dot:
            # The root itself: first import, re-import in a child, importlib.reload.
            return importlib.util.spec_from_file_location(
                fullname,
                os.path.join(root, "__init__.py"),
                submodule_search_locations=[root],
            )
        parts = rest.split(".")
        if not all(p.isidentifier() for p in parts):
            # Empty parts ("pkg..x"), separators and absolute paths ("pkg./etc/x").
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: {rest!r} is not a dotted name inside "
                f"the package {root_name!r} imported from {root}",
                name=fullname,
            )
        outside = False
        for entry in path or ():
            # A fresh FileFinder per call: it lists the directory once and applies the
            # standard loaders, so .py, .pyc, extension modules, packages and namespace
            # portions resolve exactly as the path-based finder would resolve them.
            spec = importlib.machinery.FileFinder(entry, *_LOADER_DETAILS).find_spec(
                fullname, target
            )
            if spec is None:
                continue
            locations = [spec.origin] if spec.has_location and spec.origin else []
            locations += list(spec.submodule_search_locations or ())
            if _inside(root, entry) and all(_inside(root, loc) for loc in locations):
                return spec
            # Found only outside: through a symlink, or in a directory the package
            # added to its own __path__ (module docstring).
            outside = True
        if outside:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} inside {root} (a file or directory of that "
                f"name lies outside the package directory, or the package's __path__ "
                f"points outside it)",
                name=fullname,
            )
        # Nothing of that name inside: the path-based finder, searching the same
        # directories, finds nothing either, and importlib.util.find_spec returns None
        # as it does for any missing submodule.
        return None

    @classmethod
    def invalidate_caches(cls) -> None:
        """Nothing is cached: a FileFinder is made per lookup."""


def _install_finder() -> None:
    # Just before the path-based finder, not at position 0: a lazy-import finder or an
    # instrumentation finder that wants to be first stays first, and nothing can shadow
    # a registered name from behind us because registration refuses importable names.
    if _PathImportFinder in sys.meta_path:
        return
    for i, finder in enumerate(sys.meta_path):
        if finder is importlib.machinery.PathFinder:
            sys.meta_path.insert(i, _PathImportFinder)
            return
    sys.meta_path.append(_PathImportFinder)


def _remove_finder_if_unused() -> None:
    if not _ROOTS and _PathImportFinder in sys.meta_path:
        sys.meta_path.remove(_PathImportFinder)


def _forget(name: str) -> None:
    """Unregister ``name`` and drop it and its submodules from ``sys.modules``."""
    with _LOCK:
        _ROOTS.pop(name, None)
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
        _remove_finder_if_unused()


def _origin_dir(module: ModuleType) -> str | None:
    """The real directory a module was loaded from (its package directory), if any."""
    spec = getattr(module, "__spec__", None)
    locations: list[str] = list(getattr(spec, "submodule_search_locations", None) or ())
    if locations:
        return os.path.realpath(locations[0])
    origin: object = getattr(spec, "origin", None)
    if isinstance(origin, str) and os.path.isabs(origin):
        return os.path.dirname(os.path.realpath(origin))
    return None


def _register(name: str, root: str, *, check_importable: bool) -> bool:
    """Register ``name -> root``; True if this call added it.  Caller holds _LOCK.

    Raises ValueError when ``name`` is registered, imported or (with
    ``check_importable``) importable from somewhere else.
    """
    known = _ROOTS.get(name)
    if known is not None:
        if known != root:
            raise ValueError(
                f"cannot import {name!r} from {root}: it is already imported from {known}"
            )
        return False
    existing = sys.modules.get(name)
    if existing is not None:
        where = _origin_dir(existing) or getattr(existing, "__file__", None) or "built-in"
        raise ValueError(
            f"cannot import {name!r} from {root}: a module of that name is already "
            f"imported from {where}; choose another name"
        )
    if check_importable:
        # Finding is cheap and executes nothing.  A name that resolves to the same
        # directory (the package sits on sys.path under its own name) is fine.
        spec = importlib.util.find_spec(name)
        if spec is not None:
            locations = list(spec.submodule_search_locations or ())
            where = locations[0] if locations else spec.origin
            if where is None or os.path.realpath(where) != root:
                raise ValueError(
                    f"cannot import {name!r} from {root}: that name is importable from "
                    f"{where or spec.origin or 'a built-in'} and would be shadowed; "
                    f"choose another name"
                )
    _ROOTS[name] = root
    _install_finder()
    return True


def _register_for_child(name: str, root: str) -> None:
    """Make ``name`` importable from ``root`` here without importing it yet.

    Used by the pickler's bootstrap in spawn/forkserver children and by the Dask
    plugin: the sender already refused shadowing names.  Executes nothing; the package
    runs when something here first imports it (a reference being unpickled).
    """
    with _LOCK:
        if _ROOTS.get(name) == root or not os.path.isdir(root):
            return
        _register(name, root, check_importable=False)


def registered_roots() -> dict[str, str]:
    """A copy of the registry: top-level name -> real package directory."""
    with _LOCK:
        return dict(_ROOTS)
