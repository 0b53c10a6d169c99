"""``python -m lazyimp bisect``: find the modules that must stay eager (contract C9.9).

The program runs eagerly (plain ``python``) and lazily (``python -m lazyimp run
--report json``), each time in a fresh interpreter, in the working directory, with an
empty stdin.  Two runs *agree* when their exit status, stdout, stderr (unless
ignored) and the ``--check`` command's exit status and output are equal, after the
``--mask`` patterns.  When the first lazy run differs from the eager one, a second
eager run rules out a program that differs from itself, and the search begins over
the modules the lazy run deferred (report states ``proxied``, ``resolved`` and
``failed``); a lazy run keeps a set of them eager through ``LAZYIMP_IGNORE``.

The search itself is ``_search.Search`` (adaptive group testing, with its bound).

Known limits: the runs must be deterministic (a program that prints times or
addresses needs ``--mask``); a lazy run that is killed or leaves through
``os._exit`` writes no report (a run past ``--timeout`` is interrupted first, so that
it usually does); ``--check`` sees files the previous run left behind, so a check that
reads output files should remove them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ._search import OutOfRuns, Search, SearchResult, Trial, plural, run_bound

# Report states of a module that was handed out as a proxy.
DEFERRED_STATES = frozenset({"proxied", "resolved", "failed"})
DEFAULT_MAX_RUNS = 60
# A run past its time limit gets SIGINT first (lazyimp run writes its report from an
# atexit handler), then, this many seconds later, SIGKILL for its process group.
GRACE = 5.0
# Without --timeout: the lazy runs get this many times the first eager run's
# duration, and never less than MIN_TIMEOUT seconds.
TIMEOUT_FACTOR = 10.0
MIN_TIMEOUT = 60.0
MASKED = "<masked>"


# --- running the program ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One run of the program (and the check).  ``status`` None: timed out."""

    status: int | None
    stdout: str
    stderr: str
    check: tuple[int | None, str] | None = None
    seconds: float = 0.0

    def key(self, ignore_stderr: bool) -> tuple[Any, ...]:
        """What two runs must share to agree."""
        if self.status is None:
            return ("timed out",)
        return (self.status, self.stdout, None if ignore_stderr else self.stderr, self.check)


# The lazy child: lazyimp from the same place as this file, then `lazyimp run` as if
# started with python -m lazyimp (its sys.path[0] entry is removed again).  The time
# limit interrupts it with SIGINT, which a bisect started in the background by a
# non-interactive shell (nohup, some CI runners) hands down ignored, and Python keeps
# it ignored: the child takes Python's own handler back (from _signal, built in, so
# that no module the program could see is added).
_LAZY_CHILD = """\
import _signal, sys
_signal.signal(_signal.SIGINT, _signal.default_int_handler)
sys.path.insert(0, {root!r})
from lazyimp.__main__ import main
del sys.path[0]
report, *target = sys.argv[1:]
raise SystemExit(main(["run", "--report", "json", "--output", report, *target]))
"""


@dataclass
class Settings:
    """The command line, parsed and checked."""

    target: list[str]
    check: str | None = None
    max_runs: int = DEFAULT_MAX_RUNS
    lazy_from: bool = False
    timeout: float | None = None
    ignore_stderr: bool = False
    masks: list[re.Pattern[str]] = field(default_factory=list)
    json: bool = False


