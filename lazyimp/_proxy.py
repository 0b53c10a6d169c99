"""The module proxy and its state machine.

A proxy wraps the module object that importlib created and initialised (``__name__``,
``__spec__``, ``__path__``, ...) but did not execute.  States::

    unexecuted --first real use--> running --body returned--> resolved
        ^                             |
        +-------body raised-----------+   (fresh module object, retried on next use)

While unexecuted, the proxy answers the import system's and sweepers' questions
(contract C2.5) from the unexecuted module and executes it on anything else (contract C2.7).
Resolution (contract C5.1) runs parents first, then the body once under importlib's own
per-module lock, with the real module in ``sys.modules``; ``_swap`` then replaces the
proxy where it is bound (contract C5.2).  A proxy that survives somewhere keeps
forwarding to the real module (contract C5.4).

Known limits: code holding the proxy sees ``type(p)`` as the proxy class, and
``p is sys.modules[name]`` is False until the binding is swapped.  Attribute writes
on an unexecuted module execute it first, except importlib's own binding of a
submodule on its parent package.
"""

from __future__ import annotations

import sys
import time

from . import _frames, _registry, _state, _swap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any
else:
    ModuleType = type(sys)

_bootstrap = sys.modules["_frozen_importlib"]
_get_module_lock = _bootstrap._get_module_lock
_DeadlockError = _bootstrap._DeadlockError
_module_from_spec = _bootstrap.module_from_spec

_UNSET: Any = object()

# Read on an unexecuted module without executing it (contract C2.5): what importlib set
# from the spec, and what isinstance() reads.
_FROM_SPEC = frozenset(
    {
        "__name__",
        "__spec__",
        "__loader__",
        "__package__",
        "__path__",
        "__file__",
        "__cached__",
        "__class__",
    }
)
# Served by the proxy class itself, resolved or not.
_OWN = frozenset({"__reduce_ex__", "__reduce__", "__copy__", "__deepcopy__"})
# Dunders a module only gains by running; sweepers probe them on every module in
# sys.modules (unittest's assertWarns).  Absent until the body has run.
_GAINED_BY_RUNNING = frozenset({"__warningregistry__"})


# Called with (name, real module) after each resolution (lazy `from` names).
resolved_hooks: list[Callable[[str, Any], None]] = []


def _no_statement(proxy: Any, st: _ProxyState) -> bool:
    return False


def _no_binding(sub: Any) -> None:
    return None


# Where import statements bind a proxy is lazyimp._sites' business; it puts its own
# functions here when it loads (with the rest of the mechanism, before any proxy
# exists), so that _sites imports this module and never the other way round:
# - note_cached_import(proxy, state): the import system read ``__spec__`` of a
#   proxy in sys.modules (an import statement found it); True means that statement
#   must be eager, so the body runs now;
# - note_from_binding(sub): a submodule proxy read off its unexecuted package.
note_cached_import: Callable[[Any, _ProxyState], bool] = _no_statement
note_from_binding: Callable[[Any], None] = _no_binding

# Full name -> [(namespace, name)]: sites statements left for a proxy not made yet
# (``_sites`` fills it; a new proxy takes its entry).  Bounded by its writer.
expected: dict[str, list[tuple[dict[str, Any], str | None]]] = {}


def add_site(sites: list[tuple[dict[str, Any], str | None]], ns: dict[str, Any], key: str | None) -> None:
    """Add ``(ns, key)`` to a proxy's binding sites unless it is there already."""
    for known_ns, known_key in sites:
        if known_ns is ns and known_key == key:
            return
    sites.append((ns, key))

# name -> unresolved proxy, in hand-out order (contract C1.8).  Single dict operations
# under the GIL; the resolver removes an entry once its proxy is resolved.
PENDING: dict[str, Any] = {}


class _ProxyState:
    """The proxy's own state, kept out of the forwarding path in one slot object."""

    __slots__ = (
        "name",
        "module",
        "loader",
        "real",
        "running",
        "sites",
        "site_ns",
        "record",
        "last_error",
    )

    def __init__(self, name: str, module: ModuleType, loader: Any) -> None:
        self.name = name
        self.module = module  # the unexecuted module object (replaced after a failure)
        self.loader = loader  # the original loader, whose exec_module runs the body
        self.real: Any = _UNSET  # sys.modules[name] after the body ran
        self.running = False
        # Where import statements bound this proxy: (namespace, name or None).
        self.sites: list[tuple[dict[str, Any], str | None]] = []
        # The namespace of the import statement that handed the proxy out.
        self.site_ns: dict[str, Any] | None = None
        self.record: _registry.ModuleRecord | None = None
        self.last_error: BaseException | None = None


