"""The page frame: head, menu, body."""

from . import menu
from .format import escape


def page(name: str, title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        f'<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        f"<body>\n{menu.menu_html(name)}\n<h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )
