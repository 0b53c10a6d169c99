"""Smoke test of ``benchmarks/rule_cost.py``: it runs and prints every row (no timing asserts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RULE_COST = Path(__file__).resolve().parent / "rule_cost.py"


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_rule_cost_counts_every_program() -> None:
    """The six programs run under callgrind and the per-module figures are printed."""
    proc = subprocess.run(
        [sys.executable, str(RULE_COST), "-n", "10", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    for row in ("eager (read)", "lazy, rule on (read)", "lazy, rule off (read)", "lazy (cross-package)",
                "eager (unread)", "lazy, rule on (unread)", "the rule's read, per lazily handled module"):
        assert row in proc.stdout, proc.stdout
