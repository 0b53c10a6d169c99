import os
import sys

sys.path.insert(0, os.path.abspath(".."))
project = "Stacks"
author = "Somebody"
copyright = "2024, Somebody"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.doctest", "sphinx.ext.intersphinx", "sphinx.ext.viewcode"]
intersphinx_mapping = {}
html_theme = "alabaster"
