"""lazyimp's bytecode readers agree with ``dis`` on the whole standard library (contract C2.1, C5.2, C3.2, C3.6, C12.3).

lazyimp reads bytecode to find an import statement (its module, level and fromlist,
and the names it binds), whether it sits in a ``try`` block, and what a module's code
reads (global names and the attribute chains after them).  Bytecode changes with
every release, so every code object of every ``.py`` file of the running
interpreter's standard library is read by lazyimp and by the interpreter's own
``dis`` (and, for what a statement imports and binds, by ``ast``), and any
difference fails:

- every IMPORT_NAME: its offset, the module name as written, level and fromlist
  (``_frames.statement_at``) and the names it stores (``_frames.stored``), against
  ``dis`` and against the statement in the source;
- every IMPORT_FROM: the name its value is stored under (``_frames.from_binding_at``);
- every exception table (3.11+), and try detection (``_frames.in_try_at``) at every
  instruction against ``dis``'s exception table (3.10: SETUP_FINALLY's targets),
  with ``with``-block exit handlers and the 3.12+ generator wrapper treated as
  lazyimp treats them;
- every global load (LOAD_NAME, LOAD_GLOBAL): its offset (``_reads.loads``) and the
  attribute chain after it; per module, ``_reads.reads`` (every chain read, and
  chains not read), ``attrs_at_import`` and ``any_unsafe`` for every global name.

The code objects come from the ``.pyc`` this interpreter wrote for a file when it is
up to date (the same compiler, and much faster), else from ``compile``.  Files that
do not compile on this version (test data written to fail, Python 2 samples) are
skipped and counted; ``test_the_walk_covers_the_whole_standard_library`` asserts
that they are few.  The files are dealt into shards so that ``pytest -n`` spreads
them; ``python tests/test_bytecode_crosscheck.py`` runs every shard in one process
and prints the coverage.
"""

from __future__ import annotations

import ast
import dis
import functools
import importlib.util
import inspect
import marshal
import os
import sys
import sysconfig
import time
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lazyimp import _frames, _reads

STDLIB = Path(sysconfig.get_paths()["stdlib"])
# Third-party packages live below the stdlib directory on some layouts.
NOT_STDLIB = {"site-packages", "dist-packages", "__pycache__"}
SHARDS = 8
# Files that do not compile: the test suite's deliberately broken samples and
# lib2to3's Python 2 grammar data (17 on 3.10-3.12 where the tests ship, none in
# Debian's 3.14, which ships them apart).
MAX_SKIPPED = 20

GLOBAL_LOADS = ("LOAD_NAME", "LOAD_GLOBAL")
ATTR_LOADS = ("LOAD_ATTR", "LOAD_METHOD")
LEVEL_LOADS = ("LOAD_CONST", "LOAD_SMALL_INT")
# A dis-level walk never sees these (hidden, or folded into the argument).
NOT_INSTRUCTIONS = ("CACHE", "EXTENDED_ARG")


@functools.cache
def stdlib_files() -> tuple[Path, ...]:
    """Every regular ``.py`` file below the stdlib directory, sorted."""
    found = []
    for folder, dirs, files in os.walk(STDLIB):
        dirs[:] = sorted(d for d in dirs if d not in NOT_STDLIB)
        for name in sorted(files):
            path = Path(folder, name)
            if name.endswith(".py") and path.is_file():  # not a dangling link
                found.append(path)
    return tuple(found)


def _from_pyc(path: Path, source: bytes) -> types.CodeType | None:
    # The cached bytecode, if this interpreter wrote it for this very source.
    try:
        data = Path(importlib.util.cache_from_source(str(path))).read_bytes()
    except OSError:
        return None
    if data[:4] != importlib.util.MAGIC_NUMBER:
        return None
    flags = int.from_bytes(data[4:8], "little")
    if flags & 1:  # hash-based
        if data[8:16] != importlib.util.source_hash(source):
            return None
    else:
        st = path.stat()
        mtime = int.from_bytes(data[8:12], "little")
        size = int.from_bytes(data[12:16], "little")
        if mtime != int(st.st_mtime) & 0xFFFFFFFF or size != st.st_size & 0xFFFFFFFF:
            return None
    code = marshal.loads(data[16:])
    return code if isinstance(code, types.CodeType) else None


