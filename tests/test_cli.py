"""The command line (contract C9.6): ``python -m lazyimp run`` and ``compare``, in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import python_env, write_tree

PROGRAM = {
    "prog.py": """
        import sys
        import json
        import csv
        print("argv", sys.argv)
        print("name", __name__, "path0", sys.path[0])
        print("stdin", sys.stdin.read().strip())
        print(json.dumps({"ok": True}))
        sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    """,
    "tool/__init__.py": "",
    "tool/__main__.py": """
        import sys
        import json
        print("argv", sys.argv)
        print("name", __name__, json.dumps(1))
    """,
    "tool/nomain.py": "X = 1\n",
    "lib/__init__.py": "",
    "crash.py": """
        import json
        def boom():
            raise ValueError("bad input")
        boom()
    """,
}


def lazyimp(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    write_tree(tmp_path, PROGRAM)
    return subprocess.run(
        [sys.executable, "-m", "lazyimp", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=python_env(env),
        cwd=tmp_path,
        timeout=120,
    )


def test_run_script_like_python(tmp_path: Path) -> None:
    """run script.py: same argv, __main__, sys.path[0], stdin and exit status (contract C9.6)."""
    proc = lazyimp(tmp_path, "run", "prog.py", "3", "--flag", stdin="hello\n")
    assert proc.returncode == 3, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "argv ['prog.py', '3', '--flag']"
    assert lines[1] == f"name __main__ path0 {tmp_path}"
    assert lines[2] == "stdin hello"
    assert lines[3] == '{"ok": true}'


def test_run_writes_text_report_to_stderr_at_exit(tmp_path: Path) -> None:
    """run writes the text report to stderr when the program exits (contract C9.6, C9.1)."""
    proc = lazyimp(tmp_path, "run", "prog.py")
    assert proc.returncode == 0
    assert proc.stderr.startswith("lazyimp report:"), proc.stderr
    never = proc.stderr.split("Never used")[1]
    assert "csv" in never  # imported at module level, never used
    assert " json " in proc.stderr.split("Resolved modules")[1]


def test_run_module_like_python_m(tmp_path: Path) -> None:
    """run -m pkg: argv[0] is the module's file, __name__ is __main__ (contract C9.6)."""
    proc = lazyimp(tmp_path, "run", "-m", "tool", "x", "-v")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"argv [{str(tmp_path / 'tool' / '__main__.py')!r}, 'x', '-v']"
    assert lines[1] == "name __main__ 1"


def test_run_code_like_python_c(tmp_path: Path) -> None:
    """run -c code: argv is ['-c', ...] and the code runs as __main__ (contract C9.6)."""
    proc = lazyimp(tmp_path, "run", "-c", "import sys; print(sys.argv, __name__); sys.exit(5)", "a")
    assert proc.returncode == 5
    assert proc.stdout == "['-c', 'a'] __main__\n"


def test_run_json_report_to_file(tmp_path: Path) -> None:
    """--report json --output FILE writes the JSON report there, not to stderr (contract C9.6, C9.1)."""
    proc = lazyimp(tmp_path, "run", "--report", "json", "--output", "r.json", "prog.py")
    assert proc.returncode == 0 and "lazyimp report" not in proc.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["version"] == 1
    states = {m["name"]: m["state"] for m in data["modules"]}
    assert states["csv"] == "proxied" and states["json"] == "resolved"


def test_run_importtime_report_is_read_by_tuna(tmp_path: Path) -> None:
    """--report importtime output is accepted by tuna's reader (contract C9.6, C9.1)."""
    tuna_profile = pytest.importorskip("tuna._import_profile")
    proc = lazyimp(tmp_path, "run", "--report=importtime", "--output", "i.log", "prog.py")
    assert proc.returncode == 0, proc.stderr
    tree = tuna_profile.read_import_profile(str(tmp_path / "i.log"))
    assert "json (lazy)" in [c["text"][0] for c in tree["children"]]


TIMELINE = """
import json                      # lazy, used below
def later():
    import decimal               # eager: a function's import (its C part nests under it)
    return decimal.Decimal("1.5")
print(json.dumps(str(later())))
"""


