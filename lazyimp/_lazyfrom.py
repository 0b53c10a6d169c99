"""Lazy ``from x import y`` (contract C12): ``install(lazy_from=True)``.

A ``builtins.__import__`` wrapper (it chains to whatever was installed before and is
removed only while it is still on top) sees each ``from x import a, b as c``
statement.  At module level, outside ``try`` blocks and not excluded by the policy,
it imports ``x`` through the core finder *without* a fromlist (so ``x`` is handed out
as an unexecuted proxy) and returns a small object on which the interpreter's
``IMPORT_FROM`` reads each name: a submodule becomes a module proxy as in the core;
anything else becomes a ``LazyName`` that runs ``x`` on its first real use.  When
``x`` runs, for whatever reason, every name bound from it is replaced by the real
object in the namespace that bound it, under the name the statement bound.

Names the importing module's own code uses in ``except`` clauses, ``case`` class
patterns, ``super(...)`` calls or ``is``/``is not`` comparisons cannot be stood in
for by a proxy: a statement binding any of them stays eager (found by reading the
module's code objects once).  So does a statement binding a name the module body
itself uses while it runs (module level, class bodies): it would be resolved during
the import anyway, and that is where a stand-in escapes into places that need the
real object.  From-imports within one top-level package stay eager too.

Known limits: copies taken before resolution (default arguments, containers, class
attributes, dataclass defaults) keep the ``LazyName``, which forwards but is not the
object (``type()`` and ``is`` see the proxy).  A package attribute that shadows a
submodule of the same name is not seen: the submodule is bound.
"""

from __future__ import annotations

import builtins
import sys

from . import _finder, _frames, _proxy, _reads, _rule, _sites, _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_UNSET: Any = object()
_MODULE_TYPE = type(sys)


