"""The about page: plain text, no cards."""

from site_lib import layout
from site_lib.format import paragraphs

TITLE = "About"
TEXT = """
This site is built by build.py from Python templates.

Each page records which of the project's modules it imported; the next build redoes
only the pages whose modules changed.
"""


def render() -> str:
    return layout.page("about", TITLE, paragraphs(TEXT))
