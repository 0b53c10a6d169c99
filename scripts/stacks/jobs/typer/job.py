"""Typer: a CLI from type hints with subcommands, enums, options and prompts, run
through its CliRunner (rich help is off: no terminal)."""

import enum
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
users = typer.Typer(help="Manage users.")
app.add_typer(users, name="users")


class Level(str, enum.Enum):
    low = "low"
    high = "high"


@users.command("add")
def add(name: str, admin: Annotated[bool, typer.Option("--admin")] = False, level: Level = Level.low) -> None:
    """Add a user."""
    typer.echo(f"added {name} admin={admin} level={level.value}")


@app.command()
def count(path: Path, limit: int | None = None) -> None:
    """Count the lines of PATH."""
    if not path.exists():
        typer.echo(f"no such file: {path}", err=True)
        raise typer.Exit(code=3)
    lines = path.read_text().splitlines()[:limit]
    typer.echo(f"{len(lines)} lines")


Path("data.txt").write_text("a\nb\nc\n")
runner = CliRunner()
for args in (["users", "add", "ada", "--admin", "--level", "high"], ["users", "add", "x", "--level", "mid"], ["count", "data.txt", "--limit", "2"], ["count", "nope.txt"], ["users", "--help"]):
    result = runner.invoke(app, args)
    print(f"$ app {' '.join(args)} -> exit {result.exit_code}")
    print(result.output, end="")
