"""Import a folder as a package and use it in a ``spawn`` process pool.

Run: ``python examples/spawn_pool.py``.  The folder ``my-experiment`` is not on
``sys.path`` and its name is not even a valid module name; ``import_module_from_path``
imports it as ``experiment`` and installs lazyimp's pickler, so the spawn workers (fresh
interpreters) re-import it from the same directory when they receive ``shapes.grow``,
and the ``Point`` objects they return are of the parent's own class.
"""

from __future__ import annotations

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
    from experiment.shapes import Point, grow

    with mp.get_context("spawn").Pool(2) as pool:
        points = pool.map_async(grow, range(5)).get(timeout=60)
    print(points)
    print("same class:", all(type(p) is Point for p in points))


if __name__ == "__main__":
    main()
