"""Where an import runs: the importing frame, module level or not, inside ``try``.

The finder is called from importlib's frozen code; the first frame outside it is the
one executing the import statement (or calling ``importlib.import_module``).  Its
code object tells whether the import is at module level (SPEC 2.1: only those are
lazy, since only their bindings can be swapped) and whether it sits inside a
``try`` block (SPEC 5.5: feature probes must see the module's own ImportError).

``try`` detection reads the code object: the exception table on 3.11+ (an import
whose innermost handler is a ``with`` block's exit is looked up again from that
handler, so ``try: with x: import y`` is still "in a try"), and the
``SETUP_FINALLY`` block ranges on 3.10.  Results are cached per code object in a
small bounded cache (module code objects are dropped after they run; we must not
keep them alive).
"""

from __future__ import annotations

import sys
from _bisect import bisect_right as _bisect_right

from . import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, FrameType
    from typing import Any


_MACHINERY: set[str] = {"<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>"}
# importlib/__init__.py (import_module) is machinery too; its path is known once
# importlib is imported, which may be after lazyimp.
_IMPORTLIB_INIT = ("importlib/__init__.py", "importlib\\__init__.py")
# track_imports()'s __import__ wrapper is machinery too: the importer is its caller.
# So are the lazy-from __import__ wrapper (it imports on the statement's behalf) and
# the _handle_fromlist wrapper in _sites (importlib's, wrapped).
_WRAPPERS: frozenset[str] = frozenset(
    __file__.rsplit("_frames.py", 1)[0] + name
    for name in ("_tracking.py", "_lazyfrom.py", "_sites.py")
)
_MACHINERY |= _WRAPPERS

_ops: dict[str, int] = {}


def _opmap() -> dict[str, int]:
    if not _ops:
        with _state.eager_scope():
            import opcode
        _ops.update(opcode.opmap)
    return _ops


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
    code = frame.f_code
    if sys.version_info >= (3, 11):
        if not code.co_exceptiontable:  # type: ignore[attr-defined,unused-ignore]
            return False
        return _in_try_311(code, frame.f_lasti)
    return _in_try_310(code, frame.f_lasti)


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
    ops = _opmap()
    push_exc_info = ops["PUSH_EXC_INFO"]
    with_except_start = ops["WITH_EXCEPT_START"]
    raw = code.co_code
    offset = lasti
    for _ in range(64):  # nesting depth bound
        handler = _handler_for(entries, offset)
        if handler is None:
            return False
        if raw[handler] == push_exc_info and raw[handler + 2] == with_except_start:
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
    name, fromlist, level = _statement(frame)
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


def _statement(frame: FrameType) -> tuple[str | None, tuple[str, ...] | None, int]:
    code = frame.f_code
    raw = code.co_code
    lasti = frame.f_lasti
    if lasti < 0 or lasti + 1 >= len(raw):
        return None, None, 0
    ops = _opmap()
    if raw[lasti] != ops["IMPORT_NAME"]:
        return None, None, 0
    name = code.co_names[_arg(raw, lasti, ops) >> _IMPORT_NAME_SHIFT]
    # The fromlist is the constant loaded just before (LOAD_CONST level; LOAD_CONST
    # fromlist; IMPORT_NAME), skipping EXTENDED_ARG and CACHE entries.
    consts: list[Any] = []
    prev = lasti - 2
    skip = (ops.get("EXTENDED_ARG", -1), ops.get("CACHE", -1))
    while prev >= 0 and len(consts) < 2:
        op = raw[prev]
        value = _constant(code, raw, prev, ops)
        if value is not _NO_CONSTANT:
            consts.append(value)
        elif op not in skip:
            break
        prev -= 2
    if len(consts) < 2:
        return name, None, 0
    fromlist, level = consts
    if not isinstance(level, int):
        level = 0
    return name, (fromlist if isinstance(fromlist, tuple) else None), level


# 3.15 (PEP 810): IMPORT_NAME's argument is the name index << 2 | the lazy/eager flags.
_IMPORT_NAME_SHIFT = 2 if sys.version_info >= (3, 15) else 0
_NO_CONSTANT = object()
# 3.15: LOAD_COMMON_CONSTANT's table (None, "", True...), read from opcode once.
_common: list[Any] = []


def _constant(code: CodeType, raw: bytes, offset: int, ops: dict[str, int]) -> Any:
    """The value the constant-loading instruction at ``offset`` pushes, or ``_NO_CONSTANT``.

    LOAD_CONST everywhere; from 3.14 small ints come as LOAD_SMALL_INT (the value is
    the argument) and from 3.15 None as LOAD_COMMON_CONSTANT (an index into a table
    that ``opcode`` publishes).
    """
    op = raw[offset]
    if op == ops["LOAD_CONST"]:
        return code.co_consts[_arg(raw, offset, ops)]
    if op == ops.get("LOAD_SMALL_INT", -1):
        return _arg(raw, offset, ops)
    if op == ops.get("LOAD_COMMON_CONSTANT", -1) and sys.version_info >= (3, 15):
        if not _common:
            with _state.eager_scope():
                import opcode
            _common.extend(opcode._common_constants)  # type: ignore[attr-defined]
        arg = _arg(raw, offset, ops)
        return _common[arg] if arg < len(_common) else _NO_CONSTANT
    return _NO_CONSTANT


