"""Turning lazy imports on and off: ``install()``, ``uninstall()``, ``enabled()``, ``disabled()``.

The process-wide controller.  It builds the configuration (``_policy``, only when
something configures anything), keeps the one ``Importer`` (``_finder``) and puts it
in ``sys.meta_path`` or takes it out, scoped to a context by ``enabled()`` and
``disabled()`` (contract C1).  What runs for each import is the finder's business;
on 3.15+ the engine is the interpreter's own (``_native``, PEP 810).
"""

import os
import sys

from . import _finder, _state
from ._finder import Importer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _unsupported_interpreter() -> "str | None":
    gil = getattr(sys, "_is_gil_enabled", None)
    if (gil is not None and not gil()) or "t" in getattr(sys, "abiflags", ""):
        return (
            "lazyimp does not support free-threaded Python builds yet: its proxies and "
            "swap-out rely on the GIL and are untested without it"
        )
    if sys.implementation.name != "cpython":
        return f"lazyimp supports CPython only, not {sys.implementation.name}"
    return None


_importer: "Importer | None" = None


def _the_importer() -> "Importer":
    global _importer
    if _importer is None:
        _importer = _state.importer = Importer()
    return _importer


def install(*, reset: "bool" = False, **config: "Any") -> "Importer":
    """Make module-level imports lazy from now on, process-wide.

    The eager idiom it replaces is plain ``import x``: afterwards ``import x`` at
    module level binds a proxy that executes ``x`` on first use.  Calling it again
    returns the same importer, its configuration merged with the new arguments
    (ignore lists grow, settings given replace earlier ones; ``.config`` names the
    call each entry came from), so a second ``install()`` elsewhere never drops
    what the first one set.  ``reset=True`` starts again from the defaults,
    ``pyproject.toml`` and the environment.

    Args:
        ignore: module names to keep eager (exact names).
        ignore_packages: packages to keep eager with everything below them.
        ignore_paths: directories (relative ones from the working directory) or
            absolute globs; modules whose file is below or matches stay eager.
        ignore_importers: packages whose own modules import eagerly (every import
            statement in them runs at once); importing the package stays lazy.
        defaults: keep the built-in list of modules known to break when deferred
            (default True).
        filter: ``filter(importer, name, fromlist) -> bool``; False keeps eager.
        memory: memory probe for the report: None (RSS), False, or a callable.
        lazy_from: also defer ``from x import y``: the statement binds lazy names
            and ``x`` runs on first use of any of them (default False; contract C12).
        reset: forget what earlier ``install()`` calls configured.

    Returns:
        The ``Importer`` at the front of ``sys.meta_path`` (or, with
        ``LAZYIMP_DISABLE=1`` set, the importer left uninstalled).

    Raises:
        TypeError: an unknown keyword or a value of the wrong type.
        ValueError: a malformed entry (names its source); nothing is changed.
        RuntimeError: on an interpreter lazyimp does not support (free-threaded
            builds, other implementations than CPython).

    On 3.15+ the engine is the interpreter's own (PEP 810): see ``engine()``.
    """
    problem = _unsupported_interpreter()
    if problem is not None:
        raise RuntimeError(problem)
    if not isinstance(reset, bool):
        raise TypeError(f"install(reset=...) must be True or False, got {reset!r}")
    if _finder.engine() == "pep810":
        _finder._load_native()
    importer = _the_importer()
    # A second call merges into what the first set (never silently drops it).
    base = importer._config if importer.globally_on and not reset else None
    calls = importer._install_calls + 1 if importer.globally_on and not reset else 1
    new_config = None
    if config or base is not None or _configured_elsewhere():
        source = "install()" if calls == 1 else f"install() call {calls}"
        new_config = _finder._load_policy().build(config, base=base, source=source)
        new_config.calls = calls
    if _state.flag("LAZYIMP_DISABLE"):
        return importer
    with _state.lock:
        importer.config = new_config
        registry = _finder._registry
        if registry is not None:
            registry.configure_memory(new_config.memory if new_config is not None else None)
        if registry is not None or os.environ.get("LAZYIMP_VERBOSE"):
            _finder._load_registry().configure_verbose()
        importer.globally_on = True
        if new_config is not None and new_config.record_eager:
            _finder._load_registry().record_eager_times = True
        elif registry is not None:
            registry.record_eager_times = False
        importer._install_calls = calls
        # new_config is None when nothing configures anything: no lazy_from, and
        # the policy module need not load yet (it loads with the first import).
        # The native engine reads lazy_from in its filter: no __import__ wrapper.
        if new_config is not None and new_config.lazy_from and _finder._native is None:
            _finder._load_mechanism()
            with _state.eager_scope():
                from . import _lazyfrom
            _lazyfrom.install(importer)
            importer.lazy_from = True
        elif "lazyimp._lazyfrom" in sys.modules:
            sys.modules["lazyimp._lazyfrom"].uninstall()
            importer.lazy_from = False
        if _finder.in_site(sys._getframe(1)):
            importer._site_phase = True
        importer._insert()
    return importer


