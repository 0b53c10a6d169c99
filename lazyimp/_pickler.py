"""The spawn-aware multiprocessing pickler: path references, by-value fallback, bootstrap.

Scope: ``install_pickler()`` teaches ``multiprocessing``'s ``ForkingPickler`` to send
functions and classes of packages imported with ``import_module_from_path`` to
``spawn`` and ``forkserver`` workers that could not import them by name (contract C11.3-C11.6).

Two ways to travel (contract C11.4):

- ``mode="path"`` (the default): functions and classes travel by reference and the
  receiver imports their package from the same directory: real module state, one
  class object per process, small messages.  ``ForkingPickler.dumps`` writes plain
  ``(module, qualname)`` references behind a prefix that registers the directories of
  the packages the message names; other ForkingPicklers write
  ``_make_pathref(name, directory, module, qualname)``.  The receiver must see the
  same directory with the same files.  Objects of such a package that have no
  importable name (lambdas, functions and classes defined inside functions) go by
  value instead.
- ``mode="value"``: functions and classes of those packages go by value through
  cloudpickle (``register_pickle_by_value``).  Receivers need neither the directory
  nor the package; each message carries its own copy of the module globals the code
  uses, so module state does not persist between messages, and code that cloudpickle
  cannot carry (``functools.lru_cache`` functions, ``__reduce__`` returning a string,
  imports inside function bodies, module-level locks) fails.

How it is hooked (docs/how-it-works.rst, pickler-internals): a class-level
``ForkingPickler.reducer_override`` reaches every ForkingPickler, including the
``_ForkingPickler`` aliases bound in ``connection`` and ``queues`` and direct
instantiations such as torch's ``ConnectionWrapper``; ``multiprocessing.reduction.dump``,
which sends the ``Process`` object to a new child, is wrapped so that the child
registers the same packages and installs this pickler before anything else is
unpickled (the *bootstrap*).  Workers therefore need no configuration, in either
direction.  In path mode, ``ForkingPickler.dumps`` (every queue, pipe, Pool and
executor message) skips the per-object hook: see "path mode without a per-object
hook" below.  multiprocessing's own reducers (connections, queues, file descriptors,
shared memory, torch tensors) are untouched: instances leave ``reducer_override`` at
once and go through ForkingPickler's dispatch table as before (contract C11.5).

Known limits: the pickler is process-wide while installed (as multiprocessing's own
reducer registry is); receivers must be able to import ``lazyimp`` (and cloudpickle
for by-value content); both ends must run the same Python and library versions, as
with cloudpickle.  Module objects always travel as references (imported by name on
the other side, or from the same directory for a path-imported package).  In path
mode a message that plain pickle cannot write is pickled a second time with the
hook, so its reducers run twice.
"""

from __future__ import annotations

import builtins
import importlib
import io
import pickle
import sys
import threading
from collections.abc import Callable, Iterable
from types import FunctionType, MethodType, ModuleType
from typing import Any

from lazyimp import _roots

__all__ = ["install_pickler", "uninstall_pickler"]

_MODES = ("path", "value")
_MISSING: Any = object()

# Guards the install state below.  The hot path (_reducer_override) only reads it:
# a reader sees either the old or the new value of each global, never a torn one.
_LOCK = threading.RLock()
_installed = False
_mode = "path"
# What install_pickler replaced, to put back exactly (contract C11.6).
_saved_dump: Any = _MISSING
_saved_override: Any = _MISSING
_saved_dumps: Any = _MISSING  # the classmethod object from ForkingPickler.__dict__
# A reducer_override that was on ForkingPickler before ours: we call it for what we
# decline, so that installing lazyimp never hides another library's hook.
_next_override: Callable[[Any, Any], Any] | None = None
# multiprocessing.process.BaseProcess, bound at install time (multiprocessing is only
# imported by install_pickler).
_process_type: type | None = None
# Roots this module registered with cloudpickle.register_pickle_by_value, so that
# uninstall removes those and only those.
_cp_registered: set[str] = set()
# cloudpickle's dispatch table flattened into a dict once (its ChainMap costs a Python
# call per lookup: docs/how-it-works.rst, pickler-internals).
_cp_table: dict[Any, Any] | None = None


# --- reducers (run in the sender) --------------------------------------------------


