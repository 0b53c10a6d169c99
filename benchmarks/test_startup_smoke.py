"""Smoke test of ``benchmarks/startup.py --quick``: it runs and prints complete tables.

No timing assertions (CI machines are noisy): only that every set-up row and every
(program, shape, variant) cell of the quick run has a measurement or a recorded
failure, and that the JSON and the text tables agree on what was run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.proxy_engine(
    "startup.py compares the proxy engine with its peers (the 3.11 tables); on 3.15 "
    "benchmarks/native.py measures the PEP 810 engine (test_native_smoke.py)"
)

STARTUP = Path(__file__).resolve().parent / "startup.py"


def test_quick_run_produces_complete_tables(tmp_path: Path) -> None:
    """``startup.py --quick -n 3 --json FILE`` exits 0 with every cell filled."""
    out = tmp_path / "startup.json"
    proc = subprocess.run(
        [sys.executable, str(STARTUP), "--quick", "-n", "3", "--probes", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    data = json.loads(out.read_text())

    # Set-up table: the floor and lazyimp's set-up with and without pyproject.toml.
    rows = {c["row"]: c for c in data["setup"]}
    assert "floor (python -c pass)" in rows
    assert any(r.startswith("import lazyimp; lazyimp.install()") for r in rows)
    assert any("pyproject.toml without [tool.lazyimp]" in r for r in rows)
    for cell in data["setup"]:
        assert cell["error"] is None, (cell["row"], cell["error"])
        assert cell["runs"] == 3 and cell["median_ms"] > 0
        assert cell["modules"] >= 1 and cell["peak_rss_kb"] > 0
        assert cell["row"] in text
    assert "lazyimp" in data["lazyimp_import_adds_modules"]
    assert "vs floor" in text

    # Program table: the stdlib app, both shapes, every variant and the floor.
    variants = data["variants"]
    assert variants[:3] == ["eager", "lazyimp", "lazyloader"]
    cells = {(c["row"], c["variant"]): c for c in data["apps"]}
    for shape in ("one", "all"):
        row = f"stdlib [{shape}]"
        assert row in text
        for variant in [*variants, "floor"]:
            cell = cells[(row, variant)]
            assert cell["runs"] == 3
            if cell["error"] is None:
                assert cell["median_ms"] > 0
                assert 0 < cell["executed"] <= cell["modules"]
                assert cell["peak_rss_kb"] > 0
            else:
                assert "FAILED" in text
    assert cells[("stdlib [one]", "lazyimp")]["error"] is None
    assert cells[("stdlib [all]", "lazyimp")]["error"] is None
    # The start-up case defers modules; the full-use case leaves none unexecuted
    # (but lazyimp's own deferred wrapt package).
    assert cells[("stdlib [one]", "lazyimp")]["lazy"] > 0
    assert cells[("stdlib [all]", "lazyimp")]["lazy"] <= 1
    assert "unswapped" in cells[("stdlib [all]", "lazyimp")]
    for header in ("program [shape]", "vs eager", "executed/in sys.modules", "peak RSS MB"):
        assert header in text


def test_json_to_stdout_is_valid(tmp_path: Path) -> None:
    """``--json -`` prints only JSON on stdout (tables go nowhere, progress to stderr)."""
    proc = subprocess.run(
        [sys.executable, str(STARTUP), "--quick", "-n", "1", "--probes", "1", "--json", "-",
         "--apps", "none"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["apps"] == [] and data["setup"]
