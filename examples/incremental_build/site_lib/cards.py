"""Teaser cards (the home and news pages use them; the about page does not)."""

from .format import escape


def card(title: str, text: str) -> str:
    return f'<div class="card"><h2>{escape(title)}</h2><p>{escape(text)}</p></div>'
