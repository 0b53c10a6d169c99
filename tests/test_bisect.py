"""``python -m lazyimp bisect`` (issue 12): the search with a fake oracle, and end to end.

End-to-end tests run ``bisect`` in a fresh interpreter on a program written to a
temporary directory; the program's own runs are fresh interpreters too.  The search's
unit tests call ``lazyimp._bisect.Search`` with a pure function as the oracle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import python_env, write_tree


def lazyimp_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m lazyimp ARGS`` in ``cwd``, this checkout first on sys.path."""
    return subprocess.run(
        [sys.executable, "-m", "lazyimp", *args],
        capture_output=True,
        text=True,
        env=python_env(env),
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_run_script_paths_as_python(tmp_path: Path) -> None:
    """run script.py: __file__ and traceback paths absolute, argv[0] as typed, as python's."""
    write_tree(
        tmp_path,
        {
            "prog.py": """
                import sys
                print(sys.argv[0], __file__, __package__, type(__loader__).__name__)
                raise ValueError("same either way")
            """
        },
    )
    eager = subprocess.run(
        [sys.executable, "prog.py"], capture_output=True, text=True, cwd=tmp_path,
        env=python_env(), timeout=120,
    )
    lazy = lazyimp_cli(tmp_path, "run", "--output", "report.txt", "prog.py")
    assert eager.stdout == f"prog.py {tmp_path / 'prog.py'} None SourceFileLoader\n"
    assert (lazy.returncode, lazy.stdout, lazy.stderr) == (1, eager.stdout, eager.stderr)
