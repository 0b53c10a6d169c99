"""The native engine: PEP 810's built-in lazy imports, driven by lazyimp's policy (3.15+).

On CPython 3.15 the interpreter defers imports itself: a module-level ``import x``
binds a ``types.LazyImportType`` object that the interpreter replaces with the
module the first time the global is read.  lazyimp does not hand out proxies there;
it drives that machinery so that one configuration works on every version:

- ``activate()`` sets ``sys.set_lazy_imports("all")`` and installs ``lazy_filter``
  as the interpreter's lazy-imports filter; ``deactivate()`` puts the previous mode
  and filter back exactly.  ``install()``, ``enabled()`` and the environment switch
  activate; ``uninstall()`` and the end of the last ``enabled()`` block deactivate.
- ``lazy_filter(importer, name, fromlist)`` is called by the interpreter for each
  import statement that may be lazy (module level, outside ``try``, not a star
  import: the compiler marks the others eager).  It applies the one rule of
  ``_rule.eager_reason`` (``__lazyimp_eager__``, ``ignore_importers``, the
  side-effect rule, the ignore lists, the built-in defaults, the user's filter) to
  the importing frame, and the context switch of ``enabled()``/``disabled()``.
- ``find_spec`` (called by the one ``Importer`` at the front of ``sys.meta_path``)
  times the real import of a module the filter deferred, when it finally happens
  (the interpreter reifying the lazy object, or any other import of it), for the
  report: load time, what triggered it, memory, nesting.

What the filter decides, per statement (the interpreter decides per statement, not
per module):

- ``import a.b.c``: lazy when every module of the chain not yet imported may be
  lazy; one that must be eager makes the statement eager.  Each is found now
  (contract C2.3: ``import no_such_module`` raises at the statement), and the spec found
  is handed back when the import really runs, so nothing is found twice.
- ``from x import y`` (``lazy_from`` off): ``x`` runs at once, as on the proxy
  engine; when some of the names are submodules ``x`` does not have yet, the
  statement is lazy (they run on first use), else eager.
- ``from x import y`` (``lazy_from`` on): PEP 810 defers it whole, unless the rule
  (mode ``NATIVE_FROM``) keeps it eager.
- Imports written ``lazy import x``, and those named in ``__lazy_modules__``, are
  the program's own choice: lazyimp's policy does not apply to them (only a filter
  set before ``install()``, which stays in the chain).

Known limits: a lazy object held in a local variable, a container or a copy does
not forward (the interpreter replaces it only where a global is read); failures of
a deferred module surface as the interpreter reports them (an ``ImportError``
chained to the body's exception for a from-import); ``importlib.import_module`` and
``__import__`` calls are never lazy.  See docs/versions.rst.
"""

from __future__ import annotations

import builtins
import sys

from . import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

# Loaded on the first import the filter judges (not by install(): contract C13.1).
_rule: Any = None
_frames: Any = None
_registry: Any = None
# Set by activate(): the Importer (its config and switches) and the registry loader
# of _finder (which configures the memory probe and the install baseline).
_importer: Any = None
_load_registry: Callable[[], Any] | None = None

# (mode, filter) in force before activate(); None while lazyimp does not drive it.
_previous: tuple[str, Any] | None = None

# name -> ModuleRecord of each module the filter deferred that has not run yet.
DEFERRED: dict[str, Any] = {}
# name -> (search path used, spec) found by the filter, handed back at the real
# import when it searches the same path (so that a deferred module is found once).
_specs: dict[str, tuple[Any, Any]] = {}

_LAZYIMP_DIR = __file__.rpartition("_native.py")[0]
_bootstrap = sys.modules["_frozen_importlib"]
_IMPORT_NAME = -1  # IMPORT_NAME's opcode, read from opcode by _load()
_NOTHING_TO_DEFER = ("built-in", "frozen")


def available() -> bool:
    """True on an interpreter with PEP 810's lazy imports (CPython 3.15+)."""
    return hasattr(sys, "set_lazy_imports_filter")


