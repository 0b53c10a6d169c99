"""The popular-stacks check's own logic (scripts/popular_stacks.py; contract C3.13).

No network and no virtual environment: the normaliser, how output files are compared,
what counts as a difference, the job table against the job folders and the pins, and
one run of a tiny job through the real runner (same directory for every mode, a
timeout, processes left behind).  Each test runs in a fresh interpreter: the script
imports stdlib modules (sqlite3, zipfile, difflib...) that in-process tests expect to
import themselves.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO, run_python

SCRIPT = REPO / "scripts" / "popular_stacks.py"
PRELUDE = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("popular_stacks", {str(SCRIPT)!r})
ps = importlib.util.module_from_spec(spec)
sys.modules["popular_stacks"] = ps
spec.loader.exec_module(ps)
"""


def harness(src: str, tmp_path: Path) -> str:
    """Run ``src`` with the runner loaded as ``ps``; return its stdout."""
    return run_python(
        PRELUDE + textwrap.dedent(src), tmp_path=tmp_path, cwd=tmp_path, timeout=60
    ).stdout


def test_normaliser_rewrites_only_what_is_random(tmp_path: Path) -> None:
    """Addresses, temp names, durations, the secret key and now-timestamps are rewritten;
    a fixed date and ordinary text are not."""
    harness(
        """
        import time, datetime
        now = time.time()
        n = ps.Normaliser(now, now + 5)
        stamp = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        assert n.text("<Foo object at 0x7f3a2c1b5e50>") == "<Foo object at 0x<ADDR>>"
        assert n.text("/x/tmpab_9z0kq/f") == "/x/tmp<RANDOM>/f"
        assert n.text("Ran 4 tests in 2.077s") == "Ran 4 tests in <T>s"
        assert n.text('<testcase name="t" time="0.012" />') == '<testcase name="t" time="<T>" />'
        short = "=" * 10 + " 2 failed, 5 passed in 0.10s " + "=" * 10
        long = "=" * 9 + " 2 failed, 5 passed in 10.25s " + "=" * 10
        assert n.text(short) == n.text(long) == "== 2 failed, 5 passed in <T>s =="
        assert n.text("SECRET_KEY = 'django-insecure-a(b)c'") == "SECRET_KEY = '<SECRET>'"
        assert n.text(f"Create Date: {stamp.isoformat(' ')}") == "Create Date: <NOW>"
        assert n.text(f"on {stamp:%Y-%m-%d %H:%M}\\n") == "on <NOW>\\n"
        assert n.text(stamp.strftime("%Y-%m-%dT%H:%M:%SZ")) == "<NOW>"
        fixed = "released 2024-01-01 00:00:00, id 0x1F, 3 items in 2 boxes"
        assert n.text(fixed) == fixed
        """,
        tmp_path,
    )


@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="the popular-stacks check runs on 3.11 (CI); it reads SQLite files with "
    "sqlite3.Connection.deserialize, new in 3.11",
)
def test_files_compare_by_content(tmp_path: Path) -> None:
    """SQLite files compare by their rows, zip archives by members without timestamps,
    other binaries by hash, text after normalising."""
    harness(
        """
        import io, sqlite3, time, zipfile, datetime
        now = time.time()
        n = ps.Normaliser(now, now)
        path = "t.db"
        db = sqlite3.connect(path)
        db.execute("create table m (name text, applied text)")
        stamp = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat(" ")
        db.execute("insert into m values ('0001_initial', ?)", (stamp,))
        db.commit()
        db.close()
        text = ps.describe(open(path, "rb").read(), n)
        assert "CREATE TABLE m" in text and "'0001_initial','<NOW>'" in text, text

        def archive(when, body):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr(zipfile.ZipInfo("doc/core.xml", when), body)
            return buf.getvalue()

        a = archive((2020, 1, 1, 0, 0, 0), "<x/>")
        b = archive((2021, 6, 6, 6, 6, 6), "<x/>")
        assert a != b and ps.describe(a, n) == ps.describe(b, n) == "--- member doc/core.xml\\n<x/>"
        assert ps.describe(archive((2020, 1, 1, 0, 0, 0), "<y/>"), n) != ps.describe(a, n)
        png = b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00"
        assert ps.describe(png, n).startswith("<binary, 10 bytes, sha256 ")
        assert ps.describe(b"obj at 0xdeadbeefcafe", n) == "obj at 0x<ADDR>"
        """,
        tmp_path,
    )


