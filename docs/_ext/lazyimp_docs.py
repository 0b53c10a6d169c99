"""Sphinx helpers that read the facts from the code at build time, so the pages cannot drift.

- ``.. lazyimp-defaults::`` renders the built-in default lists of ``lazyimp._policy``
  (module, reason) as tables.
- ``.. lazyimp-cli::`` runs ``python -m lazyimp --help`` and each command's ``--help``
  in a fresh interpreter (the checkout's ``lazyimp``) and renders a section per command,
  so a new command (``bisect``) appears by itself once it is on the command line.
- ``.. lazyimp-modules::`` lists ``lazyimp/*.py`` with the first paragraph of each
  module's docstring (citations of rule numbers dropped), read without importing.
- Docstrings rendered by autodoc have their rule citations turned into links to
  the contract: ``(contract C5.2)``, and old ``(SPEC 3.2)`` ones through
  ``docs/_spec_map.json`` with ``scripts/rewrite_spec_refs.py`` (until the lead rewrites
  the tree, after which only the first form remains).
- At ``builder-inited`` the sources are checked against the code: every name in
  ``lazyimp.__all__`` in the API page, every environment variable the code reads and
  every ``[tool.lazyimp]`` key (``lazyimp._policy.KEYS``) in the configuration page.  A
  missing one is a warning, and the build runs with ``-W``, so it fails.

The scans live in ``facts()`` (also used by ``tests/test_docs.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.nodes import nested_parse_with_titles

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lazyimp"
logger = logging.getLogger(__name__)

# An environment variable name in a string literal of lazyimp's code.
_ENV_RE = re.compile(r"""["'](_?LAZYIMP(?:_[A-Z]+)*)["']""")


def env_vars() -> list[str]:
    """Every ``LAZYIMP*`` name that appears as a string literal in ``lazyimp/*.py``."""
    found: set[str] = set()
    for path in sorted(PACKAGE.glob("*.py")):
        found.update(_ENV_RE.findall(path.read_text(encoding="utf-8")))
    return sorted(found)


def cli_env() -> dict[str, str]:
    """The environment for running the checkout's command line: no LAZYIMP*, fixed width."""
    env = {k: v for k, v in os.environ.items() if "LAZYIMP" not in k}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(COLUMNS="88", NO_COLOR="1", PYTHON_COLORS="0", PYTHONDONTWRITEBYTECODE="1")
    return env


def cli_help(*args: str) -> str:
    """``python -m lazyimp ARGS --help`` as the checkout prints it."""
    proc = subprocess.run(
        [sys.executable, "-m", "lazyimp", *args, "--help"],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"python -m lazyimp {' '.join(args)} --help failed: {proc.stderr}")
    return proc.stdout.rstrip()


def cli_commands(top: str | None = None) -> list[str]:
    """The commands named in the top-level usage line: ``{run,compare,...}``."""
    text = top if top is not None else cli_help()
    match = re.search(r"\{([a-z,-]+)\}", text)
    if match is None:
        raise RuntimeError(f"no commands in python -m lazyimp --help:\n{text}")
    return match.group(1).split(",")


def facts() -> dict[str, list[str]]:
    """What the docs must mention: public names, env variables, config keys, commands."""
    sys.path.insert(0, str(ROOT))
    try:
        import lazyimp
        from lazyimp import _policy
    finally:
        sys.path.remove(str(ROOT))
    return {
        "names": sorted(lazyimp.__all__),
        "env": env_vars(),
        "keys": list(_policy.KEYS),
        "commands": cli_commands(),
    }


def _plain(text: str) -> str:
    """``text`` as reStructuredText that renders it literally (reasons are prose)."""
    return re.sub(r"([\\*`|_])", r"\\\1", text)


class DefaultsDirective(Directive):
    """The built-in default lists, one table each, read from ``lazyimp._policy``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from lazyimp import _policy

        tables = [
            (
                "``DEFAULT_IGNORE``: modules kept eager (as ``ignore``)",
                _policy.DEFAULT_IGNORE,
            ),
            (
                "``DEFAULT_IGNORE_PACKAGES``: packages kept eager with everything below "
                "them (as ``ignore_packages``)",
                _policy.DEFAULT_IGNORE_PACKAGES,
            ),
            (
                "``DEFAULT_IGNORE_IMPORTERS``: packages whose own modules import eagerly "
                "(as ``ignore_importers``)",
                _policy.DEFAULT_IGNORE_IMPORTERS,
            ),
        ]
        lines: list[str] = []
        for title, entries in tables:
            lines += [f".. rubric:: {title}", ""]
            if not entries:
                lines += ["(empty in this release)", ""]
                continue
            lines += [".. list-table::", "   :header-rows: 1", "   :widths: 20 80", ""]
            lines += ["   * - module", "     - why it must stay eager"]
            for name, why in entries.items():
                lines += [f"   * - ``{name}``", f"     - {_plain(' '.join(why.split()))}"]
            lines.append("")
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source="lazyimp._policy"), 0, node)
        return node.children


class CliDirective(Directive):
    """A section per command of ``python -m lazyimp``, with its ``--help`` text."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        top = cli_help()
        lines = ["``python -m lazyimp --help``:", "", ".. code-block:: text", ""]
        lines += ["   " + line if line else "" for line in top.splitlines()]
        lines.append("")
        for command in cli_commands(top):
            title = f"``{command}``"
            lines += [f".. _cli-{command}:", "", title, "~" * len(title), ""]
            lines += [f"``python -m lazyimp {command} --help``:", "", ".. code-block:: text", ""]
            lines += ["   " + line if line else "" for line in cli_help(command).splitlines()]
            lines.append("")
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="python -m lazyimp --help"), node)
        return node.children


