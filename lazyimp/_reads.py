"""What a module's own code reads: global names and attribute chains, from its code objects.

Two decisions read the importing module's code before an import is handed out lazily:
the side-effect rule (``_rule``: does the module ever read what the statement binds?)
and lazy from-imports (contract C12.3: is a name used where a stand-in cannot serve?).  Both
ask where the code loads the global ``NAME`` and what it does next, so both are read
here, from compiled code (never source: ``.pyc``-only modules and zip archives work).

Reading is per name, not per instruction: a module's code objects are listed once,
then for each chain only the code objects whose ``co_names`` hold its parts are
searched, with ``bytes.find`` for the name's load instructions, until the first read.  Answers are cached per module code
object (keyed by id, the object kept to check identity; bounded: module code objects
are dropped after they run, the cache must not keep many alive).

Opcode numbers, instruction sizes and the flag bits that ``LOAD_GLOBAL`` (3.11+)
and ``LOAD_ATTR`` (3.12+) pack beside a name index come from ``_frames``' reading of
the running interpreter (its ``opcode`` module and a function it compiled); 3.10 and
3.11 also have ``LOAD_METHOD``.

Known limits: only reads as written count (``NAME``, ``NAME.a.b``).  A read through
``globals()``, ``getattr(module, "NAME")``, ``__all__`` or another module's ``from m
import NAME`` is not seen: for the side-effect rule such an import counts as unread and
stays eager, which is the safe side.
"""

from __future__ import annotations

from . import _frames

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from types import CodeType
    from typing import Any

_CODE = type((lambda: None).__code__)
# Code objects that run when their parent runs (not when called later).
_RUN_AT_IMPORT = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")
_CO_OPTIMIZED = 0x0001
_CO_NEWLOCALS = 0x0002

# Instructions that may sit between a load and the test without ending it:
# `except (A, B)` builds a tuple, `case A()` loads its keyword names, `A is x`
# loads x, and 3.11+ pads instructions with CACHE entries.
_BETWEEN = (
    "CACHE", "EXTENDED_ARG", "LOAD_CONST", "BUILD_TUPLE", "PUSH_NULL",
    "LOAD_NAME", "LOAD_GLOBAL", "LOAD_FAST", "LOAD_DEREF", "LOAD_CLASSDEREF",
    "LOAD_FAST_CHECK", "LOAD_FAST_BORROW", "LOAD_SMALL_INT", "LOAD_FAST_LOAD_FAST",
    "LOAD_FAST_BORROW_LOAD_FAST_BORROW",
)
_UNSAFE_OPS = (
    "CHECK_EXC_MATCH", "CHECK_EG_MATCH", "JUMP_IF_NOT_EXC_MATCH", "MATCH_CLASS", "IS_OP",
)
# Skipped between `super` and its first argument.
_PADDING = ("CACHE", "EXTENDED_ARG", "PUSH_NULL")


class _Ops:
    """The opcode numbers the readers need, from this interpreter's ``opcode``."""

    def __init__(self, ops: dict[str, int], fmt: _frames._Format) -> None:
        self.fmt = fmt
        self.load_name = ops["LOAD_NAME"]
        self.load_global = ops["LOAD_GLOBAL"]
        self.extended = ops["EXTENDED_ARG"]
        self.load_attr = fmt.load_attr
        self.attrs = frozenset(ops[op] for op in ("LOAD_ATTR", "LOAD_METHOD") if op in ops)
        self.unsafe = frozenset(ops[op] for op in _UNSAFE_OPS if op in ops)
        self.between = frozenset(ops[op] for op in _BETWEEN if op in ops)
        self.padding = frozenset(ops[op] for op in _PADDING if op in ops)
        # CACHE entries after each opcode (3.11+), from opcode's own table: a reader
        # steps over them at once (a CACHE entry left over is stepped over one by one).
        self.cache = ops.get("CACHE", -1)
        self.caches = fmt.caches


_ops: _Ops | None = None


def _opcodes() -> _Ops:
    global _ops
    if _ops is None:
        _ops = _Ops(_frames._opmap(), _frames._format())
    return _ops


