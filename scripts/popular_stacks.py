#!/usr/bin/env python3
"""Run small jobs with popular PyPI libraries eagerly and under lazyimp; compare the runs.

Each job (a folder under ``scripts/stacks/jobs/``: ``job.py`` run with the environment's
Python, or ``job.sh`` run with bash, plus its input files) really uses one library: it
fits a model, renders a page, builds a request, migrates a database.  Every job runs
three times, in a fresh empty working directory holding a copy of its inputs:

* ``eager``: no lazyimp switch;
* ``lazy``: ``LAZYIMP=1`` (the ``.pth`` switch the wheel ships);
* ``lazy_from``: ``LAZYIMP=1 LAZYIMP_LAZY_FROM=1``.

The exit status, stdout, stderr and every file the job leaves in its directory must be
the same in all three, after normalising only what is random from run to run (see
``Normaliser``).  All the libraries live in one virtual environment, pinned exactly in
``scripts/stacks/requirements.txt`` and cached in ``--cache`` (default
``~/.cache/lazyimp/popular-stacks``) under a hash of that file and the interpreter; this
repository is built as a wheel and reinstalled into it on every run (its code changes,
the pins do not).  A run holds a lock on the environment, so runs sharing it take turns.

Exit status: 0 when every lazy run is identical to its eager run; 1 when one differs
(shown with a short diff); 2 when the environment could not be set up, or a job's eager
run itself did not give the exit status the job is written to give (a broken job is no
baseline to compare with).

Usage::

    python scripts/popular_stacks.py                     # every job
    python scripts/popular_stacks.py -j 2 pandas django-deploy-check
    python scripts/popular_stacks.py --workdir /tmp/ps --json results.json
    python scripts/popular_stacks.py --repeat-eager      # check the jobs' determinism
    python scripts/popular_stacks.py --list

Jobs are independent: ``-j N`` runs N of them at once; a job's runs go one after the
other, in the same directory path, so that no path differs between them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime
import difflib
import fcntl
import hashlib
import io
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STACKS = REPO / "scripts" / "stacks"
JOBS_DIR = STACKS / "jobs"
REQUIREMENTS = STACKS / "requirements.txt"
# Part of the cache key: changing how the environment is installed rebuilds it.
INSTALL_ARGS = ("install", "--quiet", "--only-binary", ":all:", "--no-deps", "-r")
PYTHON = (3, 11)  # the pins are wheels for this CPython

MODES: dict[str, dict[str, str]] = {
    "eager": {},
    "lazy": {"LAZYIMP": "1"},
    "lazy_from": {"LAZYIMP": "1", "LAZYIMP_LAZY_FROM": "1"},
}
# --repeat-eager: a second eager run, to show that a job is deterministic by itself.
REPEAT = "eager_again"


@dataclasses.dataclass(frozen=True)
class Job:
    """A folder under scripts/stacks/jobs and the library it exercises."""

    name: str
    stack: str  # the PyPI project whose pin is shown as the version
    expect: int = 0  # the exit status the eager run gives (the job is written for it)
    timeout: float = 300.0  # seconds per run


# Longest first: with -j N the pool starts them in this order, so the long jobs overlap
# the short ones (seconds for the three runs on two shared cores in brackets).
JOBS: dict[str, Job] = {
    j.name: j
    for j in (
        Job("mypy", "mypy"),
        Job("django-app", "Django"),
        Job("scikit-learn", "scikit-learn"),
        Job("statsmodels", "statsmodels"),
        Job("sphinx", "Sphinx"),
        Job("seaborn", "seaborn"),
        Job("alembic", "alembic"),
        Job("sympy", "sympy"),
        Job("matplotlib", "matplotlib"),
        Job("pytest", "pytest"),
        Job("httpie", "httpie"),
        Job("black", "black"),
        Job("pandas", "pandas"),
        Job("tqdm", "tqdm"),
        Job("scipy", "scipy"),
        Job("pyarrow", "pyarrow"),
        Job("boto3", "boto3"),
        Job("fastapi", "fastapi"),
        # Eagerly: 7 security warnings and exit 1, a CI gate that fails.
        Job("django-deploy-check", "Django", expect=1),
        Job("networkx", "networkx"),
        Job("aiohttp", "aiohttp"),
        Job("pygments", "Pygments"),
        Job("markdown", "Markdown"),
        Job("sqlalchemy", "SQLAlchemy"),
        Job("flask", "Flask"),
        Job("rich", "rich"),
        Job("anyio", "anyio"),
        Job("trio", "trio"),
        Job("psutil", "psutil"),
        Job("pillow", "pillow"),
        Job("numpy", "numpy"),
        Job("cryptography", "cryptography"),
        Job("requests", "requests"),
        Job("httpx", "httpx"),
        Job("pydantic", "pydantic"),
        Job("jinja2", "Jinja2"),
        Job("lxml", "lxml"),
        Job("beautifulsoup4", "beautifulsoup4"),
        Job("openpyxl", "openpyxl"),
        Job("jsonschema", "jsonschema"),
        # Ends with a usage error on purpose: click prints it and exits 2.
        Job("click", "click", expect=2),
        Job("typer", "typer"),
        Job("pyyaml", "PyYAML"),
        Job("attrs", "attrs"),
        Job("python-dateutil", "python-dateutil"),
        Job("protobuf", "protobuf"),
        Job("tomlkit", "tomlkit"),
        Job("marshmallow", "marshmallow"),
    )
}


def log(message: str) -> None:
    print(f"[popular_stacks {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- normalisation -------------------------------------------------------------------


class Normaliser:
    """Rewrites what is random from one run to the next, and nothing else.

    Not normalised, because the runs make it the same: the job's directory, HOME and
    TMPDIR (every run of a job uses the same paths, emptied in between), hash seeds
    (PYTHONHASHSEED=0), the time zone, locale, terminal width, thread counts.
    """

    # id()-based reprs such as "<object at 0x7f3a2c1b5e50>": addresses differ per process.
    ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{8,16}\b")
    # tempfile's names (mkdtemp, NamedTemporaryFile): 8 random characters after "tmp".
    TEMPNAME = re.compile(r"\btmp[a-z0-9_]{8}\b")
    # Durations the tools measure with a clock: pytest's and unittest's "in 0.12s",
    # JUnit XML's time="0.012" attributes.
    DURATION = re.compile(r"\bin \d+(?:\.\d+)?s\b")
    JUNIT_TIME = re.compile(r'\btime="\d+(?:\.\d+)?"')
    # pytest pads its summary line with "=" to the terminal width around the text, so a
    # duration of another length moves the padding: one rule for the whole line.
    PYTEST_SUMMARY = re.compile(r"^=+ (.+ in <T>s(?: \([^)]*\))?) =+$", re.MULTILINE)
    # django-admin startproject draws a SECRET_KEY with the secrets module.
    SECRET_KEY = re.compile(r"^(SECRET_KEY = )(['\"]).*\2$", re.MULTILINE)
    # Wall-clock timestamps: replaced only when they fall within the run (a fixed date
    # a job prints, such as 2024-01-01, stays as it is).  Minutes-only forms exist
    # (Django's "Generated by Django X on 2026-11-05 12:34").
    DATETIME = re.compile(
        r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
        r"(?:Z|[+-]\d{2}:?\d{2})?"
    )

    def __init__(self, started: float, ended: float) -> None:
        # Minute resolution and clock skew between the job and us: two minutes of slack.
        self.earliest = started - 120
        self.latest = ended + 120

    def _datetime(self, match: re.Match[str]) -> str:
        year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
        second = int(match.group(6) or 0)
        try:
            moment = datetime.datetime(
                year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc
            ).timestamp()
        except ValueError:
            return match.group(0)
        # TZ=UTC for the jobs, so a local time is UTC too.
        if self.earliest <= moment <= self.latest:
            return "<NOW>"
        return match.group(0)

    def text(self, text: str) -> str:
        text = self.ADDRESS.sub("0x<ADDR>", text)
        text = self.TEMPNAME.sub("tmp<RANDOM>", text)
        text = self.DURATION.sub("in <T>s", text)
        text = self.JUNIT_TIME.sub('time="<T>"', text)
        text = self.PYTEST_SUMMARY.sub(r"== \1 ==", text)
        text = self.SECRET_KEY.sub(r"\1\2<SECRET>\2", text)
        return self.DATETIME.sub(self._datetime, text)


def describe(data: bytes, norm: Normaliser, name: str = "") -> str:
    """A file's content as comparable, readable text."""
    if data.startswith(b"SQLite format 3\x00"):
        # The rows, not the pages: shows what differs (and Django's migration table
        # holds the time each migration was applied, which the normaliser replaces).
        return sqlite_dump(data, norm)
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            pass
        else:
            # Each member's content, without the member timestamps (the clock at write).
            with archive:
                parts = []
                for info in archive.infolist():
                    body = describe(archive.read(info), norm, info.filename)
                    parts.append(f"--- member {info.filename}\n{body}")
                return "\n".join(parts)
    if b"\x00" not in data:
        try:
            return norm.text(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return f"<binary, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}>"


def sqlite_dump(data: bytes, norm: Normaliser) -> str:
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        return norm.text("\n".join(db.iterdump()))
    except sqlite3.Error as exc:
        return f"<SQLite file that cannot be read: {exc}; sha256 {hashlib.sha256(data).hexdigest()}>"
    finally:
        db.close()


def snapshot(work: Path, norm: Normaliser) -> dict[str, str]:
    """Every file under the job's directory, by relative path."""
    files: dict[str, str] = {}
    for path in sorted(work.rglob("*")):
        rel = path.relative_to(work).as_posix()
        # Bytecode caches hold the source's mtime; the jobs run with
        # PYTHONDONTWRITEBYTECODE=1, this is for a tool that writes them anyway.
        if "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            files[rel] = f"<symlink to {os.readlink(path)}>"
        elif path.is_file():
            files[rel] = describe(path.read_bytes(), norm, rel)
    return files


# --- running -------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    mode: str
    rc: int | None = None  # None: timed out
    stdout: str = ""
    stderr: str = ""
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0
    leftover: bool = False  # the job left processes running (they were killed)

    def status(self) -> str:
        if self.rc is None:
            return "timeout"
        if self.rc == 0:
            return "ok"
        if self.rc < 0:
            try:
                return f"killed ({signal.Signals(-self.rc).name})"
            except ValueError:
                return f"killed ({-self.rc})"
        return f"exit {self.rc}"


@dataclasses.dataclass
class Result:
    job: Job
    version: str
    runs: dict[str, Run] = dataclasses.field(default_factory=dict)
    error: str | None = None  # set-up: the job could not run or its eager run is no baseline
    seconds: float = 0.0

    def differences(self, mode: str) -> list[str]:
        """What differs between the eager run and ``mode``'s: exit, stdout, stderr, files."""
        eager, other = self.runs.get("eager"), self.runs.get(mode)
        if eager is None or other is None:
            return []
        diffs = []
        if eager.rc != other.rc:
            diffs.append("exit")
        for stream in ("stderr", "stdout"):
            if getattr(eager, stream) != getattr(other, stream):
                diffs.append(stream)
        for name in sorted(set(eager.files) | set(other.files)):
            if eager.files.get(name) != other.files.get(name):
                diffs.append(f"file {name}")
        return diffs

    def identical(self) -> bool:
        return all(not self.differences(m) for m in self.runs if m != "eager")


def job_env(live: Path, venv: Path, mode: str) -> dict[str, str]:
    """The same environment for every run of a job, plus the mode's switches."""
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "VIRTUAL_ENV": str(venv),
        "HOME": str(live / "home"),  # caches and configs (matplotlib, black, httpie)
        "TMPDIR": str(live / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "SOURCE_DATE_EPOCH": "1700000000",  # build dates in generated files
        "COLUMNS": "100",
        "LINES": "40",
        "TERM": "dumb",
        "NO_COLOR": "1",
        # One thread each: results that do not depend on how work is split, and two
        # jobs at a time on two cores.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    # Set on some processors where older OpenBLAS builds misbehave: keep them as given.
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(MODES.get(mode, {}))
    return env


def command(job_dir: Path, python: Path) -> list[str]:
    if (job_dir / "job.sh").exists():
        return ["bash", "job.sh"]
    if (job_dir / "job.py").exists():
        return [str(python), "job.py"]
    raise FileNotFoundError(f"{job_dir} has neither job.py nor job.sh")


def run_once(job: Job, mode: str, venv: Path, home: Path) -> Run:
    """Run ``job`` once in ``home/live`` (emptied first); keep the run in ``home/mode``."""
    live = home / "live"
    shutil.rmtree(live, ignore_errors=True)
    work = live / "work"
    shutil.copytree(JOBS_DIR / job.name, work)
    (live / "home").mkdir()
    (live / "tmp").mkdir()
    cmd = command(work, venv / "bin" / "python")
    run = Run(mode)
    started = time.time()
    clock = time.perf_counter()
    with open(live / "stdout", "wb") as out, open(live / "stderr", "wb") as err:
        proc = subprocess.Popen(
            cmd,
            cwd=work,
            env=job_env(live, venv, mode),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: we can stop all it started
        )
        try:
            run.rc = proc.wait(timeout=job.timeout)
        except subprocess.TimeoutExpired:
            run.rc = None
        # Whatever the job left behind (a server it did not stop) is killed.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            run.leftover = run.rc is not None
        except ProcessLookupError:
            pass
        proc.wait()
    run.seconds = time.perf_counter() - clock
    norm = Normaliser(started, time.time())
    run.stdout = describe((live / "stdout").read_bytes(), norm)
    run.stderr = describe((live / "stderr").read_bytes(), norm)
    run.files = snapshot(work, norm)
    kept = home / mode
    shutil.rmtree(kept, ignore_errors=True)
    live.rename(kept)
    return run


def run_job(job: Job, version: str, venv: Path, workdir: Path, modes: list[str]) -> Result:
    result = Result(job, version)
    started = time.perf_counter()
    home = workdir / "runs" / job.name
    home.mkdir(parents=True, exist_ok=True)
    try:
        for mode in modes:
            run = run_once(job, mode, venv, home)
            result.runs[mode] = run
            log(f"{job.name}: {mode} {run.status()} in {run.seconds:.1f}s")
            if run.leftover:
                result.error = f"the {mode} run left processes running (killed; see {home / mode})"
            if mode == "eager" and run.rc != job.expect:
                result.error = (
                    f"the eager run gave {run.status()}, the job is written to give "
                    f"{'ok' if job.expect == 0 else f'exit {job.expect}'}: it is no baseline "
                    f"(see {home / 'eager'}/stderr)"
                )
                break
    except (OSError, subprocess.SubprocessError) as exc:
        result.error = f"cannot run the job: {exc}"
    if REPEAT in result.runs and result.differences(REPEAT):
        result.error = (
            f"two eager runs differ ({', '.join(result.differences(REPEAT))}): the job is not "
            f"deterministic, or something random needs normalising"
        )
    result.seconds = time.perf_counter() - started
    return result


# --- the environment -----------------------------------------------------------------


def pins() -> dict[str, str]:
    """Project name (normalised) -> pinned version, from requirements.txt."""
    found: dict[str, str] = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, _, version = line.partition("==")
            found[canonical(name)] = version.strip()
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def env_key() -> str:
    """The cache key of the environment: the pins, the interpreter, how it is installed."""
    h = hashlib.sha256()
    h.update(REQUIREMENTS.read_bytes())
    h.update(sys.version.encode())
    h.update(f"{platform.machine()} {platform.system()} {sys.implementation.cache_tag}".encode())
    h.update(" ".join(INSTALL_ARGS).encode())
    return h.hexdigest()[:16]


def pip(venv: Path, *args: str, logfile: Path, timeout: float) -> int:
    cmd = [str(venv / "bin" / "python"), "-m", "pip", *args]
    with open(logfile, "a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n")
        fh.flush()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAZYIMP")}
        env.pop("PYTHONPATH", None)
        try:
            return subprocess.run(
                cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                timeout=timeout, env=env,
            ).returncode
        except subprocess.TimeoutExpired:
            fh.write(f"\n*** timed out after {timeout:.0f} s\n")
            return -1


class SetupError(Exception):
    pass


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lazyimp" / "popular-stacks"


def lock(path: Path, *, wait: bool = True) -> int | None:
    """An exclusive lock on ``path`` (an open descriptor), or None when ``wait`` is
    False and another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def ensure_env(cache: Path, logfile: Path, timeout: float) -> tuple[Path, int]:
    """The cached virtual environment with every pin, made when its key is new.

    Returns it with a lock held for the whole run: this run installs its own lazyimp
    into it, so two runs sharing the cache (two checkouts, two CI jobs) take turns.
    """
    key = env_key()
    cache.mkdir(parents=True, exist_ok=True)
    venv = cache / f"venv-{key}"
    fd = lock(cache / f"venv-{key}.lock", wait=False)
    if fd is None:
        log(f"waiting for another run to release {venv}")
        fd = lock(cache / f"venv-{key}.lock")
    assert fd is not None
    marker = venv / ".popular-stacks-complete"
    if marker.exists():
        log(f"reusing the environment {venv} (requirements and interpreter unchanged)")
        return venv, fd
    for old in cache.glob("venv-*"):
        if not old.is_dir() or old == venv:
            continue
        # Another key's environment, unless a run is using it now.
        other = lock(old.with_name(old.name + ".lock"), wait=False)
        if other is not None:
            log(f"removing {old} (made from other pins or another interpreter)")
            shutil.rmtree(old)
            old.with_name(old.name + ".lock").unlink(missing_ok=True)
            os.close(other)
    shutil.rmtree(venv, ignore_errors=True)  # an install that did not finish
    log(f"creating the environment {venv} from {REQUIREMENTS.relative_to(REPO)}")
    started = time.perf_counter()
    rc = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], stdin=subprocess.DEVNULL
    ).returncode
    if rc != 0:
        raise SetupError(f"python -m venv {venv} failed (exit {rc})")
    if pip(venv, *INSTALL_ARGS, str(REQUIREMENTS), logfile=logfile, timeout=timeout) != 0:
        raise SetupError(f"installing {REQUIREMENTS} failed (see {logfile})")
    # --no-deps installs exactly the pins: pip check says whether they are complete.
    if pip(venv, "check", logfile=logfile, timeout=timeout) != 0:
        raise SetupError(
            f"the pins in {REQUIREMENTS} are incomplete or inconsistent (see {logfile})"
        )
    marker.write_text(key + "\n")
    log(f"environment ready in {time.perf_counter() - started:.0f}s")
    return venv, fd


def install_lazyimp(venv: Path, workdir: Path, timeout: float) -> None:
    """Build this repository as a wheel and (re)install it, as users install it."""
    logfile = workdir / "setup.log"
    wheels = workdir / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    log(f"building lazyimp's wheel from {REPO} and installing it")
    if pip(venv, "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(REPO), logfile=logfile, timeout=timeout) != 0:
        raise SetupError(f"cannot build lazyimp's wheel from {REPO} (see {logfile})")
    (wheel,) = wheels.glob("lazyimp_toolkit-*.whl")
    steps = (
        # The version number does not change with the code: force the reinstall.
        ("install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)),
        # Its dependencies, should it have gained one the pins lack.
        ("install", "--quiet", str(wheel)),
    )
    for args in steps:
        if pip(venv, *args, logfile=logfile, timeout=timeout) != 0:
            raise SetupError(f"installing {wheel.name} failed (see {logfile})")


# Run as a script in an empty directory: under LAZYIMP=1 its module-level imports must
# be deferred, under LAZYIMP_LAZY_FROM=1 its from-imports too.  Otherwise every lazy run
# would trivially equal the eager one and the check could not fail.
PROBE = """\
import lazyimp
import colorsys
from wave import open as wave_open
print(lazyimp.is_installed(), lazyimp.is_lazy(colorsys), "wave" in lazyimp.pending())
"""
PROBE_EXPECT = {
    "eager": "False False False",
    "lazy": "True True False",
    "lazy_from": "True True True",
}


def probe(venv: Path, workdir: Path) -> None:
    """Check that the switches work in the environment before trusting any comparison."""
    where = workdir / "probe"
    for mode, expected in PROBE_EXPECT.items():
        shutil.rmtree(where, ignore_errors=True)
        (where / "work").mkdir(parents=True)
        (where / "home").mkdir()
        (where / "tmp").mkdir()
        (where / "work" / "probe.py").write_text(PROBE)
        proc = subprocess.run(
            [str(venv / "bin" / "python"), "probe.py"],
            cwd=where / "work",
            env=job_env(where, venv, mode),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        got = proc.stdout.strip()
        if proc.returncode != 0 or got != expected or proc.stderr:
            raise SetupError(
                f"the {mode} switches do not work in {venv}: the probe printed {got!r} "
                f"(expected {expected!r}), exit {proc.returncode}, stderr {proc.stderr.strip()!r}"
            )
    shutil.rmtree(where, ignore_errors=True)


# --- reporting -----------------------------------------------------------------------


def short_diff(a: str, b: str, name: str, limit: int) -> list[str]:
    lines = list(
        difflib.unified_diff(
            a.splitlines(), b.splitlines(), f"eager/{name}", f"lazy/{name}", n=1, lineterm=""
        )
    )
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    # Colour codes and carriage returns (progress bars) shown, not obeyed.
    return [line.replace("\x1b", "\\x1b").replace("\r", "\\r") for line in lines]


def report_differences(result: Result, mode: str, limit: int = 24) -> list[str]:
    eager, other = result.runs["eager"], result.runs[mode]
    out = []
    for what in result.differences(mode):
        if what == "exit":
            out.append(f"exit status: eager {eager.status()}, {mode} {other.status()}")
        elif what in ("stdout", "stderr"):
            out += short_diff(getattr(eager, what), getattr(other, what), what, limit)
        else:
            name = what.removeprefix("file ")
            if name not in other.files:
                out.append(f"file {name}: written eagerly, missing in the {mode} run")
            elif name not in eager.files:
                out.append(f"file {name}: written only in the {mode} run")
            else:
                out += short_diff(eager.files[name], other.files[name], name, limit)
    return out


def kinds(differences: list[str]) -> list[str]:
    """exit, stdout, stderr, files: what kinds of output differ, once each."""
    return list(dict.fromkeys("files" if d.startswith("file ") else d for d in differences))


def error_line(text: str) -> str:
    """The exception line of a traceback in ``text`` (``KeyError: 'compute'``), else the
    last line: what a reader looks for first."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Failure)\b", line):
            return line[:200]
    return lines[-1][:200] if lines else "(empty)"


def cell(result: Result, mode: str) -> str:
    run = result.runs.get(mode)
    if run is None:
        return "-"
    mark = " *" if mode != "eager" and result.differences(mode) else ""
    return run.status() + mark


def print_table(results: list[Result], modes: list[str]) -> None:
    header = ("stack", "version", "job", *modes, "identical?", "time")
    rows = []
    for r in results:
        if r.error:
            same = "BROKEN"
        elif r.identical():
            same = "yes"
        else:
            same = "NO: " + "; ".join(
                f"{m} ({', '.join(kinds(r.differences(m)))})"
                for m in modes
                if m != "eager" and r.differences(m)
            )
        rows.append(
            (r.job.stack, r.version, r.job.name, *(cell(r, m) for m in modes), same, f"{r.seconds:.0f}s")
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    rule = "  ".join("-" * w for w in widths)
    print(rule)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print(rule)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    print(rule)
    print("(* differs from the eager run)")
    for r in results:
        if r.error:
            print(f"\n{r.job.name}: {r.error}")
        for mode in modes:
            if mode == "eager" or mode not in r.runs or not r.differences(mode):
                continue
            run = r.runs[mode]
            print(f"\n=== {r.job.name} ({r.job.stack} {r.version}), {mode}: {run.status()}")
            if "stderr" in r.differences(mode):
                print(f"error: {error_line(run.stderr)}")
            for line in report_differences(r, mode):
                print(f"    {line}")


def job_summary(job: Job) -> str:
    """The first sentence of the job's own opening comment: what it does with the library."""
    for name in ("job.py", "job.sh"):
        path = JOBS_DIR / job.name / name
        if not path.exists():
            continue
        words: list[str] = []
        for line in path.read_text().splitlines():
            text = line.strip()
            if text.startswith("#!"):
                continue
            if not text.startswith(("#", '"""')) and not words:
                break
            text = text.lstrip("#").strip().strip('"').strip()
            if not text:
                if words:
                    break
                continue
            words.append(text)
            if not line.strip().startswith("#") and line.strip().endswith('"""') and len(words) > 0:
                break
        paragraph = " ".join(words)
        sentence = paragraph.split(". ")[0].rstrip(".")
        return sentence.split(": ", 1)[-1]
    return ""


def as_rst(results: list[Result]) -> str:
    """The results as the table docs/_stacks_table.inc holds (docs/safety.rst)."""
    def cell(r: Result, mode: str) -> str:
        run = r.runs.get(mode)
        if run is None:
            return "-"
        if mode == "eager":
            return f"exit {run.rc}"
        return "same" if not r.differences(mode) else "DIFFERS: " + ", ".join(r.differences(mode))

    rows = [("library", "job", "eager", "LAZYIMP=1", "+ LAZY_FROM=1")]
    for r in sorted(results, key=lambda r: r.job.stack.lower()):
        what = job_summary(r.job).split("; ")[0].split(": ")[0]
        if len(what) > 64:
            what = what[:61].rsplit(" ", 1)[0].rstrip(",") + " ..."
        rows.append((f"{r.job.stack} {r.version}", what or r.job.name,
                     cell(r, "eager"), cell(r, "lazy"), cell(r, "lazy_from")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(c.ljust(w) for c, w in zip(rows[0], widths)).rstrip(), rule]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows[1:]]
    lines.append(rule)
    same = sum(1 for r in results if r.identical() and not r.error)
    head = (
        f"Results of {datetime.date.today().isoformat()}, CPython "
        f"{platform.python_version()} ({len(results)} jobs, {same} identical in all three "
        f"modes; ``python scripts/popular_stacks.py --rst docs/_stacks_table.inc`` "
        f"writes this table):"
    )
    return head + "\n\n" + "\n".join(lines) + "\n"


def as_json(results: list[Result]) -> list[dict[str, object]]:
    return [
        {
            "job": r.job.name,
            "stack": r.job.stack,
            "version": r.version,
            "identical": r.identical() and not r.error,
            "error": r.error,
            "seconds": round(r.seconds, 1),
            "runs": {
                m: {
                    "status": run.status(),
                    "exit": run.rc,
                    "seconds": round(run.seconds, 1),
                    "differences": r.differences(m) if m != "eager" else [],
                    "error_line": (
                        error_line(run.stderr)
                        if m != "eager" and "stderr" in r.differences(m)
                        else ""
                    ),
                }
                for m, run in r.runs.items()
            },
        }
        for r in results
    ]


def select(names: list[str]) -> list[Job]:
    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise SetupError(
            f"unknown job(s): {', '.join(unknown)} (known: {', '.join(sorted(JOBS))})"
        )
    return [JOBS[n] for n in names] if names else list(JOBS.values())


def check_layout(jobs: list[Job], versions: dict[str, str]) -> list[str]:
    """Problems with the job table itself: a folder without a job, a stack without a pin."""
    problems = []
    folders = {p.name for p in JOBS_DIR.iterdir() if p.is_dir()}
    for name in sorted(folders - set(JOBS)):
        problems.append(f"{JOBS_DIR / name} is not in the JOBS table of {Path(__file__).name}")
    for job in jobs:
        if job.name not in folders:
            problems.append(f"job {job.name}: no folder {JOBS_DIR / job.name}")
        elif not any((JOBS_DIR / job.name / f).exists() for f in ("job.py", "job.sh")):
            problems.append(f"job {job.name}: {JOBS_DIR / job.name} has neither job.py nor job.sh")
        if canonical(job.stack) not in versions:
            problems.append(f"job {job.name}: {job.stack} is not pinned in {REQUIREMENTS}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("jobs", nargs="*", help="job names (default: all)")
    parser.add_argument("-j", "--parallel", dest="parallel", type=int, default=1,
                        help="jobs to run at once (default 1)")
    parser.add_argument("--workdir", type=Path, default=Path(".popular-stacks"),
                        help="the runs and logs (default .popular-stacks)")
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="where the environment is cached (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds per set-up step (default 900)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--rst", type=Path,
                        help="also write the results as the docs' table (docs/_stacks_table.inc)")
    parser.add_argument("--repeat-eager", action="store_true",
                        help="run each job eagerly twice more to show it is deterministic")
    parser.add_argument("--list", action="store_true", help="list the jobs and exit")
    args = parser.parse_args(argv)

    versions = pins()
    try:
        jobs = select(args.jobs)
    except SetupError as exc:
        print(f"popular_stacks: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for job in jobs:
            print(f"{job.name:22} {job.stack} {versions.get(canonical(job.stack), '?')}")
        return 0
    problems = check_layout(jobs, versions)
    if problems:
        for problem in problems:
            print(f"popular_stacks: {problem}", file=sys.stderr)
        return 2
    if sys.version_info[:2] != PYTHON or sys.implementation.name != "cpython":
        print(
            f"popular_stacks: the pins in {REQUIREMENTS} are wheels for CPython "
            f"{PYTHON[0]}.{PYTHON[1]}; this is {platform.python_implementation()} "
            f"{platform.python_version()}: run it with python{PYTHON[0]}.{PYTHON[1]}",
            file=sys.stderr,
        )
        return 2
    modes = list(MODES) + ([REPEAT] if args.repeat_eager else [])
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "setup.log").write_text("")
    started = time.perf_counter()
    try:
        # The lock is held until this process exits.
        venv, _held = ensure_env(args.cache.resolve(), workdir / "setup.log", args.timeout)
        install_lazyimp(venv, workdir, args.timeout)
        probe(venv, workdir)
    except (SetupError, OSError, ValueError, subprocess.SubprocessError) as exc:
        print(f"popular_stacks: set-up failed: {exc}", file=sys.stderr)
        return 2
    log(f"set-up done in {time.perf_counter() - started:.0f}s; running {len(jobs)} jobs")

    def one(job: Job) -> Result:
        return run_job(job, versions[canonical(job.stack)], venv, workdir, modes)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
        results = list(pool.map(one, jobs))
    print_table(results, modes)
    log(f"done in {time.perf_counter() - started:.0f}s")
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=1) + "\n")
    if args.rst:
        args.rst.write_text(as_rst(results))
    if any(r.error for r in results):
        return 2
    return 0 if all(r.identical() for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
