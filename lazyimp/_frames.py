"""Where an import runs: the importing frame, module level or not, inside ``try``.

The finder is called from importlib's frozen code; the first frame outside it is the
one executing the import statement (or calling ``importlib.import_module``).  Its
code object tells whether the import is at module level (contract C2.1: only those are
lazy, since only their bindings can be swapped) and whether it sits inside a
``try`` block (contract C3.2: feature probes must see the module's own ImportError).

``try`` detection reads the code object: the exception table on 3.11+ (an import
whose innermost handler is a ``with`` block's exit is looked up again from that
handler, so ``try: with x: import y`` is still "in a try"), and the
``SETUP_FINALLY`` block ranges on 3.10.  Results are cached per code object in a
small bounded cache (module code objects are dropped after they run; we must not
keep them alive).
"""

from __future__ import annotations

import sys

from . import _opcodes, _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, FrameType
    from typing import Any


# importlib's frozen bootstrap and lazyimp's own wrappers of the import machinery
# (registered in _state by the modules that hold them): the importing frame is the
# first one outside them.
_MACHINERY = _state.machinery
_WRAPPERS = _state.wrappers
# importlib/__init__.py (import_module) is machinery too; its path is known once
# importlib is imported, which may be after lazyimp.
_IMPORTLIB_INIT = ("importlib/__init__.py", "importlib\\__init__.py")

# -- this interpreter's bytecode ------------------------------------------------------
# Opcode numbers, instruction sizes and argument encodings change with every release.
# Numbers, inline cache sizes and the rest come from ``_opcodes`` (a table per released
# interpreter, this interpreter's ``opcode`` module otherwise), and how LOAD_GLOBAL
# and LOAD_ATTR pack a name index with flag bits from a function of ours that this
# interpreter compiled (``_encoding_probe``).  tests/test_bytecode_crosscheck.py
# compares every reader here with ``dis`` over the whole standard library.  Neither
# ``dis`` nor (on a listed interpreter) ``opcode`` is imported: ``dis`` costs more
# than all of lazyimp's start-up.


def _opmap() -> dict[str, int]:
    return _opcodes.facts().opmap


def _encoding_probe() -> Any:
    # Never called.  Its names load in this order: sys, _state, lock, _state,
    # lock, acquire, then _encoding_probe is imported (co_names indexes 0, 1, 2, 1,
    # 2, 3, 4); the arguments its LOAD_GLOBAL, LOAD_ATTR, LOAD_METHOD and
    # IMPORT_NAME carry for them show how far each shifts the index left to make
    # room for flag bits (3.11 added one to LOAD_GLOBAL, 3.12 one to LOAD_ATTR,
    # which took over LOAD_METHOD, 3.15 two to IMPORT_NAME for PEP 810).
    found = sys, _state.lock, _state.lock.acquire()
    import _encoding_probe  # type: ignore[import-not-found]  # noqa: F401

    return found


_PROBE_NAMES = ("sys", "_state", "lock", "_state", "lock", "acquire", "_encoding_probe")

# What the readers store a name in, by kind: a global or class-body name, a fast
# local, a cell, or a fast local packed with another in one argument (3.13's
# STORE_FAST_LOAD_FAST: two 4-bit local indexes, the stored one high).
_NAME, _FAST, _DEREF, _FAST_PAIR = 0, 1, 2, 3
_STORE_KINDS = {
    "STORE_NAME": _NAME, "STORE_GLOBAL": _NAME, "STORE_FAST": _FAST, "STORE_DEREF": _DEREF,
    "STORE_FAST_LOAD_FAST": _FAST_PAIR, "STORE_FAST_STORE_FAST": _FAST_PAIR,
}


