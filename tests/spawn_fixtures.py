"""The package the spawn tests import by path, and helpers shared by their files.

The package is written below ``tmp_path`` in a directory whose name (``experiment-dir-v2``)
differs from the module name it is imported under (``userproj``) and is not a valid
identifier, so neither a worker nor a receiver can import it by name from ``sys.path``
or the working directory: only lazyimp can make it importable there.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_tree

NAME = "userproj"
DIRNAME = "experiment-dir-v2"

PACKAGE = {
    f"{DIRNAME}/__init__.py": """\
        import os
        # Lets tests see whether (and how often) the package body ran.
        _marker = os.environ.get("USERPROJ_MARKER")
        if _marker:
            with open(_marker, "a") as f:
                f.write("ran\\n")
        from . import models
        VERSION = 1
        """,
    f"{DIRNAME}/helpers.py": """\
        def helper(x):
            return x * 10
        """,
    f"{DIRNAME}/models.py": """\
        import dataclasses
        import enum
        import functools
        import os
        import threading
        import typing

        CALLS = 0
        COUNTER = 0
        LOCK = threading.Lock()

        @dataclasses.dataclass
        class Point:
            x: int
            y: int

            def norm1(self):
                return abs(self.x) + abs(self.y)

        class Plain:
            def __init__(self, v):
                self.v = v

            def double(self):
                return 2 * self.v

        class Color(enum.Enum):
            RED = 1
            BLUE = 2

        T = typing.TypeVar("T")

        class Box(typing.Generic[T]):
            def __init__(self, item):
                self.item = item

        class Pair(typing.NamedTuple):
            a: int
            b: str

        def _rebuild_custom(v):
            return Custom(v)

        class Custom:
            def __init__(self, v):
                self.v = v

            def __reduce__(self):
                return (_rebuild_custom, (self.v,))

        class _Sentinel:
            def __reduce__(self):
                return "SENTINEL"

        SENTINEL = _Sentinel()

        class Counter:
            def bump(self):
                global COUNTER
                COUNTER += 1
                return COUNTER

            def read(self):
                return COUNTER

        def work(n):
            return f"work {n}"

        def scale(n):
            return n * 3

        def make_point(n):
            return Point(n, n + 1)

        def count_calls(_):
            global CALLS
            CALLS += 1
            return CALLS

        def pid(_):
            return os.getpid()

        @functools.lru_cache(maxsize=None)
        def cached(n):
            return n + 100

        def uses_relative_import(n):
            from .helpers import helper
            return helper(n)

        def uses_lock(n):
            with LOCK:
                return n

        def make_adder(k):
            return lambda n: n + k

        def put_point(queue, n):
            queue.put(Point(n, n + 1))

        def echo_pipe(conn):
            p = conn.recv()
            conn.send((p, Point(p.x * 2, 0)))
            conn.close()
        """,
    f"{DIRNAME}/sub/__init__.py": "",
    f"{DIRNAME}/sub/deep.py": """\
        class Deep:
            def __init__(self, v):
                self.v = v

            def where(self):
                return __name__
        """,
    f"{DIRNAME}/tdata.py": """\
        import dataclasses

        import torch
        from torch.utils.data import Dataset

        class Squares(Dataset):
            def __len__(self):
                return 64

            def __getitem__(self, i):
                return torch.tensor([i * i], dtype=torch.int64)

        @dataclasses.dataclass
        class Batch:
            values: object
            size: int

        def collate(items):
            return Batch(torch.cat(items), len(items))
        """,
}


def write_package(root: Path) -> Path:
    """Write the test package below ``root``; return its directory."""
    write_tree(root, PACKAGE)
    return root / DIRNAME
