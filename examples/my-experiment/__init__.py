"""An experiment folder that is not an installed package (used by spawn_pool.py)."""

from . import shapes  # resolved inside this directory by lazyimp's finder

__all__ = ["shapes"]