class _Format:
    """The opcode numbers, sizes and argument encodings the readers need."""

    def __init__(self, facts: _opcodes.Facts) -> None:
        ops = facts.opmap
        get = ops.get
        self.extended = ops["EXTENDED_ARG"]
        self.import_name = ops["IMPORT_NAME"]
        self.import_from = ops["IMPORT_FROM"]
        self.load_const = ops["LOAD_CONST"]
        self.load_small_int = get("LOAD_SMALL_INT", -1)  # 3.14: the value is the argument
        # 3.15 loads None (and a few others) by an index into a table opcode publishes.
        self.load_common_constant = get("LOAD_COMMON_CONSTANT", -1)
        self.common_constants = facts.common_constants
        self.load_global = ops["LOAD_GLOBAL"]
        self.load_attr = ops["LOAD_ATTR"]
        self.load_method = get("LOAD_METHOD", -1)  # 3.10 and 3.11
        self.pop_top = ops["POP_TOP"]
        self.swaps = frozenset(ops[name] for name in ("ROT_TWO", "SWAP") if name in ops)
        self.stores = {ops[name]: kind for name, kind in _STORE_KINDS.items() if name in ops}
        self.push_exc_info = get("PUSH_EXC_INFO", -1)
        self.with_except_start = get("WITH_EXCEPT_START", -1)
        # 3.12+ wraps a generator's or coroutine's whole body in a handler that turns
        # a StopIteration leaving it into RuntimeError: not a try block.
        self.call_intrinsic_1 = get("CALL_INTRINSIC_1", -1)
        self.stopiteration_error = facts.stopiteration_error
        # Inline CACHE entries (two bytes each) after each opcode, 3.11+.
        self.caches = facts.caches
        self.global_shift = self.attr_shift = self.method_shift = self.import_shift = 0
        shifts = self._shifts()
        self.global_shift, self.attr_shift, self.method_shift, self.import_shift = shifts

    def _shifts(self) -> tuple[int, int, int, int]:
        code = _encoding_probe.__code__
        raw = code.co_code
        names = iter(_PROBE_NAMES)
        ops = (self.load_global, self.load_attr, self.load_method, self.import_name)
        found = dict.fromkeys(ops, 0)
        pos, op, arg = self.first(raw)
        while pos >= 0:
            if op in found:
                index = code.co_names.index(next(names))
                if index:
                    found[op] = arg.bit_length() - index.bit_length()
            pos, op, arg = self.next(raw, pos)
        return found[ops[0]], found[ops[1]], found[ops[2]], found[ops[3]]

    def first(self, raw: bytes) -> tuple[int, int, int]:
        """The first instruction: (offset, opcode, argument), as ``next`` gives."""
        return self._decode(raw, 0)

    def next(self, raw: bytes, pos: int) -> tuple[int, int, int]:
        """The instruction after the one at ``pos``: (offset, opcode, full argument).

        Inline caches are stepped over and EXTENDED_ARG prefixes folded into the
        argument.  Offset -1 past the end.
        """
        return self._decode(raw, pos + 2 + 2 * self.caches[raw[pos]])

    def _decode(self, raw: bytes, pos: int) -> tuple[int, int, int]:
        extended = self.extended
        arg = 0
        end = len(raw)
        while pos < end:
            op = raw[pos]
            if op != extended:
                return pos, op, arg | raw[pos + 1]
            arg = (arg | raw[pos + 1]) << 8
            pos += 2
        return -1, -1, 0


_formats: list[_Format] = []


def _format() -> _Format:
    if not _formats:
        _formats.append(_Format(_opcodes.facts()))
    return _formats[0]


def importer_frame(depth: int = 2) -> FrameType | None:
    """The frame that runs the import statement, skipping importlib's own frames."""
    frame: FrameType | None = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename not in _MACHINERY and not filename.endswith(_IMPORTLIB_INIT):
            break
        frame = frame.f_back
    return frame


# lazyimp's own folder: its frames are never a program's.
LAZYIMP_DIR = __file__.rpartition("_frames.py")[0]


def trigger_frame(depth: int = 2) -> FrameType | None:
    """The first frame outside lazyimp and importlib: the code whose use of a module
    (an attribute read of a proxy, a global read of a PEP 810 lazy object, an eager
    import) made it load."""
    frame: FrameType | None = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(LAZYIMP_DIR) or filename.startswith("<frozen importlib")):
            break
        frame = frame.f_back
    return frame


