"""``python -m lazyimp compare``: eager and lazy runs in fresh interpreters, medians side by side.

Runs alternate (eager, lazy, then lazy, eager...) so that drift on a busy machine hits
both alike.  Each child loads ``_program.py`` by path and runs the program through
it, writing at exit how many modules it executed.  A run whose exit status differs
from an earlier one ends the comparison: lazy imports changed what the program does
(or the program does not behave the same twice), and that is the finding.

Known limits: wall time covers the whole child interpreter, start-up included; peak
RSS comes from ``os.wait4`` (POSIX only); a run killed by a signal cannot count its
modules (shown as ``?``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from ._program import (
    _TARGET_HELP,
    PROG,
    Target,
    UsageError,
    _check_target,
    _fail,
    _parse_target,
    _split,
)

# The child: run the target eagerly or lazily, and at exit write what it executed.
# It loads _program.py by path, not as lazyimp._program, so that the eager runs do
# not pay for importing lazyimp (the lazy ones import it in _install, as a user would).
_CHILD = """\
import importlib.util, sys
spec = importlib.util.spec_from_file_location("lazyimp_program", {path!r})
child = importlib.util.module_from_spec(spec)
spec.loader.exec_module(child)
child.compare_child()
"""


def _measure_once(mode: str, target: Target, stats_file: str, lazy_from: bool = False) -> dict[str, Any]:
    import subprocess
    import time

    env = {k: v for k, v in os.environ.items() if k not in ("LAZYIMP", "LAZYIMP_DISABLE")}
    child = _CHILD.format(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "_program.py"))
    child_mode = "lazy_from" if mode == "lazy" and lazy_from else mode
    if os.path.exists(stats_file):
        os.unlink(stats_file)
    argv = [sys.executable, "-c", child, child_mode, stats_file, *target.argv()]
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    # wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would mix all of them).
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    modules: int | None
    try:
        with open(stats_file, encoding="utf-8") as f:
            modules = int(f.read().strip())
    except (OSError, ValueError):
        modules = None  # the program was killed before its exit handlers ran
    rss_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
    return {
        "wall_time": wall,
        "modules": modules,
        "peak_rss": rss_kib * 1024,
        "status": proc.returncode,
        "stderr": err.decode(errors="replace"),
    }


def _compare_parser() -> Any:
    import argparse

    parser = argparse.ArgumentParser(
        prog=f"{PROG} compare",
        usage=f"{PROG} compare [-n RUNS] [--lazy-from] [--json] (-m module | -c code | script.py) [args...]",
        description="Run a program eagerly and lazily, alternating, each time in a fresh "
        "interpreter, and print the medians of wall time (start-up included), "
        "modules executed and peak resident memory side by side. The program's "
        "output is discarded; its stdin is empty.",
        epilog=_TARGET_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-n", "--runs", type=int, default=5, metavar="RUNS", help="runs of each (default 5)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        metavar="N",
        help="discarded runs of each first (default 1)",
    )
    parser.add_argument(
        "--lazy-from",
        action="store_true",
        help="the lazy runs also defer `from x import y` (as LAZYIMP_LAZY_FROM=1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    return parser


def _median(values: list[float]) -> float:
    import statistics

    return float(statistics.median(values))


def cmd_compare(argv: list[str]) -> int:
    """``compare [-n RUNS] [--warmup N] [--lazy-from] [--json] (-m mod | -c code | script) [args]``.

    Returns:
        0, or 1 when the program's exit status differed between runs (its last
        stderr lines are shown).
    """
    import json
    import tempfile

    options, rest = _split(argv, {"-n", "--runs", "--warmup"})
    opts = _compare_parser().parse_args(options)
    if opts.runs < 1:
        _fail(f"-n {opts.runs}: expected a number of runs of at least 1")
    if opts.warmup < 0:
        _fail(f"--warmup {opts.warmup}: expected 0 or more")
    try:
        target = _parse_target(rest)
        _check_target(target)
    except UsageError as exc:
        _fail(str(exc))
    samples: dict[str, list[dict[str, Any]]] = {"eager": [], "lazy": []}
    total = 2 * (opts.runs + opts.warmup)
    progress = sys.stderr.isatty()
    statuses: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="lazyimp-compare-") as tmp:
        stats = os.path.join(tmp, "stats")
        done = 0
        for i in range(opts.warmup + opts.runs):
            for mode in ("eager", "lazy") if i % 2 == 0 else ("lazy", "eager"):
                if progress:
                    sys.stderr.write(f"\rlazyimp compare: run {done + 1}/{total} ({mode})  ")
                    sys.stderr.flush()
                result = _measure_once(mode, target, stats, opts.lazy_from)
                done += 1
                problem = _status_problem(statuses, mode, result["status"], target)
                if problem is not None:
                    # Lazy imports changed what the program does: that is the finding.
                    if progress:
                        sys.stderr.write("\n")
                    tail = "\n".join(result["stderr"].rstrip().splitlines()[-5:])
                    sys.stderr.write(f"lazyimp: error: {problem}; its last lines of stderr:\n{tail}\n")
                    return 1
                if i >= opts.warmup:
                    samples[mode].append(result)
    if progress:
        sys.stderr.write("\r" + " " * 60 + "\r")
    summary = _summarise(samples)
    summary["exit_status"] = statuses["eager"]
    if opts.json:
        summary["runs"] = opts.runs
        summary["warmup"] = opts.warmup
        summary["program"] = target.argv()
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        sys.stdout.write(_compare_table(summary, opts.runs, target))
    return 0


def _status_problem(statuses: dict[str, int], mode: str, status: int, target: Target) -> str | None:
    """What is wrong when this run's exit status differs from an earlier one, or None."""
    first = statuses.setdefault(mode, status)
    program = repr(target.describe())
    if status != first:
        how = "eager" if mode == "eager" else "lazy"
        return (
            f"{program} exited with status {status} in one {how} run and {first} in "
            f"another: it does not behave the same twice, so nothing can be compared"
        )
    other = "lazy" if mode == "eager" else "eager"
    if other in statuses and statuses[other] != status:
        lazy, eager = (status, statuses[other]) if mode == "lazy" else (statuses[other], status)
        return (
            f"{program} exited with status {lazy} with lazy imports but {eager} without: "
            f"lazy imports changed what it does ('{PROG} bisect {target.describe()}' "
            f"finds which imports to keep eager)"
        )
    return None


