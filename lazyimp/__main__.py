"""The command line: ``python -m lazyimp run``, ``compare`` and ``bisect`` (SPEC 6.4).

``run`` executes a program as ``python script.py``, ``python -m module`` or
``python -c code`` would (same ``sys.argv``, ``__main__`` module, ``sys.path[0]``,
exit status and inherited stdin) with lazy imports on, and writes the report when the
interpreter exits (after the program's non-daemon threads end, in an ``atexit``
handler).  ``compare`` runs the program in fresh interpreters, alternating eager and
lazy, and prints medians side by side.  ``bisect`` (in ``_bisect``, loaded only for
it) runs the program eagerly and lazily and, when they differ, finds the modules that
must stay eager.

Known limits: a program that leaves through ``os._exit`` (or is killed) gets no
report.  ``run`` executes the program inside this interpreter, so tracebacks of
uncaught exceptions are printed without lazyimp's and runpy's frames but the
interpreter's start-up (``-X``, ``-W`` options) is the one ``lazyimp`` was started with.
``compare``'s wall time covers the whole child interpreter, start-up included; peak
RSS comes from ``os.wait4`` (POSIX only).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

PROG = "python -m lazyimp"
FORMATS = ("text", "json", "importtime", "chrome-trace")

_DESCRIPTION = """\
Run a Python program with lazy imports and see what its start-up imported.

commands:
  run       run a program with lazy imports on; print the report when it exits
  compare   run a program eagerly and lazily in fresh interpreters; compare medians
  bisect    when a program behaves differently with lazy imports, find the modules
            that must stay eager and print the [tool.lazyimp] lines to add

examples:
  python -m lazyimp run app.py --port 8000        (like: python app.py --port 8000)
  python -m lazyimp run -m http.server 8000       (like: python -m http.server 8000)
  python -m lazyimp run --report json --output report.json -m mytool --help
  python -m lazyimp compare -n 10 -m mytool --help
  python -m lazyimp bisect --check 'cat out.txt' app.py --write out.txt

Run 'python -m lazyimp COMMAND --help' for a command's options."""

_TARGET_HELP = """\
program (the last options; everything after it goes to the program):
  script.py [args...]   a script, a directory or a zip file with __main__.py
  -m module [args...]   a module, as python -m runs it
  -c code [args...]     a string of code, as python -c runs it"""


class UsageError(Exception):
    """A bad command line: printed as one line, exit status 2."""


def _fail(message: str, status: int = 2) -> NoReturn:
    sys.stderr.write(f"lazyimp: error: {message}\n")
    raise SystemExit(status)


# --- splitting the command line -------------------------------------------------------


def _split(argv: list[str], valued: set[str]) -> tuple[list[str], list[str]]:
    """Split ``argv`` into lazyimp's options and the program: ``-m``/``-c``/a script on.

    Options in ``valued`` take the next argument as their value (``--opt value``);
    ``--opt=value`` is one argument.  ``--`` ends the options: the script follows.
    """
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return argv[:i], argv[i + 1 :]
        if arg in ("-m", "-c") or arg.startswith(("-m", "-c")) and not arg.startswith("--"):
            return argv[:i], argv[i:]
        if not arg.startswith("-") or arg == "-":
            return argv[:i], argv[i:]
        i += 2 if arg in valued else 1
    return argv, []


class Target:
    """What to run: ``kind`` is ``script``, ``module`` or ``code``; ``args`` follow it."""

    def __init__(self, kind: str, value: str, args: list[str]) -> None:
        self.kind = kind
        self.value = value
        self.args = args

    def argv(self) -> list[str]:
        """The arguments that make ``python`` run this target."""
        if self.kind == "script":
            return [self.value, *self.args]
        flag = "-m" if self.kind == "module" else "-c"
        return [flag, self.value, *self.args]

    def describe(self) -> str:
        """The target as the user typed it, for messages."""
        return " ".join(self.argv())