def test_timeline_exports_hold_eager_imports_too(tmp_path: Path) -> None:
    """importtime and chrome-trace exports time eager imports too, marked (contract C9.1, C9.6)."""
    tuna_profile = pytest.importorskip("tuna._import_profile")
    write_tree(tmp_path, {"timeline.py": TIMELINE})
    proc = lazyimp(tmp_path, "run", "--report", "importtime", "--output", "i.log", "timeline.py")
    assert proc.returncode == 0 and proc.stdout == '"1.5"\n', proc.stderr
    log = (tmp_path / "i.log").read_text()
    names = [line.rsplit("|", 1)[1].strip() for line in log.splitlines()[1:]]
    assert "json (lazy)" in names and "decimal" in names, names
    decimal_line = [line for line in log.splitlines() if line.endswith("| decimal")][0]
    nested = [line for line in log.splitlines() if line.rsplit("|", 1)[1].startswith("  ")]
    assert any("_decimal" in line for line in nested), log
    assert decimal_line  # eager modules appear as -X importtime shows them
    tree = tuna_profile.read_import_profile(str(tmp_path / "i.log"))
    assert {"decimal", "json (lazy)"} <= {c["text"][0] for c in tree["children"]}
    proc = lazyimp(tmp_path, "run", "--report", "chrome-trace", "--output", "t.json", "timeline.py")
    events = [e for e in json.loads((tmp_path / "t.json").read_text())["traceEvents"] if e["ph"] == "X"]
    loaded = {e["name"]: e["args"]["loaded"] for e in events}
    assert loaded["json"] == "lazily" and loaded["decimal"] == "eagerly", loaded


def test_without_an_export_eager_imports_are_not_timed(tmp_path: Path) -> None:
    """A text report (or none) pays nothing for eager imports: they have no time (contract C9.1)."""
    write_tree(tmp_path, {"timeline.py": TIMELINE})
    proc = lazyimp(tmp_path, "run", "--report", "json", "--output", "r.json", "timeline.py")
    assert proc.returncode == 0, proc.stderr
    mods = {m["name"]: m for m in json.loads((tmp_path / "r.json").read_text())["modules"]}
    # On 3.15 the interpreter keeps a function's import eager without asking lazyimp.
    assert mods["decimal"]["state"] in ("eager", "other") and mods["decimal"]["load_time"] is None
    assert mods["json"]["state"] == "resolved" and mods["json"]["load_time"] > 0


def test_run_ignore_keeps_modules_eager(tmp_path: Path) -> None:
    """--ignore a,b keeps those modules eager, shown as ignored (contract C9.6, C3.9)."""
    proc = lazyimp(
        tmp_path, "run", "--ignore", "csv", "--report", "json", "--output", "r.json", "prog.py"
    )
    assert proc.returncode == 0, proc.stderr
    states = {
        m["name"]: m["state"] for m in json.loads((tmp_path / "r.json").read_text())["modules"]
    }
    assert states["csv"] == "ignored"


def test_uncaught_exception_prints_program_traceback_only(tmp_path: Path) -> None:
    """An uncaught error prints the program's traceback (no lazyimp frames), exit 1 (contract C9.6)."""
    proc = lazyimp(tmp_path, "run", "crash.py")
    assert proc.returncode == 1
    tb = proc.stderr.split("lazyimp report:")[0]
    assert tb.startswith("Traceback (most recent call last):\n  File "), tb
    assert "crash.py" in tb and "ValueError: bad input" in tb
    assert "lazyimp" not in tb and "runpy" not in tb
    assert "lazyimp report:" in proc.stderr


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["run", "missing.py"], 2, "can't open file"),
        (["run", "-m", "no_such_mod"], 1, "no module named 'no_such_mod'"),
        (["run", "-m", "tool.nomain.sub"], 1, "cannot run '-m tool.nomain.sub'"),
        (["run", "--report", "xml", "prog.py"], 2, "invalid choice: 'xml'"),
        (["run"], 2, "no program given"),
        (["run", "--output", "nodir/r.txt", "prog.py"], 2, "does not exist"),
        (["frobnicate"], 2, "unknown command 'frobnicate'"),
        (["compare", "-n", "0", "prog.py"], 2, "at least 1"),
        (["compare", "missing.py"], 2, "can't open file"),
        (["compare", "-m", "no_such_mod"], 2, "no module named 'no_such_mod'"),
        (["run", "-m"], 2, "argument -m: expected one argument"),
        (["run", "lib"], 1, "cannot run 'lib'"),
    ],
)
def test_errors_are_one_clear_line(
    tmp_path: Path, args: list[str], status: int, message: str
) -> None:
    """Bad input is a one-line error naming it and a non-zero exit, no traceback (contract C9.6)."""
    proc = lazyimp(tmp_path, *args)
    assert proc.returncode == status, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and "lazyimp report" not in proc.stderr
    # One line; argparse's own errors put the usage line above it, as every CLI does.
    lines = proc.stderr.splitlines()
    if lines[0].startswith("usage:"):
        lines = lines[1:]
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert lines[0].startswith(("lazyimp: error: ", "python -m lazyimp run: error: "))
    assert proc.stdout == ""