def activate(importer: Any, load_registry: Callable[[], Any]) -> None:
    """Hand the interpreter lazyimp's filter and switch its lazy mode to ``"all"``.

    Idempotent.  The caller holds ``_state.lock``.
    """
    global _previous, _importer, _load_registry
    _importer = importer
    _load_registry = load_registry
    if _previous is not None:
        return
    previous = (sys.get_lazy_imports(), sys.get_lazy_imports_filter())  # type: ignore[attr-defined]
    sys.set_lazy_imports_filter(lazy_filter)  # type: ignore[attr-defined]
    sys.set_lazy_imports("all")  # type: ignore[attr-defined]
    _previous = previous


def deactivate() -> None:
    """Put back the lazy mode and filter that ``activate()`` found (the caller holds the lock).

    A filter or mode someone else set since is left alone.  Modules already deferred
    stay lazy: the interpreter reifies them on first use, as it always does.
    """
    global _previous
    previous = _previous
    if previous is None:
        return
    _previous = None
    mode, old_filter = previous
    if sys.get_lazy_imports_filter() is lazy_filter:  # type: ignore[attr-defined]
        sys.set_lazy_imports_filter(old_filter)  # type: ignore[attr-defined]
    if sys.get_lazy_imports() == "all":  # type: ignore[attr-defined]
        sys.set_lazy_imports(mode)  # type: ignore[attr-defined]


# --- the filter ------------------------------------------------------------------------


def lazy_filter(importer: str | None, name: str, fromlist: tuple[str, ...] | None) -> bool:
    """The interpreter's lazy-imports filter while lazyimp drives PEP 810.

    Called as ``filter(importer, name, fromlist)`` with the importing frame one
    level up, stopped at its IMPORT_NAME.  True lets the interpreter bind a lazy
    object; False makes the statement eager.
    """
    frame = sys._getframe(1)
    if _state.eager_depth():
        return False  # lazyimp's own imports (and what they import) are eager
    if _rule is None:
        _load()
    lazy = _decide(frame, importer, name, fromlist)
    if not lazy:
        # CPython 3.15.2 runs a statement its filter made eager without calling a
        # replaced builtins.__import__ (track_imports, coverage and other wrappers
        # would miss it): call it here, as the statement would have; the statement
        # then finds everything imported.
        imp = builtins.__import__
        if getattr(imp, "__self__", None) is not builtins:
            imp(name, frame.f_globals, None, fromlist, 0)
    return lazy


def _decide(
    frame: FrameType, importer: str | None, name: str, fromlist: tuple[str, ...] | None
) -> bool:
    previous = _previous
    chained = previous[1] if previous is not None else None
    if _explicit(frame, name):
        # `lazy import x` / __lazy_modules__: the program's own choice.
        return chained is None or bool(chained(importer, name, fromlist))
    switch = _state.switch
    on = switch.get() if switch is not None else None
    importer_obj = _importer
    if on is None:
        on = importer_obj is not None and importer_obj.globally_on
    if not on:
        return False
    if importer_obj._site_phase and _in_site(frame, importer_obj):
        return False
    if fromlist is None and name in sys.modules:
        return False  # nothing to defer: the binding costs a dict lookup
    if chained is not None and not chained(importer, name, fromlist):
        # The filter set before install() stays in force: both must agree.
        _record_eager(name, ("policy", "the lazy-imports filter set before install()"))
        return False
    if fromlist is None:
        return _judge_import(frame, importer, name)
    return _judge_from(frame, importer, name, fromlist)


def _explicit(frame: FrameType, name: str) -> bool:
    # The low bit of IMPORT_NAME's argument is the `lazy` keyword (the argument is
    # the name index << 2 | flags, so the low byte carries it).
    code = frame.f_code
    lasti = frame.f_lasti
    raw = code.co_code
    if raw[lasti] == _IMPORT_NAME and raw[lasti + 1] & 1:
        return True
    declared = frame.f_globals.get("__lazy_modules__")
    return declared is not None and name in declared


