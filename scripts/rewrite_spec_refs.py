"""Rewrite citations of the old outside contract into the docs' rule numbers.

Code and tests cite the behaviour contract they were written against as ``SPEC x.y``
(and a few design notes as ``research ...``); neither document is in the repository.
The contract now lives in ``docs/contract.rst`` as rules ``C1.1`` ... with anchors
``#c1-1``.  This script rewrites every such citation through ``docs/_spec_map.json``::

    (SPEC 3.2)                ->  (contract C5.2)
    (SPEC 7.3, 7.4)           ->  (contract C11.3, C11.4)
    SPEC 2.1-2.5, 3.1         ->  contract C2.1, C2.3, C2.4, C2.5, C2.7, C5.1
    SPEC section 8            ->  contract C13
    research 3.3 item 4       ->  docs/how-it-works.rst, pickler-internals

A citation broken over two comment lines (``(SPEC`` / ``# 8.5)``) keeps its line break.

Usage (from the repository root)::

    python scripts/rewrite_spec_refs.py             # rewrite in place, list what changed
    python scripts/rewrite_spec_refs.py --dry-run   # only list what would change
    python scripts/rewrite_spec_refs.py --check     # exit 1 if any citation still
                                                    # points outside the repository, or
                                                    # at a rule docs/contract.rst lacks
    python scripts/rewrite_spec_refs.py --root /tmp/copy   # work on a copy

Known limits: only the citation forms above are understood; a citation of a rule the
map has no anchor for (``null``) is left as it is and reported, as is anything
``--check`` finds afterwards.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

# What is scanned: every text file under these (relative to --root).
TARGETS = (
    "lazyimp", "tests", "benchmarks", "scripts", "examples",
    "README.rst", "CHANGELOG.rst", "pyproject.toml", "tox.ini", ".ci/run",
)
SUFFIXES = {".py", ".rst", ".toml", ".ini", ".json", ".md", ".txt", ".cfg", ""}
SELF = Path(__file__).resolve()

_REF = r"\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?"
# SPEC, optional "section(s)", then one or more references joined by ", " or " and ".
# The separator after SPEC may run over a line break inside a comment.
SPEC_RE = re.compile(
    rf"\bSPEC(?P<sep>\s+(?:#\s*)?)(?:(?P<word>sections?)\s+)?"
    rf"(?P<refs>{_REF}(?:(?:,\s*|\s+and\s+){_REF})*)"
)
_REF_SPLIT = re.compile(r",\s*|\s+and\s+")
# What --check reports: any citation of a document outside the repository.
LEFTOVER_RE = re.compile(
    r"\bSPEC\b|SPEC\.md|\bresearch\b[:\s]+(?:\"|pitfall|sections?\b|\d)|shared/research"
)
CONTRACT_RE = re.compile(r"\bcontract(?P<sep>\s+(?:#\s*)?)(?P<refs>C\d+(?:\.\d+)?(?:(?:,\s*|-)C\d+(?:\.\d+)?)*)")


class SpecMap:
    """``docs/_spec_map.json``: old rule and section numbers -> contract anchors."""

    def __init__(self, data: dict) -> None:
        self.rules: dict[str, str | None] = {k: v["anchor"] for k, v in data["rules"].items()}
        self.sections: dict[str, list[str]] = data["sections"]
        self.phrases: dict[str, str] = data["phrases"]
        self.order = sorted(self.rules, key=_key)

    @classmethod
    def load(cls, path: Path) -> SpecMap:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def expand(self, ref: str) -> list[str]:
        """Old numbers named by one reference: ``3.2``, ``2.1-2.5``, ``8``, ``2-3``."""
        first, _, last = ref.partition("-")
        if "." not in first:
            lo, hi = int(first), int(last or first)
            return [str(n) for n in range(lo, hi + 1)]
        if not last:
            return [first]
        return [r for r in self.order if _key(first) <= _key(r) <= _key(last)]

    def anchors(self, number: str) -> list[str] | None:
        """Contract anchors for one old number, or None when it has none."""
        if "." not in number:
            return self.sections.get(number)
        anchor = self.rules.get(number)
        return [anchor] if anchor else None


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _akey(anchor: str) -> tuple[int, ...]:
    return _key(anchor[1:])


def _join(anchors: list[str]) -> str:
    # Runs of three or more consecutive rules of one section become a range.
    out: list[str] = []
    i = 0
    while i < len(anchors):
        j = i
        while (
            j + 1 < len(anchors)
            and "." in anchors[j]
            and "." in anchors[j + 1]
            and _akey(anchors[j + 1])[0] == _akey(anchors[j])[0]
            and _akey(anchors[j + 1])[1] == _akey(anchors[j])[1] + 1
        ):
            j += 1
        out.append(f"{anchors[i]}-{anchors[j]}" if j - i >= 2 else ", ".join(anchors[i : j + 1]))
        i = j + 1
    return ", ".join(out)


def rewrite_text(text: str, spec: SpecMap) -> tuple[str, list[str]]:
    """Return the rewritten text and the citations that could not be mapped."""
    unmapped: list[str] = []
    for old, new in spec.phrases.items():
        text = text.replace(old, new)

    def replace(match: re.Match[str]) -> str:
        anchors: list[str] = []
        for ref in _REF_SPLIT.split(match["refs"]):
            for number in spec.expand(ref):
                found = spec.anchors(number)
                if found is None:
                    unmapped.append(match.group(0))
                    return match.group(0)
                anchors += [a for a in found if a not in anchors]
        return f"contract{match['sep']}{_join(anchors)}"

    return SPEC_RE.sub(replace, text), unmapped


def files(root: Path) -> Iterator[Path]:
    for target in TARGETS:
        path = root / target
        candidates: Iterable[Path] = [path] if path.is_file() else sorted(path.rglob("*"))
        for candidate in candidates:
            if (
                candidate.is_file()
                and candidate.suffix in SUFFIXES
                and candidate.resolve() != SELF
                and "__pycache__" not in candidate.parts
            ):
                yield candidate


def contract_anchors(root: Path) -> set[str]:
    """The rule and section anchors defined in docs/contract.rst (``C5.2``, ``C5``)."""
    text = (root / "docs" / "contract.rst").read_text(encoding="utf-8")
    return set(re.findall(r"^\.\. _(C\d+(?:\.\d+)?):\s*$", text, re.MULTILINE))


def check(root: Path) -> list[str]:
    """Citations pointing outside the repository, or at a rule the contract lacks."""
    known = contract_anchors(root)
    problems: list[str] = []
    for path in files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(root)
        for match in LEFTOVER_RE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{rel}:{line}: cites an outside document: {_line(text, match.start())}")
        for match in CONTRACT_RE.finditer(text):
            for anchor in re.findall(r"C\d+(?:\.\d+)?", match["refs"]):
                if anchor not in known:
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{rel}:{line}: no rule {anchor} in docs/contract.rst")
    return problems


def _line(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end != -1 else len(text)].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=SELF.parent.parent,
                        help="repository root to work on (default: this checkout)")
    parser.add_argument("--map", type=Path, default=None,
                        help="the mapping (default: ROOT/docs/_spec_map.json)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="change nothing; exit 1 if a citation points outside the repository")
    group.add_argument("--dry-run", action="store_true", help="list what would change")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    if args.check:
        problems = check(root)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} citation(s) outside the repository or of unknown rules")
        return 1 if problems else 0

    spec = SpecMap.load(args.map or root / "docs" / "_spec_map.json")
    changed = 0
    all_unmapped: list[str] = []
    for path in files(root):
        text = path.read_text(encoding="utf-8")
        new, unmapped = rewrite_text(text, spec)
        all_unmapped += [f"{path.relative_to(root)}: {u!r}" for u in unmapped]
        if new != text:
            changed += 1
            count = sum(a != b for a, b in zip(text.splitlines(), new.splitlines()))
            print(f"{path.relative_to(root)}: {count} line(s)")
            if not args.dry_run:
                path.write_text(new, encoding="utf-8")
    for item in all_unmapped:
        print(f"not mapped (no anchor in the map): {item}", file=sys.stderr)
    verb = "would change" if args.dry_run else "changed"
    print(f"{verb} {changed} file(s); {len(all_unmapped)} citation(s) not mapped")
    return 1 if all_unmapped else 0


if __name__ == "__main__":
    raise SystemExit(main())