def _reducer_override(self: Any, obj: Any) -> Any:
    # ForkingPickler.reducer_override (through _HookSlot).  The C pickler calls it for every
    # object that is not a builtin scalar or container and not already memoised: once
    # per instance on instance-heavy payloads, so instances must leave after three
    # type checks.  Functions and classes are memoised, so the work below runs once
    # per distinct function or class per message.
    if isinstance(obj, type) or type(obj) is FunctionType:
        return _object_reduce(self, obj)
    if isinstance(obj, ModuleType):
        # A lazyimp proxy answers isinstance(p, ModuleType) through __class__ without
        # executing the module (contract C2.5), so proxies arrive here as well (contract C8.5).
        return _module_reduce(obj)
    if _next_override is not None:
        return _next_override(self, obj)
    return NotImplemented


def _object_reduce(pickler: Any, obj: Any) -> Any:
    """Reduce a function or class: path reference, by value, or leave it to pickle."""
    module = getattr(obj, "__module__", None)
    if isinstance(module, str):
        name = module.partition(".")[0]
        root = _roots._ROOTS.get(name)
        if root is not None:
            if _mode == "value":
                return _by_value_reduce(pickler, obj, name)
            qualname = getattr(obj, "__qualname__", None)
            if isinstance(qualname, str) and _reachable(module, qualname, obj):
                return _make_pathref, (name, root, module, qualname)
            # No name to refer to (a lambda, a local class): the automatic fallback.
            return _by_value_reduce(pickler, obj, None)
        if _mode == "value" and module not in sys.modules:
            # Code that arrived by value: its module exists only in the sender.
            # cloudpickle sends it back by value, and its class tracker gives the
            # sender its original class object again.
            return _by_value_reduce(pickler, obj, None)
    cp = pickler.__dict__.get("_lazyimp_cp")
    if cp is not None:
        # This message already carries by-value code, whose reductions name builtin
        # types (types.CodeType, ...) only cloudpickle knows how to refer to.
        return cp.reducer_override(obj)
    if _next_override is not None:
        return _next_override(pickler, obj)
    return NotImplemented


def _reachable(module: str, qualname: str, obj: Any) -> bool:
    """True when ``obj`` is what its module and qualified name lead to."""
    if "<" in qualname:  # <lambda>, <locals>
        return False
    target: Any = sys.modules.get(module)
    for part in qualname.split("."):
        target = getattr(target, part, _MISSING)
        if target is _MISSING:
            return False
    return target is obj


def _by_value_reduce(pickler: Any, obj: Any, root_name: str | None) -> Any:
    # One cloudpickle pickler per message, never per object: functions pickled by one
    # cloudpickle pickler share one globals dict per module (globals_ref), so methods
    # of one class still see each other's module-global writes in the worker
    # (docs/how-it-works.rst, pickler-internals: a pickler per object returned (1, 0) for bump(); read()).
    cp = pickler.__dict__.get("_lazyimp_cp")
    if cp is None:
        import io

        import cloudpickle

        cp = cloudpickle.Pickler(io.BytesIO())
        pickler.__dict__["_lazyimp_cp"] = cp
        # Add cloudpickle's reducers (code objects, cells, mappingproxies...) to this
        # pickler's own dispatch table, under ForkingPickler's: the C pickler reads
        # the dict it was given at __init__, so mutating it works mid-dump.
        table = getattr(pickler, "dispatch_table", None)
        if isinstance(table, dict):
            for key, reducer in _cloudpickle_table().items():
                table.setdefault(key, reducer)
    if root_name is not None:
        _register_by_value(root_name)
    return cp.reducer_override(obj)


def _cloudpickle_table() -> dict[Any, Any]:
    global _cp_table
    if _cp_table is None:
        import cloudpickle

        _cp_table = dict(cloudpickle.Pickler.dispatch_table)
    return _cp_table


def _register_by_value(name: str) -> None:
    # cloudpickle's registry is a process-wide set of names; remember what we added.
    if name in _cp_registered:
        return
    import cloudpickle

    module = sys.modules.get(name)
    if module is None or name in cloudpickle.list_registry_pickle_by_value():
        return
    with _LOCK:
        cloudpickle.register_pickle_by_value(module)
        _cp_registered.add(name)


def _unregister_by_value(names: Iterable[str]) -> None:
    import cloudpickle

    for name in list(names):
        if name in cloudpickle.list_registry_pickle_by_value():
            # A module that left sys.modules: unregister only reads __name__.
            cloudpickle.unregister_pickle_by_value(sys.modules.get(name) or ModuleType(name))
        _cp_registered.discard(name)


