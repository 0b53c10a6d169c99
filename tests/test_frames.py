"""Where an import runs: try-block detection and the import statement (contract C2.1, C3.2).

``lazyimp._frames`` is exercised in-process (it installs nothing): real frames taken
with ``sys._getframe()`` at the right spot of code run by ``exec``, and, for the
3.10 bytecode scan, hand-assembled 3.10-style code with 3.10's opcode numbers.
"""

from __future__ import annotations

import contextlib
import os
import sys
import types
from pathlib import Path

import pytest
from helpers import run_python, write_tree

from lazyimp import _frames, _opcodes

SHAPES = '''
probe("plain")
try:
    probe("try-except")
except ImportError:
    pass
try:
    probe("try-finally")
finally:
    probe("finally-body")
try:
    raise KeyError
except KeyError:
    probe("except-body")
try:
    pass
except ImportError:
    pass
else:
    probe("else-body")
with cm():
    probe("with-alone")
try:
    with cm():
        probe("with-in-try")
except ImportError:
    pass
with cm():
    try:
        probe("try-in-with")
    except ImportError:
        pass
    probe("with-after-try")
try:
    try:
        pass
    finally:
        probe("finally-in-try")
except ImportError:
    pass
match 1:
    case 1:
        probe("match")
for i in range(1):
    probe("loop")
'''

EXPECTED = {
    "plain": False,
    "try-except": True,
    "try-finally": True,
    # The normal-path finally body and the else body are not protected by a handler:
    # an ImportError there escapes the statement anyway, so they may stay lazy.
    "finally-body": False,
    "else-body": False,
    "except-body": True,
    "with-alone": False,
    "with-in-try": True,
    "try-in-with": True,
    "with-after-try": False,
    "finally-in-try": True,
    "match": False,
    "loop": False,
}


# 3.10 has no exception table: try blocks are read from SETUP_FINALLY's ranges
# (start to handler).  The compiler puts the normal-path copy of a finally body
# inside that range, so it counts as in a try (eager: the safe side), and an
# except body without `as` is covered by no SETUP_FINALLY at all.
EXPECTED_310 = {**EXPECTED, "finally-body": True, "except-body": False}


def test_in_try_block_on_real_frames() -> None:
    """try/except, try/finally, except bodies and with-in-try are 'in try'; with alone is not (contract C3.2)."""
    seen: dict[str, bool] = {}

    def probe(tag: str) -> None:
        seen[tag] = _frames.in_try_block(sys._getframe(1))

    code = compile(SHAPES, "<shapes>", "exec")
    exec(code, {"probe": probe, "cm": contextlib.nullcontext})
    assert seen == (EXPECTED if sys.version_info >= (3, 11) else EXPECTED_310)


@pytest.mark.proxy_engine("try-block detection serves the proxy engine; on 3.15 the compiler marks imports in try blocks eager")
def test_in_try_block_in_async_code() -> None:
    """async with alone is not 'in try'; try in a coroutine is (contract C3.2)."""
    import asyncio

    seen: dict[str, bool] = {}

    def probe(tag: str) -> None:
        seen[tag] = _frames.in_try_block(sys._getframe(1))

    async def main() -> None:
        async with contextlib.AsyncExitStack():
            probe("async-with")
        try:
            probe("async-try")
        except ImportError:
            pass

    asyncio.run(main())
    assert seen == {"async-with": False, "async-try": True}


def test_module_level_is_told_from_functions_and_classes() -> None:
    """Module bodies (and exec'd code) are module level; functions and classes are not (contract C2.1)."""
    seen = []
    probe = lambda: seen.append(_frames.is_module_level(sys._getframe(1)))  # noqa: E731
    exec("probe()\ndef f():\n    probe()\nf()\nclass C:\n    probe()\n", {"probe": probe})
    assert seen == [True, False, False]


class _Recorder:
    """A meta-path finder that records what _frames says about the import statement."""

    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        frame = _frames.importer_frame(2)
        self.seen.append((name, frame.f_code.co_filename, _frames.statement(frame)))
        return None