def _in_site(frame: Any, importer_obj: Any) -> bool:
    # Imports made while site processes .pth files stay eager (contract C1.5); once an
    # import comes from outside site, stop looking.
    while frame is not None:
        if frame.f_globals.get("__name__") == "site":
            return True
        frame = frame.f_back
    importer_obj._site_phase = False
    return False


def _load() -> None:
    # The rule, the registry and opcode numbers, with the first import judged (until
    # then the filter cannot tell `lazy import`, which only lazyimp's loading meets).
    global _rule, _registry, _frames, _IMPORT_NAME
    with _state.eager_scope():
        from . import _frames as frames
        from . import _rule as rule
    _IMPORT_NAME = frames._opmap()["IMPORT_NAME"]
    _frames = frames
    assert _load_registry is not None
    _registry = _load_registry()
    _rule = rule


def _reason(
    config: Any, frame: FrameType, name: str, origin: str | None, mode: str, lazy_from: str | None
) -> tuple[str, str] | None:
    # The rule may import (fnmatch for a glob): lazyimp's own imports are eager.
    with _state.eager_scope():
        return _rule.eager_reason(config, frame, name, origin, mode, lazy_from)  # type: ignore[no-any-return]


def _judge_import(frame: FrameType, importer: str | None, name: str) -> bool:
    # `import a.b.c`: each module of the chain not imported yet is judged as the
    # proxy engine judges it.  The interpreter decides per statement, so the modules
    # up to the last one that must be eager are imported now (parents first, as
    # eagerly) and the statement is lazy for the rest; eager whole if the last must be.
    config = _importer.config
    missing: list[tuple[str, Any]] = []
    reasons: list[tuple[str, str] | None] = []
    path: Any = None
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        mod = ".".join(parts[:i])
        module = sys.modules.get(mod)
        if module is not None:
            path = getattr(module, "__path__", None)
            continue
        spec = _find(mod, path)
        if spec is None:
            # Not found where an eager import would look first (or a parent's body
            # would extend __path__): eager, which raises or finds it as usual.
            return False
        if spec.origin in _NOTHING_TO_DEFER:
            # Built-in and frozen modules cost next to nothing to import; deferring
            # them would only crowd the report (the proxy engine keeps them eager too).
            reasons.append(("kind", spec.origin))
        else:
            reasons.append(_reason(config, frame, mod, spec.origin, _rule.FIND, None))
        missing.append((mod, spec))
        path = spec.submodule_search_locations
    eager = [i for i, reason in enumerate(reasons) if reason is not None]
    if not eager:
        _record_deferred(frame, importer, missing)
        return True
    last = eager[-1]
    for i in range(last + 1):
        reason = reasons[i]
        if reason is not None:
            _record_eager(missing[i][0], reason)
        else:
            _record_eager(missing[i][0], ("scope", f"parent of {missing[last][0]}, which stays eager"))
    if last == len(missing) - 1:
        return False
    _bootstrap._gcd_import(missing[last][0])
    _record_deferred(frame, importer, missing[last + 1 :])
    return True


def _judge_from(
    frame: FrameType, importer: str | None, name: str, fromlist: tuple[str, ...]
) -> bool:
    config = _importer.config
    module = sys.modules.get(name)
    if module is None and config.lazy_from:
        return _judge_lazy_from(frame, importer, name, fromlist, config)
    if module is None:
        # `from x import y` reads x.y at once: x runs now, as on the proxy engine.
        reason = _reason(config, frame, name, None, _rule.FIND, None)
        if reason is not None:
            _record_eager(name, reason)
        spec = _find_chain(name)
        if spec is None or spec.submodule_search_locations is None:
            return False  # a module, not a package: the eager import does the rest
        module = _bootstrap._gcd_import(name)
        tracking = sys.modules.get("lazyimp._tracking")
        if tracking is not None:
            _track(tracking, frame, name, module.__spec__, False)
    # The names the package does not have yet are submodules to import: lazy when
    # they all may be (the other names then bind through the interpreter's lazy
    # objects too, which read the attribute on first use).
    path = getattr(module, "__path__", None)
    if path is None:
        return False
    wanted: list[tuple[str, Any]] = []
    namespace = module.__dict__
    for item in fromlist:
        if item in namespace:
            continue
        sub = f"{name}.{item}"
        if sub in sys.modules:
            continue
        spec = _find(sub, path)
        if spec is None:
            return False  # eager: raises "cannot import name" as usual
        reason = _reason(config, frame, sub, spec.origin, _rule.FIND, None)
        if reason is not None:
            _record_eager(sub, reason)
            return False
        wanted.append((sub, spec))
    if not wanted:
        return False
    _record_deferred(frame, importer, wanted)
    return True