class _Module:
    """What is known of one module's code: its code objects and the answers so far."""

    __slots__ = ("flat", "chains", "unsafe", "attrs", "at_import")

    def __init__(self, code: CodeType) -> None:
        # Every code object of the module, with whether it runs while the module
        # body runs (the body itself, class bodies and comprehensions there).
        self.flat = _flatten(code, True, [])
        # chain -> whether some code object reads it: searched once per chain, and
        # the search stops at the first read (most bindings are read).
        self.chains: dict[tuple[str, ...], bool] = {}
        self.unsafe: dict[str, bool] = {}
        self.attrs: dict[str, frozenset[str]] = {}
        self.at_import: dict[str, bool] = {}


# id(module code) -> (code, _Module); bounded.
_cache: dict[int, tuple[CodeType, Any]] = {}


def _module(code: CodeType) -> _Module:
    entry = _frames._cached(_cache, code)
    if entry is None:
        entry = _Module(code)
        _frames._store(_cache, code, entry, 64)
    return entry  # type: ignore[no-any-return]


# isinstance(x, CodeType) as a C function: filter() picks the nested code objects out
# of co_consts without a Python step per constant (code objects cannot be subclassed).
_is_code = _CODE.__instancecheck__


def _flatten(
    code: CodeType, at_import: bool, out: list[tuple[CodeType, bool]]
) -> list[tuple[CodeType, bool]]:
    out.append((code, at_import))
    for const in filter(_is_code, code.co_consts):
        # A class body or a comprehension runs when its parent does; a function
        # body (NEWLOCALS, not a comprehension) does not.
        function = const.co_flags & _CO_NEWLOCALS and const.co_name not in _RUN_AT_IMPORT
        _flatten(const, at_import and not function, out)
    return out


def loads(raw: bytes, index: int) -> Iterator[int]:
    """Offsets of the instructions that load the global ``co_names[index]``."""
    ops = _opcodes()
    extended = ops.extended
    shift = ops.fmt.global_shift
    args = [(ops.load_name, index)]
    args += [(ops.load_global, index << shift | flags) for flags in range(1 << shift)]
    for op, arg in args:
        # The instruction as co_code holds it: EXTENDED_ARG prefixes carry the
        # high bytes of an argument past 255.
        pattern = bytes((op, arg & 0xFF))
        arg >>= 8
        while arg:
            pattern = bytes((extended, arg & 0xFF)) + pattern
            arg >>= 8
        skip = len(pattern) - 2
        pos = raw.find(pattern)
        while pos >= 0:
            # Aligned, and not the low bytes of a larger EXTENDED_ARG argument.
            if not pos & 1 and (pos < 2 or raw[pos - 2] != extended):
                yield pos + skip
            pos = raw.find(pattern, pos + 1)


def _next(raw: bytes, pos: int, ops: _Ops) -> tuple[int, int, int]:
    """The instruction after the one at ``pos``: (offset, opcode, full argument)."""
    return ops.fmt.next(raw, pos)


def _attr_index(op: int, arg: int, ops: _Ops) -> int:
    if op == ops.load_attr:
        return arg >> ops.fmt.attr_shift
    return arg >> ops.fmt.method_shift


def reads(code: CodeType, chain: tuple[str, ...]) -> bool:
    """True if any code object of the module reads ``chain`` (``NAME.a.b``) as written.

    ``code`` is the module's code object; functions, classes, lambdas and
    comprehensions nested in it count, whenever they run.  A longer read counts
    (``NAME.a.b.c`` reads ``NAME.a.b``).
    """
    module = _module(code)
    known = module.chains.get(chain)
    if known is None:
        known = module.chains[chain] = _reads(module.flat, chain)
    return known


