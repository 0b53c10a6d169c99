"""The meta-path finder, and install / uninstall / enabled / disabled.

One ``Importer`` sits at the front of ``sys.meta_path``.  For each import it asks
every *later* finder, in order, for the spec (so setuptools' distutils shim,
editable-install finders, pytest's assertion rewriter and ``six.moves`` keep
working), then decides whether the module may be lazy (contract C2.1): the switch is on
in this context, the import statement runs at module level outside a ``try``
block, the loader runs Python code through ``exec_module`` with default module
creation, and the policy does not exclude it.  If so, the spec's loader is wrapped
for one call: importlib creates and initialises the module as usual, and our
``exec_module`` puts a proxy in ``sys.modules`` instead of running the body, then
gives the spec and module their original loader back.

Finding is never deferred, so a missing module raises at the import statement
(contract C2.3).  Known limits: modules loaded by loaders with their own
``create_module`` (extensions, ``six.moves``) and those imported inside functions
stay eager; an ``__init__`` that rewrites ``__path__`` is executed before its
submodules are searched when a first search fails.
"""

from __future__ import annotations

import os
import sys
import time

from . import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from ._policy import Config
else:
    ModuleType = type(sys)

# The mechanism (frame analysis, the proxy, the swap) is imported when the first
# import is intercepted, not by `import lazyimp`: install() must cost next to nothing
# (contract C13.1).  Until then no proxy exists.
# The policy and the registry follow the same rule when the configuration is the
# default one (no arguments, no LAZYIMP_IGNORE*, no [tool.lazyimp]).
_frames: Any = None
_rule: Any = None
_sites: Any = None
_proxy: Any = None
_loaders: Any = None
_reload: Any = None
_policy: Any = None
_registry: Any = None
# The native engine (lazyimp._native), loaded by the first install()/enabled() on an
# interpreter with PEP 810's lazy imports (3.15+); None on the proxy engine.
_native: Any = None

# (time, modules) of the first install, handed to the registry when it loads.
_installed: tuple[float, frozenset[str]] | None = None
# The memory probe setting of the last install(), for the registry.
_memory_setting: Any = None


def _load_mechanism() -> None:
    global _frames, _rule, _proxy, _loaders, _reload, _sites
    if _proxy is None:
        _load_policy()
        _load_registry()
        with _state.eager_scope():
            from . import _frames as frames
            from . import _loaders as loaders
            from . import _proxy as proxy
            from . import _reload as reload_
            from . import _rule as rule
            from . import _sites as sites

        _frames, _rule, _loaders, _reload, _proxy = frames, rule, loaders, reload_, proxy
        _sites = sites
        if _importer is not None and _importer in sys.meta_path:
            _reload.patch()
            _sites.patch_fromlist()


def _load_policy() -> Any:
    global _policy
    if _policy is None:
        with _state.eager_scope():
            from . import _policy as policy
        _policy = policy
    return _policy


def _load_registry() -> Any:
    global _registry
    if _registry is None:
        with _state.eager_scope():
            from . import _registry as registry
        registry.configure_memory(_memory_setting)
        _registry = registry
    if _installed is not None:
        _registry.mark_installed(*_installed)
    return _registry


def sync_registry() -> None:
    """Give the registry what install() remembered (the report calls this)."""
    if _installed is not None:
        _load_registry()


def engine() -> str:
    """Which engine makes imports lazy on this interpreter: ``"proxy"`` or ``"pep810"``.

    ``"pep810"`` on CPython 3.15+, whose built-in lazy imports (PEP 810) lazyimp
    drives with its own policy as the interpreter's filter; ``"proxy"`` on 3.10-3.14,
    where lazyimp hands out module proxies that swap themselves out.  The same
    configuration works with both; docs/versions.rst lists the
    differences.
    """
    return "pep810" if hasattr(sys, "set_lazy_imports_filter") else "proxy"


def _load_native() -> Any:
    global _native
    if _native is None:
        with _state.eager_scope():
            from . import _native as native
        _native = native
    return _native