_CITATION_RE = re.compile(r"\s*\((?:SPEC|contract) [^)]*\)")


def module_scopes() -> list[tuple[str, str]]:
    """(module name, first paragraph of its docstring) for each ``lazyimp/*.py``."""
    import ast

    out = []
    for path in sorted(PACKAGE.glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(doc.split("\n\n")[0].split())
        name = "lazyimp" if path.stem == "__init__" else f"lazyimp.{path.stem}"
        out.append((name, _CITATION_RE.sub("", first)))
    return out


class ModulesDirective(Directive):
    """A table of lazyimp's modules and the scope their docstrings state."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lines = [".. list-table::", "   :header-rows: 1", "   :widths: 25 75", ""]
        lines += ["   * - module", "     - scope (from its docstring)"]
        for name, scope in module_scopes():
            lines += [f"   * - ``{name}``", f"     - {scope}"]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source="lazyimp/*.py"), 0, node)
        return node.children


def _check_sources(app: Any) -> None:
    # The pages that must name each fact, and the facts.  Sources, not output: a
    # warning here stops a -W build before any page is written.
    src = Path(app.srcdir)
    known = facts()
    # (page, names, how a documented name is written there, what they are)
    checks = [
        ("api.rst", known["names"], r"^\.\. auto(?:function|class):: lazyimp\.{}$",
         "public name in lazyimp.__all__"),
        ("configuration.rst", known["env"], r"``{}``", "environment variable read by lazyimp"),
        ("configuration.rst", known["keys"], r"``{}``", "[tool.lazyimp] / install() key"),
    ]
    for page, names, form, what in checks:
        text = (src / page).read_text(encoding="utf-8")
        for name in names:
            if not re.search(form.format(re.escape(name)), text, re.MULTILINE):
                logger.warning("%s %r is not documented in docs/%s", what, name, page)


_CONTRACT_RE = re.compile(r"\bcontract\s+(C\d+(?:\.\d+)?(?:(?:,\s*|-)C\d+(?:\.\d+)?)*)")
_rewriter: Any = None


def _rewrite_module() -> Any:
    global _rewriter
    if _rewriter is None:
        import importlib.util

        path = ROOT / "scripts" / "rewrite_spec_refs.py"
        spec = importlib.util.spec_from_file_location("rewrite_spec_refs", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _rewriter = (module, module.SpecMap.load(ROOT / "docs" / "_spec_map.json"))
    return _rewriter


def _link(match: re.Match[str]) -> str:
    refs = re.sub(r"(C\d+(?:\.\d+)?)", r":ref:`\1 <\1>`", match.group(1))
    return f"contract {refs}"


def _docstring_citations(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    # Rule citations in docstrings become links into the contract page.
    module, spec = _rewrite_module()
    text, _ = module.rewrite_text("\n".join(lines), spec)
    text = _CONTRACT_RE.sub(_link, text)
    lines[:] = text.split("\n")


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("lazyimp-defaults", DefaultsDirective)
    app.add_directive("lazyimp-cli", CliDirective)
    app.add_directive("lazyimp-modules", ModulesDirective)
    app.connect("builder-inited", _check_sources)
    app.connect("autodoc-process-docstring", _docstring_citations)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