def test_differences_name_each_kind_of_output(tmp_path: Path) -> None:
    """A lazy run differs by exit status, stream or file (missing ones included); an
    equal run has no differences."""
    harness(
        """
        job = ps.Job("demo", "demo")
        r = ps.Result(job, "1.0")
        r.runs["eager"] = ps.Run("eager", 0, "out", "", {"a.txt": "1", "b.txt": "2"})
        r.runs["lazy"] = ps.Run("lazy", 1, "out", "KeyError: 'x'", {"a.txt": "1"})
        r.runs["lazy_from"] = ps.Run("lazy_from", 0, "out", "", {"a.txt": "1", "b.txt": "2"})
        assert r.differences("lazy") == ["exit", "stderr", "file b.txt"], r.differences("lazy")
        assert r.differences("lazy_from") == []
        assert not r.identical()
        assert ps.kinds(r.differences("lazy")) == ["exit", "stderr", "files"]
        lines = ps.report_differences(r, "lazy")
        assert lines[0] == "exit status: eager ok, lazy exit 1", lines
        assert "file b.txt: written eagerly, missing in the lazy run" in lines
        r.runs["lazy"] = ps.Run("lazy", 0, "out", "", {"a.txt": "1", "b.txt": "2"})
        assert r.identical()
        """,
        tmp_path,
    )


def test_error_line_is_the_exception_not_the_note(tmp_path: Path) -> None:
    """The error shown for a failing run is the exception line, also when lazyimp's note
    follows it."""
    harness(
        """
        text = (
            "Traceback (most recent call last):\\n  File 'x.py', line 1\\n"
            "KeyError: 'compute'\\n"
            "lazyimp: module 'pandas' was imported lazily at job.py:4 and failed when first used\\n"
        )
        assert ps.error_line(text) == "KeyError: 'compute'"
        assert ps.error_line("plain message\\n") == "plain message"
        assert ps.error_line("") == "(empty)"
        """,
        tmp_path,
    )


def test_every_job_folder_is_in_the_table_and_its_stack_pinned(tmp_path: Path) -> None:
    """Each folder under scripts/stacks/jobs has a row in JOBS with a pinned stack, and
    the pins are exact; at least 30 stacks, including pandas, scikit-learn, SQLAlchemy and Django."""
    out = harness(
        """
        pins = ps.pins()
        jobs = list(ps.JOBS.values())
        assert ps.check_layout(jobs, pins) == [], ps.check_layout(jobs, pins)
        stacks = {ps.canonical(j.stack) for j in jobs}
        assert len(stacks) >= 30, len(stacks)
        named = {"pandas": "3.1.1", "scikit-learn": "1.9.1", "matplotlib": "3.11.2",
                 "sqlalchemy": "2.1.9", "django": "5.2.19", "httpie": "3.2.4"}
        for name, version in named.items():
            assert name in stacks and pins[name] == version, (name, pins.get(name))
        for line in ps.REQUIREMENTS.read_text().splitlines():
            line = line.split("#")[0].strip()
            assert not line or "==" in line, f"not pinned exactly: {line!r}"
        print(len(stacks))
        """,
        tmp_path,
    )
    assert int(out) >= 30


def test_unknown_job_names_are_refused(tmp_path: Path) -> None:
    """A job name that is not in the table stops the runner with the known names."""
    proc = run_python(
        PRELUDE + "sys.exit(ps.main(['no-such-job']) - 2)\n", tmp_path=tmp_path, check=False, timeout=60
    )
    assert proc.returncode == 0 and "unknown job(s): no-such-job (known: " in proc.stderr


@pytest.fixture
def fake_jobs(tmp_path: Path) -> Path:
    """A job folder and a stand-in venv whose python is this interpreter."""
    jobs = tmp_path / "jobs"
    (jobs / "demo").mkdir(parents=True)
    (jobs / "demo" / "job.py").write_text(
        textwrap.dedent(
            """
            import os, subprocess, sys, tempfile
            print("cwd", os.getcwd())
            print("home", os.environ["HOME"], "tmp", tempfile.gettempdir())
            print("switch", os.environ.get("LAZYIMP"), os.environ.get("LAZYIMP_LAZY_FROM"))
            print("inputs", sorted(os.listdir(".")))
            open("out.txt", "w").write("written\\n")
            if os.environ.get("DEMO_SLEEP"):
                subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            """
        )
    )
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    return jobs