def _unsupported_interpreter() -> str | None:
    gil = getattr(sys, "_is_gil_enabled", None)
    if (gil is not None and not gil()) or "t" in getattr(sys, "abiflags", ""):
        return (
            "lazyimp does not support free-threaded Python builds yet: its proxies and "
            "swap-out rely on the GIL and are untested without it"
        )
    if sys.implementation.name != "cpython":
        return f"lazyimp supports CPython only, not {sys.implementation.name}"
    return None


class Importer:
    """lazyimp's meta-path finder; ``install()`` returns the one instance.

    Attributes:
        config: the effective configuration (``lazyimp._policy.Config``): each
            ignore entry with its source, and the scalar settings with theirs.
    """

    def __init__(self) -> None:
        self._config: Config | None = None  # None: the defaults, built on first need
        self.globally_on = False  # install() was called (not only enabled())
        self._scoped = 0  # enabled() blocks currently open that inserted us
        self._site_phase = False
        self._finding: set[str] = set()
        self._install_calls = 0  # install() calls merged into the configuration

    def __repr__(self) -> str:
        state = "installed" if self in sys.meta_path else "not installed"
        return f"<lazyimp.Importer {state}>"

    def uninstall(self) -> None:
        """Remove the finder (same as ``lazyimp.uninstall()``)."""
        uninstall()

    @property
    def config(self) -> Config:
        """The effective configuration (``lazyimp._policy.Config``)."""
        if self._config is None:
            self._config = _load_policy().build({})
        return self._config

    @config.setter
    def config(self, value: Config | None) -> None:
        self._config = value

    # -- the finder protocol ----------------------------------------------------------
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if _native is not None:  # PEP 810 engine: only timing the deferred ones
            return _native.find_spec(fullname, path, target)
        if target is not None or _state.eager_depth():
            return None
        spec = self._find_spec(fullname, path, target)
        if spec is not None and fullname in sys.modules and type(spec.loader) is not _loaders.Existing:
            # Something we ran while finding (a parent's body, loading our own
            # mechanism) imported this very module: never a second copy.
            return _loaders.existing_spec(fullname)
        return spec

    def _find_spec(self, fullname: str, path: Any, target: Any) -> Any:
        switch = _state.switch
        on = switch.get() if switch is not None else None
        if on is None:
            on = self.globally_on
        if not on or (self._site_phase and self._still_in_site()):
            # An eager import: its unexecuted parents run first, as eagerly.
            return self._after_lazy_parent(fullname)
        if _proxy is None:
            _load_mechanism()
        frame = _frames.importer_frame(3)
        with _state.eager_scope():
            spec = self._find_later(fullname, path, target)
            reason = self._lazy_or_why(fullname, spec, frame) if spec is not None else None
        if spec is None:
            # Outside the eager scope: the parent's body must import as usual.
            spec = self._find_after_parent_ran(fullname, target)
            if spec is None or type(spec.loader) is _loaders.Existing:
                return spec
            with _state.eager_scope():
                reason = self._lazy_or_why(fullname, spec, frame)
        if reason is not None:
            state = _registry.IGNORED if reason[0] == "policy" else _registry.EAGER
            rec = _registry.record_eager(fullname, state, reason[1])
            spec = self._after_lazy_parent(fullname, spec) or spec
            if _registry.record_eager_times and rec is not None and spec.loader is not None:
                # Only when an export asked for it: time the eager import too.
                if frame is not None:
                    rec.importer = frame.f_globals.get("__name__")
                    rec.import_file = frame.f_code.co_filename
                    rec.import_line = _frames.lineno(frame)
                spec.loader = _registry.TimedLoader(spec.loader, rec)
            return spec
        assert frame is not None
        code = frame.f_code
        lasti = frame.f_lasti
        record = _registry.record_proxied(
            fullname,
            frame.f_globals.get("__name__"),
            code.co_filename,
            frame.f_lineno if lasti < _frames.EARLY else None,
            None if lasti < _frames.EARLY else (code, lasti),
        )
        namespace = frame.f_locals
        bound = _frames.bindings(frame)
        if bound is None:  # import_module() or __import__(): search the namespace
            sites: list[tuple[dict[str, Any], str | None]] = [(namespace, None)]
        else:
            key = bound.get(fullname)
            sites = [(namespace, key)] if key is not None else []
        spec.loader = _loaders.LazyLoader(spec.loader, sites, record, frame.f_globals)
        return spec

    def _lazy_or_why(self, fullname: str, spec: Any, frame: Any) -> tuple[str, str] | None:
        # Called in the eager scope: None means hand out a proxy.
        reason = self._eager_reason(fullname, spec, frame)
        if reason is None and _proxy._proxy_class is None:
            try:
                _proxy.proxy_class()  # may import wrapt's parts: eagerly, now
            except Exception as exc:  # no usable wrapt: stay eager, say why once
                if _still_importing(exc):
                    # wrapt's pure-Python proxy imports inspect, which needs a module
                    # the program is importing right now (contextlib, whose body made
                    # this import): not yet.  This import stays eager; the next tries
                    # again.
                    return ("kind", f"no proxy type yet: {exc}")
                self._warn_once(f"lazyimp: imports stay eager: {exc}")
                return ("kind", f"no proxy type: {exc}")
        return reason

    def _after_lazy_parent(self, fullname: str, spec: Any = None) -> Any:
        # An eager import of a child of an unexecuted package.  An eager import
        # runs the parent's body first (it may set up sys.modules entries the
        # child needs, as importlib/__init__ does for importlib._bootstrap), but
        # only when the child is loaded: importlib.util.find_spec() must not run
        # anything.  So the child's loader is wrapped to run the parent first.
        parent = fullname.rpartition(".")[0]
        if not parent or _proxy is None:
            return None
        parent_module = sys.modules.get(parent)
        if parent_module is None or not _proxy.is_lazy(parent_module):
            return None
        if spec is None:
            with _state.eager_scope():
                spec = self._find_later(fullname, getattr(parent_module, "__path__", None), None)
            if spec is None:
                return None
        if spec.loader is None:  # a namespace portion: nothing to run later
            _proxy.resolve(parent_module)
            return spec
        spec.loader = _loaders.ParentFirst(spec.loader, parent_module)
        return spec

    def _find_later(self, fullname: str, path: Any, target: Any) -> Any:
        # Ask the finders after us, in order, as importlib would.  A finder that
        # recursively asks sys.meta_path for the same name (wrapt's post-import hook
        # finder does) reaches us again: step aside for that inner call.
        if fullname in self._finding:
            return None
        self._finding.add(fullname)
        try:
            meta_path = sys.meta_path
            try:
                start = meta_path.index(self) + 1
            except ValueError:
                start = 0
            for finder in meta_path[start:]:
                find = getattr(finder, "find_spec", None)
                if find is None:
                    continue
                spec = find(fullname, path, target)
                if spec is not None:
                    return spec
            return None
        finally:
            self._finding.discard(fullname)

    def _find_after_parent_ran(self, fullname: str, target: Any) -> Any:
        # The parent package is still unexecuted and its __path__ (from the spec)
        # did not have the submodule: its __init__ may extend __path__
        # (pkgutil.extend_path).  Run it, as an eager import would have, and retry.
        parent = fullname.rpartition(".")[0]
        if not parent:
            return None
        parent_module = sys.modules.get(parent)
        if parent_module is None or not _proxy.is_lazy(parent_module):
            return None
        real = _proxy.resolve(parent_module)
        if fullname in sys.modules:
            # The parent's body made the submodule itself: collections/__init__.py
            # sets sys.modules["collections.abc"], and 3.14 has no collections/abc.py.
            # Hand it back, as an eager import finds it after running the parent.
            return _loaders.existing_spec(fullname)
        return self._find_later(fullname, getattr(real, "__path__", None), target)

    def _eager_reason(self, fullname: str, spec: Any, frame: Any) -> tuple[str, str] | None:
        loader = _loaders.unchained(spec.loader)
        if loader is None:
            return "kind", "namespace package"
        if not hasattr(loader, "exec_module"):
            return "kind", "legacy loader without exec_module"
        if not _loaders.default_create(loader):
            origin = spec.origin
            if origin == "built-in":
                return "kind", "built-in"
            if origin == "frozen":
                return "kind", "frozen"
            if isinstance(loader, _loaders.ExtensionFileLoader):
                return "kind", "extension"
            return "kind", f"loader {type(loader).__name__} creates its own module"
        reason: tuple[str, str] | None = _rule.eager_reason(
            self.config, frame, fullname, spec.origin, _rule.FIND,
            getattr(_state._local, "lazy_from", None),
        )
        return reason

    def _still_in_site(self) -> bool:
        # Imports made while site is processing .pth files (and sitecustomize) stay
        # eager (contract C1.5).  Once Python code outside site imports, stop checking.
        # An import no Python code made (3.13 imports linecache for `-c` after
        # site, before the program) says nothing about that: it is eager anyway
        # (no importing frame) and leaves the check on.
        if _in_site(sys._getframe(2)):
            return True
        if not _made_by_python_code(sys._getframe(3)):
            return False
        self._site_phase = False
        return False

    _warned = False

    def _warn_once(self, message: str) -> None:
        if not Importer._warned:
            Importer._warned = True
            print(message, file=sys.stderr)


