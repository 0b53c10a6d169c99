"""Test helpers: run a snippet in a fresh interpreter, restore import state in place.

Import state is process-global, so anything that installs the finder process-wide,
depends on import order or races threads runs through ``run_python`` (the model is
cloudpickle's ``tests/testutils.py``).  Tests that stay in-process use
``import_state`` to snapshot and restore ``sys.modules``, ``sys.meta_path``,
``sys.path``, ``sys.path_hooks``, ``sys.path_importer_cache`` and
``builtins.__import__`` by slice assignment and key deletion, never by rebinding
(the model is CPython's ``Lib/test/test_importlib/util.py``).
"""

from __future__ import annotations

import builtins
import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child interpreter: this checkout first on sys.path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAZYIMP")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    if extra:
        env.update(extra)
    return env


def run_python(
    src: str,
    *,
    tmp_path: Path | None = None,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
    cwd: Path | str | None = None,
    timeout: float = 120,
    check: bool = True,
    python_args: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run dedented ``src`` as a script in a fresh interpreter and return the result.

    With ``check`` (the default) a non-zero exit fails the calling test and shows the
    child's output. The script lives in ``tmp_path`` when given (so tracebacks name a
    real file), otherwise it is passed with ``-c``.
    """
    code = textwrap.dedent(src)
    if tmp_path is not None:
        script = Path(tmp_path) / "snippet.py"
        n = 0
        while script.exists():
            n += 1
            script = Path(tmp_path) / f"snippet{n}.py"
        script.write_text(code)
        argv = [sys.executable, *(python_args or []), str(script)]
    else:
        argv = [sys.executable, *(python_args or []), "-c", code]
    argv += args or []
    proc = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env=python_env(env),
        cwd=str(cwd) if cwd is not None else None,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"child exited {proc.returncode}\n--- stdout ---\n{proc.stdout}"
            f"\n--- stderr ---\n{proc.stderr}"
        )
    return proc


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{"pkg/__init__.py": "src", ...}`` below ``root`` (dedenting each)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@contextlib.contextmanager
def import_state() -> Iterator[None]:
    """Snapshot import state and restore it in place afterwards."""
    modules = dict(sys.modules)
    meta_path = sys.meta_path[:]
    path = sys.path[:]
    path_hooks = sys.path_hooks[:]
    importer_cache = dict(sys.path_importer_cache)
    real_import = builtins.__import__
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n not in modules]:
            del sys.modules[name]
        for name, mod in modules.items():
            if sys.modules.get(name) is not mod:
                sys.modules[name] = mod
        sys.meta_path[:] = meta_path
        sys.path[:] = path
        sys.path_hooks[:] = path_hooks
        for key in [k for k in sys.path_importer_cache if k not in importer_cache]:
            del sys.path_importer_cache[key]
        sys.path_importer_cache.update(importer_cache)
        builtins.__import__ = real_import