def _arg(raw: bytes, offset: int, ops: dict[str, int]) -> int:
    arg = raw[offset + 1]
    shift = 8
    extended = ops["EXTENDED_ARG"]
    prev = offset - 2
    while prev >= 0 and raw[prev] == extended:
        arg |= raw[prev + 1] << shift
        shift += 8
        prev -= 2
    return arg


_STORES = ("STORE_NAME", "STORE_GLOBAL", "STORE_FAST", "STORE_DEREF")


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
    result = _bindings(frame, stmt)
    _last_bindings[:] = [code, lasti, result]
    return result


_last_bindings: list[Any] = [None, -1, None]


def _bindings(
    frame: FrameType, stmt: tuple[str | None, tuple[str, ...] | None] | None
) -> dict[str, str] | None:
    name, fromlist = statement(frame) if stmt is None else stmt
    if name is None:
        return None
    code = frame.f_code
    raw = code.co_code
    ops = _opmap()
    skip = (ops.get("CACHE", -1), ops.get("EXTENDED_ARG", -1))
    stores = {ops[op] for op in _STORES if op in ops}
    import_from = ops["IMPORT_FROM"]
    pos = frame.f_lasti + 2
    out: dict[str, str] = {}
    pending_from: str | None = None
    seen_from = False
    while pos < len(raw):
        op = raw[pos]
        if op in skip:
            pos += 2
            continue
        if op == import_from:
            pending_from = code.co_names[_arg(raw, pos, ops)]
            seen_from = True
        elif op in stores:
            target = _store_name(code, op, _arg(raw, pos, ops), ops)
            if fromlist:
                if pending_from is not None:
                    out[f"{name}.{pending_from}"] = target
                pending_from = None
            else:
                out[name if seen_from else name.partition(".")[0]] = target
                break
        elif not seen_from or (not fromlist and op not in (ops.get("SWAP", -1), ops.get("POP_TOP", -1))):
            break
        elif fromlist and op == ops.get("POP_TOP", -1):
            break
        pos += 2
    return out


def from_binding(frame: FrameType) -> str | None:
    """The name an IMPORT_FROM at the frame's instruction stores its result under.

    None when the frame is not at IMPORT_FROM or the value is not stored directly
    (the intermediate reads of ``import a.b.c as d``).
    """
    code = frame.f_code
    raw = code.co_code
    pos = frame.f_lasti
    ops = _opmap()
    if pos < 0 or pos + 1 >= len(raw) or raw[pos] != ops["IMPORT_FROM"]:
        return None
    skip = (ops.get("CACHE", -1), ops.get("EXTENDED_ARG", -1))
    stores = {ops[op] for op in _STORES if op in ops}
    pos += 2
    while pos < len(raw) and raw[pos] in skip:
        pos += 2
    if pos >= len(raw) or raw[pos] not in stores:
        return None
    return _store_name(code, raw[pos], _arg(raw, pos, ops), ops)


def _store_name(code: CodeType, op: int, arg: int, ops: dict[str, int]) -> str:
    if op == ops.get("STORE_FAST"):
        return str(code.co_varnames[arg])
    if op == ops.get("STORE_DEREF"):
        names = code.co_cellvars + code.co_freevars
        return str(names[arg]) if arg < len(names) else ""
    return str(code.co_names[arg])


# code object -> [co_lines() iterator or None, ranges read so far, calls]; small and
# bounded, like the other caches here: only the code objects of modules being
# imported are asked.
_line_cache: dict[int, tuple[CodeType, Any]] = {}
_AFTER = sys.maxsize


def lineno(frame: FrameType) -> int | None:
    """``frame.f_lineno``, without a quadratic cost for code asked about often.

    ``f_lineno`` walks the code's line table from the start on every call: in C,
    so for the first two calls on a code object it is the cheapest way.  A module
    with many import statements would pay a quadratic cost, so from the third
    call on the table is kept: read once, only as far as the furthest instruction
    asked about (imports sit near the top of most modules), and searched by
    bisection.  One list, one append per range: an interrupt can lose a range
    (that lookup then falls back to ``f_lineno``), never misalign the table.
    """
    code = frame.f_code
    entry = _cached(_line_cache, code)
    if entry is None:
        _store(_line_cache, code, [None, [], 1], 16)
        return frame.f_lineno
    if entry[2] < 2:
        entry[2] += 1
        return frame.f_lineno
    if entry[2] == 2:
        with _state.lock:
            if entry[2] == 2:
                entry[0], entry[2] = code.co_lines(), 3
    lasti = frame.f_lasti
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
    i = _bisect_right(ranges, (lasti, _AFTER)) - 1
    if i >= 0:
        start, end, line = ranges[i]
        if start <= lasti < end and line is not None:
            return int(line)
    return frame.f_lineno