_importer: Importer | None = None


def _the_importer() -> Importer:
    global _importer
    if _importer is None:
        _importer = _state.importer = Importer()
    return _importer


def _insert(importer: Importer) -> None:
    global _installed
    with _state.lock:
        if importer not in sys.meta_path:
            sys.meta_path.insert(0, importer)
            if _installed is None:
                _installed = (time.perf_counter(), frozenset(sys.modules))
            if _registry is not None:
                _registry.mark_installed(*_installed)
            if _reload is not None:
                _reload.patch()
                _sites.patch_fromlist()
        if _native is not None:
            _native.activate(importer, _load_registry)


def install(*, reset: bool = False, **config: Any) -> Importer:
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
    global _memory_setting
    if not isinstance(reset, bool):
        raise TypeError(f"install(reset=...) must be True or False, got {reset!r}")
    if engine() == "pep810":
        _load_native()
    importer = _the_importer()
    # A second call merges into what the first set (never silently drops it).
    base = importer._config if importer.globally_on and not reset else None
    calls = importer._install_calls + 1 if importer.globally_on and not reset else 1
    new_config = None
    if config or base is not None or _configured_elsewhere():
        source = "install()" if calls == 1 else f"install() call {calls}"
        new_config = _load_policy().build(config, base=base, source=source)
        new_config.calls = calls
    if _state.flag("LAZYIMP_DISABLE"):
        return importer
    with _state.lock:
        _memory_setting = new_config.memory if new_config is not None else None
        if _registry is not None:
            _registry.configure_memory(_memory_setting)
        if _registry is not None or os.environ.get("LAZYIMP_VERBOSE"):
            _load_registry().configure_verbose()
        importer.config = new_config
        importer.globally_on = True
        if new_config is not None and new_config.record_eager:
            _load_registry().record_eager_times = True
        elif _registry is not None:
            _registry.record_eager_times = False
        importer._install_calls = calls
        # new_config is None when nothing configures anything: no lazy_from, and
        # the policy module need not load yet (it loads with the first import).
        # The native engine reads lazy_from in its filter: no __import__ wrapper.
        if new_config is not None and new_config.lazy_from and _native is None:
            _load_mechanism()
            with _state.eager_scope():
                from . import _lazyfrom
            _lazyfrom.install(importer)
        elif "lazyimp._lazyfrom" in sys.modules:
            sys.modules["lazyimp._lazyfrom"].uninstall()
        if _called_from_site():
            importer._site_phase = True
        _insert(importer)
    return importer


