"""Text helpers every page uses (through ``layout``): escaping and paragraphs."""

import html


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs(text: str) -> str:
    """Blank-line separated text -> ``<p>`` elements."""
    blocks = [block.strip() for block in text.strip().split("\n\n")]
    return "\n".join(f"<p>{escape(' '.join(block.split()))}</p>" for block in blocks if block)