def _parse_target(words: list[str]) -> Target:
    if not words:
        raise UsageError("no program given: expected -m module, -c code or script.py")
    first = words[0]
    for flag, kind in (("-m", "module"), ("-c", "code")):
        if first == flag:
            if len(words) < 2:
                raise UsageError(f"argument {flag}: expected one argument")
            return Target(kind, words[1], words[2:])
        if first.startswith(flag):
            return Target(kind, first[2:], words[1:])
    return Target("script", first, words[1:])


# --- running a program in this interpreter --------------------------------------------


def _check_target(target: Target) -> None:
    # The failures that must be one clear line, not a traceback, checked before any
    # of the program runs.  For -m only the top-level name is looked up: finding
    # "a.b" would execute package "a" before lazy imports are on.  Deeper failures
    # come from runpy as an ImportError that _execute prints as one line.
    if target.kind == "script":
        if not os.path.exists(target.value):
            raise UsageError(
                f"can't open file {os.path.abspath(target.value)!r}: no such file or directory"
            )
    elif target.kind == "module":
        from importlib.util import find_spec

        top = target.value.partition(".")[0]
        if not top:
            raise UsageError(f"-m {target.value!r}: expected an absolute module name")
        try:
            spec = find_spec(top)
        except (ImportError, ValueError) as exc:
            raise UsageError(f"cannot run module {target.value!r}: {exc}") from None
        if spec is None:
            raise UsageError(f"no module named {top!r}")


def _set_path0(target: Target) -> None:
    # Put first on sys.path what python would (nothing under -P / PYTHONSAFEPATH):
    # the script's directory, the working directory for -m, '' for -c.  sys.path[0]
    # is now this launcher's own entry (the working directory under python -m
    # lazyimp, the bin directory for the console script), which the program must not
    # see.  For a directory or zip archive, runpy.run_path inserts it itself.
    if getattr(sys.flags, "safe_path", False):
        return
    if target.kind == "script":
        if (
            os.path.isdir(target.value)
            or not os.path.isfile(target.value)
            or (not target.value.endswith((".py", ".pyw", ".pyc")) and _is_zip(target.value))
        ):
            del sys.path[0]
            return
        sys.path[0] = os.path.dirname(os.path.abspath(target.value))
    elif target.kind == "module":
        sys.path[0] = os.getcwd()
    else:
        sys.path[0] = ""


def _is_zip(path: str) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


def _is_source(path: str) -> bool:
    # What python runs as a source file (not a directory, zip archive or .pyc).
    if not os.path.isfile(path) or path.endswith(".pyc"):
        return False
    return path.endswith((".py", ".pyw")) or not _is_zip(path)


def _run_target(target: Target) -> None:
    """Run the program as ``python`` would; exceptions propagate to the caller."""
    import runpy

    if target.kind == "script":
        sys.argv = [target.value, *target.args]
        if _is_source(target.value):
            # As python: __file__ and the traceback's file name are absolute,
            # sys.argv[0] stays as typed (runpy.run_path would set both to one path).
            from importlib.machinery import SourceFileLoader

            path = os.path.abspath(target.value)
            with open(path, "rb") as fh:
                code = compile(fh.read(), path, "exec")
            loader = SourceFileLoader("__main__", path)
            _exec_main(
                code,
                {"__file__": path, "__cached__": None, "__loader__": loader, "__package__": None},
            )
        else:
            runpy.run_path(target.value, run_name="__main__")
    elif target.kind == "module":
        sys.argv = [target.value, *target.args]  # run_module puts the file path here
        runpy.run_module(target.value, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *target.args]
        _exec_main(compile(target.value, "<string>", "exec"), {})


def _exec_main(code: Any, names: dict[str, Any]) -> None:
    import builtins
    import types

    main = types.ModuleType("__main__")
    main.__dict__.update(names)
    main.__dict__["__builtins__"] = builtins
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _user_traceback(exc: BaseException) -> Any:
    # Drop the leading frames that belong to this launcher and runpy, so that the
    # traceback starts in the program as python's own would.
    skip = {os.path.abspath(__file__)}
    runpy = sys.modules.get("runpy")
    if runpy is not None and getattr(runpy, "__file__", None):
        skip.add(os.path.abspath(runpy.__file__ or ""))
    tb = exc.__traceback__
    while tb is not None and (
        os.path.abspath(tb.tb_frame.f_code.co_filename) in skip
        or tb.tb_frame.f_code.co_filename.startswith("<frozen runpy")
    ):
        tb = tb.tb_next
    return tb


