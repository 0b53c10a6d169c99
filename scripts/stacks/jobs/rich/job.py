"""rich: tables, trees, markdown, syntax highlighting, panels, a traceback, a progress
bar, logging; to a file console of fixed width without colour, and exported HTML."""

import io
import logging

from rich.console import Console
from rich.logging import RichHandler
from rich.markdown import Markdown
from rich.panel import Panel
from rich.pretty import Pretty
from rich.progress import BarColumn, Progress, TextColumn
from rich.syntax import Syntax
from rich.table import Table
from rich.tree import Tree

console = Console(width=80, color_system=None, force_terminal=False, record=True, log_time=False, log_path=False)
table = Table(title="Planets")
table.add_column("name", style="bold")
table.add_column("moons", justify="right")
for name, moons in (("Mercury", 0), ("Earth", 1), ("Mars", 2), ("Jupiter", 95)):
    table.add_row(name, str(moons))
console.print(table)
tree = Tree("root")
tree.add("branch").add("leaf")
tree.add("other")
console.print(tree)
console.print(Markdown("# Title\n\n* one\n* **two**\n\n```python\nx = 1\n```\n"))
console.print(Syntax("def f(x):\n    return x * 2\n", "python", line_numbers=True, theme="ansi_light"))
console.print(Panel.fit("inside a panel", title="panel"))
console.print(Pretty({"nested": [1, 2, {"a": (3, 4)}], "set": {1}}))
console.log("a log line", {"k": "v"})
try:
    {}["missing"]
except KeyError:
    console.print_exception(width=80, extra_lines=0)
with Progress(TextColumn("{task.description}"), BarColumn(bar_width=20), console=console, auto_refresh=False) as progress:
    task = progress.add_task("work", total=4)
    for _ in range(4):
        progress.advance(task)
    progress.refresh()
handler = RichHandler(console=console, show_time=False, show_path=False)
logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=[handler])
logging.getLogger("stacks").warning("careful")
with open("console.html", "w") as fh:
    fh.write(console.export_html(inline_styles=True))
buf = io.StringIO()
Console(file=buf, width=40, color_system=None).rule("rule")
print(buf.getvalue(), end="")
