"""``client.submit(pkg.fn, x)`` on a local Dask cluster, with a folder imported by path.

Run: ``python examples/dask_cluster.py`` (needs ``distributed``; prints a note and
exits 0 without it).  Dask pickles tasks with plain ``pickle``, so its worker
processes must be able to import the package by name: ``register_with_dask(client)``,
called once, makes it importable from the same directory on every current and future
worker.  The cluster listens on 127.0.0.1 only and is closed at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))  # lazyimp from this checkout if not installed

try:
    from lazyimp import import_module_from_path, register_with_dask
except ImportError:  # before lazyimp/__init__.py exports them
    from lazyimp._spawn import import_module_from_path, register_with_dask


def main() -> None:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("skipped: distributed is not installed")
        return
    experiment = import_module_from_path("experiment", HERE / "my-experiment")
    from experiment.shapes import Point

    with (
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        register_with_dask(client)  # the one registration call
        future = client.submit(experiment.shapes.grow, 3)
        point = future.result(timeout=60)
        moved = client.submit(experiment.shapes.shift, point, 1).result(timeout=60)
    print(point, moved, type(moved) is Point)


if __name__ == "__main__":
    main()