def _judge_lazy_from(
    frame: FrameType, importer: str | None, name: str, fromlist: tuple[str, ...], config: Any
) -> bool:
    # lazy_from: PEP 810 defers the whole statement; the module is found now.
    spec = _find_chain(name)
    if spec is None:
        return False
    reason = _reason(config, frame, name, spec.origin, _rule.NATIVE_FROM, name)
    if reason is None:
        for item in fromlist:
            why = config.eager_reason(f"{name}.{item}", None)
            if why is not None:
                reason = ("policy", why)
                break
    if reason is not None:
        _record_eager(name, reason)
        return False
    _record_deferred(frame, importer, [(name, spec)])
    return True


def _find_chain(name: str) -> Any:
    # The spec of `name`, finding its unimported parents on the way (never running
    # them); None when some part is not found without running a parent.
    path: Any = None
    spec: Any = None
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        mod = ".".join(parts[:i])
        module = sys.modules.get(mod)
        if module is not None:
            path = getattr(module, "__path__", None)
            spec = getattr(module, "__spec__", None)
            continue
        cached = _specs.get(mod)
        spec = cached[1] if cached is not None and cached[0] == path else _find(mod, path)
        if spec is None:
            return None
        path = spec.submodule_search_locations
    return spec


def _find(name: str, path: Any) -> Any:
    # Ask the finders after ours, in order, as importlib would; remember the spec
    # for the real import.  Finding runs no module code.
    if path is None and "." in name:
        return None  # the parent is not a package
    meta_path = sys.meta_path
    with _state.eager_scope():
        for finder in meta_path:
            if finder is _importer:
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(name, path, None)
            if spec is not None:
                if len(_specs) > 1024:
                    _specs.clear()
                _specs[name] = (list(path) if path is not None else None, spec)
                return spec
    return None


def _record_eager(name: str, reason: tuple[str, str]) -> None:
    reg = _registry
    state = reg.IGNORED if reason[0] == "policy" else reg.EAGER
    reg.record_eager(name, state, reason[1])


def _record_deferred(
    frame: FrameType, importer: str | None, modules: list[tuple[str, Any]]
) -> None:
    reg = _registry
    line = _frames.lineno(frame)  # f_lineno walks the line table from the start
    file = frame.f_code.co_filename
    for mod, _ in modules:
        if mod in DEFERRED:
            continue
        DEFERRED[mod] = reg.record_proxied(mod, importer, file, line)
    tracking = sys.modules.get("lazyimp._tracking")
    if tracking is not None:
        for mod, spec in modules:
            _track(tracking, frame, mod, spec, False)


def _track(tracking: Any, frame: FrameType, name: str, spec: Any, cached: bool) -> None:
    # track_imports() sees the statement's modules here: a lazy statement never
    # calls __import__.  The statement's already imported parents count as cached.
    parts = name.split(".")
    for i in range(1, len(parts)):
        parent = ".".join(parts[:i])
        if parent in sys.modules:
            tracking.note_deferred(parent, tracking._origin(parent), True)
    origin = spec.origin if spec is not None and spec.has_location else None
    tracking.note_deferred(name, origin, cached)


# --- the real import of a deferred module -----------------------------------------------


