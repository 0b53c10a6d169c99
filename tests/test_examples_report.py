"""The report and tracking examples run as documented (contract C9.1, C9.6, C10.1).

``examples/incremental_build/`` is copied to tmp_path and built repeatedly with edits
in between, eagerly and with ``lazyimp.install()``; ``examples/startup_profile.py`` is
run through ``python -m lazyimp run`` and ``compare`` exactly as docs/guide.rst shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, python_env

EXAMPLE = REPO / "examples" / "incremental_build"
PAGES = {"about", "index", "news"}
HEAVY_COMMANDS = {
    "startup_features.fetch": "http.client",
    "startup_features.mail": "email",
    "startup_features.money": "decimal",
    "startup_features.tasks": "asyncio",
    "startup_features.xmlout": "xml.dom.minidom",
}


def copy_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE, site, ignore=shutil.ignore_patterns("out", "__pycache__"))
    return site


def build(site: Path, lazy: bool) -> tuple[set[str], str]:
    """Run build.py once; return the pages it rendered and its output."""
    proc = subprocess.run(
        [sys.executable, "build.py", *(["--lazy"] if lazy else [])],
        capture_output=True,
        text=True,
        env=python_env(),
        cwd=site,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = {
        line.split()[1].removesuffix(".html")
        for line in proc.stdout.splitlines()
        if line.startswith("built ")
    }
    assert f"{len(built)} page(s) rendered" in proc.stdout, proc.stdout
    return built, proc.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_incremental_build_rebuilds_exactly_the_dependent_pages(tmp_path: Path, lazy: bool) -> None:
    """Tracked imports decide what is rebuilt: only pages whose modules changed (contract C10.1)."""
    site = copy_site(tmp_path)
    out = site / "out"

    built, stdout = build(site, lazy)
    assert built == PAGES
    if lazy:  # the build really ran with lazy imports
        deferred = int(stdout.split("lazy imports: ")[1].split()[0])
        assert deferred > 0, stdout
    state = json.loads((out / ".build-state.json").read_text())
    deps = {page: set(entry["deps"]) for page, entry in state["pages"].items()}
    # Transitive (layout -> menu -> format), relative and import_module() imports.
    assert {"pages/about.py", "site_lib/layout.py", "site_lib/menu.py", "site_lib/format.py"} <= (
        deps["about"]
    )
    assert "site_lib/cards.py" not in deps["about"] and "site_lib/dates.py" not in deps["about"]
    assert "site_lib/dates.py" in deps["news"] and "site_lib/cards.py" in deps["index"]
    assert not any(path.startswith(("build", "out")) for page in deps.values() for path in page)

    assert build(site, lazy)[0] == set()  # nothing changed

    cards = site / "site_lib" / "cards.py"
    os.utime(cards, ns=(cards.stat().st_atime_ns, cards.stat().st_mtime_ns + 10**10))
    assert build(site, lazy)[0] == set()  # touched, same content

    about_before = (out / "about.html").read_text()
    edit(cards, 'class="card"', 'class="teaser"')
    assert build(site, lazy)[0] == {"index", "news"}
    assert 'class="teaser"' in (out / "index.html").read_text()
    assert 'class="teaser"' in (out / "news.html").read_text()
    assert (out / "about.html").read_text() == about_before

    edit(site / "site_lib" / "dates.py", "{day.day} {day:%B %Y}", "{day:%Y-%m-%d}")
    assert build(site, lazy)[0] == {"news"}
    assert "2024-05-02: Version 1.1" in (out / "news.html").read_text()

    edit(site / "site_lib" / "format.py", "html.escape(text, quote=True)", "html.escape(text)")
    assert build(site, lazy)[0] == PAGES  # every page reaches format through layout

    (out / "about.html").unlink()
    assert build(site, lazy)[0] == {"about"}
    assert build(site, lazy)[0] == set()


def test_incremental_build_same_pages_and_dependencies_lazy_and_eager(tmp_path: Path) -> None:
    """Tracking under install() records the same files and renders the same HTML (contract C10.1)."""
    results = []
    for lazy in (False, True):
        site = copy_site(tmp_path / ("lazy" if lazy else "eager"))
        build(site, lazy)
        pages = {p.name: p.read_text() for p in (site / "out").glob("*.html")}
        state = json.loads((site / "out" / ".build-state.json").read_text())
        results.append((pages, state))
    assert results[0] == results[1]
    assert set(results[0][0]) == {f"{page}.html" for page in PAGES}


def lazyimp_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lazyimp", *args],
        capture_output=True,
        text=True,
        env=python_env(),
        cwd=REPO,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_startup_profile_run_reports_heavy_commands_never_used() -> None:
    """`run --report text examples/startup_profile.py greet`: heavy command modules never used (contract C9.6, C9.1)."""
    proc = lazyimp_cli("run", "--report", "text", "examples/startup_profile.py", "greet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hello, world! Nothing heavy was loaded to say this.\n"
    report = proc.stderr
    assert report.startswith("lazyimp report:"), report
    never = report.split("Never used (")[1]
    names = {name.strip() for name in never.split(":", 1)[1].replace("\n", ",").split(",")}
    assert set(HEAVY_COMMANDS) <= names, never
    table = report.split("Resolved modules by load time")[1].split("Never used")[0]
    assert " startup_features.greet " in table and " textwrap " in table
    for heavy in HEAVY_COMMANDS.values():
        assert f" {heavy} " not in table


def test_startup_profile_heavy_modules_never_execute() -> None:
    """The JSON report of the greet run shows the heavy stdlib modules never executed (contract C9.1)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        output = os.path.join(tmp, "r.json")
        proc = lazyimp_cli(
            "run", "--report", "json", "--output", output, "examples/startup_profile.py", "greet"
        )
        assert proc.returncode == 0, proc.stderr
        with open(output, encoding="utf-8") as f:
            data = json.load(f)
    states = {m["name"]: m["state"] for m in data["modules"]}
    for command, heavy in HEAVY_COMMANDS.items():
        assert states[command] == "proxied"
        assert states.get(heavy) is None, (heavy, states.get(heavy))
    assert states["startup_features.greet"] == "resolved"