def _configured_elsewhere() -> "bool":
    # Cheap checks for the other configuration sources; parsing waits for them.
    environ = os.environ
    if "LAZYIMP_IGNORE" in environ or "LAZYIMP_IGNORE_PACKAGES" in environ:
        return True
    if "LAZYIMP_IGNORE_PATHS" in environ or "LAZYIMP_LAZY_FROM" in environ:
        return True
    if "LAZYIMP_IGNORE_IMPORTERS" in environ:
        return True
    try:
        with open("pyproject.toml", "rb") as fh:
            return b"tool.lazyimp" in fh.read()
    except OSError:
        return False


def uninstall() -> "None":
    """Remove the finder and undo install()'s global changes (contract C1.2).

    Proxies handed out before keep working: they execute on first use as before.
    Safe to call when not installed.
    """
    if _importer is not None:
        _importer.uninstall()


def is_installed() -> "bool":
    """True while ``install()`` is in effect (the finder is in ``sys.meta_path``)."""
    return _importer is not None and _importer.globally_on and _importer in sys.meta_path


class _Switch:
    """``enabled()`` / ``disabled()``: the switch for this context only (contract C1.3)."""

    __slots__ = ("value", "config", "token", "previous_config")

    def __init__(self, value: "bool", config: "dict[str, Any]") -> "None":
        self.value = value
        self.config = config
        self.token: Any = None
        self.previous_config: Any = None

    def __enter__(self) -> "Importer | None":
        importer = None
        if self.value:
            problem = _unsupported_interpreter()
            if problem is not None:
                raise RuntimeError(problem)
            if _finder.engine() == "pep810":
                _finder._load_native()
            importer = _the_importer()
            # The block's settings add to what install() set, for the block.
            new_config = None
            if self.config:
                new_config = _finder._load_policy().build(
                    self.config, base=importer._config, source="enabled()"
                )
            with _state.lock:
                if new_config is not None:
                    self.previous_config = importer.config
                    importer.config = new_config
                importer._insert()
                importer._scoped += 1
        self.token = _state.scoped_switch().set(self.value)
        return importer

    def __exit__(self, *exc: "Any") -> "None":
        _state.scoped_switch().reset(self.token)
        if self.value:
            importer = _the_importer()
            with _state.lock:
                importer._scoped -= 1
                if self.previous_config is not None:
                    importer.config = self.previous_config
                if importer._scoped == 0 and not importer.globally_on:
                    importer._remove()


def enabled(**config: "Any") -> "_Switch":
    """``with lazyimp.enabled():`` makes module-level imports lazy in this context.

    The context is the current thread and the asyncio tasks and threads started with
    a copy of it.  The finder is inserted for the block if it was not installed,
    and removed after the last such block ends.  Configuration keywords are those of
    ``install()`` and apply for the block.
    """
    return _Switch(True, config)


def disabled() -> "_Switch":
    """``with lazyimp.disabled():`` keeps imports eager in this context only."""
    return _Switch(False, {})


def import_lazily(name: "str") -> "Any":
    """Import ``name`` now and return a lazy proxy, whatever the calling frame.

    Finding is eager (a missing module raises ``ModuleNotFoundError`` here); the
    body runs on first use.  Modules that cannot be lazy (extensions, built-ins,
    already imported ones) are returned as they are.  On 3.15 the result is the
    interpreter's lazy object (a dict read does not reify it).
    """
    module = sys.modules.get(name)
    if module is not None:
        return module
    with _Switch(True, {}):
        bound = _finder.import_statement(name)
    if _finder._native is not None:
        return bound
    return sys.modules[name]
