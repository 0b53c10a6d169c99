"""May this import statement be lazy: one decision for every path that asks.

Three places ask, for the import statement a frame is executing:

- the finder (``_finder``), for a module it found that is not imported yet;
- the cached-import hook (``_sites``), for a module already handed out lazily that
  another statement now imports: if that statement must be eager, the body runs now;
- the lazy from-import wrapper (``_lazyfrom``), for ``from x import y`` (contract C12).

``eager_reason`` answers all three: ``None`` (lazy), or ``(kind, why)`` where kind is
``"scope"`` (where the statement stands), ``"side-effect"`` (the statement exists to
run the module's body) or ``"policy"`` (configuration).  Cheap checks come first; the
code reads (``_reads``) only run for statements that pass them.

The side-effect rule (contract C3.6): an import, made by a module inside a package, of a
module of the same top-level package whose binding the importing module's code never
reads exists to run that module's body (filling a registry: ``import
pandas.core.config_init``, ``from . import events``), so it is eager.  What counts as
the binding: the chain ``a.b.c`` for ``import a.b.c``; the name for ``import a.b.c as
d``, ``from . import x`` and ``from pkg import sub``.  Imports across packages stay lazy
even when unread: an application's unused imports are where laziness saves most, and
code compiled one statement at a time (a REPL, a notebook cell, ``-c``) never shows a
read; side effects across packages are for the built-in defaults and ``bisect``.

Known limits: a read the code does not show (``globals()``, ``getattr``, another
module's ``from m import name``) counts as no read: such imports stay eager.
"""

from __future__ import annotations

import os
import sys

from . import _frames, _reads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

# Tests switch the side-effect rule off to show what it prevents (and that bisect
# finds the same modules): not a user setting.
SIDE_EFFECT_RULE = os.environ.get("_LAZYIMP_TEST_SIDE_EFFECT_RULE", "") != "off"

FROM_IMPORT = "from-import (the module is used at once)"
WITHIN_PACKAGE = "from-import within one package"

FIND = "find"  # the finder: a module not imported yet
CACHED = "cached"  # a statement found the module already handed out lazily
FROM = "from"  # lazy_from: a from-statement whose module may be deferred
# The same on the native engine (PEP 810), where reading the global gives the real
# object: no stand-in exists, so where the names are used does not matter.
NATIVE_FROM = "native-from"


def eager_reason(
    config: Any,
    frame: FrameType | None,
    fullname: str,
    origin: str | None = None,
    mode: str = FIND,
    lazy_from: str | None = None,
    scope_checked: bool = False,
) -> tuple[str, str] | None:
    """Why the import of ``fullname`` by the statement in ``frame`` must be eager.

    Args:
        config: the importer's ``Config`` (policy lists and filter), or None.
        frame: the frame executing the import statement (or calling
            ``importlib.import_module``), None when there is none.
        fullname: the absolute name of the module asked about.
        origin: its file, for ``ignore_paths`` (None when not known).
        mode: ``FIND``, ``CACHED``, ``FROM`` or ``NATIVE_FROM`` (see the module
            docstring).
        lazy_from: the module whose from-statement lazy_from is deferring now, which
            lifts the finder's "a from-import uses its module at once" rule for it.
        scope_checked: the caller has asked ``scope_reason`` already (FIND only).

    Returns:
        None when the import may be lazy, else ``(kind, why)``.
    """
    if not scope_checked:
        if frame is None:
            return "scope", "no importing frame"
        if frame.f_code.co_name != "<module>":
            return "scope", "function or class body"
    assert frame is not None
    namespace = frame.f_globals
    importer: str | None = namespace.get("__name__")
    same_package = importer is not None and fullname.partition(".")[0] == importer.partition(".")[0]
    from_mode = mode == FROM or mode == NATIVE_FROM
    if from_mode and same_package:
        # Inside one package, from-imports knit the package together while its
        # modules run (circular imports, class bases built with type(), names
        # handed to C functions that need the real type).  Checked first: most
        # from-imports are of this kind.
        return "scope", WITHIN_PACKAGE
    if not scope_checked and _frames.in_try_block(frame):
        return "scope", "try block"
    if namespace.get("__lazyimp_eager__") is True:
        return "policy", "__lazyimp_eager__ in the importing module"
    if config is not None and importer is not None:
        why = config.importer_reason(importer)
        if why is not None:
            return "policy", why
    stmt = _frames.statement(frame)
    name, fromlist = stmt
    if name != fullname:
        fromlist = None  # the statement is about another module (a parent or child)
    if mode == FIND and not scope_checked and _used_at_once(stmt, fullname, lazy_from):
        return "scope", FROM_IMPORT
    if same_package and importer is not None:
        if not from_mode and fullname.rpartition(".")[0] == importer and "__path__" in namespace:
            why = _own_submodule(frame, stmt, fullname)
            if why is not None:
                return "scope", why
        if SIDE_EFFECT_RULE and name is not None:
            why = _side_effect(frame, stmt, importer, namespace, fullname)
            if why is not None:
                return "side-effect", why
    if from_mode:
        why = _from_reason(frame, stmt, namespace, fullname, mode == FROM)
        if why is not None:
            return "scope", why
    if config is None:
        return None  # no importer (yet): no policy to apply
    why = config.eager_reason(fullname, origin)
    if why is not None:
        return "policy", why
    if config.filter is not None and not config.filter(importer, fullname, fromlist):
        return "policy", "filter"
    return None