def test_help_explains_commands(tmp_path: Path) -> None:
    """--help lists the commands with examples; run --help shows the program forms (contract C9.6)."""
    top = lazyimp(tmp_path, "--help")
    assert top.returncode == 0 and "compare" in top.stdout and "run -m http.server" in top.stdout
    run = lazyimp(tmp_path, "run", "--help")
    assert run.returncode == 0
    for text in ("--report", "--output", "--ignore", "-m module", "-c code", "script.py"):
        assert text in run.stdout
    for fmt in ("text", "json", "importtime", "chrome-trace"):
        assert fmt in run.stdout
    compare = lazyimp(tmp_path, "compare", "--help")
    assert compare.returncode == 0
    for text in ("-n RUNS", "--warmup", "--json", "-m module", "median"):
        assert text in compare.stdout
    bare = lazyimp(tmp_path)  # no command: the help on stderr, usage status
    assert bare.returncode == 2 and "commands:" in bare.stderr and bare.stdout == ""


def test_compare_prints_table_of_medians(tmp_path: Path) -> None:
    """compare prints wall time, modules executed and peak RSS, eager vs lazy, with ratios (contract C9.6)."""
    proc = lazyimp(tmp_path, "compare", "-n", "2", "--warmup", "0", "prog.py")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["median", "of", "2", "runs", "eager", "lazy", "lazy/eager"]
    assert [line.split("  ")[0] for line in lines[1:4]] == [
        "wall time (ms)",
        "modules executed",
        "peak RSS (MiB)",
    ]
    assert lines[4] == "program: prog.py"


def test_compare_json_counts_fewer_modules_lazily(tmp_path: Path) -> None:
    """compare --json: medians, samples and ratios; lazily fewer modules execute (contract C9.6)."""
    write_tree(
        tmp_path,
        {"heavy.py": "import email.message, http.client, xml.dom.minidom, decimal\n"},
    )
    proc = lazyimp(tmp_path, "compare", "-n", "2", "--json", "heavy.py")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["runs"] == 2 and data["program"] == ["heavy.py"] and data["exit_status"] == 0
    for mode in ("eager", "lazy"):
        assert len(data[mode]["samples"]["wall_time"]) == 2
        assert data[mode]["peak_rss"] > 1 << 20
    assert data["lazy"]["modules"] < data["eager"]["modules"]
    assert data["eager"]["samples"]["modules"][0] > 20
    assert data["ratio"]["modules"] == pytest.approx(
        data["lazy"]["modules"] / data["eager"]["modules"]
    )


def test_compare_fails_when_lazy_changes_the_exit_status(tmp_path: Path) -> None:
    """compare reports a program whose exit status differs lazily (contract C9.6)."""
    code = "import sys; sys.exit(3 if 'lazyimp' in sys.modules else 0)"
    proc = lazyimp(tmp_path, "compare", "-n", "1", "--warmup", "0", "-c", code)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert "exited with status 3 with lazy imports but 0 without" in first, proc.stderr
    assert "lazily" not in first and "lazyly" not in first and "{" not in first
    assert "python -m lazyimp bisect -c" in first


def test_compare_says_when_a_program_differs_from_itself(tmp_path: Path) -> None:
    """Two eager runs with different statuses: said plainly, no comparison (contract C9.6)."""
    write_tree(tmp_path, {"flip.py": (
        "import os, sys\n"
        "p = 'flip.state'\n"
        "n = int(open(p).read()) if os.path.exists(p) else 0\n"
        "open(p, 'w').write(str(n + 1))\n"
        "sys.exit(n % 3 == 2)\n"
    )})
    proc = lazyimp(tmp_path, "compare", "-n", "2", "--warmup", "0", "flip.py")
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert "exited with status 1 in one" in first and "0 in another" in first, first
    assert "it does not behave the same twice" in first


OS_EXIT = """
import os, sys
import json, csv
print("done", flush=True)
os._exit(0)
"""


def test_run_writes_the_report_when_the_program_leaves_through_os_exit(tmp_path: Path) -> None:
    """A program that ends with os._exit (as mypy does) still gets its report (contract C9.6)."""
    write_tree(tmp_path, {"quick_exit.py": OS_EXIT})
    proc = lazyimp(tmp_path, "run", "--report", "json", "--output", "r.json", "quick_exit.py")
    assert proc.returncode == 0 and proc.stdout == "done\n", proc.stderr
    names = {m["name"]: m["state"] for m in json.loads((tmp_path / "r.json").read_text())["modules"]}
    assert names["csv"] == "proxied" and names["json"] == "proxied"