_proxy_class: type | None = None
_get: Callable[[Any, str], Any] = object.__getattribute__
_set: Callable[[Any, str, Any], None] = object.__setattr__


def proxy_class() -> type:
    """The proxy type, built on first need (loading wrapt's C type costs ~1 ms)."""
    global _proxy_class
    if _proxy_class is None:
        with _state.lock:
            if _proxy_class is None:
                from . import _wrapt

                base, wrapt_package = _wrapt.load_base()
                cls = _build_class(base)
                _proxy_class = cls
                if wrapt_package is not None and "wrapt" not in sys.modules:
                    # Later imports of wrapt run its body into this very package
                    # object, which already holds the submodules we imported.
                    # Not listed as pending: the program never imported wrapt, and
                    # resolve_all() must not run 170 modules for lazyimp's sake.
                    sys.modules["wrapt"] = make_proxy(
                        wrapt_package, wrapt_package.__spec__.loader, pending=False
                    )
    return _proxy_class


def _build_class(base: Any) -> type:
    global _get, _set
    get: Any = base.__getattribute__
    set_: Any = base.__setattr__
    _get, _set = get, set_

    class LazyModule(base):  # type: ignore[valid-type,misc]
        """A lazily imported module: executes on first real use, then forwards."""

        def __init__(self, module: ModuleType, state: _ProxyState) -> None:
            # wrapt's __init__ copies the wrapped object's __module__ and __doc__;
            # a module has no __module__, and the AttributeError it raises (with a
            # formatted message) was half the cost of a proxy.  The module is not
            # published yet: nobody sees the stand-in entry.
            namespace = module.__dict__
            namespace["__module__"] = None
            try:
                base.__init__(self, module)
            finally:
                del namespace["__module__"]
            set_(self, "_self_state", state)

        # The hot path, for a resolved proxy that could not be swapped out (contract
        # C13.5): one slot read through object's generic getattr and a getattr on the
        # real module; defaults bind the helpers as fast locals.  try/except is free
        # in CPython 3.11+ when nothing is raised.
        def __getattribute__(
            self: Any,
            name: str,
            _get: Any = object.__getattribute__,
            _getattr: Any = getattr,
            _unset: Any = _UNSET,
        ) -> Any:
            st = _get(self, "_self_state")
            try:
                real = st.real
                if real is not _unset and name != "__reduce_ex__":
                    return _getattr(real, name)
                return _unresolved_getattr(self, st, name)
            except AttributeError as exc:
                if name == "__wrapped__" and st.real is not _unset:
                    return st.real
                st.last_error = exc
                raise

        # Python calls __getattr__ after __getattribute__ raised AttributeError;
        # wrapt's would ask the module a second time (running a PEP 562
        # __getattr__ twice).  Re-raise the first error instead.
        def __getattr__(self, name: str) -> Any:
            st = get(self, "_self_state")
            exc, st.last_error = st.last_error, None
            if exc is not None:
                raise exc
            real = st.real
            if real is not _UNSET:
                # A proxy with its own forwarding class (_specialise) missed.
                if name == "__wrapped__":
                    return real
                if name in _OWN:
                    return get(self, name)
                return getattr(real, name)  # the module's own error, as eagerly
            raise AttributeError(f"module {st.name!r} has no attribute {name!r}")

        def __setattr__(self, name: str, value: Any) -> None:
            if name.startswith("_self_"):
                set_(self, name, value)
                return
            st = get(self, "_self_state")
            if st.real is _UNSET:
                if _is_submodule(st.name, name, value):
                    # importlib binding a submodule on its parent (contract C2.5).
                    setattr(st.module, name, value)
                    return
                resolve(self)
            setattr(st.real, name, value)

        def __delattr__(self, name: str) -> None:
            st = get(self, "_self_state")
            delattr(resolve(self) if st.real is _UNSET else st.real, name)

        def __dir__(self) -> list[str]:
            return dir(resolve(self))

        def __repr__(self) -> str:
            st = get(self, "_self_state")
            if st.real is not _UNSET:
                return repr(st.real)
            origin = getattr(st.module.__spec__, "origin", None)
            where = f" from {origin!r}" if origin else ""
            return f"<lazy module {st.name!r}{where} (not loaded yet)>"

        __str__ = __repr__

        def __reduce_ex__(self, protocol: Any) -> Any:
            return _module_proxy_reduce(self, protocol)

        def __reduce__(self) -> Any:
            return _module_proxy_reduce(self, 2)

        # wrapt's proxies refuse copy with NotImplementedError; a module refuses
        # with TypeError, so the proxy does too (the resolved object decides).
        def __copy__(self) -> Any:
            st = get(self, "_self_state")
            if st.real is _UNSET:
                raise TypeError("cannot pickle 'module' object")
            with _state.eager_scope():
                import copy
            return copy.copy(st.real)

        def __deepcopy__(self, memo: Any) -> Any:
            st = get(self, "_self_state")
            if st.real is _UNSET:
                raise TypeError("cannot pickle 'module' object")
            with _state.eager_scope():
                import copy
            return copy.deepcopy(st.real, memo)

    LazyModule.__module__ = "lazyimp"
    LazyModule.__qualname__ = "LazyModule"
    return LazyModule


