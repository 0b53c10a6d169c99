"""Running a program as ``python`` would, inside this interpreter: the CLI's engine.

``python -m lazyimp run``, the children of ``compare`` and the lazy runs of ``bisect``
execute a program given as ``script.py``, ``-m module`` or ``-c code`` with the same
``sys.argv``, ``__main__`` module, ``sys.path[0]``, exit status and inherited stdin as
``python`` would, with an exit handler (the report, or compare's counts) that runs at
the interpreter's exit or at the program's own ``os._exit``.

This module imports nothing of lazyimp at module level: ``compare``'s eager children
load it by path, so that they do not pay for importing lazyimp.

Known limits: a program killed by a signal runs no exit handler.  Tracebacks of
uncaught exceptions are printed without lazyimp's and runpy's frames, but the
interpreter's start-up options (``-X``, ``-W``) are the launcher's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

PROG = "python -m lazyimp"

_ENVIRONMENT_HELP = """\
environment (read by every lazy run; switches take 1/true/yes/on or 0/false/no/off):
  LAZYIMP=1                  lazy imports for any python program, no code change
  LAZYIMP_DISABLE=1          install() does nothing (a kill switch)
  LAZYIMP_LAZY_FROM=1        also defer `from x import y` (as --lazy-from)
  LAZYIMP_IGNORE=a,b         modules to keep eager (exact names)
  LAZYIMP_IGNORE_PACKAGES=p  packages to keep eager with everything below them
  LAZYIMP_IGNORE_PATHS=dir   module files below a directory (or matching a glob)
  LAZYIMP_IGNORE_IMPORTERS=p packages whose own imports stay eager
  LAZYIMP_VERBOSE=1          log each module's load on the 'lazyimp' logger
[tool.lazyimp] in ./pyproject.toml takes the same settings (docs: configuration)."""

_TARGET_HELP = """\
program (the last options; everything after it goes to the program):
  script.py [args...]   a script, a directory or a zip file with __main__.py
  -m module [args...]   a module, as python -m runs it
  -c code [args...]     a string of code, as python -c runs it

""" + _ENVIRONMENT_HELP


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
    """Run ``target`` here and return its exit status; ``on_exit`` runs at exit.

    At exit means the interpreter's exit (atexit) or ``os._exit`` called by the
    program itself (mypy leaves that way): a wrapper runs ``on_exit`` first, once,
    in this process only (a forked child that calls ``os._exit``, as
    multiprocessing's workers do, writes nothing).
    """
    import atexit

    if on_exit is not None:
        atexit.register(_once(on_exit))
        _hook_os_exit(_once(on_exit))
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
                _ONCE_DONE.add(id(on_exit))  # no report of a program that never ran
            _fail(f"cannot run {target.describe()!r}: {exc}", 1)
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        return 1
    return 0


# Exit handlers already run (by id of the handler): atexit and the os._exit wrapper
# share one handler, which must run once.
_ONCE_DONE: set[int] = set()


def _once(handler: Callable[[], None]) -> Callable[[], None]:
    def run_once() -> None:
        if id(handler) in _ONCE_DONE:
            return
        _ONCE_DONE.add(id(handler))
        handler()

    return run_once


def _hook_os_exit(handler: Callable[[], None]) -> None:
    # os._exit skips atexit: run the handler first, then leave as the program asked.
    pid = os.getpid()
    real_exit = os._exit

    def _exit(status: int) -> NoReturn:
        if os.getpid() == pid:
            try:
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except (OSError, ValueError, AttributeError):
                        pass
                handler()
            finally:
                real_exit(status)
        real_exit(status)

    os._exit = _exit


def _install(ignore: list[str], lazy_from: bool = False, record_eager: bool = False) -> None:
    # The launcher's own machinery (runpy and what it imports at module level) is
    # loaded before lazy imports are on: it must never be handed out lazily.
    import runpy  # noqa: F401

    import lazyimp

    config: dict[str, Any] = {}
    if ignore:
        config["ignore"] = ignore
    if lazy_from:
        config["lazy_from"] = True
    if record_eager:
        config["record_eager"] = True
    try:
        lazyimp.install(**config)
    except (TypeError, ValueError) as exc:
        _fail(f"cannot install lazy imports: {exc}")


def compare_child() -> None:
    """The child side of ``compare``: run the target, write what it executed at exit."""
    # argv: -c MODE STATS_FILE target...   (MODE: eager | lazy | lazy_from)
    mode, stats_file, *words = sys.argv[1:]
    target = _parse_target(words)
    if mode != "eager":
        _install([], lazy_from=mode == "lazy_from")

    try:
        _check_target(target)
    except UsageError as exc:
        _fail(str(exc), 1)

    def write_stats() -> None:
        executed = len(sys.modules)
        if mode != "eager":
            from lazyimp import _registry

            executed -= sum(1 for r in _registry.RECORDS.values() if r.state == _registry.PROXIED)
        with open(stats_file, "w", encoding="utf-8") as out:
            out.write(f"{executed}\n")

    raise SystemExit(_execute(target, write_stats))