def find_spec(fullname: str, path: Any, target: Any) -> Any:
    """The Importer's find_spec on this engine.

    Hands back the spec the filter found for this module on the same search path
    (found once, not twice), and times the real import of a deferred module.
    """
    if target is not None:
        return None
    timing_eager = _registry is not None and _registry.record_eager_times
    if not _specs and not DEFERRED and not timing_eager:
        return None
    cached = _specs.pop(fullname, None)
    record = DEFERRED.get(fullname)
    spec = None
    if cached is not None and cached[0] == (list(path) if path is not None else None):
        spec = cached[1]
    if record is None:
        if timing_eager and fullname not in sys.modules and not _by_lazyimp():
            return _timed_eager(fullname, path, spec)
        return spec
    if spec is None:
        spec = _find(fullname, path)
        _specs.pop(fullname, None)
    if spec is None:
        return None
    loader = spec.loader
    if loader is None or not hasattr(loader, "exec_module") or _by_lazyimp():
        return spec
    spec.loader = _timed(loader, record)
    return spec


def _timed_eager(fullname: str, path: Any, spec: Any) -> Any:
    # An eager import (the interpreter's decision: a function, a try block, a filter
    # saying no), timed for the exports (install(record_eager=True)).
    if spec is None:
        spec = _find(fullname, path)
        _specs.pop(fullname, None)
    if spec is None or spec.loader is None:
        return spec
    record = _registry.record_eager(fullname, _registry.EAGER, "eager (not deferred)")
    if record is not None:
        spec.loader = _registry.TimedLoader(spec.loader, record)
    return spec


# lazyimp's modules whose imports are made on the program's behalf (the filter's
# from-import of a package, load(), resolve_all(), reload()).
_ON_BEHALF = tuple(_LAZYIMP_DIR + name for name in ("_native.py", "_pending.py", "_reload.py"))


def _by_lazyimp() -> bool:
    # An import statement in lazyimp's own code (the report importing json while the
    # program holds json lazily): not a use by the program, so the module stays
    # "deferred, never used" in the report, as it does on the proxy engine.
    frame: Any = sys._getframe(3)  # past Importer.find_spec, which calls ours
    while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    if frame is None:
        return False
    filename = frame.f_code.co_filename
    return filename.startswith(_LAZYIMP_DIR) and not filename.startswith(_ON_BEHALF)


# The registry's timing loader with what a resolution records beside its time, made
# on first use (the registry loads with the first import the filter judges).
_Timed: Any = None


def _timed(loader: Any, record: Any) -> Any:
    """The real import of a deferred module, timed and recorded as a resolution."""
    global _Timed
    if _Timed is None:
        _Timed = type(
            "_Timed", (_registry.TimedLoader,), {"__slots__": (), "begin": _begin, "done": _done}
        )
    return _Timed(loader, record)


def _begin(self: Any) -> None:
    # What a resolution records beside its time: the first use, memory, attempts.
    record = self.record
    frame = _frames.trigger_frame()
    if frame is not None:
        record.trigger_file = frame.f_code.co_filename
        record.trigger_line = _frames.lineno(frame)
        record.trigger_module = frame.f_globals.get("__name__")
    probe = _registry.memory_probe
    record.memory_before = probe() if probe is not None else None
    record.attempts += 1
    _registry.TimedLoader.begin(self)


def _done(self: Any, error: BaseException | None) -> None:
    _registry.TimedLoader.done(self, error)
    record = self.record
    if error is None:
        DEFERRED.pop(record.name, None)
    record.state = _registry.RESOLVED if error is None else _registry.FAILED
    probe = _registry.memory_probe
    record.memory_after = probe() if probe is not None else None
    if _registry.verbose:
        _registry.log_resolution(record)
    if error is not None:
        _note(error, record)


def _note(exc: BaseException, record: Any) -> None:
    where = f" at {record.import_file}:{record.import_line}" if record.import_file else ""
    exc.add_note(  # type: ignore[attr-defined,unused-ignore]  # 3.11+: this engine is 3.15+
        f"lazyimp: module {record.name!r} was imported lazily{where} and failed when "
        "first used; it will be retried on next use; if it works eagerly, "
        "'python -m lazyimp bisect PROGRAM' finds the imports to keep eager"
    )