def make_proxy(
    module: ModuleType,
    loader: Any,
    sites: list[tuple[dict[str, Any], str | None]] | None = None,
    record: _registry.ModuleRecord | None = None,
    pending: bool = True,
    site_ns: dict[str, Any] | None = None,
) -> Any:
    """Wrap an initialised, unexecuted module whose body ``loader`` will run."""
    cls = _proxy_class or proxy_class()
    st = _ProxyState(module.__spec__.name, module, loader)  # type: ignore[union-attr,unused-ignore]
    if sites:
        st.sites = sites
    if expected:
        for ns, key in expected.pop(st.name, ()):
            add_site(st.sites, ns, key)
    st.site_ns = site_ns
    st.record = record
    proxy = cls(module, st)
    if pending:
        PENDING[st.name] = proxy
    return proxy


def is_lazy(obj: object) -> bool:
    """True if ``obj`` is a lazyimp module proxy that has not been executed yet.

    Never executes the module.  A proxy that has been resolved (and is only still
    held somewhere it could not be swapped out) is no longer lazy.
    """
    if _proxy_class is None or type(obj) is not _proxy_class:
        # Resolved proxies may have a class of their own (see _specialise): those
        # are not lazy any more.
        return False
    return _get(obj, "_self_state").real is _UNSET  # type: ignore[no-any-return]


def is_proxy(obj: object) -> bool:
    """True if ``obj`` is a lazyimp module proxy, resolved or not."""
    return _proxy_class is not None and issubclass(type(obj), _proxy_class)


def _is_submodule(parent: str, attr: str, value: object) -> bool:
    # isinstance() reads __class__, which a proxy answers without executing.
    if not isinstance(value, ModuleType):
        return False
    spec = getattr(value, "__spec__", None)
    return getattr(spec, "name", None) == f"{parent}.{attr}"


def _unresolved_getattr(proxy: Any, st: _ProxyState, name: str) -> Any:
    if name in _OWN:
        # Picklers look __reduce_ex__ up on the object: ours decides without
        # executing (contract C8.5).
        return _get(proxy, name)
    if st.real is not _UNSET:
        return getattr(st.real, name)
    if name in _FROM_SPEC:
        if name == "__spec__" and note_cached_import(proxy, st):
            return getattr(resolve(proxy), name)
        try:
            return getattr(st.module, name)
        except AttributeError:
            # Not set from the spec: the body may set it (six makes itself a
            # package with `__path__ = []`).  Eagerly the body would have run.
            return getattr(resolve(proxy), name)
    if name in _GAINED_BY_RUNNING:
        try:
            return st.module.__dict__[name]
        except KeyError:
            raise AttributeError(
                f"module {st.name!r} has no attribute {name!r} (not loaded yet)"
            ) from None
    # A submodule importlib set on this unexecuted package (`import a.b.c as d`,
    # `from a import b`): served without executing; the statement that reads it
    # binds it, so remember where.
    value = st.module.__dict__.get(name, _UNSET)
    if value is not _UNSET and _is_submodule(st.name, name, value):
        if is_lazy(value):
            note_from_binding(value)
        return value
    real = resolve(proxy)
    if name == "__wrapped__":
        return real
    return getattr(real, name)


def resolve(proxy: Any) -> Any:
    """Execute the proxy's module if it has not run yet; return the real module.

    Raises whatever the module body raises (contract C6.1), with a note naming the
    module and the import statement.
    """
    st: _ProxyState = _get(proxy, "_self_state")
    real = st.real
    if real is not _UNSET:
        return real
    name = st.name
    # Parents first, outermost first, as an eager import runs them (contract C5.1).
    parent = name.rpartition(".")[0]
    if parent:
        parent_module = sys.modules.get(parent)
        if parent_module is not None and is_lazy(parent_module):
            resolve(parent_module)
    # importlib's own per-module lock: one body run per module whatever mix of eager
    # imports and proxy accesses races for it, reentrant for the thread that holds
    # it, and with importlib's deadlock detection between threads (contract C7.1).
    lock = _get_module_lock(name)
    try:
        lock.acquire()
    except _DeadlockError:
        # Two threads resolving modules that need each other: as importlib does for
        # a concurrent circular import, hand out the partly initialised module.
        current = sys.modules.get(name)
        if current is not None and current is not proxy:
            return current
        return st.module
    try:
        if st.real is not _UNSET:  # another thread finished while we waited
            return st.real
        if st.running:
            # This thread is running the body and touched the module again (a
            # circular import): the partly initialised module, as eagerly.
            return st.module
        real = _execute(proxy, st)
    finally:
        lock.release()
    return real


