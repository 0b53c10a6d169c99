"""The navigation bar (used by ``layout``, so by every page)."""

from .format import escape

PAGES = [("index", "Home"), ("news", "News"), ("about", "About")]


def menu_html(current: str) -> str:
    items = []
    for name, label in PAGES:
        mark = ' aria-current="page"' if name == current else ""
        items.append(f'<a href="{name}.html"{mark}>{escape(label)}</a>')
    return "<nav>" + " | ".join(items) + "</nav>"