def statement_frame(depth: int = 2) -> FrameType | None:
    """The frame that runs the import statement, past our ``__import__`` wrappers.

    For code called from inside the import (a proxy's ``__spec__`` read): only the
    wrappers are skipped, not importlib's frames, whose own reads are no statement.
    """
    frame: FrameType | None = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename in _WRAPPERS:
        frame = frame.f_back
    return frame


def is_module_level(frame: FrameType) -> bool:
    """True for a module body (or code run by exec), False in functions and classes."""
    return frame.f_code.co_name == "<module>"


# id(code object) -> (code, analysis); bounded.  Keyed by id, not by the code
# object: hashing a code object hashes all its constants, on every lookup.
_try_cache: dict[int, tuple[CodeType, Any]] = {}


def _cached(cache: dict[int, tuple[CodeType, Any]], code: CodeType) -> Any:
    entry = cache.get(id(code))
    if entry is not None and entry[0] is code:
        return entry[1]
    return None


def _store(cache: dict[int, tuple[CodeType, Any]], code: CodeType, value: Any, limit: int) -> None:
    if len(cache) > limit:
        cache.clear()
    cache[id(code)] = (code, value)


def in_try_block(frame: FrameType) -> bool:
    """True if the frame's current instruction is inside a try/except/finally."""
    return in_try_at(frame.f_code, frame.f_lasti)


def in_try_at(code: CodeType, lasti: int) -> bool:
    """``in_try_block`` for the instruction at ``lasti`` of ``code``."""
    if sys.version_info >= (3, 11):
        if not code.co_exceptiontable:  # type: ignore[attr-defined,unused-ignore]
            return False
        return _in_try_311(code, lasti)
    return _in_try_310(code, lasti)


def _parse_exception_table(code: CodeType) -> list[tuple[int, int, int]]:
    # The varint format of Objects/exception_handling_notes.txt: each entry is
    # start, length, target, depth_and_lasti; 6 bits per byte, 0x40 = more bytes,
    # 0x80 marks the first byte of an entry.  Offsets are in code units (2 bytes).
    table = code.co_exceptiontable  # type: ignore[attr-defined,unused-ignore]
    entries = []
    it = iter(table)

    def varint(first: int) -> int:
        value = first & 63
        while first & 64:
            first = next(it)
            value = (value << 6) | (first & 63)
        return value

    for byte in it:
        start = varint(byte) * 2
        length = varint(next(it)) * 2
        target = varint(next(it)) * 2
        varint(next(it))  # depth and lasti: not needed
        entries.append((start, start + length, target))
    return entries


def _in_try_311(code: CodeType, lasti: int) -> bool:
    entries = _cached(_try_cache, code)
    if entries is None:
        entries = _parse_exception_table(code)
        _store(_try_cache, code, entries, 64)
    fmt = _format()
    raw = code.co_code
    offset = lasti
    for _ in range(64):  # nesting depth bound
        handler = _handler_for(entries, offset)
        if handler is None:
            return False
        op = raw[handler]
        if op == fmt.call_intrinsic_1 and raw[handler + 1] == fmt.stopiteration_error:
            return False  # the generator wrapper (3.12+), outermost by construction
        if op == fmt.push_exc_info and fmt.next(raw, handler)[1] == fmt.with_except_start:
            # A `with` block's exit handler: what encloses the with statement is
            # what encloses its handler's own cleanup.
            cleanup = _handler_for(entries, handler)
            if cleanup is None:
                return False
            offset = cleanup
            continue
        return True
    return True


def _handler_for(entries: list[tuple[int, int, int]], offset: int) -> int | None:
    for start, end, target in entries:
        if start <= offset < end:
            return target
    return None


def _in_try_310(code: CodeType, lasti: int) -> bool:
    ranges = _cached(_try_cache, code)
    if ranges is None:
        ops = _opmap()
        setup_finally = ops["SETUP_FINALLY"]
        extended = ops["EXTENDED_ARG"]
        raw = code.co_code
        found = []
        arg_ext = 0
        for i in range(0, len(raw), 2):
            op, arg = raw[i], raw[i + 1] | arg_ext
            arg_ext = (arg << 8) if op == extended else 0
            if op == setup_finally:
                # 3.10 jump arguments count instructions (2 bytes each).
                found.append((i, i + 2 + arg * 2))
        ranges = found
        _store(_try_cache, code, ranges, 64)
    # lasti on 3.10 is a byte offset of the current instruction.
    return any(start < lasti < end for start, end in ranges)