@pytest.mark.parametrize(
    "command",
    [
        ["greet", "Ada", "--width", "20"],
        ["mail", "ada@example.invalid", "Hello"],
        ["xml", "ada", "bob"],
        ["money", "100", "5", "10"],
        ["tasks", "4"],
    ],
    ids=lambda c: c[0],
)
def test_startup_profile_commands_same_output_lazy_and_eager(command: list[str]) -> None:
    """Each command of the example prints the same lazily as eagerly (contract C9.6)."""
    script = str(REPO / "examples" / "startup_profile.py")
    eager = subprocess.run(
        [sys.executable, script, *command],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=60,
    )
    assert eager.returncode == 0, eager.stderr
    lazy = lazyimp_cli("run", "--output", os.devnull, script, *command)
    assert lazy.returncode == 0, lazy.stderr
    assert lazy.stdout == eager.stdout and eager.stdout.strip()


def test_startup_profile_compare_prints_the_table() -> None:
    """`compare -n 3 examples/startup_profile.py greet` prints the eager/lazy table (contract C9.6)."""
    proc = lazyimp_cli("compare", "-n", "3", "examples/startup_profile.py", "greet")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["median", "of", "3", "runs", "eager", "lazy", "lazy/eager"]
    rows = {line[:20].strip(): line[20:].split() for line in lines[1:4]}
    assert set(rows) == {"wall time (ms)", "modules executed", "peak RSS (MiB)"}
    eager, lazy, ratio = (float(v) for v in rows["modules executed"])
    assert lazy < eager and ratio == pytest.approx(lazy / eager, abs=0.01)
    assert lines[4] == "program: examples/startup_profile.py greet"