def _reads(flat: list[tuple[CodeType, bool]], chain: tuple[str, ...]) -> bool:
    # Does a code object load the global chain[0] and read chain[1:] off it?  Only
    # code objects whose co_names hold every part are searched (a C scan of a
    # tuple each); the walk after each load is inlined.
    ops = _opcodes()
    attrs, cache, extended, caches = ops.attrs, ops.cache, ops.extended, ops.caches
    head = chain[0]
    rest = chain[1:]
    for code, _ in flat:
        names = code.co_names
        if head not in names:
            continue
        if rest and not all(part in names for part in rest):
            continue
        raw = code.co_code
        size = len(raw)
        for pos in loads(raw, names.index(head)):
            if not rest:
                return True
            depth = 0
            pos += 2 + 2 * caches[raw[pos]]
            arg = 0
            while pos < size:
                op = raw[pos]
                if op == cache:
                    pos += 2
                    continue
                if op == extended:
                    arg = (arg | raw[pos + 1]) << 8
                    pos += 2
                    continue
                if op not in attrs:
                    break
                index = _attr_index(op, arg | raw[pos + 1], ops)
                if index >= len(names) or names[index] != rest[depth]:
                    break
                depth += 1
                if depth == len(rest):
                    return True
                pos += 2 + 2 * caches[op]
                arg = 0
    return False


def attrs_at_import(code: CodeType, name: str) -> frozenset[str]:
    """The attributes read as ``NAME.attr`` by the code that runs while the module does.

    The module body, its class bodies and comprehensions; not function bodies.
    """
    module = _module(code)
    known = module.attrs.get(name)
    if known is None:
        ops = _opcodes()
        found: set[str] = set()
        for sub, at_import in module.flat:
            names = sub.co_names
            if not at_import or name not in names:
                continue
            raw = sub.co_code
            for pos in loads(raw, names.index(name)):
                _, op, arg = _next(raw, pos, ops)
                if op in ops.attrs:
                    index = _attr_index(op, arg, ops)
                    if index < len(names):
                        found.add(names[index])
        known = module.attrs[name] = frozenset(found)
    return known


def read_at_import(code: CodeType, name: str) -> bool:
    """True if the code that runs while the module does loads the global ``name``.

    The module body, its class bodies and comprehensions; not function bodies.
    """
    module = _module(code)
    known = module.at_import.get(name)
    if known is None:
        known = module.at_import[name] = any(
            at_import
            and name in sub.co_names
            and next(loads(sub.co_code, sub.co_names.index(name)), None) is not None
            for sub, at_import in module.flat
        )
    return known


def any_unsafe(code: CodeType, names: Iterable[str]) -> bool:
    """True if the module code uses one of ``names`` where a stand-in cannot serve.

    That is in ``except NAME``, ``case NAME(...)``, ``super(NAME, ...)`` or an
    ``is``/``is not`` operand, anywhere in the module's code objects; or at all
    while the module body runs (module level, class bodies, comprehensions there).
    Only global loads count (a local or an attribute of the same name is another
    variable).
    """
    module = _module(code)
    known = module.unsafe
    for name in names:
        unsafe = known.get(name)
        if unsafe is None:
            unsafe = known[name] = _unsafe(module.flat, name)
        if unsafe:
            return True
    return False


def _unsafe(flat: list[tuple[CodeType, bool]], name: str) -> bool:
    ops = _opcodes()
    for code, at_import in flat:
        names = code.co_names
        if name not in names:
            continue
        raw = code.co_code
        found = list(loads(raw, names.index(name)))
        if not found:
            continue
        if at_import:
            return True  # resolved during the import anyway (see _lazyfrom's doc)
        for pos in found:
            if _ends_in(raw, pos + 2, ops):
                return True  # except NAME, case NAME(), NAME is x, x is NAME
        if "super" in names:
            for pos in loads(raw, names.index("super")):
                after = pos + 2
                while after < len(raw) and raw[after] in ops.padding:
                    after += 2
                if after in found:
                    return True  # super(NAME, self)
    return False


def _ends_in(raw: bytes, pos: int, ops: _Ops) -> bool:
    # Does the run of loads that starts here end in one of the unsafe tests?
    size = len(raw)
    while pos < size:
        op = raw[pos]
        if op in ops.unsafe:
            return True
        if op not in ops.between:
            return False
        pos += 2
    return False
