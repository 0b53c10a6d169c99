"""Smoke test of ``benchmarks/cost.py --quick``: it runs and fills its table (no timing asserts)."""

from __future__ import annotations

import json
import numbers
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COST = Path(__file__).resolve().parent / "cost.py"


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_quick_run_fills_the_table(tmp_path: Path) -> None:
    """``cost.py --quick --json FILE``: every cell counted, the derived figures and goals there."""
    out = tmp_path / "cost.json"
    rst = tmp_path / "cost.rst"
    proc = subprocess.run(
        [sys.executable, str(COST), "--quick", "--json", str(out), "--rst", str(rst)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["variants"] == ["eager", "lazyimp"]
    assert (data["n"], data["n0"], data["runs"]) == (20, 5, 1)
    rows = {row["program"]: row for row in data["rows"]}
    assert set(rows) == {"stdlib [one]", "20 small modules"}
    for name, row in rows.items():
        for variant in ("eager", "lazyimp"):
            cell = row["cells"][variant]
            assert cell["error"] is None, (name, variant, cell["error"])
            assert cell["instructions"] > 0 and cell["ratio"] > 0, (name, variant, cell)
            assert cell["wall_ratio"] > 0, (name, variant, cell)
        assert name in proc.stdout
    # The programs the derived figures come from were counted too.
    for key in ("n", "n0", "one"):
        for variant in ("eager", "lazyimp"):
            assert data["aux"][key]["cells"][variant]["instructions"] > 0, (key, variant)
    assert data["aux"]["setup"]["cells"]["floor"]["instructions"] > 0
    figures = data["derived"]["lazyimp"]
    for name in ("extra_per_module", "fixed_cost", "setup_ratio"):
        assert isinstance(figures[name], numbers.Real), (name, figures)
    assert figures["setup_ratio"] > 0
    goals = [g for g in data["goals"] if g["variant"] == "lazyimp"]
    assert len(goals) == 5 and all(g["ok"] in (True, False, None) for g in goals)
    for text in ("eager Ir", "extra per module", "fixed cost", "set-up vs python -c pass"):
        assert text in proc.stdout
    assert ("PASS" in proc.stdout) or ("MISS" in proc.stdout)
    # The RST file: a heading naming the interpreter, then the same report as a literal block.
    heading, _, block = rst.read_text().partition("::\n\n")
    assert data["python"] in heading and data["date"] in heading
    assert "    program " in block and "stdlib [one]" in block


def test_unknown_program_is_a_clear_error() -> None:
    """A program name that is not known names itself and the choices."""
    proc = subprocess.run(
        [sys.executable, str(COST), "--programs", "nosuch"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "nosuch" in proc.stderr and "stdlib" in proc.stderr
