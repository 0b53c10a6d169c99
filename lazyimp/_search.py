"""Finding the modules that must stay eager: the search behind ``lazyimp bisect``.

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

This module runs nothing: ``Search`` asks its oracle, a function of the set of
modules kept eager (``_bisect`` runs the program for it; the tests use pure functions).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


def run_bound(n: int, k: int) -> float:
    """The issue's bound on program runs: ``2 * k * log2(n) + 2``."""
    return 2 * k * math.log2(max(n, 2)) + 2


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
                    f"check: {plural(self.runs - before, 'run')}: without any one of the "
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
                    f"round {self.rounds}: {len(rest)} candidates, {plural(self.runs - before, 'run')}: "
                    f"{culprit!r} must stay eager; keeping {plural(len(now), 'module')} "
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
                f"round {self.rounds}: {len(rest)} candidates, {plural(self.runs - before, 'run')}: "
                f"{culprit!r} must stay eager"
                + (
                    f" (if keeping all {len(rest) + len(found)} eager agrees: not run yet)"
                    if self.assumed
                    else ""
                )
                + f"; the runs still differ, {plural(len(self.rest), 'candidate')} left"
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
            f"round {self.rounds}: {plural(self.runs - before, 'run')}: keeping all "
            f"{plural(len(kept), 'candidate')} eager, the runs still differ"
        )
        if not new:
            self.kept_eager = sorted(kept)
            why = "no report" if trial.deferred is None else "no other module"
            self.log(f"{line}, and that run deferred {why}")
            return False
        self.log(f"{line}; that run deferred {plural(len(new), 'more module')}, searching them too")
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


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