def _summarise(samples: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    keys = ("wall_time", "modules", "peak_rss")
    for mode, runs in samples.items():
        values = {key: [r[key] for r in runs] for key in keys}
        out[mode] = {
            # None when a run could not tell (modules: killed before its exit handlers).
            key: None if None in values[key] else _median(values[key]) for key in keys
        }
        out[mode]["samples"] = values
    out["ratio"] = {
        key: (out["lazy"][key] / out["eager"][key] if out["eager"][key] and out["lazy"][key] is not None else None)
        for key in keys
    }
    return out


def _compare_table(summary: dict[str, Any], runs: int, target: Target) -> str:
    rows: list[tuple[str, str, Callable[[float], str]]] = [
        ("wall time (ms)", "wall_time", lambda v: f"{v * 1000:.1f}"),
        ("modules executed", "modules", lambda v: f"{v:.0f}"),
        ("peak RSS (MiB)", "peak_rss", lambda v: f"{v / 1048576:.1f}"),
    ]
    lines = [
        f"{'median of ' + str(runs) + ' runs':<20} {'eager':>10} {'lazy':>10} {'lazy/eager':>11}"
    ]
    for label, key, fmt in rows:
        ratio = summary["ratio"][key]
        cells = [
            "?" if summary[mode][key] is None else fmt(summary[mode][key])
            for mode in ("eager", "lazy")
        ]
        lines.append(
            f"{label:<20} {cells[0]:>10} {cells[1]:>10} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>11}"
        )
    lines.append(f"program: {target.describe()}")
    if summary["eager"]["modules"] is None or summary["lazy"]["modules"] is None:
        lines.append(
            "(?: a run ended without running its exit handlers, killed by a signal, so "
            "its modules could not be counted)"
        )
    if summary["exit_status"]:
        lines.append(f"(the program exited with status {summary['exit_status']} in every run)")
    return "\n".join(lines) + "\n"
