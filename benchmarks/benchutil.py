"""Helpers shared by the micro benchmarks: the generated module, module-level
import statements, and the unrolled attribute-read loops."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import lazyimp
from lazyimp import _proxy

ModuleType = type(sys)

# A small module: constants, a comprehension, 20 functions and a class, like the
# many small helper modules of a real application.
SMALL_BODY = textwrap.dedent(
    '''
    """A small generated module for the lazyimp benchmarks."""
    VALUE = 1
    NAMES = ("alpha", "beta", "gamma", "delta")
    TABLE = {i: str(i) for i in range(32)}
    '''
) + "".join(
    f"\ndef f{i}(x, y={i}):\n    return (x + y) * {i}\n" for i in range(20)
) + textwrap.dedent(
    '''

    class Thing:
        """A class with a few methods."""

        def __init__(self, value):
            self.value = value

        def get(self):
            return self.value

        def __repr__(self):
            return f"Thing({self.value!r})"
    '''
)

# Module names, all with the same body: one per role so that no benchmark sees
# another's leftovers.
SMALL_NAMES = ("bm_small", "bm_plain", "bm_wrapt", "bm_ll")

_import_code: dict[str, Any] = {}


def import_code(name: str) -> Any:
    """A compiled module-level ``import name`` statement (lazy when lazyimp is on)."""
    code = _import_code.get(name)
    if code is None:
        code = _import_code[name] = compile(f"import {name}", f"<bench import {name}>", "exec")
    return code


def hand_out(name: str) -> dict[str, Any]:
    """Run ``import name`` at module level in a fresh namespace; return the namespace."""
    ns: dict[str, Any] = {"__name__": "bm_importer"}
    exec(import_code(name), ns)
    return ns


def forget(name: str) -> None:
    """Remove ``name`` from ``sys.modules`` and lazyimp's pending list."""
    sys.modules.pop(name, None)
    _proxy.PENDING.pop(name, None)


@contextmanager
def lazyimp_installed() -> Iterator[None]:
    """lazyimp installed for the block (left as it was afterwards)."""
    was = lazyimp.is_installed()
    lazyimp.install()
    try:
        yield
    finally:
        if not was:
            lazyimp.uninstall()


@contextmanager
def lazyimp_removed() -> Iterator[None]:
    """lazyimp's finder out of ``sys.meta_path`` for the block (put back after)."""
    saved = list(sys.meta_path)
    sys.meta_path[:] = [f for f in saved if not isinstance(f, lazyimp.Importer)]
    try:
        yield
    finally:
        sys.meta_path[:] = saved


def reader(expr: str, unroll: int = 50, loops: int = 200) -> Any:
    """A function reading ``expr`` (in terms of ``m``) ``unroll * loops`` times.

    The statement is repeated ``unroll`` times inside the loop so that the loop's
    own cost is a small share of each read.
    """
    body = "".join(f"        x = {expr}\n" for _ in range(unroll))
    src = f"def read(m):\n    x = None\n    for _ in range({loops}):\n{body}    return x\n"
    ns: dict[str, Any] = {}
    exec(compile(src, f"<reader {expr}>", "exec"), ns)
    read = ns["read"]
    read.reads = unroll * loops
    return read