def _configured_elsewhere() -> bool:
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


def _called_from_site() -> bool:
    return _in_site(sys._getframe(1))


def _still_importing(exc: Exception) -> bool:
    # An ImportError about a module whose body is running (partly initialised).
    module = sys.modules.get(getattr(exc, "name", None) or "") if isinstance(exc, ImportError) else None
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _made_by_python_code(frame: Any) -> bool:
    # Is there a frame outside importlib's frozen machinery above the finder?
    while frame is not None:
        if not frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _in_site(frame: Any) -> bool:
    # site is frozen on 3.11+ (co_filename "<frozen site>"): match the module name.
    while frame is not None:
        if frame.f_globals.get("__name__") == "site":
            return True
        frame = frame.f_back
    return False


def uninstall() -> None:
    """Remove the finder and undo install()'s global changes (contract C1.2).

    Proxies handed out before keep working: they execute on first use as before.
    Safe to call when not installed.
    """
    with _state.lock:
        importer = _importer
        if importer is None:
            return
        importer.globally_on = False
        importer._site_phase = False
        if importer._scoped == 0:
            _remove(importer)
        lazyfrom = sys.modules.get("lazyimp._lazyfrom")
        if lazyfrom is not None:
            lazyfrom.uninstall()


def _remove(importer: Importer) -> None:
    # Take the finder out of sys.meta_path and undo the reload and fromlist patches.  The caller
    # holds _state.lock and has checked that no install() or enabled() needs it.
    while importer in sys.meta_path:
        sys.meta_path.remove(importer)
    if _reload is not None:
        _reload.unpatch()
        _sites.unpatch_fromlist()
    if _native is not None:
        _native.deactivate()


