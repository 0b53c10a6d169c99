"""A PyTorch DataLoader with spawn workers over a Dataset from a folder imported by path.

Run: ``python examples/spawn_dataloader.py`` (needs torch; prints a note and exits 0
without it).  ``my-experiment/data.py`` defines the Dataset and a ``collate_fn`` that
returns a package dataclass.  The two spawn workers are fresh interpreters that could
not import ``experiment``; lazyimp's pickler sets them up when they start, so they load
the Dataset and send ``Batch`` objects back, of the parent's own class.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))  # lazyimp from this checkout if not installed

try:
    from lazyimp import import_module_from_path
except ImportError:  # before lazyimp/__init__.py exports it
    from lazyimp._spawn import import_module_from_path


def main() -> None:
    try:
        from torch.utils.data import DataLoader
    except ImportError:
        print("skipped: torch is not installed")
        return
    import_module_from_path("experiment", HERE / "my-experiment")
    from experiment.data import Batch, Squares, collate

    loader = DataLoader(
        Squares(64),
        batch_size=8,
        collate_fn=collate,
        num_workers=2,
        multiprocessing_context="spawn",
        timeout=60,  # seconds per batch: a broken worker fails instead of hanging
    )
    batches = list(loader)
    print(len(batches), "batches, sum", sum(int(b.values.sum()) for b in batches))
    print("same class:", all(type(b) is Batch for b in batches))


if __name__ == "__main__":
    main()
