"""The meta-path finder: ``Importer``, and the mechanism it loads on first need.

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

The process-wide controller (``install()``, ``uninstall()``, ``enabled()``,
``disabled()``: the configuration, the one importer, the switch) is ``_install``;
this module is what runs for each import.
"""

import sys
import time
from _thread import _local as _thread_local

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
_frames: "Any" = None
_rule: "Any" = None
_sites: "Any" = None
_proxy: "Any" = None
_loaders: "Any" = None
_reload: "Any" = None
_policy: "Any" = None
_registry: "Any" = None
# The native engine (lazyimp._native), loaded by the first install()/enabled() on an
# interpreter with PEP 810's lazy imports (3.15+); None on the proxy engine.
_native: "Any" = None

# importlib's loader of source modules: proxies wrap its modules as they are.
_SourceFileLoader = sys.modules["_frozen_importlib_external"].SourceFileLoader


def _load_mechanism() -> "None":
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
        importer = _state.importer
        if importer is not None and importer in sys.meta_path:
            _reload.patch()
            _sites.patch_fromlist()


def _load_policy() -> "Any":
    global _policy
    if _policy is None:
        with _state.eager_scope():
            from . import _policy as policy
        _policy = policy
    return _policy


def _load_registry() -> "Any":
    global _registry
    importer: Importer | None = _state.importer
    if _registry is None:
        with _state.eager_scope():
            from . import _registry as registry
        config = importer._config if importer is not None else None
        registry.configure_memory(config.memory if config is not None else None)
        _registry = registry
    if importer is not None and importer.installed is not None:
        _registry.mark_installed(*importer.installed)
    return _registry


def sync_registry() -> "None":
    """Give the registry what install() remembered (the report calls this)."""
    importer: Importer | None = _state.importer
    if importer is not None and importer.installed is not None:
        _load_registry()


def engine() -> "str":
    """Which engine makes imports lazy on this interpreter: ``"proxy"`` or ``"pep810"``.

    ``"pep810"`` on CPython 3.15+, whose built-in lazy imports (PEP 810) lazyimp
    drives with its own policy as the interpreter's filter; ``"proxy"`` on 3.10-3.14,
    where lazyimp hands out module proxies that swap themselves out.  The same
    configuration works with both; docs/versions.rst lists the
    differences.
    """
    return "pep810" if hasattr(sys, "set_lazy_imports_filter") else "proxy"


def _load_native() -> "Any":
    global _native
    if _native is None:
        with _state.eager_scope():
            from . import _native as native
        _native = native
    return _native


class _Lifted(_thread_local):
    name: "str | None" = None  # the module lazy_from is importing in this thread
    # (module, code, offset, why): the from-statement lazy_from last declined to
    # defer in this thread, so that the report gives its reason, not the finder's.
    declined: "tuple[str, Any, int, str] | None" = None