def _execute(proxy: Any, st: _ProxyState) -> Any:
    # Interrupt safety (a KeyboardInterrupt can land between any two lines): the
    # state that marks "running" is set and cleared inside one try/finally, as
    # _bootstrap._load_unlocked does, and the result is published the moment the
    # body returns, so an interrupt in the bookkeeping leaves a resolved proxy
    # (never a second run of the body).
    name = st.name
    module = st.module
    existing = sys.modules.get(name)
    record = st.record
    trigger_ns: dict[str, Any] | None = None
    if existing is not None and existing is not proxy and existing is not module:
        # Imported by other means since (sys.modules entry replaced): adopt it.
        real = existing
    else:
        spec = module.__spec__
        frame = _frames.trigger_frame()
        if frame is not None:
            trigger_ns = frame.f_globals
        probe = _registry.memory_probe
        resolving = _registry.resolving_stack()
        if record is not None:
            record.attempts += 1
            if frame is not None:
                record.trigger_file = frame.f_code.co_filename
                lasti = frame.f_lasti
                if lasti < _frames.EARLY:
                    record.trigger_line = frame.f_lineno
                else:
                    record.trigger_at = (frame.f_code, lasti)
                record.trigger_module = frame.f_globals.get("__name__")
            record.parent = resolving[-1] if resolving else None
            record.memory_before = probe() if probe is not None else None
        depth = len(resolving)
        started = time.perf_counter()
        try:
            resolving.append(name)
            st.running = True
            spec._initializing = True  # type: ignore[union-attr]
            sys.modules[name] = module
            _run_at_import_site(st, module)
            # Published at once, in one statement, before any bookkeeping an
            # interrupt could cut: from here on the proxy forwards to the result.
            st.real = real = sys.modules.get(name, module)
        except BaseException as exc:
            if st.real is _UNSET:
                _failed(proxy, st, exc, started)
            raise
        finally:
            st.running = False
            spec._initializing = False  # type: ignore[union-attr]
            del resolving[depth:]
        elapsed = time.perf_counter() - started
        # As _bootstrap._load_unlocked: the result is what sys.modules holds now,
        # moved to the end of sys.modules.
        if sys.modules.pop(name, None) is None:
            st.real = _UNSET
            raise ImportError(f"module {name!r} removed itself from sys.modules", name=name)
        sys.modules[name] = real
        if record is not None:
            record.state = _registry.RESOLVED
            record.started_at = started
            record.duration = elapsed
            record.memory_after = probe() if probe is not None else None
            if _registry.verbose:
                _registry.log_resolution(record)
    st.real = real
    if real is not st.module:
        # Only when the body replaced its sys.modules entry: the proxy already
        # wraps the module it ran (and wrapt's setter looks up a fix-up hook
        # through the proxy, an AttributeError raised in the real module).
        _set(proxy, "__wrapped__", real)
    PENDING.pop(name, None)
    sites = st.sites
    st.sites = []
    parent, _, child = name.rpartition(".")
    if parent:
        parent_module = sys.modules.get(parent)
        if parent_module is not None:
            sites.append((namespace_of(parent_module), child))
    if _swap.swap(proxy, real, sites, trigger_ns):
        _specialise(proxy, real)
    for hook in resolved_hooks:
        hook(name, real)
    return real


def _specialise(proxy: Any, real: Any) -> None:
    # Somebody we do not know of still holds the proxy, maybe a local in a hot
    # loop.  Give this proxy a class of its own whose __getattribute__ is
    # functools.partial(getattr, real): C all the way, no Python frame per read
    # (about 7x a plain module attribute read, against 30x through the shared
    # class; contract C13.5).  Misses fall through to LazyModule.__getattr__, which
    # serves __wrapped__ and the proxy's own copy hooks.  Pickling looks the type
    # up in copyreg.dispatch_table before __reduce_ex__, so the class is
    # registered there with the proxy's reducer.  object's __class__ descriptor is
    # used directly because wrapt forwards __class__ assignment to the wrapped
    # object.
    with _state.eager_scope():  # lazyimp's own imports are never lazy
        import copyreg
        from _functools import partial  # type: ignore[import-not-found]  # functools may be mid-import

    base = type(proxy)
    forward = staticmethod(partial(getattr, real))
    cls = type(base.__name__, (base,), {"__slots__": (), "__getattribute__": forward})
    cls.__module__ = base.__module__
    cls.__qualname__ = base.__qualname__
    copyreg.dispatch_table[cls] = _specialised_reduce
    _set_class(proxy, cls)