def _execute(target: Target, on_exit: Any = None) -> int:
    """Run ``target`` here and return its exit status; ``on_exit`` runs at exit."""
    import atexit

    if on_exit is not None:
        atexit.register(on_exit)
    _set_path0(target)
    try:
        _run_target(target)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B036 - reported as python reports it
        tb = _user_traceback(exc)
        if tb is None and isinstance(exc, ImportError):
            # runpy's own failure before the program started (a package without
            # __main__, a module that cannot be run): one line, as python prints it,
            # and no report of a program that never ran.
            if on_exit is not None:
                atexit.unregister(on_exit)
            _fail(f"cannot run {target.describe()!r}: {exc}", 1)
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        return 1
    return 0


def _install(ignore: list[str]) -> None:
    # The launcher's own machinery (runpy and what it imports at module level) is
    # loaded before lazy imports are on: it must never be handed out lazily.
    import runpy  # noqa: F401

    import lazyimp

    config: dict[str, Any] = {}
    if ignore:
        config["ignore"] = ignore
    try:
        lazyimp.install(**config)
    except (TypeError, ValueError) as exc:
        _fail(f"cannot install lazy imports: {exc}")


def _report_at_exit(fmt: str, output: str | None) -> Any:
    def write() -> None:
        from . import _report

        try:
            if output is None:
                _report.report(None, fmt)
            else:
                _report.report(output, fmt)
        except OSError as exc:
            sys.stderr.write(f"lazyimp: error: cannot write the report to {output!r}: {exc}\n")

    return write


# --- run ------------------------------------------------------------------------------


def _run_parser() -> Any:
    import argparse

    parser = argparse.ArgumentParser(
        prog=f"{PROG} run",
        usage=f"{PROG} run [options] (-m module | -c code | script.py) [args...]",
        description="Run a program with lazy imports on and write the lazyimp report "
        "when it exits (text to stderr by default).",
        epilog=_TARGET_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--report",
        choices=FORMATS,
        default="text",
        metavar="FORMAT",
        help="report format: text (default), json, importtime (for tuna) or "
        "chrome-trace (for Perfetto / chrome://tracing)",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the report to FILE instead of stderr"
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="MODULES",
        help="comma-separated module names to keep eager (repeatable); "
        "adds to LAZYIMP_IGNORE and [tool.lazyimp]",
    )
    return parser


def cmd_run(argv: list[str]) -> int:
    """``run [--report F] [--output FILE] [--ignore M,...] (-m mod | -c code | script) [args]``.

    Returns:
        The program's exit status (``SystemExit`` codes pass through).
    """
    options, rest = _split(argv, {"--report", "--output", "--ignore"})
    opts = _run_parser().parse_args(options)
    try:
        target = _parse_target(rest)
    except UsageError as exc:
        _fail(str(exc))
    ignore = [name.strip() for item in opts.ignore for name in item.split(",") if name.strip()]
    if opts.output is not None:
        directory = os.path.dirname(os.path.abspath(opts.output))
        if not os.path.isdir(directory):
            _fail(f"--output {opts.output!r}: directory {directory!r} does not exist")
    try:
        _check_target(target)
    except UsageError as exc:
        _fail(str(exc), 2 if target.kind == "script" else 1)
    _install(ignore)
    return _execute(target, _report_at_exit(opts.report, opts.output))


# --- compare --------------------------------------------------------------------------

# The child: run the target eagerly or lazily, and at exit write what it executed.
# It loads this file by path, not as lazyimp.__main__, so that the eager runs do not
# pay for importing lazyimp (the lazy ones import it in _install, as a user would).
_CHILD = """\
import importlib.util, sys
spec = importlib.util.spec_from_file_location("lazyimp_compare_child", {path!r})
child = importlib.util.module_from_spec(spec)
spec.loader.exec_module(child)
child._child()
"""