class Importer:
    """lazyimp's meta-path finder; ``install()`` returns the one instance.

    Attributes:
        config: the effective configuration (``lazyimp._policy.Config``): each
            ignore entry with its source, and the scalar settings with theirs.
    """

    def __init__(self) -> "None":
        self._config: Config | None = None  # None: the defaults, built on first need
        self.globally_on = False  # install() was called (not only enabled())
        self._scoped = 0  # enabled() blocks currently open that inserted us
        self._site_phase = False
        self._finding: set[str] = set()
        self._install_calls = 0  # install() calls merged into the configuration
        # (time, modules) when first inserted, for the registry (contract C1.4).
        self.installed: tuple[float, frozenset[str]] | None = None
        # Per thread: the module whose from-statement lazy_from is deferring now
        # (its __import__ wrapper imports the module itself on the statement's
        # behalf: the finder's "a from-import uses its module at once" is lifted).
        self.lifted = _Lifted()
        # lazy_from's __import__ wrapper is installed (set by _install).
        self.lazy_from = False

    def __repr__(self) -> "str":
        state = "installed" if self in sys.meta_path else "not installed"
        return f"<lazyimp.Importer {state}>"

    def uninstall(self) -> "None":
        """Remove the finder and undo install()'s global changes (``lazyimp.uninstall()``)."""
        with _state.lock:
            self.globally_on = False
            self._site_phase = False
            if self._scoped == 0:
                self._remove()
            lazyfrom = sys.modules.get("lazyimp._lazyfrom")
            if lazyfrom is not None:
                lazyfrom.uninstall()
            self.lazy_from = False

    def _insert(self) -> "None":
        # Put the finder first in sys.meta_path (and the reload and fromlist
        # patches in place once the mechanism is loaded).  Idempotent.
        with _state.lock:
            if self not in sys.meta_path:
                sys.meta_path.insert(0, self)
                if self.installed is None:
                    self.installed = (time.perf_counter(), frozenset(sys.modules))
                if _registry is not None:
                    _registry.mark_installed(*self.installed)
                if _reload is not None:
                    _reload.patch()
                    _sites.patch_fromlist()
            if _native is not None:
                _native.activate(self, _load_registry)

    def _remove(self) -> "None":
        # Take the finder out of sys.meta_path and undo the reload and fromlist
        # patches.  The caller holds _state.lock and has checked that no install()
        # or enabled() needs it.
        while self in sys.meta_path:
            sys.meta_path.remove(self)
        if _reload is not None:
            _reload.unpatch()
            _sites.unpatch_fromlist()
        if _native is not None:
            _native.deactivate()

    @property
    def config(self) -> "Config":
        """The effective configuration (``lazyimp._policy.Config``)."""
        if self._config is None:
            self._config = _load_policy().build({})
        return self._config

    @config.setter
    def config(self, value: "Config | None") -> "None":
        self._config = value

    # -- the finder protocol ----------------------------------------------------------
    def find_spec(self, fullname: "str", path: "Any" = None, target: "Any" = None) -> "Any":
        if _native is not None:  # PEP 810 engine: only timing the deferred ones
            return _native.find_spec(fullname, path, target)
        if target is not None or _state.eager_depth():
            return None
        modules = sys.modules
        if fullname in modules:
            # Not importlib (it never asks for a module it has): a direct call.
            return self._find_spec(fullname, path, target)
        spec = self._find_spec(fullname, path, target)
        if fullname in modules and _loaders is not None:
            # Something we ran while finding (a parent's body, loading our own
            # mechanism) imported this very module: never a second copy (also
            # when we leave the finding to the finders after us: importlib would
            # run the module it finds in sys.modules again).
            if spec is None or type(spec.loader) is not _loaders.Existing:
                return _loaders.existing_spec(fullname)
        return spec

    def _find_spec(self, fullname: "str", path: "Any", target: "Any") -> "Any":
        switch = _state.switch
        on = switch.get() if switch is not None else None
        if on is None:
            on = self.globally_on
        if not on or (self._site_phase and self._still_in_site()):
            # An eager import: its unexecuted parents run first, as eagerly.
            return self._eager_child(fullname, target)
        if _proxy is None:
            _load_mechanism()
        frame = _frames.importer_frame(3)
        why = _rule.scope_reason(frame, fullname, self.lifted.name)
        if self.lazy_from and why is _rule.FROM_IMPORT:
            why = _rule.declined_reason(frame, fullname, self.lifted.declined)
        if why is not None and not _registry.record_eager_times:
            # Eager by where the statement stands (the common eager case): decided
            # before any finding; the finders after us find it as importlib would.
            _registry.record_eager(fullname, _registry.EAGER, why)
            return self._eager_child(fullname, target)
        local = _state._local  # the eager scope, inline (the hot path)
        local.depth += 1
        try:
            spec = self._find_later(fullname, path, target)
            reason = self._lazy_or_why(fullname, spec, frame, why) if spec is not None else None
        finally:
            local.depth -= 1
        if spec is None:
            # Outside the eager scope: the parent's body must import as usual.
            spec = self._find_after_parent_ran(fullname, target)
            if spec is None or type(spec.loader) is _loaders.Existing:
                return spec
            with _state.eager_scope():
                reason = self._lazy_or_why(fullname, spec, frame, why)
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

    def _lazy_or_why(
        self, fullname: "str", spec: "Any", frame: "Any", scope: "str | None"
    ) -> "tuple[str, str] | None":
        # Called in the eager scope: None means hand out a proxy.  ``scope`` is
        # _rule.scope_reason's answer, already asked.
        reason = self._kind_reason(spec)
        if reason is not None:
            return reason
        if scope is not None:
            return "scope", scope
        reason = _rule.eager_reason(
            self.config, frame, fullname, spec.origin, _rule.FIND,
            self.lifted.name, scope_checked=True,
        )
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

    def _eager_child(self, fullname: "str", target: "Any") -> "Any":
        # An import decided eager before finding: None (the finders after us find
        # it as importlib would) unless its parent package has not run yet; then
        # the parent runs first, as eagerly, and when its __path__ does not hold
        # the child the parent runs now, which may make the child itself (3.14's
        # collections.abc) or extend __path__.
        spec = self._after_lazy_parent(fullname)
        if spec is None and _proxy is not None:
            spec = self._find_after_parent_ran(fullname, target)
        return spec

    def _after_lazy_parent(self, fullname: "str", spec: "Any" = None) -> "Any":
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

    def _find_later(self, fullname: "str", path: "Any", target: "Any") -> "Any":
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

    def _find_after_parent_ran(self, fullname: "str", target: "Any") -> "Any":
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

    def _kind_reason(self, spec: "Any") -> "tuple[str, str] | None":
        # Modules whose loader cannot hand out a proxy stay eager (contract C2.1).
        if type(spec.loader) is _SourceFileLoader:
            return None  # a plain source module: the common case
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
        return None

    def _still_in_site(self) -> "bool":
        # Imports made while site is processing .pth files (and sitecustomize) stay
        # eager (contract C1.5).  Once Python code outside site imports, stop checking.
        # An import no Python code made (3.13 imports linecache for `-c` after
        # site, before the program) says nothing about that: it is eager anyway
        # (no importing frame) and leaves the check on.
        if in_site(sys._getframe(2)):
            return True
        if not _made_by_python_code(sys._getframe(3)):
            return False
        self._site_phase = False
        return False

    _warned = False

    def _warn_once(self, message: "str") -> "None":
        if not Importer._warned:
            Importer._warned = True
            print(message, file=sys.stderr)