def _module_reduce(obj: Any) -> Any:
    # A module travels as a reference in both modes (cloudpickle would ship the whole
    # __dict__ of a registered module, and for a lazy proxy reading it would execute
    # the module).  On a lazyimp proxy __spec__ is answered without executing it.
    try:
        from lazyimp._proxy import is_lazy
    except ImportError:  # the lazy-import core is not there: no proxies either
        lazy = False
    else:
        lazy = is_lazy(obj)
    spec = obj.__spec__ if lazy else None
    name = spec.name if spec is not None else obj.__name__
    root_name = name.partition(".")[0]
    root = _roots._ROOTS.get(root_name)
    if root is not None:
        return _make_module_pathref, (root_name, root, name)
    return importlib.import_module, (name,)


# --- path mode without a per-object hook: ForkingPickler.dumps -----------------------
#
# A Python-level reducer_override costs one call per non-builtin object (1.2x plain on
# instance-heavy messages even when it returns at once).  Path mode needs no hook for
# most messages: plain pickle writes a package's functions and classes as (module,
# qualname), which the receiver imports by name once its finder knows the directory.
# So dumps() pickles without the hook, notes which registered packages the message
# names, and puts one registration call per such package in front of it (the roots
# prefix); a message naming none is byte for byte what plain pickle writes.  What plain
# pickle cannot name (a package's lambdas, local functions and classes) makes the
# attempt raise, and the message is pickled again with the hook.  ForkingPicklers
# made elsewhere (reduction.dump, torch's ConnectionWrapper) keep the hook: their file
# is not ours to prefix or rewind.

_tls = threading.local()  # .found: the set of root names the current dumps() names


def _noting_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    # The C pickler imports the module of each global it writes (save_global ->
    # PyImport_Import: once per distinct function or class per message) through the
    # __import__ of the calling frame's builtins: _dump_noting's, i.e. _NOTING_NS's.
    # C reducers that import per object (numpy arrays) come here too: keep it short.
    root = name.partition(".")[0]
    if root in _roots._ROOTS:
        found = getattr(_tls, "found", None)
        if found is not None:
            found.add(root)
    return builtins.__import__(name, globals, locals, fromlist, level)


_NOTING_NS: dict[str, Any] = {
    "__name__": __name__,
    "__builtins__": {**vars(builtins), "__import__": _noting_import},
}


def _dump_noting(self: Any, obj: Any) -> None:
    # Rebound below to globals whose builtins hold _noting_import.  ``self``: a lazy
    # proxy's reducer finds the active pickler by that local name on the frames.
    self.dump(obj)


_dump_noting = FunctionType(_dump_noting.__code__, _NOTING_NS, "_dump_noting")  # type: ignore[assignment]  # noqa: E501


