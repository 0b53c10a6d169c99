"""Run a pytest session with lazy imports: ``pytest -p lazyimp.pytest_plugin``.

Scope: the way a user checks a whole program under lazyimp is to run its own test
suite with every module-level ``import`` lazy and compare the outcome with an eager
run (``scripts/third_party.py`` does that test by test).  This plugin installs lazyimp
before pytest collects anything: before the initial ``conftest.py`` files are imported,
so the imports made by conftests, test modules and the code under test are all lazy.
The modules pytest and its plugins imported while starting up are already in
``sys.modules`` and stay as they are (contract C1.4).

Options:

- ``--lazyimp-report=PATH`` writes ``lazyimp.report()`` when the session ends: text,
  or JSON when PATH ends in ``.json``; ``-`` writes the text report to the terminal
  (stderr).  Under pytest-xdist each worker writes ``PATH.<worker id>`` (each worker
  is its own interpreter with its own lazy imports).
- ``-p no:lazyimp.pytest_plugin`` (or not passing ``-p``) keeps the run eager.

Configuration is lazyimp's own: ``[tool.lazyimp]`` in the ``pyproject.toml`` of the
working directory and the ``LAZYIMP_*`` environment variables
(docs/configuration.rst).  A bad configuration is a usage error before collection.

Known limits: test modules themselves are imported eagerly (pytest imports them from
a function, and its assertion rewriter creates their module objects); what they
import at module level is lazy.  ``LAZYIMP_DISABLE=1`` turns the plugin into a no-op.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

__all__ = [
    "pytest_addoption",
    "pytest_load_initial_conftests",
    "pytest_report_header",
    "pytest_sessionfinish",
    "pytest_unconfigure",
]

# The importer this plugin installed (None when it found lazyimp already installed
# or LAZYIMP_DISABLE set): only what we installed is removed at the end.
_installed_here: Any = None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lazyimp", "lazy imports (lazyimp)")
    group.addoption(
        "--lazyimp-report",
        action="store",
        dest="lazyimp_report",
        default=None,
        metavar="PATH",
        help="write lazyimp's report when the session ends: text, JSON if PATH ends "
        "in .json, '-' for the terminal",
    )


# tryfirst: before pytest's own pytest_load_initial_conftests imports the conftests,
# and before other plugins' implementations of this hook import anything.
@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    global _installed_here
    import lazyimp

    if lazyimp.is_installed():
        return
    try:
        importer = lazyimp.install()
    except (TypeError, ValueError, RuntimeError) as exc:
        raise pytest.UsageError(f"lazyimp.pytest_plugin: cannot install lazyimp: {exc}") from exc
    if lazyimp.is_installed():
        _installed_here = importer


def pytest_report_header(config: pytest.Config) -> str:
    import lazyimp

    state = "on" if lazyimp.is_installed() else "off"
    return f"lazyimp: lazy imports {state} (lazyimp.pytest_plugin)"


# An xdist worker writes its report when its session finishes: xdist tells the
# controller "workerfinished" right after that hook, and the controller may then end
# the worker before the worker's unconfigure hooks run (under load it did, and the
# report file was missing).
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    target = config.getoption("lazyimp_report", None)
    if target and getattr(config, "workerinput", None) is not None:
        _write_report(config, target)
        config.stash[_written] = True


_written = pytest.StashKey[bool]()


# trylast: other plugins' unconfigure hooks may still import (and resolve) modules.
@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    global _installed_here
    target = config.getoption("lazyimp_report", None)
    if target and not config.stash.get(_written, False):
        _write_report(config, target)
    if _installed_here is not None:
        import lazyimp

        lazyimp.uninstall()
        _installed_here = None


def _write_report(config: pytest.Config, target: str) -> None:
    import lazyimp

    fmt = "json" if target.endswith(".json") else "text"
    if target == "-":
        lazyimp.report(file=sys.stderr, format="text")
        return
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        target = f"{target}.{worker.get('workerid', 'worker')}"
    with open(target, "w", encoding="utf-8") as fh:
        lazyimp.report(file=fh, format=fmt)
