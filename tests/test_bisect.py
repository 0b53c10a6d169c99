"""``python -m lazyimp bisect`` (contract C9.9): the search with a fake oracle, and end to end.

End-to-end tests run ``bisect`` in a fresh interpreter on a program written to a
temporary directory; the program's own runs are fresh interpreters too.  The search's
unit tests call ``lazyimp._search.Search`` with a pure function as the oracle.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from lazyimp._search import Oracle, OutOfRuns, Search, SearchResult, Trial, run_bound
from tests.helpers import python_env, write_tree


def lazyimp_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m lazyimp ARGS`` in ``cwd``, this checkout first on sys.path."""
    return subprocess.run(
        [sys.executable, "-m", "lazyimp", *args],
        capture_output=True,
        text=True,
        env=python_env(env),
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_run_script_paths_as_python(tmp_path: Path) -> None:
    """run script.py: __file__ and traceback paths absolute, argv[0] as typed, as python's."""
    write_tree(
        tmp_path,
        {
            "prog.py": """
                import sys
                print(sys.argv[0], __file__, __package__, type(__loader__).__name__)
                raise ValueError("same either way")
            """
        },
    )
    eager = subprocess.run(
        [sys.executable, "prog.py"], capture_output=True, text=True, cwd=tmp_path,
        env=python_env(), timeout=120,
    )
    lazy = lazyimp_cli(tmp_path, "run", "--output", "report.txt", "prog.py")
    assert eager.stdout == f"prog.py {tmp_path / 'prog.py'} None SourceFileLoader\n"
    assert (lazy.returncode, lazy.stdout, lazy.stderr) == (1, eager.stdout, eager.stderr)


# --- the search with a fake oracle (pure, in-process) ----------------------------------


def names(n: int) -> list[str]:
    """n module names, sorted as the search sorts them."""
    return [f"pkg.m{i:03d}" for i in range(n)]


def conjunctive(universe: list[str], culprits: frozenset[str]) -> Oracle:
    """The runs agree when every culprit stays eager; the rest of the universe is deferred."""

    def oracle(keep: frozenset[str]) -> Trial:
        return Trial(culprits <= keep, frozenset(universe) - keep)

    return oracle


def search(oracle: Oracle, deferred: list[str]) -> SearchResult:
    """Search with the lazy run's deferred set ``deferred``."""
    return Search(oracle, deferred).run()


def placements(n: int, k: int, rng: random.Random) -> list[tuple[str, ...]]:
    """Every placement of k culprits among n modules, or 60 random ones when many."""
    universe = names(n)
    if math.comb(n, k) <= 600:
        return list(itertools.combinations(universe, k))
    return [tuple(rng.sample(universe, k)) for _ in range(60)]


def test_search_finds_exactly_the_culprits_within_the_bound() -> None:
    """Search finds exactly k<=4 culprits among n<=200 within 2+k(ceil(log2 n)+2)(+1) runs."""
    rng = random.Random(12)
    sizes = list(range(1, 25)) + [31, 32, 33, 64, 100, 127, 128, 200]
    checked = 0
    for n in sizes:
        universe = names(n)
        for k in range(1, min(4, n) + 1):
            for culprits in placements(n, k, rng):
                result = search(conjunctive(universe, frozenset(culprits)), universe)
                assert result.status == "found"
                assert result.modules == sorted(culprits), (n, culprits, result)
                total = 3 + result.runs  # two eager runs and the first lazy one
                formula = 2 + k * (math.ceil(math.log2(n)) + 2) + (1 if k >= 3 else 0)
                assert total <= formula, (n, culprits, total)
                assert total <= run_bound(n, k) + (1 if n <= 5 else 0), (n, culprits, total)
                checked += 1
    assert checked > 5000


def test_search_takes_in_modules_deferred_only_once_others_are_eager() -> None:
    """Keeping 'outer' eager defers 'outer.inner' (its own import); both are needed."""
    first = ["a", "b", "outer", "z"]

    def oracle(keep: frozenset[str]) -> Trial:
        deferred = set(first) - keep
        if "outer" in keep:
            deferred.add("outer.inner")
        deferred -= keep
        return Trial({"outer", "outer.inner"} <= keep, frozenset(deferred))

    result = search(oracle, first)
    assert result.status == "found"
    assert result.modules == ["outer", "outer.inner"]
    assert result.candidates == 5


def test_search_says_when_deferring_is_not_the_cause() -> None:
    """The runs never agree, and keeping everything eager defers nothing new: not-caused."""
    universe = names(40)
    calls: list[frozenset[str]] = []

    def oracle(keep: frozenset[str]) -> Trial:
        calls.append(keep)
        return Trial(False, frozenset(universe) - keep)

    result = search(oracle, universe)
    assert result.status == "not-caused"
    assert result.modules == [] and result.kept_eager == universe
    assert frozenset(universe) in calls
    assert result.runs <= 2 * (math.ceil(math.log2(40)) + 1) + 1
    empty = search(oracle, [])
    assert (empty.status, empty.runs) == ("not-caused", 0)


def test_search_minimises_when_runs_contradict_monotonicity() -> None:
    """Keeping 'p' eager breaks the runs unless 'q' is too: the answer is 'c' alone."""
    universe = names(12)
    p, c, q = universe[1], universe[5], universe[9]

    def agree(keep: frozenset[str]) -> bool:
        return (c in keep and p not in keep) or {c, p, q} <= keep

    result = search(lambda keep: Trial(agree(keep), frozenset(universe) - keep), universe)
    assert result.status == "found"
    assert result.modules == [c] and result.minimised
    for culprits in ([universe[2], universe[7]], [universe[0], universe[4], universe[11]]):
        monotone = search(conjunctive(universe, frozenset(culprits)), universe)
        assert monotone.modules == culprits and not monotone.minimised


def test_search_finds_one_of_two_alternatives() -> None:
    """When keeping either of two modules eager is enough, one of them is the answer."""
    universe = names(50)
    either = {universe[10], universe[40]}
    result = search(lambda keep: Trial(bool(either & keep), frozenset(universe) - keep), universe)
    assert result.status == "found"
    assert len(result.modules) == 1 and result.modules[0] in either


def test_search_out_of_runs_keeps_what_it_proved() -> None:
    """A budget spent mid-search: the modules found so far are culprits, a passing set is known."""
    universe = names(100)
    culprits = frozenset({universe[7], universe[55], universe[90]})
    inner = conjunctive(universe, culprits)
    budget = [12]

    def oracle(keep: frozenset[str]) -> Trial:
        if budget[0] == 0:
            raise OutOfRuns
        budget[0] -= 1
        return inner(keep)

    result = search(oracle, universe)
    assert result.status == "out-of-runs"
    assert result.runs == 12
    assert result.modules and set(result.modules) < culprits
    assert result.passing is not None and culprits <= set(result.passing)
    assert set(result.undecided) | set(result.modules) >= culprits


# --- end to end ------------------------------------------------------------------------

# Switches off the rule that keeps a package's unread imports of its own modules eager
# (contract C3.6), which would fix the smallest form and Django by itself.
NO_RULE = {"_LAZYIMP_TEST_SIDE_EFFECT_RULE": "off"}


def bisect(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """``python -m lazyimp bisect --json ARGS`` in ``cwd``; the process and its JSON."""
    proc = lazyimp_cli(cwd, "bisect", "--json", *args, env=env, timeout=timeout)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def python(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``python ARGS`` in ``cwd`` (exit status, stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=python_env(env),
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, proc.stdout, proc.stderr


# A package whose body adds an entry to another package's registry: the script imports
# it and never reads the name, so no rule can tell that the import matters.  The other
# imports are unused too and must not be blamed.
REGISTRATION = {
    "registry_pkg/__init__.py": """
        REGISTRY = {}

        def render(name):
            return REGISTRY[name]()
    """,
    "plugin_pkg/__init__.py": """
        import registry_pkg
        from plugin_pkg.impl import shout

        registry_pkg.REGISTRY["x"] = shout
    """,
    "plugin_pkg/impl.py": """
        def shout():
            return "HELLO FROM THE PLUGIN"
    """,
    "alpha.py": "VALUE = 'alpha'\n",
    "beta.py": "import gamma\nVALUE = 'beta'\n",
    "gamma.py": "VALUE = 'gamma'\n",
    "helpers_pkg/__init__.py": "",
    "helpers_pkg/text.py": "import textwrap\nVALUE = 'text'\n",
    "main.py": """
        import alpha
        import beta
        import csv
        import decimal
        import difflib
        import fractions
        import plugin_pkg
        import helpers_pkg.text
        import registry_pkg
        print("registered:", sorted(registry_pkg.REGISTRY))
        print(registry_pkg.render("x"))
    """,
}


def test_cross_package_registration_is_found_and_the_fix_works(tmp_path: Path) -> None:
    """bisect names plugin_pkg alone, within the bound, and its config lines make the runs agree."""
    write_tree(tmp_path, REGISTRATION)
    eager = python(tmp_path, "main.py")
    assert eager == (0, "registered: ['x']\nHELLO FROM THE PLUGIN\n", "")

    proc = lazyimp_cli(tmp_path, "bisect", "main.py")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "1 module must stay eager" in out, out
    assert "\n    plugin_pkg\n" in out
    block = "    [tool.lazyimp]\n    ignore = [\"plugin_pkg\"]\n"
    assert block in out
    assert "or set the environment: LAZYIMP_IGNORE=plugin_pkg\n" in out
    assert 'or in code: lazyimp.install(ignore=["plugin_pkg"])\n' in out
    runs, n = map(int, re.search(r"\((\d+) program runs; (\d+) modules deferred\)", out).groups())
    assert n >= 8  # the unused stdlib and local modules were deferred too
    assert runs <= run_bound(n, 1), (runs, n)
    assert "round 1:" in proc.stderr and "'plugin_pkg' must stay eager" in proc.stderr

    # Applying the printed lines: the lazy run now does what the eager one does.
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(block))
    lazy = lazyimp_cli(tmp_path, "run", "--output", "report.txt", "main.py")
    assert (lazy.returncode, lazy.stdout, lazy.stderr) == eager
    again, data = bisect(tmp_path, "main.py")
    assert again.returncode == 0 and data["result"] == "agree" and data["runs"] == 2


def test_smallest_form_from_the_issue(tmp_path: Path) -> None:
    """reg.sub.plugins (registers into reg.REGISTRY, never read) is found with the rule off."""
    write_tree(
        tmp_path,
        {
            "reg/__init__.py": """
                REGISTRY = {}
                import reg.sub.plugins
                from reg.sub.use import get
            """,
            "reg/sub/__init__.py": "",
            "reg/sub/plugins.py": "from reg import REGISTRY\nREGISTRY['x'] = 1\n",
            "reg/sub/use.py": "from reg import REGISTRY\n\ndef get():\n    return REGISTRY['x']\n",
            "main.py": "import reg\nprint(reg.get())\n",
        },
    )
    assert python(tmp_path, "main.py") == (0, "1\n", "")
    lazy = lazyimp_cli(tmp_path, "run", "--output", "r.txt", "main.py", env=NO_RULE)
    assert lazy.returncode == 1 and "KeyError: 'x'" in lazy.stderr
    proc, data = bisect(tmp_path, "main.py", env=NO_RULE)
    assert proc.returncode == 0, proc.stderr
    assert data["result"] == "found" and data["modules"] == ["reg.sub.plugins"]
    assert "the lazy run raised \"KeyError: 'x'\"" in data["difference"]
    # n is 2 here: the bound's one documented excess (the second eager run).
    assert data["runs"] <= run_bound(data["deferred"], 1) + 1, data
    assert data["config"]["pyproject"] == '[tool.lazyimp]\nignore = ["reg.sub.plugins"]'
    # With the rule on, the runs agree by themselves.
    _, data = bisect(tmp_path, "main.py")
    assert data["result"] == "agree", data


DJANGO = pytest.mark.skipif(
    importlib.util.find_spec("django") is None, reason="Django is not installed (test extra)"
)


@DJANGO
@pytest.mark.slow  # about 27 runs of manage.py: 15 s alone, near a minute on a busy machine
def test_django_check_deploy_security_modules(tmp_path: Path) -> None:
    """Django's check --deploy: bisect finds its three security check modules, within the bound."""
    code, _, err = python(tmp_path, "-m", "django", "startproject", "mysite", ".")
    assert code == 0, err
    command = ("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    eager = python(tmp_path, *command)
    assert eager[0] == 1 and "System check identified 7 issues" in eager[2], eager
    proc, data = bisect(tmp_path, *command, env=NO_RULE)
    assert proc.returncode == 0, proc.stderr
    assert data["result"] == "found", data
    security = "django.core.checks.security."
    assert data["modules"] == [security + "base", security + "csrf", security + "sessions"]
    assert data["runs"] <= run_bound(data["deferred"], 3), data
    assert data["runs"] <= 3 + 3 * (math.ceil(math.log2(data["deferred"])) + 1) + 1
    # The lines it prints make the lazy run agree.
    (tmp_path / "pyproject.toml").write_text(data["config"]["pyproject"] + "\n")
    lazy = lazyimp_cli(tmp_path, "run", "--output", "r.json", *command, env=NO_RULE)
    assert (lazy.returncode, lazy.stdout, lazy.stderr) == eager


def test_runs_that_agree_exit_0(tmp_path: Path) -> None:
    """A program that behaves the same lazily: 'agree', two runs, exit 0."""
    write_tree(tmp_path, {"main.py": "import csv\nimport json\nprint(json.dumps([1]))\n"})
    proc, data = bisect(tmp_path, "main.py")
    assert proc.returncode == 0
    assert data["result"] == "agree" and data["runs"] == 2 and data["modules"] == []
    assert "nothing needs to stay eager" in data["message"]


def test_max_runs_stops_with_what_it_found(tmp_path: Path) -> None:
    """--max-runs 5: stops after 5 runs, says so, exit 1; the JSON has the undecided modules."""
    write_tree(tmp_path, REGISTRATION)
    proc = lazyimp_cli(tmp_path, "bisect", "--max-runs", "5", "main.py")
    assert proc.returncode == 1, proc.stderr
    assert "stopped after 5 program runs (--max-runs 5) before the search finished" in proc.stdout
    assert "Run again with a larger --max-runs" in proc.stdout
    assert "round 1 (unfinished): the next module to keep eager is one of" in proc.stderr
    proc, data = bisect(tmp_path, "--max-runs", "6", "main.py")
    assert data["result"] == "max-runs" and data["runs"] == 6
    assert "plugin_pkg" in data["narrowed"] and len(data["narrowed"]) < data["deferred"] / 2
    assert f"The next one to keep eager is one of these {len(data['narrowed'])}:" in data["message"]


def test_nondeterministic_program_is_reported(tmp_path: Path) -> None:
    """A program whose two eager runs differ is reported as nondeterministic; --mask fixes it."""
    write_tree(
        tmp_path,
        {"main.py": "import csv\nimport random\nprint('token', random.random())\n"},
    )
    proc = lazyimp_cli(tmp_path, "bisect", "main.py")
    assert proc.returncode == 1
    assert "the program is not deterministic: two eager runs differ" in proc.stdout
    assert "stdout line 1:" in proc.stdout and "--mask REGEX" in proc.stdout
    assert "run 3 (eager again): differs from run 1" in proc.stderr
    _, data = bisect(tmp_path, "main.py")
    assert data["result"] == "nondeterministic" and data["runs"] == 3
    proc, data = bisect(tmp_path, "--mask", r"0\.\d+", "main.py")
    assert proc.returncode == 0 and data["result"] == "agree", data
    # Memory addresses in a repr (random ones: ASLR may be off): bisect names the mask.
    write_tree(
        tmp_path,
        {"main.py": "import csv, random\nprint(f'<obj at {hex(random.getrandbits(40))}>')\n"},
    )
    proc = lazyimp_cli(tmp_path, "bisect", "main.py")
    assert proc.returncode == 1
    assert "(here only memory addresses differ: --mask '0x[0-9a-fA-F]+')" in proc.stdout
    proc, data = bisect(tmp_path, "--mask", "0x[0-9a-fA-F]+", "main.py")
    assert data["result"] == "agree", data


# The program's stdout and exit status are the same either way: only the file it
# writes shows what the lazy run lost.
WRITER = {
    "store/__init__.py": """
        ENTRIES = []

        def save(path):
            with open(path, "w") as fh:
                fh.write("\\n".join(ENTRIES) + "\\n")
    """,
    "formats/__init__.py": "import store\nstore.ENTRIES.append('formats registered')\n",
    "formats/extra.py": "VALUE = 1\n",
    "main.py": """
        import csv
        import decimal
        import formats
        import store
        store.save("out.txt")
        print("saved")
    """,
}


def test_check_command_counts_in_the_comparison(tmp_path: Path) -> None:
    """--check CMD: runs that differ only in a file the program wrote are told apart by it."""
    write_tree(tmp_path, WRITER)
    proc, data = bisect(tmp_path, "main.py")
    assert data["result"] == "agree"  # same stdout, same exit status
    check = f"{sys.executable} -c \"print(open('out.txt').read())\" && rm out.txt"
    proc, data = bisect(tmp_path, "--check", check, "main.py")
    assert proc.returncode == 0, proc.stderr
    assert data["result"] == "found" and data["modules"] == ["formats"], data
    assert "check output line 1: 'formats registered' (eager) vs '' (lazy)" in data["difference"]
    assert "check: exit status 0, 2 lines of output" in proc.stderr
    assert not (tmp_path / "out.txt").exists()


def test_lazy_from_defers_from_imports_in_the_lazy_runs(tmp_path: Path) -> None:
    """--lazy-from: a from-import's registration is found, and the config turns lazy_from on."""
    files = dict(REGISTRATION)
    files["main.py"] = """
        import csv
        import alpha
        from plugin_pkg import shout
        import registry_pkg
        print(registry_pkg.render("x"))
    """
    write_tree(tmp_path, files)
    _, data = bisect(tmp_path, "main.py")
    assert data["result"] == "agree"  # from-imports stay eager by default
    proc, data = bisect(tmp_path, "--lazy-from", "main.py")
    assert proc.returncode == 0, proc.stderr
    assert data["result"] == "found" and data["modules"] == ["plugin_pkg"], data
    assert data["lazy_from"] is True
    assert data["config"]["pyproject"] == '[tool.lazyimp]\nlazy_from = true\nignore = ["plugin_pkg"]'
    assert data["config"]["env"] == "LAZYIMP_LAZY_FROM=1 LAZYIMP_IGNORE=plugin_pkg"
    assert data["config"]["install"] == 'lazyimp.install(lazy_from=True, ignore=["plugin_pkg"])'


def test_difference_not_caused_by_deferring(tmp_path: Path) -> None:
    """A program that tells the launcher apart (sys.modules) is 'not caused by deferring'."""
    write_tree(
        tmp_path,
        {"main.py": "import sys\nimport csv\nimport decimal\nprint('lazyimp' in sys.modules)\n"},
    )
    proc = lazyimp_cli(tmp_path, "bisect", "main.py")
    assert proc.returncode == 1, proc.stderr
    assert "keeping all 2 deferred modules eager, the lazy run still differs" in proc.stdout
    assert "the difference is not caused by deferring modules" in proc.stdout
    _, data = bisect(tmp_path, "main.py")
    assert data["result"] == "not-caused" and data["modules"] == []


def test_a_lazy_run_that_hangs_times_out_and_still_reports(tmp_path: Path) -> None:
    """--timeout: a lazy run waiting forever is interrupted, writes its report, and counts as a difference."""
    write_tree(
        tmp_path,
        {
            "state.py": "READY = False\n",
            "starter.py": "import state\nstate.READY = True\n",
            "main.py": """
                import csv
                import starter
                import state
                import time
                while not state.READY:
                    time.sleep(0.01)
                print("ready")
            """,
        },
    )
    proc, data = bisect(tmp_path, "--timeout", "3", "main.py")
    assert proc.returncode == 0, proc.stderr
    assert data["difference"] == "the lazy run timed out"
    assert data["result"] == "found" and data["modules"] == ["starter"], data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py"], "can't open file"),
        (["-m", "no_such_module_here"], "no module named 'no_such_module_here'"),
        ([], "no program given: expected -m module, -c code or script.py"),
        (["--max-runs", "2", "main.py"], "--max-runs 2: expected at least 3"),
        (["--max-runs", "many", "main.py"], "argument --max-runs: invalid int value: 'many'"),
        (["--timeout", "0", "main.py"], "--timeout 0: expected a number of seconds above 0"),
        (["--mask", "(", "main.py"], "--mask '(': not a regular expression"),
        (["--check", " ", "main.py"], "--check '': expected a shell command"),
        (["--frobnicate", "main.py"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_input_is_a_usage_error_naming_it(tmp_path: Path, args: list[str], message: str) -> None:
    """Bad command lines exit 2 with one line naming the bad input, before any run."""
    write_tree(tmp_path, {"main.py": "print('ran')\n"})
    proc = lazyimp_cli(tmp_path, "bisect", *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_help_lists_bisect_and_its_options(tmp_path: Path) -> None:
    """The top-level help lists bisect; bisect --help documents every option."""
    top = lazyimp_cli(tmp_path, "--help")
    assert "usage: python -m lazyimp {run,compare,bisect}" in top.stdout
    assert "\n  bisect    " in top.stdout
    own = lazyimp_cli(tmp_path, "bisect", "--help")
    assert own.returncode == 0
    for option in ("--check CMD", "--max-runs N", "--lazy-from", "--timeout SECONDS",
                   "--ignore-stderr", "--mask REGEX", "--json", "exit status:"):
        assert option in own.stdout, option


def test_failure_note_names_bisect(tmp_path: Path) -> None:
    """A lazily run body that raises carries a note naming the statement and bisect."""
    write_tree(
        tmp_path,
        {
            "broken.py": "raise RuntimeError('broken at import')\n",
            "main.py": "import csv\nimport broken\nprint('never')\nbroken.x\n",
        },
    )
    lazy = lazyimp_cli(tmp_path, "run", "--output", "r.txt", "main.py")
    assert lazy.returncode == 1
    note = lazy.stderr.strip().splitlines()[-1]
    if sys.version_info >= (3, 11):
        assert note.startswith(f"lazyimp: module 'broken' was imported lazily at {tmp_path}"), note
        assert "'python -m lazyimp bisect PROGRAM' finds the imports to keep eager" in note
    else:
        # 3.10's traceback prints no notes (PEP 678 came with 3.11): the note is in the
        # exception's __notes__ only (docs/versions.rst).
        assert note == "RuntimeError: broken at import", note
    # ... and bisect does: keeping it eager gives python's own traceback.
    proc, data = bisect(tmp_path, "main.py")
    assert data["result"] == "found" and data["modules"] == ["broken"], data