class _LazyBase:
    """What every stand-in has: its state, attribute access, ``__class__``, repr."""

    # The module is looked up by name, not held: a reference here would count
    # against the proxy's swap-out (each unknown holder sends it to the batched
    # referrer scan).
    __slots__ = ("_lz_name", "_lz_attr", "_lz_where", "_lz_value", "__weakref__")

    def __init__(self, module_name: str, attr: str, where: str) -> None:
        object.__setattr__(self, "_lz_name", module_name)
        object.__setattr__(self, "_lz_attr", attr)
        object.__setattr__(self, "_lz_where", where)
        object.__setattr__(self, "_lz_value", _UNSET)

    def _lz_resolve(self) -> Any:
        value = self._lz_value
        if value is not _UNSET:
            return value
        name = self._lz_name
        module = sys.modules.get(name)
        if module is None:  # removed from sys.modules since: import it again
            __import__(name)
            module = sys.modules[name]
        real = _proxy.resolve(module) if _proxy.is_proxy(module) else module
        value = _value_from(real, name, self._lz_attr, self._lz_where)
        _settle(self, value)
        return value

    # What makes it stand in for the object (contract C12.2).
    def __getattr__(self, name: str) -> Any:
        return getattr(self._lz_resolve(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._lz_resolve(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._lz_resolve(), name)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(lazy, Real) and functools.wraps
        return type(self._lz_resolve())

    @property
    def __doc__(self) -> Any:  # type: ignore[override]
        return self._lz_resolve().__doc__

    @property
    def __module__(self) -> Any:  # type: ignore[override]
        return self._lz_resolve().__module__

    def __repr__(self) -> str:
        if self._lz_value is _UNSET and _proxy.is_lazy(sys.modules.get(self._lz_name)):
            return f"<lazy name {self._lz_attr!r} from {self._lz_name!r} (not loaded yet)>"
        return repr(self._lz_resolve())

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[Any, ...]:
        return (self._lz_resolve(),)

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, self._lz_resolve())

    def __subclasscheck__(self, cls: Any) -> bool:
        return issubclass(cls, self._lz_resolve())

    def __dir__(self) -> list[str]:
        return dir(self._lz_resolve())

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self._lz_resolve().__reduce_ex__(protocol)


class LazyName(_LazyBase):
    """A name taken lazily from a module: the module runs on its first real use.

    Until then its class forwards every special method (operators, containers,
    calls, context managers, awaiting: contract C12.2); once resolved it takes a class
    with exactly those of the object it stands for (``_tailored``).
    """

    __slots__ = ()
    __module__ = _LazyBase.__dict__["__module__"]
    __doc__ = _LazyBase.__dict__["__doc__"]


# Once resolved, a stand-in's class only has the special methods of the object it
# stands for (see _tailored); until then it has them all (contract C12.2).
_set_class = object.__dict__["__class__"].__set__
# The special methods a stand-in forwards: name -> method.  Filled below.
_FORWARDERS: dict[str, Callable[..., Any]] = {}
# type of the resolved object -> the stand-in class with its special methods; bounded.
_tailored_classes: dict[type, type] = {}
# Forwarded whatever the type: bool() must not fall back to a missing __len__, and
# str(), format() and == exist on every object.
_ALWAYS = frozenset({"__bool__", "__str__", "__format__", "__eq__", "__ne__"})


def _tailored(real: type) -> type:
    # ABCs decide by the special methods a type has: isinstance(x, Iterable) is
    # true for any class defining __iter__.  A stand-in with every forwarder would
    # claim to be iterable, callable, hashable... whatever it stands for (SQLAlchemy's
    # to_list(MetaData stand-in) then called list() on it).  An ABC check reads
    # __class__ first, which resolves the stand-in and lands here, before it looks
    # at the instance's type: so the resolved stand-in gets a class with exactly
    # the forwarders its object's type supports, and the check sees the truth.
    cls = _tailored_classes.get(real)
    if cls is None:
        # __module__ and __doc__ stay the base's forwarding properties (type() would
        # otherwise set the class's own: functools.wraps copies them).
        namespace: dict[str, Any] = {
            "__slots__": (),
            "__module__": _LazyBase.__dict__["__module__"],
            "__doc__": _LazyBase.__dict__["__doc__"],
        }
        for name, method in _FORWARDERS.items():
            if name in _ALWAYS or _lookup(real, name) is not None:
                namespace[name] = method
        if _lookup(real, "__hash__") is None:
            namespace["__hash__"] = None  # unhashable, as the object is
        cls = type("LazyName", (_LazyBase,), namespace)
        cls.__qualname__ = "LazyName"
        if len(_tailored_classes) > 512:
            _tailored_classes.clear()
        _tailored_classes[real] = cls
    return cls


def _lookup(cls: type, name: str) -> Any:
    # As the interpreter finds a special method: in the type's MRO, not on the type
    # object (getattr(int, "__call__") is type.__call__, found on the metaclass).
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _settle(lazy: _LazyBase, value: Any) -> None:
    """Give a stand-in its object, and the class that matches the object's type."""
    object.__setattr__(lazy, "_lz_value", value)
    _set_class(lazy, _tailored(type(value)))


def _operator(function: Callable[..., Any], reflected: bool = False) -> Callable[..., Any]:
    if reflected:
        return lambda self, other: function(other, self._lz_resolve())
    return lambda self, *args: function(self._lz_resolve(), *args)


def _special(name: str) -> Callable[..., Any]:
    # Special methods are looked up on the type, as the interpreter does.
    def method(self: _LazyBase, *args: Any, **kwargs: Any) -> Any:
        real = self._lz_resolve()
        return getattr(type(real), name)(real, *args, **kwargs)

    method.__name__ = name
    return method


def _install_forwarders() -> None:
    # Operators, containers, context managers and awaiting go through the type,
    # not __getattr__: forward each to the resolved object (contract C12.2).  Descriptor
    # hooks (__get__, __set_name__, ...) are deliberately absent: a lazy name stored
    # as a class attribute must stay a plain attribute, as the object would be.
    import operator

    plain: dict[str, Callable[..., Any]] = {
        "__str__": str, "__bool__": bool, "__len__": len, "__iter__": iter,
        "__format__": format, "__contains__": lambda real, item: item in real,
        "__getitem__": operator.getitem, "__setitem__": operator.setitem,
        "__delitem__": operator.delitem, "__eq__": operator.eq, "__ne__": operator.ne,
        "__lt__": operator.lt, "__le__": operator.le, "__gt__": operator.gt,
        "__ge__": operator.ge, "__neg__": operator.neg, "__pos__": operator.pos,
        "__abs__": operator.abs, "__invert__": operator.invert,
    }
    for name, function in plain.items():
        _FORWARDERS[name] = _operator(function)
    binary: dict[str, Callable[..., Any]] = {
        "add": operator.add, "sub": operator.sub, "mul": operator.mul,
        "matmul": operator.matmul, "truediv": operator.truediv,
        "floordiv": operator.floordiv, "mod": operator.mod, "divmod": divmod,
        "pow": pow, "lshift": operator.lshift, "rshift": operator.rshift,
        "and": operator.and_, "xor": operator.xor, "or": operator.or_,
    }
    for name, function in binary.items():
        _FORWARDERS[f"__{name}__"] = _operator(function)
        _FORWARDERS[f"__r{name}__"] = _operator(function, reflected=True)
    for name in (
        "__enter__ __exit__ __aenter__ __aexit__ __await__ __aiter__ __anext__ __next__ "
        "__reversed__ __bytes__ __int__ __float__ __complex__ __index__ __round__ __fspath__ "
        "__call__ __hash__"
    ).split():
        _FORWARDERS[name] = _special(name)
    for name, method in _FORWARDERS.items():
        setattr(LazyName, name, method)


_install_forwarders()


def _value_from(real: Any, module_name: str, attr: str, where: str) -> Any:
    # As IMPORT_FROM: the attribute, else a submodule already imported.
    try:
        return getattr(real, attr)
    except AttributeError:
        module = sys.modules.get(f"{module_name}.{attr}")
        if module is not None:
            return module
    origin = getattr(real, "__file__", None) or "unknown location"
    raise ImportError(
        f"cannot import name {attr!r} from {module_name!r} ({origin}); "
        f"imported lazily at {where}",
        name=module_name,
        path=getattr(real, "__file__", None),
    )


class _FromModule:
    """What ``__import__`` returns for a lazy ``from`` statement: IMPORT_FROM reads it.

    Every attribute read is a name of the statement (``from m import module`` must
    work), so the state is read with object's own getattr.
    """

    __slots__ = ("_lzf_module", "_lzf_name", "_lzf_namespace", "_lzf_bound", "_lzf_where")

    def __init__(
        self, module: Any, name: str, namespace: dict[str, Any], bound: dict[str, str], where: str
    ) -> None:
        object.__setattr__(self, "_lzf_module", module)
        object.__setattr__(self, "_lzf_name", name)
        object.__setattr__(self, "_lzf_namespace", namespace)
        object.__setattr__(self, "_lzf_bound", bound)
        object.__setattr__(self, "_lzf_where", where)

    def __getattribute__(self, attr: str) -> Any:
        get = object.__getattribute__
        module, name = get(self, "_lzf_module"), get(self, "_lzf_name")
        full = f"{name}.{attr}"
        alias = get(self, "_lzf_bound").get(full)
        sub = sys.modules.get(full)
        if sub is None and _is_submodule(module, full):
            # A submodule is a module proxy as in the core (contract C12.1).
            sub = _import_submodule(full)
        if sub is not None:
            if alias is not None and _proxy.is_lazy(sub):
                # The statement binds it: a site for its swap, as IMPORT_FROM
                # off an unexecuted package records in the core mode.
                _sites.add_site(
                    _proxy._get(sub, "_self_state").sites, get(self, "_lzf_namespace"), alias
                )
            return sub
        lazy = LazyName(name, attr, get(self, "_lzf_where"))
        if alias is not None:
            _bound_names.setdefault(name, []).append((get(self, "_lzf_namespace"), alias, lazy))
        return lazy


def _is_submodule(package: Any, full: str) -> bool:
    # The spec says whether it is a package without running it (its body could
    # still make itself one, as six does: then names resolve through LazyName).
    spec = getattr(package, "__spec__", None)
    path = getattr(spec, "submodule_search_locations", None)
    if not path:
        return False
    with _state.eager_scope():
        from importlib.machinery import PathFinder

        return PathFinder.find_spec(full, list(path)) is not None


def _import_submodule(full: str) -> Any:
    # `from pkg import sub` deferred: the submodule itself is handed out as the
    # finder hands out any module-level import (the switch is on: we are here).
    module = sys.modules.get(full)
    if module is None:
        _finder.import_statement(full)
        module = sys.modules[full]
    return module


# module name -> [(namespace, bound name, LazyName)] to rewrite when it runs.
_bound_names: dict[str, list[tuple[dict[str, Any], str, LazyName]]] = {}


def on_resolved(name: str, real: Any) -> None:
    """Replace the lazy names taken from ``name`` by the real objects (contract C12.1)."""
    sites = _bound_names.pop(name, None)
    if not sites:
        return
    for namespace, alias, lazy in sites:
        if namespace.get(alias) is not lazy:
            continue
        try:
            value = getattr(real, lazy._lz_attr)
        except AttributeError:
            continue  # the LazyName raises ImportError on use, naming the statement
        namespace[alias] = value
        _settle(lazy, value)


# The statement analysis (contract C12.3) reads the module's code: lazyimp._reads.
any_unsafe = _reads.any_unsafe


# -- the __import__ wrapper ------------------------------------------------------------
# (the wrapper, the function it replaced) while installed.
_installed: tuple[Any, Any] | None = None


def install(importer: Any) -> None:
    """Put the wrapper on top of ``builtins.__import__`` (idempotent).

    ``importer`` is the finder whose switch and configuration the wrapper follows.
    """
    global _installed
    if _installed is not None and builtins.__import__ is _installed[0]:
        return
    original = builtins.__import__

    def __import__(
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
        _modules: Any = sys.modules,
        _module_type: Any = _MODULE_TYPE,
    ) -> Any:
        # Every import statement comes through here, at import time and at run
        # time: the common case (no fromlist, a relative import, a module that
        # already ran) goes straight on without a second Python call.
        if fromlist and not level and type(_modules.get(name)) is not _module_type:
            lazy = _lazy_from(importer, name, globals, fromlist, level, original)
            if lazy is not None:
                return lazy
        return original(name, globals, locals, fromlist, level)

    if on_resolved not in _proxy.resolved_hooks:
        _proxy.resolved_hooks.append(on_resolved)
    builtins.__import__ = __import__
    _installed = (__import__, original)


def uninstall() -> None:
    """Remove the wrapper if it is still on top; proxies and lazy names keep working."""
    global _installed
    if _installed is None:
        return
    ours, original = _installed
    if builtins.__import__ is ours:
        builtins.__import__ = original
    _installed = None


def _lazy_from(
    importer: Any, name: str, globals: Any, fromlist: Any, level: int, original: Callable[..., Any]
) -> Any:
    if level or "*" in fromlist or name == "__future__":
        # A relative import stays inside the importer's package: eager (_rule).
        return None
    existing = sys.modules.get(name)
    if existing is not None and not _proxy.is_lazy(existing):
        return None  # already ran: nothing to defer
    if not globals or _state.eager_depth():
        return None
    switch = _state.switch
    on = switch.get() if switch is not None else None
    if not (importer.globally_on if on is None else on):
        return None
    frame = sys._getframe(2)
    if frame.f_globals is not globals:
        return None  # a call of __import__(), not an import statement
    stmt = _frames.statement(frame)
    absolute = stmt[0]
    if absolute != name:
        return None  # a call of __import__() with a fromlist, not a statement
    reason = _rule.eager_reason(importer.config, frame, absolute, None, _rule.FROM)
    if reason is not None:
        # The one rule (lazyimp._rule): this statement is eager.  The finder
        # records why, if it finds the module (not imported yet).
        importer.lifted.declined = (absolute, frame.f_code, frame.f_lasti, reason[1])
        return None
    bound = _frames.bindings(frame, stmt) or {}
    # Import the module itself without a fromlist: the core finder hands it out
    # unexecuted (the flag lifts its "from-import runs at once" rule for it).
    lifted = importer.lifted
    lifted.name = absolute
    try:
        original(name, globals, None, (), level)
    finally:
        lifted.name = None
    module = sys.modules.get(absolute)
    if module is None or not _proxy.is_lazy(module):
        return None  # eager by kind or policy: the normal path binds the names
    where = f"{frame.f_code.co_filename}:{_frames.lineno(frame)}"
    return _FromModule(module, absolute, frame.f_locals, bound, where)


# The wrapper's frames stand between an import statement and importlib.
_state.add_wrapper(_lazy_from.__code__.co_filename)
