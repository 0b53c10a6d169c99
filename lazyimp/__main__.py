"""The command line: ``python -m lazyimp run``, ``compare`` and ``bisect`` (contract C9.6).

``run`` executes a program as ``python script.py``, ``python -m module`` or
``python -c code`` would, with lazy imports on, and writes the report when the
program exits (``_program`` runs it).  ``compare`` (``_compare``) runs the program in
fresh interpreters, alternating eager and lazy, and prints medians side by side.
``bisect`` (``_bisect``) runs it eagerly and lazily and, when they differ, finds the
modules that must stay eager.  ``compare`` and ``bisect`` load only when asked for.

Known limits: a program killed by a signal gets no report (one that leaves through
``os._exit``, as mypy does, gets it: ``_program`` runs the report first).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from ._program import (
    _ENVIRONMENT_HELP,
    _TARGET_HELP,
    PROG,
    UsageError,
    _check_target,
    _execute,
    _fail,
    _install,
    _parse_target,
    _split,
)

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

Run 'python -m lazyimp COMMAND --help' for a command's options.
"""

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
    parser.add_argument(
        "--lazy-from",
        action="store_true",
        help="also defer `from x import y` (as LAZYIMP_LAZY_FROM=1)",
    )
    return parser


def cmd_run(argv: list[str]) -> int:
    """``run [--report F] [--output FILE] [--ignore M,...] [--lazy-from] (-m mod | -c code | script) [args]``.

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
    # A timeline export holds the whole start-up, eager imports included (as -X
    # importtime does): only then are they timed.
    _install(ignore, opts.lazy_from, record_eager=opts.report in ("importtime", "chrome-trace"))
    return _execute(target, _report_at_exit(opts.report, opts.output))


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
        stream.write(f"usage: {PROG} {{run,compare,bisect}} ...\n\n{_DESCRIPTION}\n{_ENVIRONMENT_HELP}\n")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "run":
        return cmd_run(rest)
    if command == "compare":
        from ._compare import cmd_compare

        return cmd_compare(rest)
    if command == "bisect":
        return cmd_bisect(rest)
    _fail(f"unknown command {command!r}: expected 'run', 'compare' or 'bisect' (see --help)")


if __name__ == "__main__":
    raise SystemExit(main())
