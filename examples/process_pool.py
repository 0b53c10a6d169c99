"""A ``ProcessPoolExecutor`` (spawn) round trip with a folder imported by path.

Run: ``python examples/process_pool.py``.  The workers receive a package function and
package objects, and return package objects; nothing configures them.  A counter kept
in the package's module survives between tasks on a worker, because in the default
path mode the worker imports the package itself (from the same directory).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))  # lazyimp from this checkout if not installed

try:
    from lazyimp import import_module_from_path
except ImportError:  # before lazyimp/__init__.py exports it
    from lazyimp._spawn import import_module_from_path


def main() -> None:
    import_module_from_path("experiment", HERE / "my-experiment")
    from experiment.shapes import Point, calls, grow, shift

    with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        grown = list(pool.map(grow, range(4), timeout=60))
        moved = pool.submit(shift, Point(1, 2), 10).result(timeout=60)
        moved_again = pool.submit(shift, moved, 1).result(timeout=60)
        seen = pool.submit(calls).result(timeout=60)
    print(grown)
    print(moved, type(moved) is Point)
    print(moved_again, "calls seen by the worker:", seen)


if __name__ == "__main__":
    main()