@pytest.mark.parametrize(
    ("source", "globals_", "expected"),
    [
        ("import zz_missing", {}, ("zz_missing", None)),
        ("import zz_missing as alias", {}, ("zz_missing", None)),
        ("from zz_missing import a, b", {}, ("zz_missing", ("a", "b"))),
        ("from . import zz_missing", {"__package__": "pkgx"}, ("pkgx", ("zz_missing",))),
        ("from .zz_missing import x", {"__package__": "pkgx.sub"}, ("pkgx.sub.zz_missing", ("x",))),
        ("from ..zz_missing import x", {"__package__": "pkgx.sub"}, ("pkgx.zz_missing", ("x",))),
    ],
)
def test_statement_reads_name_and_fromlist(source: str, globals_: dict, expected: tuple) -> None:
    """statement() gives the absolute module and fromlist of the IMPORT_NAME running (contract C3.11)."""
    recorder = _Recorder()
    sys.meta_path.insert(0, recorder)
    saved = {k: sys.modules.get(k) for k in ("pkgx", "pkgx.sub")}
    for name in saved:
        sys.modules[name] = types.ModuleType(name)
        sys.modules[name].__path__ = []  # type: ignore[attr-defined]
    try:
        with pytest.raises(ImportError):
            exec(compile(source, "<stmt>", "exec"), {"__name__": "m", **globals_})
    finally:
        sys.meta_path.remove(recorder)
        for name, mod in saved.items():
            if mod is None:
                del sys.modules[name]
            else:
                sys.modules[name] = mod
    first = recorder.seen[0]
    assert first[1] == "<stmt>", recorder.seen
    assert first[2] == expected, recorder.seen


def test_statement_outside_an_import_is_none() -> None:
    """statement() of a frame not at IMPORT_NAME is (None, None) (contract C3.11)."""
    assert _frames.statement(sys._getframe()) == (None, None)


# -- 3.10: the SETUP_FINALLY scan, on hand-assembled bytecode ----------------------
# CPython 3.10's opcode numbers (Lib/opcode.py of 3.10).
OPMAP_310 = {"SETUP_FINALLY": 122, "EXTENDED_ARG": 144, "NOP": 9, "IMPORT_NAME": 108}


def code_310(*instructions: tuple[int, int], pad: int = 0) -> types.SimpleNamespace:
    """A stand-in code object whose co_code is the given (opcode, arg) pairs, then NOPs.

    Not a real code object: newer interpreters rewrite or reject bytecode that is
    not theirs (3.13's co_code is re-derived from the code it runs), and the scan
    reads nothing but co_code.
    """
    raw = bytearray()
    for op, arg in instructions:
        raw += bytes([op, arg])
    raw += bytes([OPMAP_310["NOP"], 0]) * pad
    return types.SimpleNamespace(co_code=bytes(raw))


@pytest.fixture
def opmap_310(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_frames, "_opmap", lambda: OPMAP_310)
    monkeypatch.setattr(_frames, "_try_cache", {})


def test_310_setup_finally_range(opmap_310: None) -> None:
    """3.10: offsets inside SETUP_FINALLY's block are in a try, the rest not (contract C3.2)."""
    # SETUP_FINALLY at 0 with arg 3: the block covers offsets 2..6 (arg counts
    # instructions), its handler starts at 8.
    code = code_310((OPMAP_310["SETUP_FINALLY"], 3), pad=8)
    assert [_frames._in_try_310(code, off) for off in (0, 2, 4, 6, 8, 10)] == [
        False, True, True, True, False, False,
    ]


@pytest.mark.proxy_engine("try-block detection serves the proxy engine; on 3.15 the compiler marks imports in try blocks eager")
def test_310_extended_arg_widens_the_range(opmap_310: None) -> None:
    """3.10: EXTENDED_ARG before SETUP_FINALLY adds the high byte (contract C3.2)."""
    # EXTENDED_ARG 1; SETUP_FINALLY 2  -> arg 258 instructions from offset 2.
    code = code_310((OPMAP_310["EXTENDED_ARG"], 1), (OPMAP_310["SETUP_FINALLY"], 2), pad=600)
    end = 2 + 2 + 258 * 2
    assert _frames._in_try_310(code, 4)
    assert _frames._in_try_310(code, end - 2)
    assert not _frames._in_try_310(code, end)


def test_310_nested_and_sequential_blocks(opmap_310: None) -> None:
    """3.10: nested blocks and code between two blocks are told apart (contract C3.2)."""
    sf = OPMAP_310["SETUP_FINALLY"]
    nop = OPMAP_310["NOP"]
    # 0: SETUP_FINALLY 4 (-> 10), 2: SETUP_FINALLY 1 (-> 6), 4: NOP, 6: NOP, 8: NOP,
    # 10: NOP (outside), 12: SETUP_FINALLY 1 (-> 16), 14: NOP (inside), 16: NOP.
    code = code_310((sf, 4), (sf, 1), (nop, 0), (nop, 0), (nop, 0), (nop, 0), (sf, 1), (nop, 0), pad=2)
    inside = {off: _frames._in_try_310(code, off) for off in range(0, 20, 2)}
    assert inside == {
        0: False, 2: True, 4: True, 6: True, 8: True,
        10: False, 12: False, 14: True, 16: False, 18: False,
    }


