"""Dates as people read them (only the news page loads this, by name)."""

import datetime


def pretty(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"
