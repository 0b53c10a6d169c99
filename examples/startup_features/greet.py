"""``greet [NAME] [--width N]``: the cheap, everyday command."""

import textwrap


def run(name: str, width: int) -> str:
    text = f"Hello, {name}! Nothing heavy was loaded to say this."
    return textwrap.fill(text, width=width)
