"""``python -m lazyimp bisect``: find the modules that must stay eager (contract C9.9).

The program runs eagerly (plain ``python``) and lazily (``python -m lazyimp run
--report json``), each time in a fresh interpreter, in the working directory, with an
empty stdin.  Two runs *agree* when their exit status, stdout, stderr (unless
ignored) and the ``--check`` command's exit status and output are equal, after the
``--mask`` patterns.  When the first lazy run differs from the eager one, a second
eager run rules out a program that differs from itself, and the search begins over
the modules the lazy run deferred (report states ``proxied``, ``resolved`` and
``failed``); a lazy run keeps a set of them eager through ``LAZYIMP_IGNORE``.

The search (``Search``) is adaptive group testing by repeated binary search over a
fixed order of the candidates.  ``f(S)`` is "the runs agree when the modules in S stay
eager"; ``f({})`` is false (the first lazy run).  Each round looks for the shortest
prefix ``R[:i]`` of the remaining candidates with ``f(F | R[:i])`` true, ``F`` being
the modules found so far: ``R[i-1]`` is needed (without it the runs differed),
``R[i:]`` are not, and one more run, of ``f(F + R[i-1])``, tells whether the search
is over.  The first round assumes ``f(F | R)`` (every candidate eager) without running
it; it is run only when a second round in a row ends on that assumption.  With k >= 2
modules found, a last pass runs the set without each module but the last found (whose
run is cached), to make sure each one is needed.  With k modules needed among n that
is at most ``2 + k * (ceil(log2 n) + 2)`` runs in all (one more for k >= 3), the two
eager runs and the first lazy one included: within ``2 * k * log2(n) + 2`` for n >= 6,
and at most one run over for n <= 5.  ``tests/test_bisect.py``
checks both for up to four modules among up to 200, on every placement where there are
at most 600 and on random ones beyond.

Keeping more modules eager almost never makes the runs differ again (monotone), and
the count assumes it; the answer does not rely on it: the set reported made the runs
agree in a real run, and without any one of its modules a real run differed.  Keeping
a module eager can make other modules deferred (its own imports): when keeping every
candidate eager still differs, the modules that run deferred join the candidates; when
it deferred none that were not already kept eager, deferring modules does not cause
the difference, and the search says so.  Results are cached per set, so no set runs
twice.

Known limits: the runs must be deterministic (a program that prints times or
addresses needs ``--mask``); a lazy run that is killed or leaves through
``os._exit`` writes no report (a run past ``--timeout`` is interrupted first, so that
it usually does); ``--check`` sees files the previous run left behind, so a check that
reads output files should remove them.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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


def run_bound(n: int, k: int) -> float:
    """The issue's bound on program runs: ``2 * k * log2(n) + 2``."""
    return 2 * k * math.log2(max(n, 2)) + 2


# --- the search, a pure function of its oracle ------------------------------------------


class OutOfRuns(Exception):
    """Raised by an oracle when the run budget is spent."""


@dataclass(frozen=True)
class Trial:
    """One lazy run: did it agree with the eager runs, and what did it defer.

    ``deferred`` is None when the run wrote no report.
    """

    agree: bool
    deferred: frozenset[str] | None = None


@dataclass
class SearchResult:
    """What the search found.

    ``status``: ``found`` (``modules`` made the runs agree in a real run),
    ``not-caused`` (keeping every deferred module eager still differs) or
    ``out-of-runs`` (``modules`` are needed but the search did not finish; the next
    one is in ``narrowed``).  ``passing`` is the smallest set seen that made the runs
    agree.
    """

    status: str
    modules: list[str]
    undecided: list[str]
    passing: list[str] | None
    candidates: int
    runs: int
    rounds: int
    minimised: bool = False
    kept_eager: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    assumed: bool = False


Oracle = Callable[[frozenset[str]], Trial]


