"""The documentation builds cleanly and covers what the code offers (docs/).

The site is built with ``-W`` (warnings are errors) in a subprocess, as ``tox -e docs``
builds it.  Then the built pages are checked against facts found here, independently of
the docs' own build-time checks: every public name, every environment variable the code
reads, every configuration key and every command of the command line.  The citation
rewriter (``scripts/rewrite_spec_refs.py``) is checked on a scratch tree.
"""

from __future__ import annotations

import html.parser
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The old outside contract's name, spelled so that this file cites nothing.
OLD = "S" "PEC"
NOTES = "re" "search"

# The sdist carries tests/ but neither docs/ nor scripts/: these tests need a checkout.
pytestmark = pytest.mark.skipif(
    not (DOCS / "conf.py").is_file() or not (ROOT / "scripts" / "rewrite_spec_refs.py").is_file(),
    reason="docs/ and scripts/ are not here (not a checkout of the repository)",
)
needs_sphinx = pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None,
    reason="Sphinx is not installed (python -m pip install '.[docs]')",
)


class _Text(html.parser.HTMLParser):
    """The visible text of a page and the ids of its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _page(built: Path, name: str) -> _Text:
    parser = _Text()
    parser.feed((built / f"{name}.html").read_text(encoding="utf-8"))
    return parser


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "LAZYIMP" not in k}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs-html")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / ".doctrees"), str(DOCS), str(out)],
        cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"the docs build failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def _env_vars() -> set[str]:
    # Every LAZYIMP* name written as a string literal in the package's code.
    found: set[str] = set()
    for path in (ROOT / "lazyimp").glob("*.py"):
        found |= set(re.findall(r"""["'](_?LAZYIMP(?:_[A-Z]+)*)["']""", path.read_text()))
    return found


def _commands() -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "lazyimp", "--help"],
        cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=60, check=True,
    )
    match = re.search(r"\{([a-z,-]+)\}", proc.stdout)
    assert match, proc.stdout
    return match.group(1).split(",")


@needs_sphinx
def test_every_public_name_has_an_api_entry(built: Path) -> None:
    """Each name in lazyimp.__all__ is rendered by autodoc on the API page."""
    import lazyimp

    ids = _page(built, "api").ids
    missing = [name for name in lazyimp.__all__ if f"lazyimp.{name}" not in ids]
    assert not missing, f"no API entry for {missing}"


@needs_sphinx
def test_every_environment_variable_and_key_is_documented(built: Path) -> None:
    """Each LAZYIMP* variable the code reads and each config key is on the configuration page."""
    from lazyimp import _policy

    text = "".join(_page(built, "configuration").parts)
    names = sorted(_env_vars())
    assert {"LAZYIMP", "LAZYIMP_DISABLE", "LAZYIMP_IGNORE", "LAZYIMP_VERBOSE"} <= set(names)
    missing = [n for n in [*names, *_policy.KEYS] if not re.search(rf"(?<!\w){n}(?!\w)", text)]
    assert not missing, f"not on the configuration page: {missing}"


@needs_sphinx
def test_every_command_has_its_help_on_the_cli_page(built: Path) -> None:
    """Each command of python -m lazyimp appears with its --help text."""
    text = "".join(_page(built, "cli").parts)
    commands = _commands()
    assert {"run", "compare"} <= set(commands)
    missing = [c for c in commands if f"python -m lazyimp {c} --help" not in text]
    assert not missing, f"no help text for {missing}"


@needs_sphinx
def test_contract_rules_have_stable_anchors(built: Path) -> None:
    """Every rule label of docs/contract.rst is an anchor (#c5-2) of the built page."""
    labels = re.findall(r"^\.\. _(C\d+(?:\.\d+)?):", (DOCS / "contract.rst").read_text(), re.M)
    assert len(labels) > 50
    ids = _page(built, "contract").ids
    missing = [label for label in labels if label.lower().replace(".", "-") not in ids]
    assert not missing, missing


def _rewriter():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("rewrite_spec_refs", ROOT / "scripts" / "rewrite_spec_refs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spec_map_points_at_rules_the_contract_has() -> None:
    """Every anchor in docs/_spec_map.json is a rule or section of docs/contract.rst."""
    rw = _rewriter()
    known = rw.contract_anchors(ROOT)
    data = json.loads((DOCS / "_spec_map.json").read_text())
    anchors = [v["anchor"] for v in data["rules"].values() if v["anchor"]]
    anchors += [a for v in data["rules"].values() for a in v["also"]]
    anchors += [a for v in data["sections"].values() for a in v]
    assert set(anchors) <= known, sorted(set(anchors) - known)


def test_every_old_citation_in_the_tree_has_an_anchor() -> None:
    """Each old rule citation left in the repository can be rewritten by the map."""
    rw = _rewriter()
    spec = rw.SpecMap.load(DOCS / "_spec_map.json")
    unmapped: list[str] = []
    for path in rw.files(ROOT):
        _, missing = rw.rewrite_text(path.read_text(encoding="utf-8", errors="replace"), spec)
        unmapped += [f"{path.relative_to(ROOT)}: {m}" for m in missing]
    assert not unmapped, unmapped


def test_rewriter_on_a_scratch_tree(tmp_path: Path) -> None:
    """The rewriter maps single, listed, ranged, section and line-broken citations; --check passes after."""
    rw = _rewriter()
    (tmp_path / "docs").mkdir()
    for name in ("contract.rst", "_spec_map.json"):
        (tmp_path / "docs" / name).write_text((DOCS / name).read_text())
    (tmp_path / "lazyimp").mkdir()
    source = (
        f'"""Swap ({OLD} 3.2), several ({OLD} 7.3, 7.4), a range ({OLD} 2.1-2.5, 3.1)."""\n'
        f"# {OLD} section 8 and ({OLD}, top); the hot path ({OLD}\n"
        f"# 8.5): one read.  How it is hooked ({NOTES} 3.1).\n"
    )
    (tmp_path / "lazyimp" / "m.py").write_text(source)
    assert rw.main(["--root", str(tmp_path), "--check"]) == 1
    assert rw.main(["--root", str(tmp_path)]) == 0
    out = (tmp_path / "lazyimp" / "m.py").read_text()
    assert "(contract C5.2)" in out
    assert "(contract C11.3, C11.4)" in out
    assert "(contract C2.1, C2.3-C2.5, C2.7, C5.1)" in out
    assert "# contract C13 and (contract C1.7)" in out
    assert "(contract\n# C13.5)" in out
    assert "(docs/how-it-works.rst, pickler-internals)" in out
    assert rw.main(["--root", str(tmp_path), "--check"]) == 0