def test_310_results_are_cached_per_code_object(opmap_310: None) -> None:
    """3.10: the scan runs once per code object (contract C3.2)."""
    code = code_310((OPMAP_310["SETUP_FINALLY"], 1), pad=4)
    _frames._in_try_310(code, 2)
    assert _frames._cached(_frames._try_cache, code) is not None
    _frames._store(_frames._try_cache, code, [(0, 100)], 64)
    assert _frames._in_try_310(code, 50)


def test_lineno_matches_f_lineno_at_every_instruction() -> None:
    """lineno() reads the line table only as far as asked, and agrees with f_lineno (contract C9.1).

    Checked at every instruction of a long module body, with a tracer reporting
    each opcode.
    """
    body = "".join(
        f"x{i} = {i}\n" if i % 3 else f"if x{i - 1} is not None:\n    y = [x{i - 1}]\n"
        for i in range(1, 300)
    )
    code = compile("x0 = 0\n" + body, "<long module>", "exec")
    seen: list[tuple[int, int | None]] = []

    def tracer(frame: types.FrameType, event: str, arg: object) -> object:
        if frame.f_code is code:
            frame.f_trace_opcodes = True
            if event == "opcode":
                seen.append((frame.f_lineno, _frames.lineno(frame)))
            return tracer
        return None

    # Opcode events asked for from inside the trace function are not delivered on
    # 3.12.1 (CPython issue 114480); asking on this frame before settrace works
    # on every version.
    here = sys._getframe()
    here.f_trace_opcodes = True
    sys.settrace(tracer)
    try:
        exec(code, {})
    finally:
        sys.settrace(None)
        here.f_trace_opcodes = False
    assert len(seen) > 600
    assert [a for a, _ in seen] == [b for _, b in seen]
    entry = _frames._cached(_frames._line_cache, code)
    assert entry is not None and entry[1], "the table read so far is cached"


@pytest.mark.skipif(
    bool(os.environ.get("WRAPT_DISABLE_EXTENSIONS")),
    reason="wrapt's pure-Python proxy imports inspect, and so dis, itself",
)
def test_the_readers_never_import_dis_or_opcode(tmp_path: Path) -> None:
    """Reading bytecode (statements, try blocks, code reads, lazy_from) loads no dis, inspect or opcode (contract C13.1).

    On an interpreter ``lazyimp._opcodes`` lists, the opcode numbers come from its
    table (every version CI runs is listed).
    """
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": "from . import helper\nimport pkg.helper as h\ndef f():\n    return h.X\n",
            "pkg/helper.py": "X = 1\n",
            "other.py": "Y = 2\n",
        },
    )
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install(lazy_from=True)
        import pkg.mod
        from other import Y
        try:
            import json
        except ImportError:
            pass
        pkg.mod.f(), Y + 0
        assert "dis" not in sys.modules and "inspect" not in sys.modules, sorted(sys.modules)
        assert "opcode" not in sys.modules, sorted(sys.modules)
        """
    )


# -- the opcode tables (lazyimp._opcodes) ------------------------------------------------
def test_this_interpreter_has_an_opcode_table_that_matches_opcode() -> None:
    """The table kept for this interpreter equals what its ``opcode`` module says (contract C13.1).

    Every CPython CI runs (3.10-3.15) is listed: a release that is not would import
    ``opcode`` again (2.9M instructions of fixed cost).  Regenerate an entry with
    ``python -m lazyimp._opcodes``.
    """
    from importlib.util import MAGIC_NUMBER

    assert MAGIC_NUMBER in _opcodes.TABLES, _opcodes.table_entry(_opcodes.from_opcode())
    listed = _opcodes.facts()
    truth = _opcodes.from_opcode()
    assert listed.opmap == truth.opmap
    assert listed.caches == truth.caches
    assert listed.stopiteration_error == truth.stopiteration_error
    # Identity for the built-ins, type and value for the literals (True == 1).
    assert [(type(c), c) for c in listed.common_constants] == [
        (type(c), c) for c in truth.common_constants
    ]
    assert all(
        a is b or type(a) is type(b) for a, b in zip(listed.common_constants, truth.common_constants)
    )


def test_every_opcode_name_in_lazyimp_is_in_the_table() -> None:
    """An opcode name lazyimp's readers use is one the tables keep (contract C13.1).

    The tables hold the numbers of ``_opcodes.NAMES`` only; a reader asking for
    another name would find it absent (and ``"X" in ops`` would say so silently).
    """
    import ast
    import opcode

    folder = Path(_opcodes.__file__).parent
    used = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in opcode.opmap:
                used.add(node.value)
    assert used, "no opcode names found: the scan is broken"
    assert used <= set(_opcodes.NAMES), sorted(used - set(_opcodes.NAMES))
