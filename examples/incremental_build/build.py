"""A tiny static site generator that rebuilds only the pages whose Python changed.

    python build.py           # render pages/*.py into out/*.html
    python build.py --lazy    # the same, with lazyimp.install() first

Each page is a module in ``pages/`` with ``TITLE`` and ``render()``; pages import
helpers from ``site_lib/`` (which import each other), by import statements or by
``importlib.import_module``.  Rendering a page happens inside
``lazyimp.track_imports()``, so the build learns which of the project's files the
page depended on, the page module included.  ``out/.build-state.json`` keeps, per
page, each such file with the SHA-256 of its content; the next build renders a page
again only if its output is missing or one of its files changed or disappeared.
Content hashes decide, not modification times: touching a file rebuilds nothing,
and an edit within the file system's timestamp granularity is not missed.

Why each page starts without the project's modules: ``track_imports()`` records a
module that is already imported (``.cached``), but that module's own imports do not
run again, so a page rendered after another one would not see, for example, that
``site_lib.layout`` imports ``site_lib.menu``.  Removing the project's modules from
``sys.modules`` before each page makes every page import them afresh, so each page's
record is complete; the standard library stays imported.

Known limits: only files below this directory are dependencies (the standard library
and installed packages are assumed not to change between builds), as is the data a
page reads without importing it; a change to build.py itself rebuilds nothing (delete
``out/`` for that).  With ``--lazy`` a module a page imports is a dependency even if
the page never uses it: the record is made by the import statement.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
STATE = os.path.join(OUT, ".build-state.json")
STATE_VERSION = 1

sys.path.insert(0, HERE)  # pages and site_lib, wherever build.py is started from
sys.path.append(os.path.dirname(os.path.dirname(HERE)))  # lazyimp from this checkout

import lazyimp  # noqa: E402


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def is_local(path: str | None) -> bool:
    return path is not None and os.path.abspath(path).startswith(HERE + os.sep)


def forget_project_modules() -> None:
    # Reading __file__ does not run a lazily imported module (contract C2.5).
    for name, module in list(sys.modules.items()):
        if name != "__main__" and is_local(getattr(module, "__file__", None)):
            del sys.modules[name]


def render(page: str) -> tuple[str, dict[str, str]]:
    """Render ``pages/<page>.py``; return the HTML and {relative path: sha256} it used."""
    forget_project_modules()
    with lazyimp.track_imports() as seen:
        module = importlib.import_module(f"pages.{page}")
        html = module.render()
    deps = {
        os.path.relpath(origin, HERE).replace(os.sep, "/"): digest(origin)
        for origin in seen.origins()
        if is_local(origin)
    }
    return html, dict(sorted(deps.items()))


def why_rebuild(page: str, entry: dict[str, object] | None) -> str | None:
    """Why ``page`` must be rendered again, or None if its output is up to date."""
    if entry is None:
        return "new page"
    if not os.path.exists(os.path.join(OUT, f"{page}.html")):
        return "output missing"
    deps = entry.get("deps")
    if not isinstance(deps, dict):
        return "no dependency record"
    changed = []
    for rel, old in deps.items():
        path = os.path.join(HERE, rel)
        if not os.path.exists(path):
            changed.append(f"{rel} removed")
        elif digest(path) != old:
            changed.append(f"{rel} changed")
    return ", ".join(changed) or None


def load_state() -> dict[str, dict[str, object]]:
    try:
        with open(STATE, encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return {}
    pages = state.get("pages")
    return pages if isinstance(pages, dict) else {}


def save_state(pages: dict[str, dict[str, object]]) -> None:
    tmp = STATE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"version": STATE_VERSION, "pages": pages}, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, STATE)


def build() -> int:
    """Render what changed; print one line per page; return how many were rendered."""
    os.makedirs(OUT, exist_ok=True)
    old = load_state()
    names = sorted(
        name[:-3]
        for name in os.listdir(os.path.join(HERE, "pages"))
        if name.endswith(".py") and not name.startswith("_")
    )
    new: dict[str, dict[str, object]] = {}
    rendered = 0
    for page in names:
        reason = why_rebuild(page, old.get(page))
        if reason is None:
            print(f"unchanged {page}.html")
            new[page] = old[page]
            continue
        html, deps = render(page)
        with open(os.path.join(OUT, f"{page}.html"), "w", encoding="utf-8") as f:
            f.write(html)
        new[page] = {"deps": deps}
        rendered += 1
        print(f"built     {page}.html  ({reason}; depends on {len(deps)} files)")
    for page in sorted(set(old) - set(new)):  # a page deleted since the last build
        try:
            os.remove(os.path.join(OUT, f"{page}.html"))
        except FileNotFoundError:
            pass
        print(f"removed   {page}.html")
    save_state(new)
    return rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lazy", action="store_true", help="call lazyimp.install() first")
    args = parser.parse_args(argv)
    if args.lazy:
        lazyimp.install()
    rendered = build()
    print(f"{rendered} page(s) rendered")
    if args.lazy:
        import io

        totals = lazyimp.report(io.StringIO()).totals
        print(f"lazy imports: {totals.deferred} deferred, {totals.never_used} never used")
    return 0


if __name__ == "__main__":
    sys.exit(main())