def scope_reason(frame: FrameType | None, fullname: str, lazy_from: str | None = None) -> str | None:
    """Why the finder's import of ``fullname`` by the statement in ``frame`` is eager
    by the statement alone, or None.

    The cheap part of ``eager_reason`` in ``FIND`` mode (no importing frame, a
    function or class body, a ``try`` block, ``from fullname import ...``), which the
    finder asks before it does anything else: most eager imports end here, before any
    finding, record or code read of lazyimp's.
    """
    if frame is None:
        return "no importing frame"
    if frame.f_code.co_name != "<module>":
        return "function or class body"
    if _frames.in_try_block(frame):
        return "try block"
    if _used_at_once(_frames.statement(frame), fullname, lazy_from):
        return FROM_IMPORT
    return None


def declined_reason(
    frame: FrameType | None, fullname: str, declined: tuple[str, Any, int, str] | None
) -> str:
    """Why lazy_from left the from-statement in ``frame`` importing ``fullname`` eager.

    The finder asks when lazy_from is on and the statement is ``from fullname
    import ...``: the reason lazy_from's own decision gave (``declined``, if it is
    about this statement), else "within one package" for a relative or same-package
    statement (the wrapper does not look at those), else ``FROM_IMPORT``.
    """
    if declined is not None and frame is not None:
        name, code, lasti, why = declined
        if name == fullname and frame.f_code is code and frame.f_lasti == lasti:
            return why
    importer = frame.f_globals.get("__name__") if frame is not None else None
    if importer is not None and importer.partition(".")[0] == fullname.partition(".")[0]:
        return WITHIN_PACKAGE
    return FROM_IMPORT


def _used_at_once(
    stmt: tuple[str | None, tuple[str, ...] | None], fullname: str, lazy_from: str | None
) -> bool:
    # `from x import y` reads x.y right away: x would run at once anyway (unless
    # lazy_from hands out lazy names for this statement).
    name, fromlist = stmt
    return bool(fromlist) and name == fullname and lazy_from != fullname


def _own_submodule(
    frame: FrameType, stmt: tuple[str | None, tuple[str, ...] | None], fullname: str
) -> str | None:
    # contract C3.5: a package's __init__ importing one of its own submodules stays
    # eager when its body reads the binding while it runs.  Deferred, the submodule
    # would run at that read, partway through the package's own body: trio's
    # fixup_module_metadata(__name__, globals()) walks the package's globals and
    # reads each one's __module__, which runs the deferred submodules, whose bodies
    # add globals to the dictionary being walked (trio then reads lowlevel.__name__,
    # which is how the rule sees it).  Never read: the side-effect rule (C3.6).
    bound = _frames.bindings(frame, stmt) or {}
    chains = binding_chains(stmt, bound, fullname)
    if not chains:
        return "package __init__ importing its own submodule (binding not seen)"
    code = frame.f_code
    for chain in chains:
        if len(chain) == 1:
            read = _reads.read_at_import(code, chain[0])
        else:
            read = chain[1] in _reads.attrs_at_import(code, chain[0])
        if read:
            what = ".".join(chain[:2])
            return f"package __init__ reads its own submodule {what} while it runs"
    return None