def _specialised_reduce(proxy: Any) -> Any:
    return _module_proxy_reduce(proxy, 2)


_set_class = object.__dict__["__class__"].__set__


# The frame that calls the loader pretends to be the import statement (its file, line
# and module globals), as the frame that runs an eager import is.  warnings skips
# importlib's frames and attributes a body's `warn(..., stacklevel=2)` to this one,
# so the default filters treat it as they would eagerly (DeprecationWarning shows
# when the import was in __main__, the once/default actions consult the importer's
# registry), and a traceback through the body shows the import statement's line.
# A function of one line, run with the importer's own globals: per statement one
# copy of its code with the statement's file and line (about 3.5K instructions).
def _site(exec_module: Any, module: Any) -> None: exec_module(module)  # noqa: E704


_SITE_CODE = _site.__code__.replace(co_name="<module>")
if sys.version_info >= (3, 11):
    _SITE_CODE = _SITE_CODE.replace(co_qualname="<module>")
_function: Any = type(_site)
# (file, line) of an import statement -> its copy of _SITE_CODE; bounded.
_site_codes: dict[tuple[str, int], Any] = {}


def _run_at_import_site(st: _ProxyState, module: Any) -> None:
    record = st.record
    namespace = st.site_ns
    if record is None or namespace is None or record.import_file is None:
        st.loader.exec_module(module)
        return
    line = record.import_line
    if line is None:
        st.loader.exec_module(module)
        return
    where = (record.import_file, line)
    code = _site_codes.get(where)
    if code is None:
        code = _SITE_CODE.replace(co_filename=where[0], co_firstlineno=line)
        if len(_site_codes) > 256:
            _site_codes.clear()
        _site_codes[where] = code
    _function(code, namespace)(st.loader.exec_module, module)


def _failed(proxy: Any, st: _ProxyState, exc: BaseException, started: float) -> None:
    # Leave sys.modules as an eager failed import leaves it (no module, no proxy),
    # and give the proxy a fresh, unexecuted module for the next attempt (contract C6.1).
    name = st.name
    sys.modules.pop(name, None)
    spec = st.module.__spec__
    fresh = _module_from_spec(spec)
    st.module = fresh
    _set(proxy, "__wrapped__", fresh)
    record = st.record
    if record is not None:
        record.state = _registry.FAILED
        record.started_at = started
        record.duration = time.perf_counter() - started
        if _registry.verbose:
            _registry.log_resolution(record)
    where = ""
    if record is not None and record.import_file:
        where = f" at {record.import_file}:{record.import_line}"
    note = (
        f"lazyimp: module {name!r} was imported lazily{where} and failed when first used; "
        f"it will be retried on next use; if it works eagerly, "
        f"'python -m lazyimp bisect PROGRAM' finds the imports to keep eager"
    )
    add_note = getattr(exc, "add_note", None)
    if add_note is not None:
        add_note(note)
    else:  # Python 3.10: keep the note where 3.11's traceback would look for it
        notes = getattr(exc, "__notes__", None)
        try:
            if notes is None:
                exc.__notes__ = [note]  # type: ignore[attr-defined]
            else:
                notes.append(note)
        except (AttributeError, TypeError):
            pass


def namespace_of(module: Any) -> dict[str, Any]:
    """The ``__dict__`` that holds a module's attributes, never executing a proxy."""
    if is_proxy(module):
        st = _get(module, "_self_state")
        target = st.real if st.real is not _UNSET else st.module
        return target.__dict__  # type: ignore[no-any-return]
    return module.__dict__  # type: ignore[no-any-return]


def _module_proxy_reduce(proxy: Any, protocol: Any) -> Any:
    # Pickling is rare: its helpers load on first need (lazyimp._reduce).  They are
    # handed the proxy's state, the "not run yet" marker and resolve, so that _reduce
    # imports nothing from this module.
    with _state.eager_scope():
        from . import _reduce
    st = _get(proxy, "_self_state")
    return _reduce.module_proxy_reduce(proxy, protocol, st, _UNSET, resolve)