def _pickled_string(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    if len(data) < 256:
        return b"\x8c" + bytes((len(data),)) + data  # SHORT_BINUNICODE
    return b"X" + len(data).to_bytes(4, "little") + data  # BINUNICODE


# (roots, protocol) -> (prefix, {name: (offset of STACK_GLOBAL, offset of REDUCE)})
_prefix_cache: tuple[Any, bytes, dict[str, tuple[int, int]]] | None = None


def _roots_prefix(protocol: int | None) -> tuple[bytes, dict[str, tuple[int, int]]]:
    # One entry per registered package, _adopt_root(name, root) with its result popped;
    # nothing memoised, so the message's memo indices are unchanged.  An entry the
    # message does not need is switched off in place (STACK_GLOBAL -> TUPLE2, REDUCE ->
    # POP): it then pushes and pops two tuples of strings and imports nothing.
    global _prefix_cache
    key = (tuple(_roots._ROOTS.items()), protocol)
    cached = _prefix_cache
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    proto = pickle.DEFAULT_PROTOCOL if protocol is None else protocol
    if proto < 0:
        proto = pickle.HIGHEST_PROTOCOL
    out = bytearray(bytes((0x80, proto)) if proto >= 2 else b"")  # PROTO
    spots: dict[str, tuple[int, int]] = {}
    adopt = _pickled_string(__name__) + _pickled_string(_adopt_root.__name__)
    for name, root in key[0]:
        out += adopt
        stack_global = len(out)
        out += b"\x93" + _pickled_string(name) + _pickled_string(root) + b"\x86"
        spots[name] = (stack_global, len(out))
        out += b"R0"  # REDUCE, POP
    prefix = bytes(out)
    _prefix_cache = (key, prefix, spots)
    return prefix, spots


def _dumps(cls: Any, obj: Any, protocol: int | None = None) -> Any:
    # Installed as the classmethod ForkingPickler.dumps: every Connection.send, Queue,
    # Pool and ProcessPoolExecutor message comes through here (docs/how-it-works.rst, pickler-internals).
    if _mode != "path" or _next_override is not None or not _roots._ROOTS:
        return _saved_dumps.__func__(cls, obj, protocol)
    prefix, spots = _roots_prefix(protocol)
    outer = getattr(_tls, "found", None)  # a reducer may itself call dumps()
    found: set[str] = set()
    _tls.found = found
    try:
        buf = io.BytesIO()
        buf.write(prefix)
        pickler = cls(buf, protocol)
        pickler.__dict__["_lazyimp_fast"] = True
        table = getattr(pickler, "dispatch_table", None)
        if isinstance(table, dict):
            table[ModuleType] = _module_reduce  # modules travel as references
        try:
            _dump_noting(pickler, obj)
            # Free the memo (and what reducers made for it) now, as stock dumps does.
            del pickler
        except (pickle.PicklingError, TypeError, AttributeError):
            # Something plain pickle cannot name: again, with the hook (reducers run
            # a second time).
            found.clear()
            buf = io.BytesIO()
            buf.write(prefix)
            _dump_noting(cls(buf, protocol), obj)
    finally:
        _tls.found = outer
    view = buf.getbuffer()
    if not found:
        return view[len(prefix) :]
    for name, (stack_global, reduce) in spots.items():
        if name not in found:
            view[stack_global] = 0x86  # TUPLE2
            view[reduce] = 0x30  # POP
    return view


class _HookSlot:
    """``ForkingPickler.reducer_override`` while installed (a non-data descriptor).

    The C pickler looks the hook up once per ``dump()``.  Picklers made by the path
    mode's ``dumps`` answer "no hook" (AttributeError, which the lookup treats as
    absent); every other ForkingPickler gets ``_reducer_override``.
    """

    __slots__ = ()

    def __get__(self, pickler: Any, owner: Any = None) -> Any:
        if pickler is None:
            return _reducer_override
        if pickler.__dict__.get("_lazyimp_fast"):
            raise AttributeError("reducer_override")
        return MethodType(_reducer_override, pickler)


_HOOK_SLOT = _HookSlot()
_DUMPS = classmethod(_dumps)


# --- constructors (run in the receiver) ----------------------------------------------


def _adopt_root(name: str, root: str) -> None:
    """Make ``name`` importable from ``root`` here, as it is in the sender."""
    known = _roots._ROOTS.get(name)
    if known == root:
        return
    if known is not None:
        raise ImportError(
            f"cannot unpickle an object of package {name!r}: the sender imported it from "
            f"{root}, but here it is imported from {known}",
            name=name,
        )
    import os

    if not os.path.isdir(root):
        raise FileNotFoundError(
            f"cannot unpickle an object of package {name!r}: the sender imported it from "
            f"{root}, which does not exist here; send it by value instead "
            f"(install_pickler(mode='value') or lazyimp.ByValue)"
        )
    _roots._register_for_child(name, root)
    _ensure_installed()


def _make_pathref(name: str, root: str, module: str, qualname: str) -> Any:
    """Load a path reference: import ``module`` from ``root`` and walk ``qualname``."""
    if _roots._ROOTS.get(name) != root:
        _adopt_root(name, root)
    target: Any = sys.modules.get(module)
    if target is None:
        target = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _make_module_pathref(name: str, root: str, module: str) -> ModuleType:
    """Load a module reference for a package imported by path."""
    if _roots._ROOTS.get(name) != root:
        _adopt_root(name, root)
    return importlib.import_module(module)


class _Bootstrap:
    """Unpickled first in a new spawn/forkserver child: sets lazyimp up there."""

    __slots__ = ("roots", "mode")

    def __init__(self, roots: dict[str, str], mode: str) -> None:
        self.roots = roots
        self.mode = mode

    def __reduce__(self) -> Any:
        return _make_bootstrap, (self.roots, self.mode)


class _SpawnEnvelope:
    """Wraps the Process object sent to a new child so that the bootstrap loads first.

    Pickle loads a REDUCE's arguments in order and runs each nested REDUCE as soon as
    its own arguments are loaded, so ``_make_bootstrap`` runs in the child before one
    byte of the Process object (its target, its arguments) is unpickled.
    """

    __slots__ = ("process",)

    def __init__(self, process: Any) -> None:
        self.process = process

    def __reduce__(self) -> Any:
        roots = _roots.registered_roots() if _mode == "path" else {}
        return _make_spawned, (_Bootstrap(roots, _mode), self.process)


def _make_bootstrap(roots: dict[str, str], mode: str) -> None:
    for name, root in roots.items():
        try:
            _roots._register_for_child(name, root)
        except ValueError:
            # The child already imported that name from elsewhere.  Failing here would
            # kill the child before it could report anything; a path reference to the
            # package raises a clear ImportError naming both directories instead.
            pass
    install_pickler(mode)


def _make_spawned(bootstrap: None, process: Any) -> Any:
    return process


def _dump(obj: Any, file: Any, protocol: int | None = None) -> None:
    # Replaces multiprocessing.reduction.dump, which popen_spawn_posix,
    # popen_forkserver and popen_spawn_win32 use for exactly two objects: the
    # preparation data and the Process.  Only the Process is wrapped; preparation data
    # is loaded before the child has the parent's sys.path, when lazyimp may not be
    # importable yet.  Still correct if someone wrapped us and we were uninstalled.
    if (
        _installed
        and _process_type is not None
        and isinstance(obj, _process_type)
        and (_roots._ROOTS or _mode == "value")
    ):
        obj = _SpawnEnvelope(obj)
    _saved_dump(obj, file, protocol)


# --- switching it on and off ----------------------------------------------------------


def install_pickler(mode: str = "path") -> None:
    """Make multiprocessing pickle path-imported packages for spawn/forkserver workers.

    ``import_module_from_path`` calls this for you.  Installing is idempotent: a
    second call only changes the mode.  Workers started afterwards install it
    themselves, in the same mode, when they start.

    Args:
        mode: ``"path"`` (default): functions and classes travel as references that
            re-import the package from the same directory in the worker.
            ``"value"``: they travel by value through cloudpickle, for workers that
            cannot see the directory.

    Raises:
        ValueError: ``mode`` is not ``"path"`` or ``"value"``.
    """
    global _installed, _mode, _saved_dump, _saved_override, _saved_dumps, _next_override
    global _process_type
    if mode not in _MODES:
        raise ValueError(f"install_pickler(mode=...) expects 'path' or 'value', got {mode!r}")
    with _LOCK:
        if not _installed:
            from multiprocessing import reduction
            from multiprocessing.process import BaseProcess

            fp = reduction.ForkingPickler
            _process_type = BaseProcess
            _saved_dump = reduction.dump
            _saved_override = fp.__dict__.get("reducer_override", _MISSING)
            _saved_dumps = fp.__dict__["dumps"]
            inherited = getattr(fp, "reducer_override", None)
            _next_override = inherited if callable(inherited) else None
            # setattr: the stubs declare neither as assignable; both are plain
            # attributes (a module function, a class attribute) at run time.
            setattr(reduction, "dump", _dump)  # noqa: B010
            setattr(fp, "reducer_override", _HOOK_SLOT)  # noqa: B010
            setattr(fp, "dumps", _DUMPS)  # noqa: B010
            _installed = True
        if mode == "path" and _mode == "value":
            _unregister_by_value(_cp_registered)
        _mode = mode
        if mode == "value":
            for name in _roots.registered_roots():
                _register_by_value(name)


def _ensure_installed() -> None:
    """Install in the current mode (import_module_from_path, receivers)."""
    install_pickler(_mode)


def uninstall_pickler() -> None:
    """Undo ``install_pickler``: put back exactly what it replaced.

    Restores ``multiprocessing.reduction.dump``, ``ForkingPickler.dumps`` and
    ``ForkingPickler.reducer_override`` (removing the attribute if there was none),
    each only if it is still ours, and unregisters from cloudpickle the
    packages it registered.  If another library wrapped ``reduction.dump`` after us,
    its wrapper stays and ours passes everything through unchanged.  Uninstalling
    when not installed does nothing.  Packages stay imported and importable.
    """
    global _installed, _mode, _saved_dump, _saved_override, _saved_dumps, _next_override
    with _LOCK:
        if not _installed:
            return
        from multiprocessing import reduction

        fp = reduction.ForkingPickler
        if reduction.dump is _dump:
            setattr(reduction, "dump", _saved_dump)  # noqa: B010
        if fp.__dict__.get("dumps") is _DUMPS:
            setattr(fp, "dumps", _saved_dumps)  # noqa: B010
        if fp.__dict__.get("reducer_override") is _HOOK_SLOT:
            if _saved_override is _MISSING:
                delattr(fp, "reducer_override")
            else:
                setattr(fp, "reducer_override", _saved_override)  # noqa: B010
        if _cp_registered:
            _unregister_by_value(_cp_registered)
        _installed = False
        _mode = "path"
        _saved_override = _MISSING
        _saved_dumps = _MISSING
        _next_override = None


def is_pickler_installed() -> bool:
    """True while ``install_pickler`` is in effect."""
    return _installed