def _child() -> None:
    # argv: -c MODE STATS_FILE target...   (MODE: eager | lazy)
    mode, stats_file, *words = sys.argv[1:]
    target = _parse_target(words)
    if mode == "lazy":
        _install([])

    try:
        _check_target(target)
    except UsageError as exc:
        _fail(str(exc), 1)

    def write_stats() -> None:
        executed = len(sys.modules)
        if mode == "lazy":
            from lazyimp import _registry

            executed -= sum(1 for r in _registry.RECORDS.values() if r.state == _registry.PROXIED)
        with open(stats_file, "w", encoding="utf-8") as out:
            out.write(f"{executed}\n")

    raise SystemExit(_execute(target, write_stats))


def _measure_once(mode: str, target: Target, stats_file: str) -> dict[str, Any]:
    import subprocess
    import time

    env = {k: v for k, v in os.environ.items() if k not in ("LAZYIMP", "LAZYIMP_DISABLE")}
    child = _CHILD.format(path=os.path.abspath(__file__))
    argv = [sys.executable, "-c", child, mode, stats_file, *target.argv()]
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
    try:
        with open(stats_file, encoding="utf-8") as f:
            modules = int(f.read().strip() or 0)
    except (OSError, ValueError):
        modules = 0
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
        usage=f"{PROG} compare [-n RUNS] [--json] (-m module | -c code | script.py) [args...]",
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
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    return parser


def _median(values: list[float]) -> float:
    import statistics

    return float(statistics.median(values))


def cmd_compare(argv: list[str]) -> int:
    """``compare [-n RUNS] [--warmup N] [--json] (-m mod | -c code | script) [args]``.

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
                result = _measure_once(mode, target, stats)
                done += 1
                expected = statuses.setdefault(mode, result["status"])
                if result["status"] != expected or statuses.get("eager", expected) != statuses.get(
                    "lazy", expected
                ):
                    # Lazy imports changed what the program does: that is the finding.
                    if progress:
                        sys.stderr.write("\n")
                    tail = "\n".join(result["stderr"].rstrip().splitlines()[-5:])
                    sys.stderr.write(
                        f"lazyimp: error: {target.describe()!r} exited with status "
                        f"{result['status']} when run {mode}ly, but {statuses} before; "
                        f"its last lines of stderr:\n{tail}\n"
                    )
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


def _summarise(samples: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode, runs in samples.items():
        out[mode] = {
            "wall_time": _median([r["wall_time"] for r in runs]),
            "modules": _median([r["modules"] for r in runs]),
            "peak_rss": _median([r["peak_rss"] for r in runs]),
            "samples": {
                key: [r[key] for r in runs] for key in ("wall_time", "modules", "peak_rss")
            },
        }
    out["ratio"] = {
        key: (out["lazy"][key] / out["eager"][key] if out["eager"][key] else None)
        for key in ("wall_time", "modules", "peak_rss")
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
        lines.append(
            f"{label:<20} {fmt(summary['eager'][key]):>10} {fmt(summary['lazy'][key]):>10} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>11}"
        )
    lines.append(f"program: {target.describe()}")
    if summary["exit_status"]:
        lines.append(f"(the program exited with status {summary['exit_status']} in every run)")
    return "\n".join(lines) + "\n"


# --- bisect ---------------------------------------------------------------------------

_BISECT_EPILOG = """\
Two runs agree when their exit status, stdout, stderr and the --check command's exit
status and output are the same.  Every run starts a fresh interpreter in the working
directory with an empty stdin and PYTHONHASHSEED=0 (unless set); the lazy runs go
through 'python -m lazyimp run' and read the [tool.lazyimp] settings and LAZYIMP_*
variables as usual.  A run is one start of the program (and of the check).

First the program runs eagerly and lazily; if they agree, that is all.  Otherwise a
second eager run checks that the program does the same thing twice, and the search
keeps sets of the modules the lazy run deferred eager (LAZYIMP_IGNORE) until it finds
a small set that makes the runs agree: about 2*k*log2(n)+2 runs for k modules among n.

exit status: 0 the runs agree, or a set was found; 1 none found (not caused by
deferring modules, a program that differs from itself, --max-runs reached); 2 a bad
command line.

