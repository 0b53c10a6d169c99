"""Import a package from a directory under a chosen name, and keep it importable there.

Scope: ``import_module_from_path(name, path)`` imports the package whose ``__init__.py``
sits in ``path`` as the top-level module ``name`` (contract C11.1) and registers ``name`` with
a meta-path finder that resolves its submodules, and only them, inside that directory
(contract C11.2).  The registry (``name -> real directory``) and the finder live in
``_roots``; the registry is what the pickler in ``_pickler`` sends to ``spawn`` and
``forkserver`` children so that they can import the package too (contract C11.3,
C11.4); ``register_with_dask`` hands it to Dask workers.

Known limits:

- ``name`` is a top-level name.  It may not shadow a module that is already imported or
  importable from elsewhere: that is a ``ValueError``, never a silent shadow.
- Below a registered name the finder is the authority: a submodule that does not exist
  inside the directory is not found, even if the package's ``__init__`` extends its own
  ``__path__`` to other directories (``_roots`` says how names that could reach outside
  it are refused).
- If the package's ``__init__`` raises, its own entries leave ``sys.modules`` (as an
  eager failed import leaves them); modules it imported from elsewhere stay imported.
"""

from __future__ import annotations

import importlib
import keyword
import os
import sys
from typing import Any

from ._roots import (
    _LOCK,
    _forget,
    _install_finder,
    _PathImportFinder,
    _register,
    registered_roots,
)

__all__ = ["import_module_from_path", "register_with_dask"]


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"import_module_from_path() expects the module name as a str, got {name!r}")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(
            f"import_module_from_path() expects a top-level module name (an identifier "
            f"that is not a keyword, no dots), got {name!r}"
        )
    return name


def _check_directory(name: str, path: object) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"import_module_from_path({name!r}, ...) expects a directory path (str or "
            f"os.PathLike), got {path!r}"
        )
    raw = os.fspath(path)
    if not isinstance(raw, str):
        raise TypeError(f"import_module_from_path({name!r}, ...) expects a str path, got {raw!r}")
    if "\0" in raw:
        raise ValueError(
            f"cannot import {name!r} from {raw!r}: a path cannot contain a NUL character"
        )
    root = os.path.realpath(os.path.abspath(raw))
    if not os.path.isdir(root):
        raise FileNotFoundError(
            f"cannot import {name!r} from {raw!r}: expected a package directory, and there "
            f"is no directory there"
        )
    if not os.path.isfile(os.path.join(root, "__init__.py")):
        raise FileNotFoundError(
            f"cannot import {name!r} from {raw!r}: expected a package directory with an "
            f"__init__.py, and {root} has none"
        )
    return root


def import_module_from_path(name: str, path: str | os.PathLike[str], *, lazy: bool = False) -> Any:
    """Import the package in directory ``path`` as the top-level module ``name``.

    The eager idiom it replaces is ``sys.path.insert(0, parent); import name``, which
    needs the directory to be called ``name`` and leaks the whole parent directory
    onto ``sys.path``.  Submodules resolve only inside ``path`` (``from name.models
    import Net``).  It also installs the spawn-aware pickler (``install_pickler()``)
    so that everything the package defines can travel to ``spawn`` and
    ``forkserver`` workers.  Calling it again with the same name and directory
    returns the module already imported.

    Args:
        name: The top-level module name to import the package under.
        path: The package directory (the one holding ``__init__.py``).
        lazy: Hand out a lazy module proxy: the package body runs on first use.

    Returns:
        The module (or, with ``lazy=True``, its lazy proxy).

    Raises:
        FileNotFoundError: ``path`` is not a directory or has no ``__init__.py``.
        ValueError: ``name`` is not a valid top-level module name, or a module of that
            name is already imported or importable from somewhere else.
        TypeError: ``name`` or ``path`` has the wrong type.
        Exception: Whatever the package's ``__init__`` raises, after its entries have
            been removed from ``sys.modules``.
    """
    name = _check_name(name)
    root = _check_directory(name, path)
    with _LOCK:
        had_finder = _PathImportFinder in sys.meta_path
        added = _register(name, root, check_importable=True)
        if not added and name in sys.modules:
            module: Any = sys.modules[name]
        else:
            try:
                if lazy:
                    from lazyimp._install import import_lazily

                    module = import_lazily(name)
                else:
                    module = importlib.import_module(name)
            except BaseException:
                # Leave sys.modules, the registry and sys.meta_path as they were.
                if added:
                    _forget(name)
                    if had_finder and _PathImportFinder not in sys.meta_path:
                        _install_finder()
                raise
    from lazyimp._pickler import _ensure_installed

    _ensure_installed()  # in the current mode: a user's install_pickler("value") stays
    return module


def register_with_dask(client: Any) -> None:
    """Make every package imported by path importable on ``client``'s Dask workers.

    Dask pickles task graphs with plain ``pickle``, which writes bare references such
    as ``pkg.models.scale``; a worker can only load those if it can import ``pkg``.
    This registers a worker plugin (named ``"lazyimp-path-imports"``) that, on every
    current and future worker, makes each package imported with
    ``import_module_from_path`` importable from the same directory.  Afterwards
    ``client.submit(pkg.models.scale, 3)`` works as written.  Call it again after
    importing more packages by path; it replaces the plugin.

    Workers must see the same directories (a local cluster, a shared filesystem).
    For workers that cannot, send functions by value with ``lazyimp.ByValue(fn)``.

    Args:
        client: A ``distributed.Client``.

    Raises:
        ValueError: No package has been imported with ``import_module_from_path``.
        FileNotFoundError: A worker cannot see a package directory (raised by Dask
            from the worker's plugin set-up).
    """
    from lazyimp._dask import PathImportPlugin

    roots = registered_roots()
    if not roots:
        raise ValueError(
            "register_with_dask() found no package imported with import_module_from_path(); "
            "import one first"
        )
    client.register_plugin(PathImportPlugin(roots), name=PathImportPlugin.name)