def _still_importing(exc: "Exception") -> "bool":
    # An ImportError about a module whose body is running (partly initialised).
    module = sys.modules.get(getattr(exc, "name", None) or "") if isinstance(exc, ImportError) else None
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _made_by_python_code(frame: "Any") -> "bool":
    # Is there a frame outside importlib's frozen machinery above the finder?
    while frame is not None:
        if not frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def in_site(frame: "Any") -> "bool":
    """Is ``frame`` or a caller of it running in ``site`` (start-up, .pth files)?"""
    # site is frozen on 3.11+ (co_filename "<frozen site>"): match the module name.
    while frame is not None:
        if frame.f_globals.get("__name__") == "site":
            return True
        frame = frame.f_back
    return False


def import_statement(name: "str") -> "Any":
    """Run ``import name`` from a module-level frame of its own; return what it binds.

    The finder judges it as any module-level import statement (lazy when the switch
    is on in this context), whatever lazyimp code calls it: the eager scope of the
    caller is lifted for it.
    """
    namespace: dict[str, Any] = {"__name__": "lazyimp._import_lazily"}
    depth = _state.eager_depth()
    _state._local.depth = 0
    try:
        exec(compile(f"import {name} as __lazyimp_m", "<lazyimp.import_lazily>", "exec"), namespace)
    finally:
        _state._local.depth = depth
    return namespace["__lazyimp_m"]
