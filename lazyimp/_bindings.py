"""Whether an import statement's binding is ever read, found when the report asks.

The side-effect rule (``_rule``) judges imports within one package at import time.
Imports across packages stay lazy even when the importing module never reads what
they bind; the report flags those among the modules never used (an unread import may
have been made for its body's side effects: ``python -m lazyimp bisect`` tells).  It
finds out here, after the fact, so that the import hot path keeps nothing for it: the
importing module's code is compiled again from its source (or taken from its loader),
the import statement is found by its line, and the code is read as the rule reads it.

Known limits: code with no source (``-c``, a REPL, a notebook cell) gives no answer
(None); nor does a statement on a line shared with another import of the same module.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

from . import _frames, _reads, _rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType
    from typing import Any

# file -> module code (or None when it cannot be had), for one report.
_codes: dict[str, Any] = {}


def read_at(file: str, line: int, importer: str, fullname: str) -> bool | None:
    """Does module ``importer`` (source ``file``) read what its import on ``line`` bound?

    Returns True or False, or None when it cannot be told.
    """
    code = _module_code(file, importer)
    if code is None:
        return None
    module = sys.modules.get(importer)
    namespace: dict[str, Any] = {"__name__": importer}
    if module is not None:
        namespace["__package__"] = getattr(module, "__package__", None)
        if getattr(module, "__path__", None) is not None:
            namespace["__path__"] = module.__path__
    answers = set()
    for offset in _imports_on(code, line):
        # The readers take a frame; this stands for one stopped at the statement.
        frame: Any = SimpleNamespace(
            f_code=code, f_lasti=offset, f_globals=namespace, f_locals=namespace
        )
        stmt = _frames.statement(frame)
        chains = _rule.binding_chains(stmt, _frames.bindings(frame, stmt) or {}, fullname)
        if chains:
            answers.add(any(_reads.reads(code, chain) for chain in chains))
    return answers.pop() if len(answers) == 1 else None


def _module_code(file: str, importer: str) -> CodeType | None:
    if file in _codes:
        return _codes[file]  # type: ignore[no-any-return]
    code = None
    try:
        with open(file, "rb") as fh:
            code = compile(fh.read(), file, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        loader = getattr(sys.modules.get(importer), "__loader__", None)
        get_code = getattr(loader, "get_code", None)
        if get_code is not None:
            try:
                code = get_code(importer)
            except (ImportError, OSError, SyntaxError):
                code = None
    if len(_codes) > 256:
        _codes.clear()
    _codes[file] = code
    return code


def _imports_on(code: CodeType, line: int) -> list[int]:
    # Offsets of the module-level IMPORT_NAME instructions on `line`.
    import_name = _frames._opmap()["IMPORT_NAME"]
    raw = code.co_code
    found = []
    for start, end, number in code.co_lines():
        if number != line:
            continue
        for offset in range(start, end, 2):
            if raw[offset] == import_name:
                found.append(offset)
    return found