class Runner:
    """Runs the program eagerly or lazily, counting runs against ``max_runs``."""

    def __init__(self, settings: Settings, workdir: str) -> None:
        self.settings = settings
        self.workdir = workdir
        self.cwd = os.getcwd()
        self.timeout: float | None = settings.timeout
        self.runs = 0
        self.eager_runs = 0
        self.lazy_runs = 0
        env = {k: v for k, v in os.environ.items() if k not in ("LAZYIMP", "LAZYIMP_DISABLE")}
        # The same string hashes in every run: set order must not look like a difference.
        env.setdefault("PYTHONHASHSEED", "0")
        self.env = env
        self.user_ignore = [
            n.strip() for n in env.get("LAZYIMP_IGNORE", "").split(",") if n.strip()
        ]
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.child = _LAZY_CHILD.format(root=root)

    def eager(self) -> Outcome:
        """One run as ``python`` would run the program."""
        self._count_run()
        self.eager_runs += 1
        return self._run([sys.executable, *self.settings.target], self.env, interrupt=False)

    def lazy(self, keep: frozenset[str]) -> tuple[Outcome, frozenset[str] | None]:
        """One run through ``lazyimp run`` keeping ``keep`` eager; and what it deferred."""
        self._count_run()
        self.lazy_runs += 1
        env = dict(self.env)
        env.pop("LAZYIMP_IGNORE", None)
        names = self.user_ignore + sorted(keep)
        if names:
            env["LAZYIMP_IGNORE"] = ",".join(names)
        if self.settings.lazy_from:
            env["LAZYIMP_LAZY_FROM"] = "1"
        report = os.path.join(self.workdir, f"report-{self.runs}.json")
        argv = [sys.executable, "-c", self.child, report, *self.settings.target]
        outcome = self._run(argv, env, interrupt=True)
        deferred = read_deferred(report)
        try:
            os.unlink(report)
        except OSError:
            pass
        return outcome, deferred

    def _count_run(self) -> None:
        if self.runs >= self.settings.max_runs:
            raise OutOfRuns
        self.runs += 1

    def _run(self, argv: list[str], env: dict[str, str], interrupt: bool) -> Outcome:
        import time

        started = time.perf_counter()
        status, out, err = spawn(argv, env, self.cwd, self.timeout, interrupt=interrupt)
        seconds = time.perf_counter() - started
        check = None
        if self.settings.check is not None and status is not None:
            cstatus, cout, _ = spawn(
                self.settings.check, self.env, self.cwd, self.timeout, shell=True, merge=True
            )
            check = (cstatus, self._mask(cout))
        return Outcome(status, self._mask(out), self._mask(err), check, seconds)

    def _mask(self, text: str) -> str:
        for pattern in self.settings.masks:
            text = pattern.sub(MASKED, text)
        return text


def spawn(
    argv: list[str] | str,
    env: dict[str, str],
    cwd: str,
    timeout: float | None,
    *,
    shell: bool = False,
    merge: bool = False,
    interrupt: bool = False,
) -> tuple[int | None, str, str]:
    """Run a command with an empty stdin; ``(status or None if timed out, out, err)``.

    The command gets its own process group, killed afterwards with whatever it left.
    """
    import subprocess

    posix = os.name == "posix"
    proc = subprocess.Popen(
        argv,
        shell=shell,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        start_new_session=posix,
    )
    status: int | None
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            status = None
            if interrupt and posix:
                import signal

                proc.send_signal(signal.SIGINT)
                try:
                    out, err = proc.communicate(timeout=GRACE)
                except subprocess.TimeoutExpired:
                    _kill(proc)
                    out, err = proc.communicate()
            else:
                _kill(proc)
                out, err = proc.communicate()
    except BaseException:
        _kill(proc)
        proc.wait()
        raise
    _kill(proc)
    return status, _text(out), _text(err)


