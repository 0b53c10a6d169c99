#!/usr/bin/env python3
"""Run real projects' own test suites eagerly and under lazyimp; compare test by test.

For each project: download its pinned source distribution from PyPI (``pip download
--no-binary :all: --no-deps NAME==VERSION``), unpack it, make a fresh virtual
environment holding this repository (built once as a wheel), the project and its test
requirements, then run its test suite twice from the unpacked sources, with
``--junitxml`` each time: eagerly, and with ``-p lazyimp.pytest_plugin``.  The outcomes
are compared per test id and printed as a table.

Exit status: 0 when every test that passed eagerly also passed lazily; 1 when one did
not (a regression, listed with its lazy failure message); 2 when a project could not be
set up (download, build, install) or its suite did not run.

Usage::

    python scripts/third_party.py                      # the pinned projects below
    python scripts/third_party.py -j 2 six toolz       # a subset, two at a time
    python scripts/third_party.py attrs==25.3.0        # any project (tests/ by default)
    python scripts/third_party.py --workdir /tmp/tp --json results.json
    python scripts/third_party.py --no-workarounds idna   # without its policy entry

Projects are independent: ``-j N`` runs N of them at once (each runs its two suites one
after the other, so eager and lazy never compete with each other for the CPU).  The
download and the wheels pip builds are cached in ``--workdir``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Project:
    """A PyPI project whose sdist ships its tests: what to install, what to run."""

    name: str
    version: str
    deps: tuple[str, ...] = ("pytest",)
    # pytest arguments, run from the unpacked sdist (test paths, deselections).
    args: tuple[str, ...] = ("tests",)
    # Policy entries the lazy run needs (passed as LAZYIMP_IGNORE): module -> why.
    # Each is a documented difference: what breaks without it is printed with
    # --no-workarounds.
    ignore: tuple[tuple[str, str], ...] = ()


# Pinned: a new release may change its tests.  Each suite runs in well under two
# minutes on two cores; every one of them ships its tests in the sdist.
# Longest first: with -j N the pool starts them in this order, so the long suites
# overlap the short ones (times on two cores, both runs and set-up included).
PROJECTS: dict[str, Project] = {
    p.name: p
    for p in (
        # 62k tests, ~35 s per run.
        Project("packaging", "26.3", deps=("pytest", "pretend", "hypothesis", "tomli_w")),
        Project("attrs", "26.1.0", deps=("pytest", "hypothesis", "cloudpickle", "pympler")),
        Project("more-itertools", "11.2.1"),
        Project("click", "8.5.1"),
        # Ran 22 tests differently until lazyimp 0.1.0's fix for eager imports of
        # modules already handed out lazily (a function's `import idna.codec` must
        # run it: the codec registers itself at import).
        Project("idna", "3.20", deps=("pytest", "hypothesis")),
        Project("six", "1.17.0", args=("test_six.py",)),
        Project("toolz", "1.2.0", args=("toolz/tests",)),
        Project("itsdangerous", "2.2.0", deps=("pytest", "freezegun")),
    )
}
DEFAULT = tuple(PROJECTS)


@dataclasses.dataclass
class Result:
    project: str
    version: str
    eager: dict[str, str] = dataclasses.field(default_factory=dict)
    lazy: dict[str, str] = dataclasses.field(default_factory=dict)
    messages: dict[str, str] = dataclasses.field(default_factory=dict)  # lazy failures
    eager_rc: int | None = None
    lazy_rc: int | None = None
    lazy_totals: dict[str, int] = dataclasses.field(default_factory=dict)
    setup_error: str | None = None
    seconds: float = 0.0
    ignore: dict[str, str] = dataclasses.field(default_factory=dict)  # workarounds used

    def regressions(self) -> list[str]:
        """Tests that passed eagerly and did not pass lazily (or vanished)."""
        return sorted(
            t for t, o in self.eager.items() if o == "passed" and self.lazy.get(t) != "passed"
        )

    def differences(self) -> list[tuple[str, str, str]]:
        names = sorted(set(self.eager) | set(self.lazy))
        return [
            (t, self.eager.get(t, "-"), self.lazy.get(t, "-"))
            for t in names
            if self.eager.get(t) != self.lazy.get(t)
        ]


def log(message: str) -> None:
    print(f"[third_party {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    logfile: Path,
    timeout: float,
    env: dict[str, str] | None = None,
) -> int:
    """Run ``cmd`` with its output appended to ``logfile``; return its exit status."""
    with open(logfile, "a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n")
        fh.flush()
        try:
            proc = subprocess.run(
                cmd,
                cwd=cwd,
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                env=env,
            )
        except subprocess.TimeoutExpired:
            fh.write(f"\n*** timed out after {timeout:.0f} s\n")
            return -1
    return proc.returncode


def clean_env() -> dict[str, str]:
    """The environment for the suites: no LAZYIMP_* switch, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAZYIMP") and k != "PYTHONPATH"}
    env["PYTHONHASHSEED"] = "0"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def build_lazyimp_wheel(workdir: Path, timeout: float) -> Path:
    """Build this repository once as a wheel, as users install it."""
    out = workdir / "wheels"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    logfile = workdir / "lazyimp-wheel.log"
    rc = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        logfile=logfile,
        timeout=timeout,
    )
    wheels = list(out.glob("lazyimp_toolkit-*.whl"))
    if rc != 0 or not wheels:
        raise SystemExit(f"cannot build lazyimp's wheel (see {logfile})")
    return wheels[0]