def statement(frame: FrameType) -> tuple[str | None, tuple[str, ...] | None]:
    """The absolute module name and fromlist of the IMPORT_NAME the frame executes.

    ``(None, None)`` when the frame is not at an import statement (a call to
    ``importlib.import_module`` or ``__import__``).
    """
    code = frame.f_code
    lasti = frame.f_lasti
    if _last_statement[0] is code and _last_statement[1] == lasti:
        return _last_statement[2]  # type: ignore[no-any-return]
    result = _absolute_statement(frame)
    _last_statement[:] = [code, lasti, result]
    return result


# One-entry cache: the finder asks about the same instruction several times per
# statement (for `a`, `a.b`, `a.b.c`, and again for the bound names).
_last_statement: list[Any] = [None, -1, (None, None)]


def _absolute_statement(frame: FrameType) -> tuple[str | None, tuple[str, ...] | None]:
    name, fromlist, level = statement_at(frame.f_code, frame.f_lasti)
    if name is None or not level:
        return name, fromlist
    package = frame.f_globals.get("__package__")
    if package is None:
        module = frame.f_globals.get("__name__") or ""
        package = module if "__path__" in frame.f_globals else module.rpartition(".")[0]
    parts = package.split(".")
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    return (f"{base}.{name}" if name else base), fromlist


def statement_at(code: CodeType, lasti: int) -> tuple[str | None, tuple[str, ...] | None, int]:
    """The module name as written, fromlist and level of the IMPORT_NAME at ``lasti``.

    ``(None, None, 0)`` when the instruction there is not IMPORT_NAME.
    """
    raw = code.co_code
    fmt = _formats[0] if _formats else _format()
    if lasti < 0 or lasti + 1 >= len(raw) or raw[lasti] != fmt.import_name:
        return None, None, 0
    load_const = fmt.load_const
    extended = fmt.extended
    index = raw[lasti + 1]
    start = lasti
    if lasti >= 2 and raw[lasti - 2] == extended:  # a name past the 256th: prefixes
        index = _arg(raw, lasti, fmt)
        start = _before(raw, lasti, fmt) + 2
    if start >= 6 and raw[start - 2] == load_const and raw[start - 4] == load_const:
        if raw[start - 6] != extended:
            # The common form: LOAD_CONST level, LOAD_CONST fromlist, IMPORT_NAME,
            # the constants without EXTENDED_ARG (3.10-3.13; 3.14 loads the level
            # with LOAD_SMALL_INT, which the general path below reads).
            consts = code.co_consts
            fromlist = consts[raw[start - 1]]
            level = consts[raw[start - 3]]
            return (
                code.co_names[index >> fmt.import_shift],
                fromlist if type(fromlist) is tuple else None,
                level if type(level) is int else 0,
            )
    name = code.co_names[_arg(raw, lasti, fmt) >> fmt.import_shift]
    # The compiler loads the level, then the fromlist, right before IMPORT_NAME,
    # with LOAD_CONST (LOAD_SMALL_INT for the level from 3.14, LOAD_COMMON_CONSTANT
    # for a None fromlist from 3.15).  None of them has inline caches, so the
    # instruction before one starts two bytes before its EXTENDED_ARG prefixes.
    fromlist_at = _before(raw, lasti, fmt)
    level_at = _before(raw, fromlist_at, fmt)
    known, fromlist = _constant(code, raw, fromlist_at, fmt)
    if not known:
        return name, None, 0
    known, level = _constant(code, raw, level_at, fmt)
    if not known or not isinstance(level, int):
        level = 0
    return name, (fromlist if isinstance(fromlist, tuple) else None), level


def _before(raw: bytes, pos: int, fmt: _Format) -> int:
    # The offset of the instruction before the one at pos, if it has no caches.
    while pos >= 2 and raw[pos - 2] == fmt.extended:
        pos -= 2
    return pos - 2