def test_modes_run_in_the_same_fresh_directory(tmp_path: Path, fake_jobs: Path) -> None:
    """Every mode runs in the same emptied directory with a copy of the inputs, so only
    the switch differs; each run is kept for inspection."""
    harness(
        f"""
        import os, sys
        from pathlib import Path
        ps.JOBS_DIR = Path({str(fake_jobs)!r})
        venv = Path({str(tmp_path / "venv")!r})
        os.symlink(sys.executable, venv / "bin" / "python")
        ps.MODES = {{"eager": {{}}, "lazy": {{"LAZYIMP": "0"}}}}  # "0": the switch stays off
        work = Path({str(tmp_path / "work")!r})
        r = ps.run_job(ps.Job("demo", "demo"), "1.0", venv, work, ["eager", "lazy"])
        assert r.error is None, r.error
        eager, lazy = r.runs["eager"], r.runs["lazy"]
        assert eager.rc == lazy.rc == 0, (eager.stderr, lazy.stderr)
        live = work / "runs" / "demo" / "live"
        assert f"cwd {{live / 'work'}}" in eager.stdout and f"cwd {{live / 'work'}}" in lazy.stdout
        assert f"home {{live / 'home'}} tmp {{live / 'tmp'}}" in eager.stdout
        assert "switch None None" in eager.stdout and "switch 0 None" in lazy.stdout
        assert "inputs ['job.py']" in lazy.stdout, lazy.stdout
        assert eager.files == lazy.files == {{"job.py": eager.files["job.py"], "out.txt": "written\\n"}}
        assert r.differences("lazy") == ["stdout"]
        assert (work / "runs" / "demo" / "lazy" / "work" / "out.txt").exists()
        assert not live.exists()
        """,
        tmp_path,
    )


def test_timeouts_and_leftover_processes_are_stopped(tmp_path: Path, fake_jobs: Path) -> None:
    """A run past its timeout is killed and reported; processes a job leaves running are
    killed and make the job an error."""
    (fake_jobs / "demo" / "job.py").write_text(
        (fake_jobs / "demo" / "job.py").read_text()
        + "if os.environ.get('DEMO_HANG'):\n    import time; time.sleep(60)\n"
    )
    harness(
        f"""
        import os, sys, time
        from pathlib import Path
        ps.JOBS_DIR = Path({str(fake_jobs)!r})
        venv = Path({str(tmp_path / "venv")!r})
        os.symlink(sys.executable, venv / "bin" / "python")
        work = Path({str(tmp_path / "work")!r})
        ps.MODES = {{"eager": {{"DEMO_SLEEP": "1"}}}}
        r = ps.run_job(ps.Job("demo", "demo"), "1.0", venv, work, ["eager"])
        assert r.runs["eager"].leftover and "left processes running" in r.error, r.error
        ps.MODES = {{"eager": {{"DEMO_HANG": "1"}}}}
        started = time.perf_counter()
        r = ps.run_job(ps.Job("demo", "demo", timeout=1), "1.0", venv, work, ["eager"])
        assert time.perf_counter() - started < 30
        assert r.runs["eager"].status() == "timeout" and "no baseline" in r.error, r.error
        """,
        tmp_path,
    )


def test_cached_environment_is_reused_and_locked(tmp_path: Path) -> None:
    """A complete environment under the current key is reused without pip; stale keys
    are removed unless a run holds them; the key's lock keeps a second run out."""
    harness(
        f"""
        import os, subprocess, sys
        from pathlib import Path
        cache = Path({str(tmp_path / "cache")!r})
        key = ps.env_key()
        mine = cache / f"venv-{{key}}"
        mine.mkdir(parents=True)
        (mine / ".popular-stacks-complete").write_text(key)
        stale, busy = cache / "venv-stale", cache / "venv-busy"
        stale.mkdir()
        busy.mkdir()
        held = ps.lock(cache / "venv-busy.lock")
        venv, fd = ps.ensure_env(cache, cache / "setup.log", timeout=5)
        assert venv == mine and not (cache / "setup.log").exists()
        # Reused: nothing else was looked at.
        assert stale.exists() and busy.exists()
        (mine / ".popular-stacks-complete").unlink()
        other = subprocess.run(
            [sys.executable, "-c",
             "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR);"
             "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)", str(cache / f"venv-{{key}}.lock")],
            capture_output=True, text=True,
        )
        assert other.returncode != 0 and "BlockingIOError" in other.stderr, other
        os.close(fd)
        # Incomplete now: ensure_env starts over (venv and pip stubbed: no network),
        # after removing the stale key but not the one a run holds.
        calls = []
        def fake_venv(cmd, **kw):
            calls.append(cmd[1:3])
            os.makedirs(cmd[-1])
            return subprocess.CompletedProcess(cmd, 0)

        ps.subprocess.run = fake_venv
        ps.pip = lambda venv, *args, **kw: calls.append(args[0]) or 0
        venv, fd = ps.ensure_env(cache, cache / "setup.log", timeout=5)
        assert calls == [["-m", "venv"], "install", "check"], calls
        assert not stale.exists() and busy.exists()
        assert (mine / ".popular-stacks-complete").read_text().strip() == key
        """,
        tmp_path,
    )
