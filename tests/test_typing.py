"""What type checkers see of the public API (the package ships ``py.typed``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, python_env

pytest.importorskip("mypy", reason="mypy is in the test extra; this environment lacks it")

# Every public name loaded on first use (lazyimp.__getattr__), and the importer's
# configuration: none may be Any to a type checker.
NAMES = (
    "ByValue", "Report", "import_module_from_path", "install_pickler", "register_with_dask",
    "reload", "report", "track_imports", "uninstall_pickler",
)


def test_lazily_loaded_public_names_are_typed(tmp_path: Path) -> None:
    """mypy sees the real types of the names lazyimp loads on first use, and of .config."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import lazyimp\n"
        + "".join(f"reveal_type(lazyimp.{name})\n" for name in NAMES)
        + "reveal_type(lazyimp.install().config)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "cache"), str(probe)],
        capture_output=True, text=True, env=python_env(), cwd=REPO, timeout=300,
    )
    revealed = [line for line in proc.stdout.splitlines() if "Revealed type" in line]
    assert len(revealed) == len(NAMES) + 1, proc.stdout + proc.stderr
    for name, line in zip((*NAMES, "config"), revealed):
        assert '"Any"' not in line, (name, line)
    assert "lazyimp._policy.Config" in revealed[-1]
