"""Smoke test of ``benchmarks/spawn_payloads.py``: it runs and prints complete tables.

No timing assertions (CI machines are noisy): only that every payload row has a cell
for every variant in the dump, load and size tables.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "spawn_payloads.py"


def test_quick_run_produces_complete_tables(tmp_path: Path) -> None:
    """``spawn_payloads.py --quick -n 1 --repeat 1 --json FILE`` exits 0 with every cell filled."""
    out = tmp_path / "payloads.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "-n", "1", "--repeat", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    for name, cells in data["results"].items():
        if cells["plain"] is None:  # numpy not installed
            continue
        for variant, cell in cells.items():
            assert cell["dump"] and cell["load"] and cell["bytes"] > 0, (name, variant)
    assert proc.stdout.count("x)") >= 2 * 3 * len(data["results"]) - 12
    assert "10k package dataclass instances" in proc.stdout