def _constant(code: CodeType, raw: bytes, pos: int, fmt: _Format) -> tuple[bool, Any]:
    if pos < 0:
        return False, None
    op = raw[pos]
    if op == fmt.load_const:
        return True, code.co_consts[_arg(raw, pos, fmt)]
    if op == fmt.load_small_int:
        return True, _arg(raw, pos, fmt)
    if op == fmt.load_common_constant:
        arg = _arg(raw, pos, fmt)
        table = fmt.common_constants
        return (True, table[arg]) if arg < len(table) else (False, None)
    return False, None


def _arg(raw: bytes, offset: int, fmt: _Format) -> int:
    # The argument of the instruction at offset, its EXTENDED_ARG prefixes folded in.
    arg = raw[offset + 1]
    shift = 8
    extended = fmt.extended
    prev = offset - 2
    while prev >= 0 and raw[prev] == extended:
        arg |= raw[prev + 1] << shift
        shift += 8
        prev -= 2
    return arg


def bindings(
    frame: FrameType, stmt: tuple[str | None, tuple[str, ...] | None] | None = None
) -> dict[str, str] | None:
    """Which module the import statement at the frame binds under which name.

    ``{absolute module name: bound name}``, read from the instructions after
    IMPORT_NAME: ``import a.b.c`` binds ``a``; ``import a.b.c as d`` binds
    ``a.b.c`` as ``d``; ``from p import q as r`` binds ``p.q`` (if it is a
    submodule) as ``r``.  None when the frame is not at an import statement.
    """
    code = frame.f_code
    lasti = frame.f_lasti
    if _last_bindings[0] is code and _last_bindings[1] == lasti:
        return _last_bindings[2]  # type: ignore[no-any-return]
    name, fromlist = statement(frame) if stmt is None else stmt
    result = None if name is None else stored(code, lasti, name, fromlist)
    _last_bindings[:] = [code, lasti, result]
    return result


_last_bindings: list[Any] = [None, -1, None]


def stored(code: CodeType, lasti: int, name: str, fromlist: tuple[str, ...] | None) -> dict[str, str]:
    """What the import statement whose IMPORT_NAME is at ``lasti`` stores, as ``bindings``.

    ``name`` and ``fromlist`` are the statement's (``name`` absolute or as written:
    the keys are built from it).
    """
    raw = code.co_code
    fmt = _formats[0] if _formats else _format()
    if not fromlist:
        # The common form: `import a` or `import a.b` stored by STORE_NAME or
        # STORE_GLOBAL right after IMPORT_NAME (an argument past 255 would put an
        # EXTENDED_ARG there instead, read below).
        pos = lasti + 2 + 2 * fmt.caches[fmt.import_name]
        if pos + 1 < len(raw) and fmt.stores.get(raw[pos]) == _NAME:
            return {name.partition(".")[0]: code.co_names[raw[pos + 1]]}
    out: dict[str, str] = {}
    pos, op, arg = fmt.next(raw, lasti)
    if fromlist:
        # from p import a, b as c: (IMPORT_FROM a; store) for each name, then
        # POP_TOP; a star import stores nothing here.
        while op == fmt.import_from:
            attr = code.co_names[arg]
            pos, op, arg = fmt.next(raw, pos)
            target = _store_name(code, op, arg, fmt)
            if target is None:
                break
            out[f"{name}.{attr}"] = target
            pos, op, arg = fmt.next(raw, pos)
        return out
    # import a.b.c as d reads each part with IMPORT_FROM and drops the packages
    # between (ROT_TWO on 3.10, SWAP 2 from 3.11; then POP_TOP).
    dotted = False
    while op == fmt.import_from:
        dotted = True
        pos, op, arg = fmt.next(raw, pos)
        if op in fmt.swaps:
            pos, op, arg = fmt.next(raw, pos)
            if op != fmt.pop_top:
                return out
            pos, op, arg = fmt.next(raw, pos)
    target = _store_name(code, op, arg, fmt)
    if target is not None:
        out[name if dotted else name.partition(".")[0]] = target
    return out


