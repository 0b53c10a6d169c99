"""Smoke test of ``benchmarks/native.py --quick`` (CPython 3.15+): it runs and fills its table.

No timing assertions: only that every (shape, variant) cell of the stdlib program has a
wall time and a module count, and that the table names each program shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NATIVE = Path(__file__).resolve().parent / "native.py"

pytestmark = pytest.mark.skipif(
    not hasattr(sys, "set_lazy_imports_filter"), reason="PEP 810 lazy imports: CPython 3.15+"
)


def test_quick_run_fills_the_table(tmp_path: Path) -> None:
    """``native.py --quick -n 1 --no-callgrind --json FILE`` exits 0 with every cell filled."""
    out = tmp_path / "native.json"
    proc = subprocess.run(
        [sys.executable, str(NATIVE), "--quick", "-n", "1", "--no-callgrind", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())["rows"]
    assert {(r["program"], r["variant"]) for r in rows} == {
        (f"stdlib [{shape}]", variant)
        for shape in ("one", "all")
        for variant in ("eager", "lazy_imports=all", "lazyimp", "lazy_from")
    }
    for row in rows:
        assert row["median_ms"] > 0 and row["modules"] > 0, row
    assert "stdlib [one]" in proc.stdout and "stdlib [all]" in proc.stdout