class Search:
    """Delta debugging over the deferred modules (see the module docstring).

    Args:
        oracle: runs the program lazily keeping the given modules eager; raises
            ``OutOfRuns`` when it may not run again.
        deferred: the modules the first lazy run deferred (it differed: ``f({})``
            is false).
        log: called with one line per round.
    """

    def __init__(
        self,
        oracle: Oracle,
        deferred: Iterable[str],
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.oracle = oracle
        self.log = log or (lambda line: None)
        self.order: list[str] = sorted(set(deferred))
        self.cache: dict[frozenset[str], Trial] = {frozenset(): Trial(False, frozenset(self.order))}
        self.found: list[str] = []
        self.rest: list[str] = list(self.order)
        self.runs = 0
        self.rounds = 0
        self.kept_eager: list[str] = []
        # Where the round's binary search stands: the next needed module is in here.
        self.window: list[str] = []
        # found + rest was never seen to agree (only assumed) after the last round.
        self.assumed = False

    def test(self, keep: frozenset[str]) -> Trial:
        """``f(keep)``, from the cache or one run of the oracle."""
        trial = self.cache.get(keep)
        if trial is None:
            trial = self.oracle(keep)
            self.runs += 1
            self.cache[keep] = trial
        return trial

    def run(self) -> SearchResult:
        """Search until a set is found, ruled out, or the oracle runs out."""
        try:
            status = self._search()
        except OutOfRuns:
            if self.window:
                self.log(
                    f"round {self.rounds} (unfinished): the next module to keep eager is "
                    f"one of {len(self.window)}: "
                    + ", ".join(self.window[:10])
                    + (" ..." if len(self.window) > 10 else "")
                )
            return self._result("out-of-runs")
        if status != "found":
            return self._result(status)
        minimised = False
        try:
            if len(self.found) > 1:
                before = self.runs
                minimised = self._minimise()
                self.log(
                    f"check: {_count(self.runs - before, 'run')}: without any one of the "
                    f"{len(self.found)} modules, the runs differ"
                )
        except OutOfRuns:
            pass  # self.found still made the runs agree: report it unminimised
        return self._result("found", minimised)

    # -- rounds ----------------------------------------------------------------------

    def _search(self) -> str:
        while True:
            self.rounds += 1
            before = self.runs
            found = frozenset(self.found)
            rest = self.rest
            if not rest:
                # Only at the start or after the candidates grew to nothing new.
                if not self._grow(self.cache[found], before):
                    return "not-caused"
                continue
            lo, hi = self._bounds(found, rest)
            self.window = rest[lo:hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if self.test(found | frozenset(rest[:mid])).agree:
                    hi = mid
                else:
                    lo = mid
                self.window = rest[lo:hi]
            top = found | frozenset(rest[:hi])
            culprit = rest[hi - 1]
            now = found | {culprit}
            if self.test(now).agree:
                self.found = sorted(now)
                self.rest = []
                self.log(
                    f"round {self.rounds}: {len(rest)} candidates, {_count(self.runs - before, 'run')}: "
                    f"{culprit!r} must stay eager; keeping {_count(len(now), 'module')} "
                    "eager, the runs agree"
                )
                return "found"
            verdict = self.cache.get(top)
            if verdict is None and self.assumed:
                # The search ended twice on the untested assumption that keeping every
                # candidate eager agrees: test it before going on.
                verdict = self.test(top)
            if verdict is not None and not verdict.agree:
                if not self._grow(verdict, before):
                    return "not-caused"
                continue
            self.assumed = verdict is None
            self.found = sorted(now)
            self.rest = rest[: hi - 1]
            self.log(
                f"round {self.rounds}: {len(rest)} candidates, {_count(self.runs - before, 'run')}: "
                f"{culprit!r} must stay eager"
                + (
                    f" (if keeping all {len(rest) + len(found)} eager agrees: not run yet)"
                    if self.assumed
                    else ""
                )
                + f"; the runs still differ, {_count(len(self.rest), 'candidate')} left"
            )

    def _bounds(self, found: frozenset[str], rest: list[str]) -> tuple[int, int]:
        # What the cache already says about prefixes of rest: the shortest known to
        # agree (else the whole list, assumed) and the longest shorter one known not to.
        pos = {name: i for i, name in enumerate(rest)}
        facts: list[tuple[int, bool]] = []
        for keep, trial in self.cache.items():
            if not found <= keep:
                continue
            extra = keep - found
            if not all(name in pos for name in extra):
                continue
            end = max((pos[name] for name in extra), default=-1) + 1
            if end == len(extra):
                facts.append((end, trial.agree))
        hi = min((end for end, agree in facts if agree), default=len(rest))
        lo = max((end for end, agree in facts if not agree and end < hi), default=0)
        return lo, hi

    def _grow(self, trial: Trial, before: int) -> bool:
        # Keeping every candidate eager still differs.  Modules that run deferred
        # (imported by bodies that now ran eagerly) become candidates too.
        kept = set(self.found) | set(self.rest)
        new = sorted((trial.deferred or frozenset()) - kept)
        line = (
            f"round {self.rounds}: {_count(self.runs - before, 'run')}: keeping all "
            f"{_count(len(kept), 'candidate')} eager, the runs still differ"
        )
        if not new:
            self.kept_eager = sorted(kept)
            why = "no report" if trial.deferred is None else "no other module"
            self.log(f"{line}, and that run deferred {why}")
            return False
        self.log(f"{line}; that run deferred {_count(len(new), 'more module')}, searching them too")
        self.order += new
        self.found = []
        self.rest = list(self.order)
        self.assumed = False
        return True

    # -- robustness -------------------------------------------------------------------

    def _minimise(self) -> bool:
        # Each module was needed in a run that kept a superset of the others eager,
        # which proves it needed in the final set only if keeping more eager never
        # hurts (monotone).  Try the set without each module (the last one found is
        # cached: that was the round's first run), until none can go.
        dropped = False
        changed = True
        while changed and len(self.found) > 1:
            changed = False
            for name in list(self.found):
                if len(self.found) == 1:
                    break
                without = frozenset(self.found) - {name}
                if self.test(without).agree:
                    self.found = sorted(without)
                    self.log(f"minimising: {name!r} is not needed after all")
                    dropped = changed = True
        return dropped

    def _result(self, status: str, minimised: bool = False) -> SearchResult:
        agreeing = sorted((keep for keep, trial in self.cache.items() if trial.agree), key=len)
        passing = sorted(agreeing[0]) if agreeing else None
        return SearchResult(
            status=status,
            modules=list(self.found) if status != "not-caused" else [],
            undecided=list(self.rest) if status == "out-of-runs" else [],
            narrowed=list(self.window) if status == "out-of-runs" else [],
            passing=passing,
            candidates=len(self.order),
            runs=self.runs,
            rounds=self.rounds,
            minimised=minimised,
            kept_eager=self.kept_eager,
            assumed=self.assumed,
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


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
        self._count()
        self.eager_runs += 1
        return self._run([sys.executable, *self.settings.target], self.env, interrupt=False)

    def lazy(self, keep: frozenset[str]) -> tuple[Outcome, frozenset[str] | None]:
        """One run through ``lazyimp run`` keeping ``keep`` eager; and what it deferred."""
        self._count()
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

    def _count(self) -> None:
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
    return _count(n, "line")


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
                self.log(f"interrupted after {_count(runner.runs, 'program run')}")
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
            self.log(f"run 2 (lazy): the same as eager; {_count(n, 'module')} deferred")
            return self._finish(
                runner,
                "agree",
                f"the eager and lazy runs agree ({_count(n, 'module')} deferred): "
                "nothing needs to stay eager",
                deferred=n,
                status=0,
            )
        difference = describe_difference(eager, lazy, ignore_stderr)
        self.log(f"run 2 (lazy): differs: {difference}; {_count(n, 'module')} deferred")

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
                f"keeping all {_count(kept, 'deferred module')} eager, the lazy run still "
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
                f"stopped after {_count(runner.runs, 'program run')} (--max-runs {s.max_runs}) "
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
                    f"No module found yet among {_count(result.candidates, 'deferred module')}."
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
            f"({_count(runner.runs, 'program run')}; {_count(n, 'module')} deferred):",
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
            f"{_count(runner.runs, 'program run')} ({runner.eager_runs} eager, "
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