""" + _TARGET_HELP


def _bisect_parser() -> Any:
    import argparse

    parser = argparse.ArgumentParser(
        prog=f"{PROG} bisect",
        usage=f"{PROG} bisect [options] (-m module | -c code | script.py) [args...]",
        description="When a program behaves differently with lazy imports, find the "
        "modules that must stay eager, and print the [tool.lazyimp] lines to add.",
        epilog=_BISECT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--check",
        metavar="CMD",
        help="a shell command run after each run of the program, in the same directory "
        "(for example to look at files it wrote); its exit status and output (stdout "
        "and stderr) count in the comparison. It sees what earlier runs left behind: "
        "let it remove what it reads",
    )
    parser.add_argument(
        "--max-runs",
        type=int,
        default=60,
        metavar="N",
        help="stop after N runs of the program, saying what was found so far (default 60)",
    )
    parser.add_argument(
        "--lazy-from",
        action="store_true",
        help="defer from-imports too in the lazy runs (LAZYIMP_LAZY_FROM=1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="time limit for each run (and each check); a run past it is interrupted and "
        "counts as 'timed out' (default: none for the first eager run, then ten times "
        "its duration and at least 60 s)",
    )
    parser.add_argument(
        "--ignore-stderr",
        action="store_true",
        help="leave stderr out of the comparison (exit status, stdout and the check count)",
    )
    parser.add_argument(
        "--mask",
        action="append",
        default=[],
        metavar="REGEX",
        help="replace the matches of REGEX in stdout, stderr and the check's output "
        "before comparing, for what changes from run to run: times, addresses, temporary "
        "paths (repeatable)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the result as one JSON object on stdout (progress stays on stderr)",
    )
    return parser


def cmd_bisect(argv: list[str]) -> int:
    """``bisect [--check CMD] [--max-runs N] [--lazy-from] ... (-m mod | -c code | script)``.

    Returns:
        0 when the runs agree or a set of modules was found, 1 when none was.
    """
    import re

    options, rest = _split(argv, {"--check", "--max-runs", "--timeout", "--mask"})
    opts = _bisect_parser().parse_args(options)
    if opts.max_runs < 3:
        _fail(
            f"--max-runs {opts.max_runs}: expected at least 3 "
            "(two eager runs and a lazy one come first)"
        )
    if opts.timeout is not None and not opts.timeout > 0:
        _fail(f"--timeout {opts.timeout:g}: expected a number of seconds above 0")
    if opts.check is not None and not opts.check.strip():
        _fail("--check '': expected a shell command")
    masks = []
    for pattern in opts.mask:
        try:
            masks.append(re.compile(pattern))
        except re.error as exc:
            _fail(f"--mask {pattern!r}: not a regular expression: {exc}")
    try:
        target = _parse_target(rest)
        _check_target(target)
    except UsageError as exc:
        _fail(str(exc))

    from . import _bisect

    settings = _bisect.Settings(
        target=target.argv(),
        check=opts.check,
        max_runs=opts.max_runs,
        lazy_from=opts.lazy_from,
        timeout=opts.timeout,
        ignore_stderr=opts.ignore_stderr,
        masks=masks,
        json=opts.json,
    )
    return _bisect.Command(settings).main()


# --- entry point ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The ``lazyimp`` console script and ``python -m lazyimp``.

    Args:
        argv: the arguments after the program name; None reads ``sys.argv[1:]``.

    Returns:
        The exit status: the program's for ``run``, 0 or 1 for ``compare`` and
        ``bisect``, 2 for a usage error.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        stream = sys.stdout if args else sys.stderr
        stream.write(f"usage: {PROG} {{run,compare,bisect}} ...\n\n{_DESCRIPTION}\n")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "run":
        return cmd_run(rest)
    if command == "compare":
        return cmd_compare(rest)
    if command == "bisect":
        return cmd_bisect(rest)
    _fail(f"unknown command {command!r}: expected 'run', 'compare' or 'bisect' (see --help)")


if __name__ == "__main__":
    raise SystemExit(main())
