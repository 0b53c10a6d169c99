"""lazyimp: lazy imports for the Pythons people run today.

``lazyimp.install()`` makes every module-level ``import x`` lazy: the module body
runs when the program first uses it.  On 3.10-3.14 the import hands back a proxy
that then swaps itself out; on 3.15+ lazyimp drives the interpreter's own lazy
imports (PEP 810) with the same configuration (``lazyimp.engine()`` says which).
The contract and its limits: docs/contract.rst.

Importing this package installs nothing and imports nothing heavy (contract C11.6, C13.1):
the report, import tracking and the spawn pickler load on first use.
"""

from ._finder import Importer as Importer
from ._finder import engine as engine
from ._install import disabled as disabled
from ._install import enabled as enabled
from ._install import install as install
from ._install import is_installed as is_installed
from ._install import uninstall as uninstall
from ._pending import is_lazy as is_lazy
from ._pending import load as load
from ._pending import pending as pending
from ._pending import resolve_all as resolve_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    # What the lazily loaded public names are, for type checkers (never imported at
    # run time: `import lazyimp` must stay nearly free).
    from typing import Any

    from ._byvalue import ByValue as ByValue
    from ._pickler import install_pickler as install_pickler
    from ._pickler import uninstall_pickler as uninstall_pickler
    from ._reload import reload as reload
    from ._report import Report as Report
    from ._report import report as report
    from ._spawn import import_module_from_path as import_module_from_path
    from ._spawn import register_with_dask as register_with_dask
    from ._tracking import track_imports as track_imports

__version__ = "0.1.0"

__all__ = [
    "ByValue",
    "Importer",
    "Report",
    "disabled",
    "enabled",
    "engine",
    "import_module_from_path",
    "install",
    "install_pickler",
    "is_installed",
    "is_lazy",
    "load",
    "pending",
    "register_with_dask",
    "reload",
    "report",
    "resolve_all",
    "track_imports",
    "uninstall",
    "uninstall_pickler",
]

# Public names that live in modules too costly to import with lazyimp itself.
_LATER: "dict[str, str]" = {
    "ByValue": "._byvalue",
    "Report": "._report",
    "import_module_from_path": "._spawn",
    "install_pickler": "._pickler",
    "register_with_dask": "._spawn",
    "reload": "._reload",
    "report": "._report",
    "track_imports": "._tracking",
    "uninstall_pickler": "._pickler",
}


def __getattr__(name: "str") -> "Any":
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'lazyimp' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LATER))
