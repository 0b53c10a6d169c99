# Sphinx: build a small project (autodoc, napoleon, viewcode) to HTML, then its doctests.
# The doctree cache (-d) goes to $TMPDIR: pickles of Sphinx's incremental-build state,
# with source mtimes in them.
set -e
sphinx-build -q -b html -d "$TMPDIR/doctrees" docs _build/html
sphinx-build -q -b doctest -d "$TMPDIR/doctrees" docs _build/doctest
cat _build/doctest/output.txt | grep -v -e '^Results of doctest builder run on' -e '^=*$'
ls _build/html