def load(path: Path) -> tuple[types.CodeType | None, bytes]:
    """The module code object of ``path`` (None if it does not compile) and its source."""
    source = path.read_bytes()
    code = _from_pyc(path, source)
    if code is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                code = compile(source, str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                return None, source
    return code, source


def flatten(code: types.CodeType, at_import: bool = True) -> Iterator[tuple[types.CodeType, bool]]:
    """Each code object with whether it runs while the module body runs."""
    yield code, at_import
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            function = bool(const.co_flags & inspect.CO_NEWLOCALS) and const.co_name not in (
                "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>",
            )
            yield from flatten(const, at_import and not function)


# -- what the source says an import statement imports and binds ----------------------


def _mangle(cls: str | None, name: str) -> str:
    # The compiler's private-name mangling inside a class (Python/compile.c).
    if cls is None or not name.startswith("__") or name.endswith("__") or "." in name:
        return name
    stripped = cls.lstrip("_")
    return f"_{stripped}{name}" if stripped else name


Key = tuple[int, str, int, "tuple[str, ...] | None"]


def source_imports(source: bytes) -> dict[Key, set[frozenset[tuple[str, str]]]]:
    """(line, module as written, level, fromlist) -> the bindings each such statement makes.

    Keys as ``_frames.stored`` builds them from the statement as written: ``import
    a.b.c`` stores ``a`` under key ``a``; ``import a.b.c as d`` stores ``d`` under
    ``a.b.c``; ``from p import q as r`` stores ``r`` under ``p.q``.
    """
    out: dict[Key, set[frozenset[tuple[str, str]]]] = {}

    def visit(node: ast.AST, cls: str | None) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                # Some versions mangle the module name of `import __x` in a class
                # too (3.11 imports `_C__x`): whichever this one does.
                for module in {alias.name, _mangle(cls, alias.name)}:
                    top = module.partition(".")[0]
                    key, target = (module, alias.asname) if alias.asname else (top, top)
                    bound = frozenset({(key, _mangle(cls, target))})
                    out.setdefault((node.lineno, module, 0, None), set()).add(bound)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = tuple(alias.name for alias in node.names)
            bound = frozenset(
                (f"{module}.{alias.name}", _mangle(cls, alias.asname or alias.name))
                for alias in node.names
                if alias.name != "*"
            )
            out.setdefault((node.lineno, module, node.level or 0, names), set()).add(bound)
        # Import statements sit in statement lists only: expressions need no walk.
        inner = node.name if isinstance(node, ast.ClassDef) else cls
        for field in BLOCKS:
            for child in getattr(node, field, ()):
                visit(child, inner)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in old test data
        tree = ast.parse(source)
    visit(tree, None)
    return out


# The fields that hold statement lists (or handlers and match cases holding them).
BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


# -- what dis says ---------------------------------------------------------------------


class Dis:
    """One code object as ``dis`` reads it: the instructions, by position and offset."""

    def __init__(self, code: types.CodeType) -> None:
        self.code = code
        self.real = [i for i in dis.get_instructions(code) if i.opname not in NOT_INSTRUCTIONS]
        self.index = {ins.offset: k for k, ins in enumerate(self.real)}
        self.handlers = (
            [(e.start, e.end, e.target) for e in dis.Bytecode(code).exception_entries]
            if sys.version_info >= (3, 11)
            else []
        )

    def after(self, k: int) -> dis.Instruction | None:
        return self.real[k + 1] if k + 1 < len(self.real) else None

    def stored(self, k: int) -> str | None:
        # The name the instruction at k stores, if it is a store (3.13's
        # STORE_FAST_LOAD_FAST names two variables: the first is stored).
        ins = self.real[k]
        if not ins.opname.startswith("STORE_") or ins.opname in ("STORE_ATTR", "STORE_SUBSCR", "STORE_SLICE"):
            return None
        value = ins.argval
        return str(value[0] if isinstance(value, tuple) else value)

    def chain(self, k: int) -> list[str]:
        # The attributes read right after the instruction at k.
        found = []
        for ins in self.real[k + 1 :]:
            if ins.opname not in ATTR_LOADS:
                break
            found.append(ins.argval)
        return found


def dis_statement(d: Dis, k: int) -> tuple[str, tuple[str, ...] | None, int]:
    """IMPORT_NAME's module, fromlist and level: the two constants loaded before it."""
    ins = d.real[k]
    fromlist: Any = None
    level: Any = 0
    if k >= 2 and d.real[k - 1].opname == "LOAD_CONST" and d.real[k - 2].opname in LEVEL_LOADS:
        fromlist, level = d.real[k - 1].argval, d.real[k - 2].argval
    return ins.argval, (fromlist if isinstance(fromlist, tuple) else None), level


def dis_stored(d: Dis, k: int, name: str, fromlist: tuple[str, ...] | None) -> dict[str, str]:
    """What the statement at IMPORT_NAME k stores, walking dis's instructions."""
    out: dict[str, str] = {}
    k += 1
    if fromlist:
        while k < len(d.real) and d.real[k].opname == "IMPORT_FROM":
            target = d.stored(k + 1) if k + 1 < len(d.real) else None
            if target is None:
                break
            out[f"{name}.{d.real[k].argval}"] = target
            k += 2
        return out
    dotted = False
    while k < len(d.real) and d.real[k].opname == "IMPORT_FROM":
        dotted = True
        k += 1
        if k < len(d.real) and d.real[k].opname in ("ROT_TWO", "SWAP"):
            if k + 1 >= len(d.real) or d.real[k + 1].opname != "POP_TOP":
                return out
            k += 2
    target = d.stored(k) if k < len(d.real) else None
    if target is not None:
        out[name if dotted else name.partition(".")[0]] = target
    return out


def dis_in_try(d: Dis) -> dict[int, bool]:
    """Try detection at every instruction, from dis's view of the handlers."""
    if sys.version_info < (3, 11):
        # 3.10: a SETUP_FINALLY block runs from the instruction to its handler.
        ranges = [(i.offset, i.argval) for i in d.real if i.opname == "SETUP_FINALLY"]
        return {i.offset: any(s < i.offset < e for s, e in ranges) for i in d.real}
    if not d.handlers:
        return {i.offset: False for i in d.real}
    handler_at: dict[int, int] = {}
    for start, end, target in d.handlers:
        for offset in range(start, end, 2):
            handler_at.setdefault(offset, target)

    def in_try(offset: int) -> bool:
        for _ in range(64):
            target = handler_at.get(offset)
            if target is None:
                return False
            k = d.index[target]
            first, second = d.real[k], d.after(k)
            if first.opname == "CALL_INTRINSIC_1" and first.argrepr == "INTRINSIC_STOPITERATION_ERROR":
                return False
            if first.opname == "PUSH_EXC_INFO" and second is not None and second.opname == "WITH_EXCEPT_START":
                cleanup = handler_at.get(target)
                if cleanup is None:
                    return False
                offset = cleanup
                continue
            return True
        return True

    return {i.offset: in_try(i.offset) for i in d.real}


# -- the comparison --------------------------------------------------------------------


class Tally:
    """What a walk covered, and every difference it found."""

    def __init__(self) -> None:
        self.files = self.skipped = self.codes = self.instructions = 0
        self.imports = self.loads = 0
        self.problems: list[str] = []

    def add(self, other: Tally) -> None:
        for name in ("files", "skipped", "codes", "instructions", "imports", "loads"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems

    def problem(self, where: str, what: str, ours: object, theirs: object) -> None:
        self.problems.append(f"{where}: {what}: lazyimp {ours!r}, dis {theirs!r}")


def check_code(
    d: Dis, where: str, expected_imports: dict[Key, set[frozenset[tuple[str, str]]]], tally: Tally
) -> None:
    """Compare lazyimp's readers with dis (and the source) on one code object."""
    code = d.code
    raw = code.co_code
    lines = sorted(code.co_lines())
    tally.codes += 1
    tally.instructions += len(d.real)
    where = f"{where}:{code.co_name}"
    # The exception table and try detection, at every instruction.
    if sys.version_info >= (3, 11):
        ours = _frames._parse_exception_table(code) if code.co_exceptiontable else []
        if ours != d.handlers:
            tally.problem(where, "exception table", ours, d.handlers)
    _frames._try_cache.clear()
    for offset, theirs_try in dis_in_try(d).items():
        ours_try = _frames.in_try_at(code, offset)
        if ours_try != theirs_try:
            tally.problem(f"{where}@{offset}", "in try", ours_try, theirs_try)
    # statement_at answers at an offset whose byte is IMPORT_NAME's opcode: those
    # must be exactly dis's IMPORT_NAME instructions (no CACHE entry, no argument).
    opcode = _frames._format().import_name
    candidates = []
    at = raw.find(opcode)
    while at >= 0:
        if not at & 1:
            candidates.append(at)
        at = raw.find(opcode, at + 1)
    theirs_imports = [i.offset for i in d.real if i.opname == "IMPORT_NAME"]
    if candidates != theirs_imports:
        tally.problem(where, "IMPORT_NAME offsets", candidates, theirs_imports)
    for k, ins in enumerate(d.real):
        if ins.opname != "IMPORT_NAME":
            if ins.opname == "IMPORT_FROM":
                ours_from = _frames.from_binding_at(code, ins.offset)
                after = d.after(k)
                theirs_from = d.stored(k + 1) if after is not None else None
                if ours_from != theirs_from:
                    tally.problem(f"{where}@{ins.offset}", "from binding", ours_from, theirs_from)
            continue
        tally.imports += 1
        statement = _frames.statement_at(code, ins.offset)
        name, fromlist, level = dis_statement(d, k)
        if statement != (name, fromlist, level):
            tally.problem(f"{where}@{ins.offset}", "statement", statement, (name, fromlist, level))
        stored = _frames.stored(code, ins.offset, name, fromlist)
        theirs_stored = dis_stored(d, k, name, fromlist)
        if stored != theirs_stored:
            tally.problem(f"{where}@{ins.offset}", "stored", stored, theirs_stored)
        line = next((ln for start, end, ln in lines if start <= ins.offset < end), None)
        written = expected_imports.get((line or 0, name, level, fromlist))
        if written is None:
            tally.problem(f"{where}@{ins.offset}", "no such statement in the source", (line, name, level, fromlist), None)
        elif frozenset(stored.items()) not in written:
            tally.problem(f"{where}@{ins.offset}", "stored vs source", stored, written)
    # Every global load, and the attribute chain after it.
    ops = _reads._opcodes()
    global_loads: dict[str, list[int]] = {}
    for ins in d.real:
        if ins.opname in GLOBAL_LOADS:
            global_loads.setdefault(ins.argval, []).append(ins.offset)
    for index, gname in enumerate(code.co_names):
        ours_loads = sorted(_reads.loads(raw, index))
        theirs_loads = global_loads.get(gname, [])
        if ours_loads != theirs_loads:
            tally.problem(where, f"loads of {gname}", ours_loads, theirs_loads)
            continue
        tally.loads += len(ours_loads)
        for offset in ours_loads:
            ours_chain = []
            pos = offset
            while True:
                pos, op, arg = _reads._next(raw, pos, ops)
                if op not in ops.attrs:
                    break
                at = _reads._attr_index(op, arg, ops)
                names = code.co_names
                ours_chain.append(names[at] if at < len(names) else f"<name {at}>")
            theirs_chain = d.chain(d.index[offset])
            if ours_chain != theirs_chain:
                tally.problem(f"{where}@{offset}", f"chain after {gname}", ours_chain, theirs_chain)


def check_module(module: types.CodeType, dises: dict[types.CodeType, Dis], where: str, tally: Tally) -> None:
    """The per-module answers: reads, attrs_at_import, any_unsafe, for every global name."""
    flat = list(flatten(module))
    chains: set[tuple[str, ...]] = set()
    at_import: dict[str, set[str]] = {}
    unsafe: dict[str, bool] = {}
    between = set(_reads._BETWEEN) - set(NOT_INSTRUCTIONS)
    for code, runs_at_import in flat:
        d = dises[code]
        loads: dict[str, set[int]] = {}
        for k, ins in enumerate(d.real):
            if ins.opname not in GLOBAL_LOADS:
                continue
            name = ins.argval
            loads.setdefault(name, set()).add(k)
            chain = d.chain(k)
            for j in range(len(chain) + 1):
                chains.add((name, *chain[:j]))
            found = at_import.setdefault(name, set())
            if runs_at_import and chain:
                found.add(chain[0])
            # except NAME, case NAME(), NAME is x: a run of loads ending in the test.
            hit = runs_at_import
            for later in d.real[k + 1 :]:
                if later.opname in _reads._UNSAFE_OPS:
                    hit = True
                if later.opname not in between:
                    break
            unsafe[name] = unsafe.get(name, False) or hit
        for k in loads.get("super", ()):
            nxt = k + 1
            while nxt < len(d.real) and d.real[nxt].opname == "PUSH_NULL":
                nxt += 1
            if nxt < len(d.real) and d.real[nxt].opname in GLOBAL_LOADS:
                unsafe[d.real[nxt].argval] = True  # super(NAME, ...)
    for name, attrs in sorted(at_import.items()):
        ours = _reads.attrs_at_import(module, name)
        if ours != attrs:
            tally.problem(where, f"attrs_at_import({name})", sorted(ours), sorted(attrs))
        if _reads.any_unsafe(module, [name]) != unsafe[name]:
            tally.problem(where, f"any_unsafe({name})", not unsafe[name], unsafe[name])
    for chain in sorted(chains):
        if not _reads.reads(module, chain):
            tally.problem(where, f"reads{chain}", False, True)
    # Chains not read: each read prefix with attributes read elsewhere in the module.
    attrs = sorted({chain[-1] for chain in chains if len(chain) > 1})
    probes = 0
    for chain in sorted(chains):
        for attr in attrs[:3] + attrs[-3:]:
            longer = (*chain, attr)
            if longer not in chains and probes < 300:
                probes += 1
                if _reads.reads(module, longer):
                    tally.problem(where, f"reads{longer}", True, False)


def check_file(path: Path) -> Tally:
    """Every reader on every code object of one file."""
    tally = Tally()
    code, source = load(path)
    if code is None:
        tally.skipped += 1
        return tally
    tally.files += 1
    where = str(path.relative_to(STDLIB))
    expected = source_imports(source)
    dises = {}
    for sub, _ in flatten(code):
        d = dises[sub] = Dis(sub)
        check_code(d, where, expected, tally)
    check_module(code, dises, where, tally)
    return tally


def check_shard(shard: int) -> Tally:
    tally = Tally()
    for path in stdlib_files()[shard::SHARDS]:
        tally.add(check_file(path))
    return tally


@pytest.mark.parametrize("shard", range(SHARDS))
def test_readers_agree_with_dis_on_the_standard_library(shard: int) -> None:
    """Statement, bindings, try ranges and global reads agree with dis on every stdlib file (contract C2.1, C5.2, C3.2, C3.6, C12.3)."""
    tally = check_shard(shard)
    assert tally.files, "no file of the standard library was read"
    shown = "\n".join(tally.problems[:30])
    assert not tally.problems, f"{len(tally.problems)} differences, the first:\n{shown}"


def test_the_walk_covers_the_whole_standard_library() -> None:
    """Every stdlib .py file is read but for a few that do not compile on this version (contract C2.1)."""
    files = stdlib_files()
    skipped = []
    for path in files:
        source = path.read_bytes()
        if _from_pyc(path, source) is not None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compile(source, str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                skipped.append(str(path.relative_to(STDLIB)))
    assert len(files) > 500, (STDLIB, len(files))
    assert len(skipped) <= MAX_SKIPPED, skipped
    # What does not compile is test data, never a module of the library itself.
    assert all(any("test" in part for part in Path(name).parts) for name in skipped), skipped


def test_the_crosscheck_finds_a_wrong_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that drifts is caught: a wrong LOAD_ATTR flag shift shows as differences (contract C12.3)."""
    code, _ = load(STDLIB / "textwrap.py")
    assert code is not None
    fmt = _frames._format()
    monkeypatch.setattr(fmt, "attr_shift", fmt.attr_shift ^ 1)
    saved = dict(_reads._cache)
    _reads._cache.clear()  # answers read with the right shift
    try:
        tally = check_file(STDLIB / "textwrap.py")
    finally:
        _reads._cache.clear()
        _reads._cache.update(saved)
    assert any("chain after" in problem for problem in tally.problems), tally.problems[:5]


def main() -> None:
    started = time.perf_counter()
    total = Tally()
    for shard in range(SHARDS):
        total.add(check_shard(shard))
    elapsed = time.perf_counter() - started
    print(
        f"Python {sys.version.split()[0]}: {total.files} files ({total.skipped} skipped), "
        f"{total.codes} code objects, {total.instructions} instructions, "
        f"{total.imports} IMPORT_NAME, {total.loads} global loads: "
        f"{len(total.problems)} differences in {elapsed:.1f} s"
    )
    for line in total.problems[:50]:
        print(" ", line)


if __name__ == "__main__":
    main()