def from_binding(frame: FrameType) -> str | None:
    """The name an IMPORT_FROM at the frame's instruction stores its result under.

    None when the frame is not at IMPORT_FROM or the value is not stored directly
    (the intermediate reads of ``import a.b.c as d``).
    """
    return from_binding_at(frame.f_code, frame.f_lasti)


def from_binding_at(code: CodeType, pos: int) -> str | None:
    """``from_binding`` for the instruction at ``pos`` of ``code``."""
    raw = code.co_code
    fmt = _format()
    if pos < 0 or pos + 1 >= len(raw) or raw[pos] != fmt.import_from:
        return None
    _, op, arg = fmt.next(raw, pos)
    return _store_name(code, op, arg, fmt)


def _store_name(code: CodeType, op: int, arg: int, fmt: _Format) -> str | None:
    kind = fmt.stores.get(op)
    if kind is None:
        return None
    if kind == _NAME:
        return str(code.co_names[arg])
    if kind == _FAST_PAIR:
        arg >>= 4
    # 3.11+ numbers locals, cells and free variables in one table; the code object
    # names them (what dis uses).  3.10: locals, then cells and free variables.
    local = getattr(code, "_varname_from_oparg", None)
    if local is not None:
        return str(local(arg))
    if kind == _DEREF:
        names = code.co_cellvars + code.co_freevars
        return str(names[arg]) if arg < len(names) else None
    return str(code.co_varnames[arg])


# code object -> [co_lines() iterator or None, ranges read so far]; small and
# bounded, like the other caches here: the code objects of modules being imported,
# asked in the order their statements run.
_line_cache: dict[int, tuple[CodeType, Any]] = {}
_AFTER = sys.maxsize


# Below this byte offset ``f_lineno`` (a walk of the line table from the start, in C,
# a few thousand instructions at most) is cheaper than any lookup of ours: the import
# statements of most modules sit there.  Past it the finder and the proxies keep
# ``(code, offset)`` and ``line_at`` reads the line when somebody asks.
EARLY = 512


def lineno(frame: FrameType) -> int | None:
    """``frame.f_lineno``, without a quadratic cost for code asked about often."""
    lasti = frame.f_lasti
    if lasti < EARLY:
        return frame.f_lineno
    line = line_at(frame.f_code, lasti)
    return frame.f_lineno if line is None else line


def _load_bisect() -> Any:
    # _bisect is an extension module (about 1M instructions to load): loaded when a
    # line past EARLY is first wanted, which many programs never ask for.
    global _bisect_right
    with _state.eager_scope():  # lazyimp's own imports are never lazy
        from _bisect import bisect_right

    _bisect_right = bisect_right
    return bisect_right


_bisect_right: Any = None


def line_at(code: CodeType, lasti: int) -> int | None:
    """The line of the instruction at byte offset ``lasti`` of ``code`` (None if none).

    ``f_lineno`` walks the code's line table from the start on every call, which
    a module with many import statements pays quadratically.  Here the table is
    read once per code object, only as far as the furthest instruction asked
    about (imports sit near the top of most modules), and searched by bisection.
    The finder and the proxies keep ``(code, offset)`` and ask only when a line
    is wanted (a resolution's import-site frame, the report).  One list, one
    append per range: an interrupt can lose a range, never misalign the table.
    """
    entry = _cached(_line_cache, code)
    if entry is None:
        entry = [code.co_lines(), []]
        _store(_line_cache, code, entry, 16)
    ranges = entry[1]
    if entry[0] is not None and (not ranges or ranges[-1][1] <= lasti):
        with _state.lock:  # one reader of the shared iterator at a time
            lines = entry[0]
            if lines is not None and (not ranges or ranges[-1][1] <= lasti):
                for item in lines:
                    if item[0] < item[1]:
                        ranges.append(item)
                        if item[1] > lasti:
                            break
                else:
                    entry[0] = None  # the whole table is read
    # (start, end, line) tuples sort by start: the last range starting at or
    # before lasti.
    bisect_right = _bisect_right or _load_bisect()
    i = bisect_right(ranges, (lasti, _AFTER)) - 1
    if i >= 0:
        start, end, line = ranges[i]
        if start <= lasti < end and line is not None:
            return int(line)
    return None
