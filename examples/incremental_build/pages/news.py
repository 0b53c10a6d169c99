"""The news page: cards with dates; the date helper is loaded by name, as a plugin."""

import importlib

from site_lib import layout
from site_lib.cards import card

TITLE = "News"
DATE_HELPER = "site_lib.dates"
ITEMS = [
    ("2024-05-02", "Version 1.1", "Incremental builds."),
    ("2024-03-14", "Version 1.0", "First release."),
]


def render() -> str:
    dates = importlib.import_module(DATE_HELPER)  # tracked too, though not an import statement
    body = "\n".join(card(f"{dates.pretty(day)}: {title}", text) for day, title, text in ITEMS)
    return layout.page("news", TITLE, body)