def unpack(sdist: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            tar.extractall(dest)
    (top,) = [p for p in dest.iterdir() if p.is_dir()]
    return top


def parse_junit(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Outcome per test id (passed, failed, error, skipped) and failure messages."""
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                text = (child.get("message") or child.text or "").strip()
                messages[test_id] = text.splitlines()[-1][:200] if text else ""
                break
            if child.tag == "skipped":
                outcome = "skipped"
        # A test that fails in teardown appears twice (passed, then error): keep the worst.
        if outcomes.get(test_id) in ("failed", "error"):
            continue
        outcomes[test_id] = outcome
    return outcomes, messages


def run_project(
    project: Project,
    workdir: Path,
    wheel: Path,
    timeout: float,
    workarounds: bool = True,
    lazy_from: bool = False,
) -> Result:
    started = time.perf_counter()
    result = Result(project.name, project.version)
    if workarounds:
        result.ignore = dict(project.ignore)
    home = workdir / project.name
    home.mkdir(parents=True, exist_ok=True)
    logfile = home / "setup.log"
    logfile.write_text("")
    env = clean_env()
    try:
        dl = home / "sdist"
        spec = f"{project.name}=={project.version}"
        if not any(dl.glob("*.tar.gz")):
            log(f"{spec}: downloading the sdist")
            rc = run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-binary",
                    ":all:",
                    "--no-deps",
                    "-d",
                    str(dl),
                    spec,
                ],
                logfile=logfile,
                timeout=timeout,
            )
            if rc != 0:
                raise RuntimeError(f"pip download {spec} failed")
        (sdist,) = dl.glob("*.tar.gz")
        src = unpack(sdist, home / "src")
        venv = home / "venv"
        shutil.rmtree(venv, ignore_errors=True)
        log(f"{spec}: creating the environment")
        if run([sys.executable, "-m", "venv", str(venv)], logfile=logfile, timeout=timeout) != 0:
            raise RuntimeError("python -m venv failed")
        python = str(venv / "bin" / "python")
        install = [python, "-m", "pip", "install", "-q", str(wheel), str(src), *project.deps]
        if run(install, logfile=logfile, timeout=timeout, env=env) != 0:
            raise RuntimeError(f"installing {spec} and its test requirements failed")
    except (RuntimeError, ValueError, OSError) as exc:
        result.setup_error = f"{exc} (see {logfile})"
        result.seconds = time.perf_counter() - started
        return result

    base = [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "junit_family=xunit2"]
    for mode in ("eager", "lazy"):
        junit = home / f"{mode}.xml"
        junit.unlink(missing_ok=True)
        extra = [f"--junitxml={junit}"]
        if mode == "lazy":
            extra += [
                "-p",
                "lazyimp.pytest_plugin",
                f"--lazyimp-report={home / 'lazy-report.json'}",
            ]
        log(f"{spec}: running the suite ({mode})")
        mode_env = dict(env)
        if mode == "lazy" and workarounds and project.ignore:
            mode_env["LAZYIMP_IGNORE"] = ",".join(name for name, _ in project.ignore)
        if mode == "lazy" and lazy_from:
            mode_env["LAZYIMP_LAZY_FROM"] = "1"
        rc = run(
            [*base, *extra, *project.args],
            cwd=src,
            logfile=home / f"{mode}.log",
            timeout=timeout,
            env=mode_env,
        )
        setattr(result, f"{mode}_rc", rc)
        if not junit.exists():
            result.setup_error = (
                f"the {mode} run wrote no JUnit XML (exit {rc}; see {home / f'{mode}.log'})"
            )
            break
        if mode == "eager" and rc not in (0, 1):
            # Interrupted, a collection error, no tests: not a baseline to compare with.
            result.setup_error = (
                f"the eager run did not complete (exit {rc}; see {home / 'eager.log'})"
            )
        outcomes, messages = parse_junit(junit)
        setattr(result, mode, outcomes)
        if mode == "lazy":
            result.messages = messages
    report = home / "lazy-report.json"
    if report.exists():
        totals = json.loads(report.read_text()).get("totals", {})
        result.lazy_totals = {
            k: int(totals.get(k, 0)) for k in ("deferred", "resolved", "never_used")
        }
    result.seconds = time.perf_counter() - started
    return result


def counts(outcomes: dict[str, str]) -> str:
    passed = sum(o == "passed" for o in outcomes.values())
    failed = sum(o in ("failed", "error") for o in outcomes.values())
    skipped = sum(o == "skipped" for o in outcomes.values())
    return f"{passed}/{failed}/{skipped}"


def print_table(results: list[Result]) -> None:
    header = (
        "project",
        "tests",
        "eager p/f/s",
        "lazy p/f/s",
        "deferred/resolved/unused",
        "regressions",
        "other diffs",
        "time",
        "policy (LAZYIMP_IGNORE)",
    )
    rows = []
    for r in results:
        if r.setup_error and not r.eager:
            rows.append(
                (
                    f"{r.project}=={r.version}",
                    "-",
                    "-",
                    "-",
                    "-",
                    "SETUP",
                    "-",
                    f"{r.seconds:.0f}s",
                    "-",
                )
            )
            continue
        t = r.lazy_totals
        lazy_info = (
            f"{t.get('deferred', 0)}/{t.get('resolved', 0)}/{t.get('never_used', 0)}" if t else "-"
        )
        regress = len(r.regressions())
        other = len(r.differences()) - regress
        rows.append(
            (
                f"{r.project}=={r.version}",
                str(len(set(r.eager) | set(r.lazy))),
                counts(r.eager),
                counts(r.lazy),
                lazy_info,
                str(regress),
                str(other),
                f"{r.seconds:.0f}s",
                ",".join(r.ignore) or "-",
            )
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(line)
    for r in results:
        for name, why in r.ignore.items():
            print(f"{r.project}: lazy run with LAZYIMP_IGNORE={name}: {why}")
        if r.setup_error:
            print(f"{r.project}: {r.setup_error}")
        for test, eager, lazy in r.differences():
            why = r.messages.get(test, "")
            print(f"{r.project}: {test}: eager {eager}, lazy {lazy}" + (f": {why}" if why else ""))


def parse_project(text: str) -> Project:
    name, _, version = text.partition("==")
    known = PROJECTS.get(name)
    if known is not None:
        return dataclasses.replace(known, version=version or known.version)
    if not version:
        raise SystemExit(f"{name!r} has no pinned version here: give NAME==VERSION")
    return Project(name, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "projects", nargs="*", help="NAME or NAME==VERSION (default: the pinned set)"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, help="projects to run at once (default 1)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(".third-party"),
        help="cache and logs (default .third-party)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds per step (default 600)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--no-workarounds",
        action="store_true",
        help="run lazily without the per-project policy entries (shows what they fix)",
    )
    parser.add_argument(
        "--lazy-from",
        action="store_true",
        help="run lazily with install(lazy_from=True) (LAZYIMP_LAZY_FROM=1)",
    )
    args = parser.parse_args(argv)

    projects = [parse_project(p) for p in (args.projects or DEFAULT)]
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"building lazyimp's wheel from {REPO}")
    wheel = build_lazyimp_wheel(workdir, args.timeout)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(
            pool.map(
                lambda p: run_project(
                    p, workdir, wheel, args.timeout, not args.no_workarounds, args.lazy_from
                ),
                projects,
            )
        )
    print_table(results)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "project": r.project,
                        "version": r.version,
                        "eager": r.eager,
                        "lazy": r.lazy,
                        "regressions": r.regressions(),
                        "lazy_totals": r.lazy_totals,
                        "policy": r.ignore,
                        "setup_error": r.setup_error,
                        "seconds": round(r.seconds, 1),
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    if any(r.setup_error for r in results):
        return 2
    return 1 if any(r.regressions() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
