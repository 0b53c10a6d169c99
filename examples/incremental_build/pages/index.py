"""The home page: two cards."""

from site_lib import cards, layout

TITLE = "Welcome"


def render() -> str:
    body = cards.card("Fast builds", "Only pages whose Python changed are rebuilt.") + "\n"
    body += cards.card("No config", "Dependencies come from what each page imported.")
    return layout.page("index", TITLE, body)
