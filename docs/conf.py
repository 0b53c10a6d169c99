"""Sphinx configuration for lazyimp's documentation.

Build (from the repository root; warnings are errors)::

    python -m pip install '.[docs]'
    python -m sphinx -W --keep-going -b html docs docs/_build/html

or ``tox -e docs``.  Nothing is fetched from the network: no intersphinx, no link
check, the built-in ``alabaster`` theme.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout's lazyimp, not an installed copy: the pages describe this tree.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import lazyimp  # noqa: E402

project = "lazyimp"
author = "The lazyimp developers"
copyright = "the lazyimp developers"
version = release = lazyimp.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "lazyimp_docs",
]

root_doc = "index"
exclude_patterns = ["_build", "_ext", "_spec_map.json"]
templates_path: list[str] = []
html_static_path: list[str] = []

html_theme = "alabaster"
html_title = f"lazyimp {release}"
html_theme_options = {
    "description": "Lazy imports for CPython 3.10-3.14",
    "page_width": "1100px",
    "sidebar_width": "240px",
    "fixed_sidebar": True,
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_show_sourcelink = False

# Google-style docstrings (STYLE.md); signatures without type hints, which
# reference names only imported under TYPE_CHECKING.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": False}

# Sections are referred to by explicit labels (the contract's rule anchors).
pygments_style = "sphinx"

# The pytest plugin's page needs only its docstring; the docs extra has no pytest.
autodoc_mock_imports = ["pytest"]
