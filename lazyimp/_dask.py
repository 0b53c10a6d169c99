"""The Dask worker plugin behind ``lazyimp.register_with_dask`` (imports distributed).

Scope: a ``distributed`` WorkerPlugin carrying the path-import registry (name ->
directory).  Dask pickles task graphs with plain ``pickle``, which writes bare
references (``pkg.models.scale``) and has no hook for us; a worker can load them only
if ``pkg`` is importable there.  On set-up, in every current and future worker, the
plugin registers each name with lazyimp's finder for the same directory, so those
references import the package from there, exactly once per worker (path reference,
contract C11.4).  Only imported by ``register_with_dask``, and in workers when Dask
unpickles the plugin, so ``import lazyimp`` never imports ``distributed``.

Known limits: workers must see the same directories; for remote workers that cannot,
use ``lazyimp.ByValue``.
"""

from __future__ import annotations

import os
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class PathImportPlugin(WorkerPlugin):
    """Make path-imported packages importable on each worker (by path reference)."""

    name = "lazyimp-path-imports"

    def __init__(self, roots: dict[str, str]) -> None:
        self.roots = dict(roots)

    def setup(self, worker: Any) -> None:
        from lazyimp import _pickler, _roots

        missing = [root for root in self.roots.values() if not os.path.isdir(root)]
        if missing:
            raise FileNotFoundError(
                f"lazyimp: worker {getattr(worker, 'address', '?')} cannot see "
                f"{', '.join(missing)}; send functions with lazyimp.ByValue(fn) instead"
            )
        for name, root in self.roots.items():
            _roots._register_for_child(name, root)
        # Processes this worker starts (its own multiprocessing pools) inherit it too.
        _pickler._ensure_installed()