def test_os_exit_in_a_forked_child_writes_no_second_report(tmp_path: Path) -> None:
    """Only the process lazyimp started writes the report, not a forked child (contract C9.6)."""
    write_tree(tmp_path, {"forks.py": (
        "import os\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
    )})
    proc = lazyimp(tmp_path, "run", "forks.py")
    assert proc.returncode == 0
    assert proc.stderr.count("lazyimp report:") == 1, proc.stderr


def test_compare_counts_modules_of_an_os_exit_program(tmp_path: Path) -> None:
    """compare counts the modules of a program that leaves through os._exit (contract C9.6)."""
    write_tree(tmp_path, {"quick_exit.py": OS_EXIT})
    proc = lazyimp(tmp_path, "compare", "-n", "1", "--warmup", "0", "--json", "quick_exit.py")
    data = json.loads(proc.stdout)
    assert data["eager"]["modules"] > 20 and data["lazy"]["modules"] > 20, data


def test_compare_says_when_modules_could_not_be_counted(tmp_path: Path) -> None:
    """A run killed by a signal shows '?' and says why, instead of 0 (contract C9.6)."""
    write_tree(tmp_path, {"killed.py": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"})
    proc = lazyimp(tmp_path, "compare", "-n", "1", "--warmup", "0", "killed.py")
    assert proc.returncode == 0, proc.stderr
    row = [line for line in proc.stdout.splitlines() if line.startswith("modules executed")][0]
    assert row.split()[2:4] == ["?", "?"], proc.stdout
    assert "killed by a signal" in proc.stdout


def test_lazy_from_switch_on_run_and_compare(tmp_path: Path) -> None:
    """--lazy-from on run and compare defers from-imports as LAZYIMP_LAZY_FROM=1 does (contract C12.1)."""
    write_tree(tmp_path, {"fromprog.py": (
        "from decimal import Decimal\n"
        "import lazyimp\n"
        "def kind():\n    return type(Decimal).__name__\n"
        "print(lazyimp.install().config.lazy_from, kind())\n"
    )})
    off = lazyimp(tmp_path, "run", "--report", "json", "--output", "r.json", "fromprog.py")
    on = lazyimp(tmp_path, "run", "--lazy-from", "--report", "json", "--output", "r.json", "fromprog.py")
    # On 3.15 reading the global gives the real class (PEP 810 binds no stand-in).
    stand_in = "type" if hasattr(sys, "set_lazy_imports_filter") else "LazyName"
    assert off.stdout == "False type\n" and on.stdout == f"True {stand_in}\n", (off, on)
    write_tree(tmp_path, {"heavyfrom.py": "from email.message import Message\n"})
    counts = {}
    for flag in ((), ("--lazy-from",)):
        proc = lazyimp(tmp_path, "compare", "-n", "1", "--warmup", "0", "--json", *flag, "heavyfrom.py")
        counts[flag] = json.loads(proc.stdout)["lazy"]["modules"]
    assert counts[("--lazy-from",)] < counts[()], counts


def test_help_lists_the_environment(tmp_path: Path) -> None:
    """--help and each command's --help list the LAZYIMP_* variables (contract C1.5, C3.9)."""
    variables = ("LAZYIMP=1", "LAZYIMP_DISABLE", "LAZYIMP_LAZY_FROM", "LAZYIMP_IGNORE=",
                 "LAZYIMP_IGNORE_PACKAGES", "LAZYIMP_IGNORE_PATHS", "LAZYIMP_IGNORE_IMPORTERS",
                 "LAZYIMP_VERBOSE")
    for args in (("--help",), ("run", "--help"), ("compare", "--help"), ("bisect", "--help")):
        out = lazyimp(tmp_path, *args).stdout
        for name in variables:
            assert name in out, (args, name)


def test_main_function_is_the_console_script(tmp_path: Path) -> None:
    """lazyimp.__main__.main(argv) is the console script's entry and returns the status (contract C9.6)."""
    write_tree(tmp_path, PROGRAM)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from lazyimp.__main__ import main; "
            "sys.exit(main(['run', '-c', 'print(__name__)']))",
        ],
        capture_output=True,
        text=True,
        env=python_env(),
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout == "__main__\n", proc.stderr
