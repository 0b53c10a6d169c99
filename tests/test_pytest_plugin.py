"""The pytest plugin: ``pytest -p lazyimp.pytest_plugin`` runs a suite with lazy imports.

Each test runs pytest in a fresh interpreter on a tiny generated suite (the plugin
installs lazyimp process-wide).  Note: pytest's collection probes every name of a test
module and of a conftest (``__test__``, hook names), which resolves the modules those
import directly; what *they* import stays lazy until used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import python_env, write_tree

SUITE = {
    "pytest.ini": """
        [pytest]
        addopts = -p no:cacheprovider
    """,
    "app/__init__.py": """
        import sys
        sys._app_runs = getattr(sys, "_app_runs", 0) + 1
        import app.deep  # a package importing its own submodule: eager by design
        import app_helper
        def answer():
            return app_helper.VALUE * 2
    """,
    "app/deep.py": """
        DEEP = 1
    """,
    "app_helper.py": """
        import sys
        sys._helper_runs = getattr(sys, "_helper_runs", 0) + 1
        VALUE = 21
    """,
    "never_used.py": """
        raise AssertionError("never_used must not run")
    """,
    "app_uses_never.py": """
        import never_used
        X = 1
    """,
    "test_app.py": """
        import os, sys
        import lazyimp
        import app
        import app_uses_never

        EXPECT_LAZY = os.environ.get("EXPECT_LAZY") == "1"

        def test_installed_as_expected():
            assert lazyimp.is_installed() is EXPECT_LAZY

        def test_indirect_imports_are_lazy_until_used():
            assert lazyimp.is_lazy("app_helper") is EXPECT_LAZY
            assert app.answer() == 42
            assert sys._helper_runs == 1 and sys._app_runs == 1
            assert not lazyimp.is_lazy("app_helper")

        def test_a_module_never_used_never_runs():
            if EXPECT_LAZY:
                assert lazyimp.is_lazy("never_used")
            assert app_uses_never.X == 1
    """,
}


def run_pytest(
    root: Path, *args: str, expect_lazy: bool, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pytest on the generated suite in ``root`` in a fresh interpreter."""
    env = {"EXPECT_LAZY": "1" if expect_lazy else "0", **(extra_env or {})}
    # app_uses_never must not be collected as a test module, and never_used must not
    # be imported by collection: only test_*.py files are collected.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args],
        cwd=root,
        env=python_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_plugin_makes_imports_lazy_and_writes_the_text_report(tmp_path: Path) -> None:
    """-p lazyimp.pytest_plugin installs before collection; --lazyimp-report writes text (contract C1.1, C9.1)."""
    write_tree(tmp_path, SUITE)
    proc = run_pytest(
        tmp_path,
        "-v",  # with -q: the default verbosity, so the header shows
        "-p",
        "lazyimp.pytest_plugin",
        "--lazyimp-report=report.txt",
        expect_lazy=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout
    assert "lazyimp: lazy imports on" in proc.stdout  # the report header
    text = (tmp_path / "report.txt").read_text()
    assert text.startswith("lazyimp report:"), text
    assert "app_helper" in text
    never = text.split("Never used", 1)[1]
    assert "never_used" in never, text


def test_plugin_writes_a_json_report_when_the_path_ends_in_json(tmp_path: Path) -> None:
    """--lazyimp-report=x.json writes the JSON report (contract C9.1)."""
    write_tree(tmp_path, SUITE)
    proc = run_pytest(
        tmp_path, "-p", "lazyimp.pytest_plugin", "--lazyimp-report=report.json", expect_lazy=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "report.json").read_text())
    assert "version" in data
    states = {m["name"]: m["state"] for m in data["modules"]}
    assert states["never_used"] == "proxied", states.get("never_used")
    assert states["app_helper"] == "resolved", states.get("app_helper")


def test_without_the_plugin_the_same_suite_is_eager(tmp_path: Path) -> None:
    """The control run: without -p the suite runs eagerly and the option is unknown (contract C1.2)."""
    write_tree(tmp_path, {**SUITE, "never_used.py": "X = 0\n"})
    proc = run_pytest(tmp_path, expect_lazy=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_pytest(tmp_path, "--lazyimp-report=r.txt", expect_lazy=False)
    assert proc.returncode == 4, proc.stdout + proc.stderr  # usage error


def test_a_bad_configuration_is_a_usage_error_naming_its_source(tmp_path: Path) -> None:
    """A bad LAZYIMP_* value stops the session before collection, naming it (contract C4.4)."""
    write_tree(tmp_path, SUITE)
    proc = run_pytest(
        tmp_path,
        "-p",
        "lazyimp.pytest_plugin",
        expect_lazy=True,
        extra_env={"LAZYIMP_IGNORE_PACKAGES": "ok,not a name"},
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "LAZYIMP_IGNORE_PACKAGES" in proc.stderr, proc.stderr


def test_disable_switch_keeps_the_plugin_a_no_op(tmp_path: Path) -> None:
    """LAZYIMP_DISABLE=1 makes the plugin install nothing (contract C1.5)."""
    write_tree(tmp_path, {**SUITE, "never_used.py": "X = 0\n"})
    proc = run_pytest(
        tmp_path,
        "-p",
        "lazyimp.pytest_plugin",
        expect_lazy=False,
        extra_env={"LAZYIMP_DISABLE": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_xdist_workers_write_one_report_each(tmp_path: Path) -> None:
    """Under pytest-xdist each worker runs lazily and writes PATH.<worker id> (contract C9.1)."""
    write_tree(tmp_path, SUITE)
    proc = run_pytest(
        tmp_path,
        "-p",
        "lazyimp.pytest_plugin",
        "-n",
        "2",
        "--lazyimp-report=report.txt",
        expect_lazy=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = sorted(p.name for p in tmp_path.glob("report.txt*"))
    assert "report.txt.gw0" in written and "report.txt.gw1" in written, written