def is_installed() -> bool:
    """True while ``install()`` is in effect (the finder is in ``sys.meta_path``)."""
    return _importer is not None and _importer.globally_on and _importer in sys.meta_path


class _Switch:
    """``enabled()`` / ``disabled()``: the switch for this context only (contract C1.3)."""

    __slots__ = ("value", "config", "token", "previous_config")

    def __init__(self, value: bool, config: dict[str, Any]) -> None:
        self.value = value
        self.config = config
        self.token: Any = None
        self.previous_config: Any = None

    def __enter__(self) -> Importer | None:
        importer = None
        if self.value:
            problem = _unsupported_interpreter()
            if problem is not None:
                raise RuntimeError(problem)
            if engine() == "pep810":
                _load_native()
            importer = _the_importer()
            # The block's settings add to what install() set, for the block.
            new_config = None
            if self.config:
                new_config = _load_policy().build(
                    self.config, base=importer._config, source="enabled()"
                )
            with _state.lock:
                if new_config is not None:
                    self.previous_config = importer.config
                    importer.config = new_config
                _insert(importer)
                importer._scoped += 1
        self.token = _state.scoped_switch().set(self.value)
        return importer

    def __exit__(self, *exc: Any) -> None:
        _state.scoped_switch().reset(self.token)
        if self.value:
            importer = _the_importer()
            with _state.lock:
                importer._scoped -= 1
                if self.previous_config is not None:
                    importer.config = self.previous_config
                if importer._scoped == 0 and not importer.globally_on:
                    _remove(importer)


def enabled(**config: Any) -> _Switch:
    """``with lazyimp.enabled():`` makes module-level imports lazy in this context.

    The context is the current thread and the asyncio tasks and threads started with
    a copy of it.  The finder is inserted for the block if it was not installed,
    and removed after the last such block ends.  Configuration keywords are those of
    ``install()`` and apply for the block.
    """
    return _Switch(True, config)


def disabled() -> _Switch:
    """``with lazyimp.disabled():`` keeps imports eager in this context only."""
    return _Switch(False, {})


def import_lazily(name: str) -> Any:
    """Import ``name`` now and return a lazy proxy, whatever the calling frame.

    Finding is eager (a missing module raises ``ModuleNotFoundError`` here); the
    body runs on first use.  Modules that cannot be lazy (extensions, built-ins,
    already imported ones) are returned as they are.
    """
    module = sys.modules.get(name)
    if module is not None:
        return module
    # Import through the normal machinery from a synthetic module-level frame so
    # that the finder sees a module-level import statement.
    namespace: dict[str, Any] = {"__name__": "lazyimp._import_lazily"}
    # Called from lazyimp's own code too (its eager scope must not apply here).
    depth = _state.eager_depth()
    _state._local.depth = 0
    try:
        with _Switch(True, {}):
            exec(compile(f"import {name} as __lazyimp_m", "<lazyimp.import_lazily>", "exec"), namespace)
    finally:
        _state._local.depth = depth
    if _native is not None:
        # PEP 810: the interpreter's lazy object (a dict read does not reify it).
        return namespace["__lazyimp_m"]
    return sys.modules[name]