def _kill(proc: Any) -> None:
    if os.name == "posix":
        import signal

        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif proc.poll() is None:
        proc.kill()


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def read_deferred(path: str) -> frozenset[str] | None:
    """The modules a JSON report lists as deferred, or None without a usable report."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    modules = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(modules, list):
        return None
    return frozenset(
        m["name"]
        for m in modules
        if isinstance(m, dict)
        and m.get("state") in DEFERRED_STATES
        and isinstance(m.get("name"), str)
    )


# --- describing runs -------------------------------------------------------------------


def _short(text: str, width: int = 70) -> str:
    text = repr(text)
    return text if len(text) <= width else text[: width - 4] + "...'"


def _lines(text: str) -> str:
    n = len(text.splitlines())
    return plural(n, "line")


ADDRESS = "0x[0-9a-fA-F]+"


def _unaddressed(outcome: Outcome, ignore_stderr: bool) -> tuple[Any, ...]:
    # The run's comparison key with memory addresses (0x7f...) blanked.
    return tuple(re.sub(ADDRESS, MASKED, repr(part)) for part in outcome.key(ignore_stderr))


def summarise(outcome: Outcome) -> str:
    """One run in a few words: exit status, lines of output."""
    if outcome.status is None:
        return "timed out"
    words = f"exit status {outcome.status}, {_lines(outcome.stdout)} of stdout, "
    words += f"{_lines(outcome.stderr)} of stderr"
    if outcome.check is not None:
        cstatus = "timed out" if outcome.check[0] is None else f"exit status {outcome.check[0]}"
        words += f"; check: {cstatus}, {_lines(outcome.check[1])} of output"
    return words


def _exception_line(text: str) -> str | None:
    # The exception of the last traceback in text (past the notes lazyimp adds).
    if "Traceback (most recent call last)" not in text:
        return None
    tail = text.rsplit("Traceback (most recent call last)", 1)[1].splitlines()
    lines = [ln for ln in tail if ln.strip() and not ln.startswith((" ", "lazyimp: "))]
    return lines[-1] if lines else None


def _first_difference(name: str, a: str, b: str, labels: tuple[str, str]) -> str:
    la, lb = a.splitlines(), b.splitlines()
    ea, eb = _exception_line(a), _exception_line(b)
    if ea != eb:
        if eb is not None:
            return f"{name}: the {labels[1]} run raised {_short(eb)}"
        if ea is not None:
            return f"{name}: the {labels[0]} run raised {_short(ea)}"
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else None
        y = lb[i] if i < len(lb) else None
        if x != y:
            show = ["(no line)" if v is None else _short(v) for v in (x, y)]
            return f"{name} line {i + 1}: {show[0]} ({labels[0]}) vs {show[1]} ({labels[1]})"
    return f"{name} differs in line endings or a final newline"


def describe_difference(
    a: Outcome, b: Outcome, ignore_stderr: bool, labels: tuple[str, str] = ("eager", "lazy")
) -> str:
    """What differs between two runs, in one line."""
    if a.status is None or b.status is None:
        late = labels[0] if a.status is None else labels[1]
        return f"the {late} run timed out"
    parts = []
    if a.status != b.status:
        parts.append(f"exit status {a.status} ({labels[0]}) vs {b.status} ({labels[1]})")
    if a.stdout != b.stdout:
        parts.append(_first_difference("stdout", a.stdout, b.stdout, labels))
    if not ignore_stderr and a.stderr != b.stderr:
        parts.append(_first_difference("stderr", a.stderr, b.stderr, labels))
    if a.check != b.check and a.check is not None and b.check is not None:
        if a.check[0] != b.check[0]:
            parts.append(
                f"check exit status {a.check[0]} ({labels[0]}) vs {b.check[0]} ({labels[1]})"
            )
        if a.check[1] != b.check[1]:
            parts.append(_first_difference("check output", a.check[1], b.check[1], labels))
    return "; ".join(parts) or "nothing"


# --- the command ------------------------------------------------------------------------


def config_lines(
    modules: Sequence[str], lazy_from: bool, user_ignore: Sequence[str]
) -> dict[str, str]:
    """The three ways to keep ``modules`` eager: pyproject.toml, environment, install()."""
    quoted = ", ".join(f'"{m}"' for m in modules)
    toml = ["[tool.lazyimp]"]
    if lazy_from:
        toml.append("lazy_from = true")
    if len(modules) > 1:
        toml += ["ignore = [", *(f'    "{m}",' for m in modules), "]"]
    else:
        toml.append(f"ignore = [{quoted}]")
    env = (
        ("LAZYIMP_LAZY_FROM=1 " if lazy_from else "")
        + "LAZYIMP_IGNORE="
        + ",".join([*user_ignore, *modules])
    )
    args = ("lazy_from=True, " if lazy_from else "") + f"ignore=[{quoted}]"
    return {"pyproject": "\n".join(toml), "env": env, "install": f"lazyimp.install({args})"}


class Command:
    """The bisect command: runs, search, and what it prints."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tty = sys.stderr.isatty()

    def log(self, line: str) -> None:
        """A progress line on stderr."""
        if self.tty:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(f"lazyimp bisect: {line}\n")
        sys.stderr.flush()

    def status(self, line: str) -> None:
        """A transient line on a terminal (overwritten by the next one)."""
        if self.tty:
            sys.stderr.write(f"\r\033[Klazyimp bisect: {line[:100]}")
            sys.stderr.flush()

    def main(self) -> int:
        """Run the whole bisection; returns the exit status (0 or 1)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="lazyimp-bisect-") as workdir:
            runner = Runner(self.settings, workdir)
            try:
                return self._bisect(runner)
            except KeyboardInterrupt:
                self.log(f"interrupted after {plural(runner.runs, 'program run')}")
                return 130

    def _bisect(self, runner: Runner) -> int:
        s = self.settings
        ignore_stderr = s.ignore_stderr
        self.status("run 1 (eager)...")
        eager = runner.eager()
        self.log(f"run 1 (eager): {summarise(eager)}")
        if eager.status is None:
            return self._finish(
                runner,
                "eager-timeout",
                f"the eager run did not finish within --timeout {s.timeout:g} s; "
                "bisect needs a program that ends: raise --timeout",
            )
        if self.settings.timeout is None:
            runner.timeout = max(MIN_TIMEOUT, TIMEOUT_FACTOR * eager.seconds)
        reference = eager.key(ignore_stderr)

        self.status("run 2 (lazy)...")
        lazy, deferred = runner.lazy(frozenset())
        n = len(deferred) if deferred is not None else 0
        if lazy.key(ignore_stderr) == reference:
            self.log(f"run 2 (lazy): the same as eager; {plural(n, 'module')} deferred")
            return self._finish(
                runner,
                "agree",
                f"the eager and lazy runs agree ({plural(n, 'module')} deferred): "
                "nothing needs to stay eager",
                deferred=n,
                status=0,
            )
        difference = describe_difference(eager, lazy, ignore_stderr)
        self.log(f"run 2 (lazy): differs: {difference}; {plural(n, 'module')} deferred")

        self.status("run 3 (eager again)...")
        eager2 = runner.eager()
        if eager2.key(ignore_stderr) != reference:
            what = describe_difference(eager, eager2, ignore_stderr, ("run 1", "run 3"))
            self.log(f"run 3 (eager again): differs from run 1: {what}")
            hint = ""
            if _unaddressed(eager, ignore_stderr) == _unaddressed(eager2, ignore_stderr):
                hint = f" (here only memory addresses differ: --mask '{ADDRESS}')"
            return self._finish(
                runner,
                "nondeterministic",
                f"the program is not deterministic: two eager runs differ ({what}). bisect "
                "compares eager and lazy runs, so what changes from run to run must not "
                "count: blank it out with --mask REGEX (times, addresses, random numbers)"
                f"{hint}, leave stderr out with --ignore-stderr, or compare only what "
                "matters with --check CMD",
                deferred=n,
                difference=difference,
            )
        self.log("run 3 (eager again): the same as run 1")
        if deferred is None:
            tail = "\n".join(lazy.stderr.rstrip().splitlines()[-5:])
            return self._finish(
                runner,
                "no-report",
                "the lazy run wrote no report, so bisect cannot tell which modules it "
                "deferred (was it killed, or did it leave through os._exit?); "
                f"its last lines of stderr:\n{tail}",
                difference=difference,
            )

        def oracle(keep: frozenset[str]) -> Trial:
            self.status(
                f"run {runner.runs + 1}: keeping {len(keep)} of the deferred modules eager..."
            )
            outcome, seen = runner.lazy(keep)
            return Trial(outcome.key(ignore_stderr) == reference, seen)

        result = Search(oracle, deferred, self.log).run()
        return self._report(runner, result, n, difference)

    def _report(self, runner: Runner, result: SearchResult, n: int, difference: str) -> int:
        s = self.settings
        k = len(result.modules)
        if result.status == "not-caused":
            kept = len(result.kept_eager)
            return self._finish(
                runner,
                "not-caused",
                f"keeping all {plural(kept, 'deferred module')} eager, the lazy run still "
                f"differs from the eager runs ({difference}): the difference is not caused "
                "by deferring modules.  Something else differs between `python` and "
                "`python -m lazyimp run` (the program may look at sys.modules, "
                "sys.orig_argv or the interpreter's flags); try --ignore-stderr or --mask "
                "if only messages differ",
                deferred=n,
                difference=difference,
                result=result,
            )
        if result.status == "out-of-runs":
            lines = [
                f"stopped after {plural(runner.runs, 'program run')} (--max-runs {s.max_runs}) "
                "before the search finished."
            ]
            if result.modules:
                lines.append(
                    f"Found so far, needed: {', '.join(result.modules)}"
                    + (
                        " (if keeping every deferred module eager agrees: not run yet)."
                        if result.assumed
                        else "."
                    )
                )
            else:
                lines.append(
                    f"No module found yet among {plural(result.candidates, 'deferred module')}."
                )
            if result.narrowed:
                lines.append(
                    f"The next one to keep eager is one of these {len(result.narrowed)}: "
                    + ", ".join(result.narrowed[:20])
                    + (" ..." if len(result.narrowed) > 20 else "")
                )
            if result.passing is not None:
                lines.append(
                    f"Keeping these {len(result.passing)} eager made the runs agree: "
                    + ", ".join(result.passing[:20])
                    + (" ..." if len(result.passing) > 20 else "")
                )
            lines.append("Run again with a larger --max-runs to finish the search.")
            return self._finish(
                runner,
                "max-runs",
                "\n".join(lines),
                deferred=n,
                difference=difference,
                result=result,
            )
        config = config_lines(result.modules, s.lazy_from, runner.user_ignore)
        noun = "module must" if k == 1 else "modules must"
        text = [
            f"{k} {noun} stay eager for the lazy run to agree with the eager one "
            f"({plural(runner.runs, 'program run')}; {plural(n, 'module')} deferred):",
            *(f"    {m}" for m in result.modules),
            "",
            "Add to pyproject.toml (merge with an ignore list already there):",
            "",
            *(f"    {line}" for line in config["pyproject"].splitlines()),
            "",
            f"or set the environment: {config['env']}",
            f"or in code: {config['install']}",
        ]
        if result.minimised:
            text.insert(
                1 + k,
                "(keeping more modules eager made some runs differ again: "
                "the set was minimised module by module)",
            )
        return self._finish(
            runner,
            "found",
            "\n".join(text),
            deferred=n,
            difference=difference,
            result=result,
            config=config,
            status=0,
        )

    def _finish(
        self,
        runner: Runner,
        outcome: str,
        message: str,
        *,
        deferred: int | None = None,
        difference: str | None = None,
        result: SearchResult | None = None,
        config: dict[str, str] | None = None,
        status: int = 1,
    ) -> int:
        if self.tty:
            sys.stderr.write("\r\033[K")
        k = len(result.modules) if result is not None else 0
        self.log(
            f"{plural(runner.runs, 'program run')} ({runner.eager_runs} eager, "
            f"{runner.lazy_runs} lazy)"
            + (
                f"; bound 2*k*log2(n)+2 = {run_bound(deferred, k):.1f} for k={k}, n={deferred}"
                if outcome == "found" and deferred
                else ""
            )
        )
        if self.settings.json:
            import json

            data: dict[str, Any] = {
                "result": outcome,
                "message": message,
                "modules": result.modules if result is not None else [],
                "undecided": result.undecided if result is not None else [],
                "narrowed": result.narrowed if result is not None else [],
                "passing": result.passing if result is not None else None,
                "runs": runner.runs,
                "eager_runs": runner.eager_runs,
                "lazy_runs": runner.lazy_runs,
                "deferred": deferred,
                "candidates": result.candidates if result is not None else deferred,
                "rounds": result.rounds if result is not None else 0,
                "bound": run_bound(deferred, k) if deferred and outcome == "found" else None,
                "difference": difference,
                "config": config,
                "program": self.settings.target,
                "lazy_from": self.settings.lazy_from,
            }
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        else:
            sys.stdout.write(f"lazyimp bisect: {message}\n")
        sys.stdout.flush()
        return status