def _side_effect(
    frame: FrameType,
    stmt: tuple[str | None, tuple[str, ...] | None],
    importer: str,
    namespace: dict[str, Any],
    fullname: str,
) -> str | None:
    # contract C3.6, for an import within one top-level package: None when the importing
    # module reads what the statement binds, else why it is a side-effect import.
    if "." not in importer and "__path__" not in namespace:
        return None  # a top-level module, not a module inside a package
    bound = _frames.bindings(frame, stmt) or {}
    chains = binding_chains(stmt, bound, fullname)
    if not chains:
        return None
    code = frame.f_code
    for chain in chains:
        if _reads.reads(code, chain):
            return None
    what = " or ".join(".".join(chain) for chain in chains)
    return f"side effect: {importer} imports {stmt[0]} and never reads {what}"


def binding_chains(
    stmt: tuple[str | None, tuple[str, ...] | None], bound: dict[str, str], fullname: str
) -> list[tuple[str, ...]] | None:
    """What reading the binding of ``fullname`` by this statement looks like in code.

    The chain ``a.b.c`` for ``import a.b.c`` (and its parents); the name for ``import
    a.b.c as d``, ``from . import x`` and ``from pkg import sub``; the names bound for
    ``from pkg.mod import a, b`` (any one read counts).  None when the statement
    does not bind ``fullname`` where code can see it.
    """
    name, fromlist = stmt
    if name is None:
        return None
    if fromlist:
        key = bound.get(fullname)
        if key is not None:
            return [(key,)]  # from . import x, from pkg import sub as x
        if fullname == name or name.startswith(fullname + "."):
            # from pkg.mod import a, b (or one of its parents): the names bound
            return [(value,) for value in bound.values()] or None
        return None
    if fullname == name or name.startswith(fullname + "."):
        alias = bound.get(name)
        if alias is not None:
            return [(alias,)]  # import a.b.c as d
        root = bound.get(name.partition(".")[0])
        if root is None:
            return None  # bound where we cannot see (not a plain store)
        return [(root, *name.split(".")[1:])]  # import a.b.c
    return None


def _from_reason(
    frame: FrameType,
    stmt: tuple[str | None, tuple[str, ...] | None],
    namespace: dict[str, Any],
    fullname: str,
    stand_ins: bool = True,
) -> str | None:
    # lazy_from only (contract C12.3, C3.6): reasons a from-statement across packages stays
    # eager.  None when the names may be stood in for (stand_ins: the proxy engine's
    # stand-in objects; PEP 810 binds none).
    bound = _frames.bindings(frame, stmt) or {}
    code = frame.f_code
    if stand_ins and _reads.any_unsafe(code, bound.values()):
        return "a name used where a stand-in cannot serve (except, case, super, is, or while the module runs)"
    # Running `from P.x import y` may set other submodules on package P as a side
    # effect (x imports P.base: P.base becomes an attribute of P).  A module that,
    # while it runs, reads P.base through its own `import P` without importing
    # P.base itself depends on that: keep its from-imports from P eager.
    top = fullname.partition(".")[0]
    package = sys.modules.get(top)
    if package is None:
        return None
    # The module's globals bound to the package (`import P`, `import P.x`): the
    # same object as sys.modules[P], proxy or module (identity, never a read that
    # could run anything).
    roots = [key for key, value in namespace.items() if value is package]
    for root in roots:
        for attr in _reads.attrs_at_import(code, root):
            if f"{top}.{attr}" in sys.modules:
                continue
            if _is_submodule(package, f"{top}.{attr}"):
                return f"the module reads {root}.{attr} while it runs, which importing {fullname} may set"
    return None


def _is_submodule(package: Any, full: str) -> bool:
    # Found in the package's own directories, without running the package.
    spec = getattr(package, "__spec__", None)
    path = getattr(spec, "submodule_search_locations", None)
    if not path:
        return False
    from importlib.machinery import PathFinder

    return PathFinder.find_spec(full, list(path)) is not None
