"""Counting user-space instructions of a whole child interpreter with callgrind.

Wall time on a shared two-core machine moves by 10-20% from run to run; the number of
instructions a program executes does not (callgrind counts them by simulation: the
same binary, inputs and environment give the same count to the last digit, whatever
else the machine is doing).  So the benchmarks report instruction counts, with
wall-time ratios of alternating runs beside them.

``count(argv, env)`` runs ``valgrind --tool=callgrind --callgrind-out-file=/dev/null``
on the command and returns the "I refs" total.  Children run with
``PYTHONDONTWRITEBYTECODE`` unset, after one plain warm-up run, so every module comes
from its bytecode cache as in a deployed program (not part of the count).

Known limits: callgrind runs the program about 50x slower; hash randomisation is
pinned (``PYTHONHASHSEED=0``) so that dict and set layouts, and so the counts, repeat.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time

_IREFS = re.compile(rb"I\s+refs:\s+([\d,]+)")


def available() -> bool:
    """True when valgrind is on PATH."""
    return shutil.which("valgrind") is not None


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a measured child: bytecode caches on, hashes pinned."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAZYIMP", "_LAZYIMP"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONHASHSEED"] = "0"
    if extra:
        env.update(extra)
    return env


def count(argv: list[str], env: dict[str, str], cwd: str | None = None, warm: bool = True) -> int:
    """User-space instructions of ``argv`` (callgrind's "I refs").

    Raises:
        RuntimeError: the program failed, or callgrind printed no total.
    """
    if warm:
        subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
    )
    found = _IREFS.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        tail = proc.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{argv!r} failed under callgrind (status {proc.returncode}):\n{tail}")
    return int(found.group(1).replace(b",", b""))


def wall_ratios(
    variants: dict[str, tuple[list[str], dict[str, str]]],
    baseline: str,
    runs: int = 11,
    cwd: str | None = None,
) -> dict[str, float]:
    """Median wall time of each variant over ``runs`` alternating rounds, as a ratio
    to ``baseline``'s median (the rounds alternate the order, so drift hits all alike).
    """
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for i in range(runs):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            argv, env = variants[name]
            started = time.perf_counter()
            subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times[baseline])
    return {name: statistics.median(values) / base for name, values in times.items()}
