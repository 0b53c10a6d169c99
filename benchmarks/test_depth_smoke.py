"""Smoke test of ``benchmarks/depth.py --quick``: it runs and fills its table (no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DEPTH = Path(__file__).resolve().parent / "depth.py"


def test_quick_run_counts_every_variant(tmp_path: Path) -> None:
    """``depth.py --quick --json FILE``: every variant of this interpreter's engine ran and was counted."""
    out = tmp_path / "depth.json"
    proc = subprocess.run(
        [sys.executable, str(DEPTH), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    (entry,) = data["interpreters"]
    expected = ["eager", "pep810", "lazyimp", "lazy_from"] if entry["native"] else [
        "eager", "lazyimp", "lazy_from", "lazyloader",
    ]
    assert entry["variants"] == expected
    cells = entry["cells"]["stdlib"]
    for variant in expected:
        cell = cells[variant]
        assert cell["error"] is None, (variant, cell["error"])
        assert cell["executed"] > 0, (variant, cell)
    # Deferring is the point: the lazy variants run fewer of the program's modules.
    assert cells["lazyimp"]["executed"] < cells["eager"]["executed"], cells
    assert cells["lazyimp"]["reasons"], "the report's reasons were not collected"
    assert "kept eager, by rule" in proc.stdout and "stdlib" in proc.stdout
