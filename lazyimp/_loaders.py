"""The loaders the finder hands importlib for one import.

- ``LazyLoader``: importlib creates and initialises the module as usual; its
  ``exec_module`` puts a proxy in ``sys.modules`` instead of running the body, and
  gives the spec and the module their original loader back.
- ``ParentFirst``: an eager import of a child of an unexecuted package runs the
  parent's body first, when the child is loaded (not when it is only found).
- ``Existing``: hands importlib a module that appeared in ``sys.modules`` while it
  was being found, so that nothing is executed twice.
"""

from __future__ import annotations

import sys

from . import _proxy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

_bootstrap = sys.modules["_frozen_importlib"]
_external = sys.modules["_frozen_importlib_external"]

# Loaders whose create_module is the default (returns None: importlib makes a plain
# module) and whose exec_module runs Python code: source, bytecode, zip archives.
_DEFAULT_CREATE: set[Any] = {_external._LoaderBasics.create_module}
_zipimport = sys.modules.get("zipimport")
if _zipimport is not None:
    _DEFAULT_CREATE.add(_zipimport.zipimporter.create_module)


def default_create(loader: Any) -> bool:
    create = getattr(type(loader), "create_module", None)
    if create in _DEFAULT_CREATE:
        return True
    # importlib.abc may be partly initialised (this import may come from its body).
    abc_loader = getattr(sys.modules.get("importlib.abc"), "Loader", None)
    return abc_loader is not None and create is abc_loader.create_module


class LazyLoader:
    """A one-shot loader: importlib creates the module, we hand out a proxy."""

    __slots__ = ("loader", "sites", "record", "namespace")

    def __init__(
        self,
        loader: Any,
        sites: list[tuple[dict[str, Any], str | None]],
        record: Any,
        namespace: dict[str, Any],
    ) -> None:
        self.loader = loader
        self.sites = sites
        self.record = record
        self.namespace = namespace

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        spec = module.__spec__
        assert spec is not None
        # From here on nobody may see our wrapper: the module and its spec get the
        # original loader back (inspect.getsource and reload use it).
        spec.loader = self.loader
        module.__loader__ = self.loader
        sys.modules[spec.name] = _proxy.make_proxy(
            module, self.loader, self.sites, self.record, site_ns=self.namespace
        )

    def __getattr__(self, name: str) -> Any:
        # Anything else (get_source, is_package, get_resource_reader...) is the
        # original loader's business.
        return getattr(self.loader, name)


class ParentFirst:
    """Runs a lazy parent package's body before its (eager) child is created."""

    __slots__ = ("loader", "parent", "existing")

    def __init__(self, loader: Any, parent: Any) -> None:
        self.loader = loader
        self.parent = parent
        self.existing: Any = None

    def create_module(self, spec: Any) -> Any:
        _proxy.resolve(self.parent)
        existing = sys.modules.get(spec.name)
        if existing is not None:
            # The parent's body imported this very module: hand it back, never a
            # second copy (exec_module below then leaves it alone).
            self.existing = existing
            return existing
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        spec = module.__spec__
        if spec is not None and spec.loader is self:
            spec.loader = self.loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self.loader
        if module is self.existing:
            return
        self.loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class Existing:
    """A loader for a module that running its parent package already imported."""

    __slots__ = ("module", "spec")

    def __init__(self, module: Any) -> None:
        self.module = module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec: Any) -> Any:
        return self.module

    def exec_module(self, module: Any) -> None:
        # create_module returned the existing module: importlib already put it in
        # sys.modules and will set it on its parent.  It also set our spec as the
        # module's __spec__: give the module its own back (collections.abc is the
        # module _collections_abc, whose spec must stay its own).
        if self.spec is not None:
            module.__spec__ = self.spec


def unchained(loader: Any) -> Any:
    # wrapt's post-import hook finder wraps the real loader in a chained loader
    # whose exec_module runs the body and then fires the hooks.  Judge the real
    # loader; keep the chained one, so that the hooks fire when the body really
    # runs, with the executed module, once (contract C8.3).
    if type(loader).__name__ == "_ImportHookChainedLoader":
        inner = getattr(loader, "__wrapped__", None) or getattr(loader, "loader", None)
        if inner is not None:
            return inner
    return loader


def existing_spec(fullname: str) -> Any:
    # The module appeared in sys.modules while we were finding it (running its
    # parent imported it).  importlib's _find_spec would answer with that module's
    # own __spec__ and _load_unlocked would then execute it a second time, so take
    # the entry out and hand importlib a loader that gives the same module back.
    # This thread holds importlib's lock for the name: other importers wait.
    existing = sys.modules.pop(fullname)
    return _bootstrap.ModuleSpec(fullname, Existing(existing))



ExtensionFileLoader = _external.ExtensionFileLoader
