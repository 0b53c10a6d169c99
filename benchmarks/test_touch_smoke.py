"""Smoke test of ``benchmarks/touch.py``: it runs and fills every cell (no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TOUCH = Path(__file__).resolve().parent / "touch.py"


def test_touch_run_fills_every_cell(tmp_path: Path) -> None:
    """Both lazyimp modes run the stacks the test extras install and count their modules."""
    out = tmp_path / "touch.json"
    proc = subprocess.run(
        [sys.executable, str(TOUCH), "-n", "1", "--stacks", "jsonschema,sympy", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    cells = {(c["row"], c["variant"]): c for c in data["cells"]}
    for stack in ("jsonschema", "sympy"):
        for variant in ("eager", "lazyimp", "lazy_from"):
            cell = cells[(stack, variant)]
            assert cell["error"] is None, (stack, variant, cell["error"])
            assert cell["runs"] == 1 and cell["executed"] <= cell["modules"]
            assert stack in proc.stdout
    # Lazy modes never run more modules than eager does.
    for stack in ("jsonschema", "sympy"):
        eager = cells[(stack, "eager")]["executed"]
        assert cells[(stack, "lazyimp")]["executed"] <= eager
        assert cells[(stack, "lazy_from")]["executed"] <= eager


def test_unknown_stack_is_a_clear_error() -> None:
    """A stack name that is not known names itself and the choices."""
    proc = subprocess.run(
        [sys.executable, str(TOUCH), "--stacks", "nosuch"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "nosuch" in proc.stderr and "flask" in proc.stderr
