"""click: a command group with options, arguments, types, prompts and errors, run
through CliRunner and as a real program (standalone mode, its own exit code)."""

import sys

import click
from click.testing import CliRunner


@click.group()
@click.option("--verbose", "-v", count=True)
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """A tool for files."""
    ctx.obj = {"verbose": verbose}


@cli.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--shout/--no-shout", default=False)
@click.option("--times", type=click.IntRange(1, 3), default=1)
@click.pass_obj
def greet(obj: dict, names: tuple[str, ...], shout: bool, times: int) -> None:
    """Greet NAMES."""
    for name in names:
        text = f"hello {name}" + (f" (v{obj['verbose']})" if obj["verbose"] else "")
        for _ in range(times):
            click.echo(text.upper() if shout else text)


@cli.command()
@click.option("--colour", type=click.Choice(["red", "green"]), required=True)
@click.password_option()
def secret(colour: str, password: str) -> None:
    """Ask for a password."""
    click.echo(f"{colour}: {len(password)} characters")


@cli.command()
@click.argument("out", type=click.File("w"))
def write(out) -> None:
    """Write a file."""
    out.write("written by click\n")
    click.secho("done", fg="green")


runner = CliRunner()
for args, input_ in (
    (["--help"], None),
    (["-vv", "greet", "ada", "bob", "--shout", "--times", "2"], None),
    (["greet", "--times", "9", "x"], None),
    (["greet"], None),
    (["secret", "--colour", "red"], "hunter2\nhunter2\n"),
    (["secret", "--colour", "blue"], None),
    (["write", "out.txt"], None),
):
    result = runner.invoke(cli, args, input=input_)
    print(f"$ tool {' '.join(args)} -> exit {result.exit_code}")
    print(result.output, end="")
print(open("out.txt").read(), end="")
sys.argv = ["tool", "greet"]
cli()  # a usage error: click prints it to stderr and exits 2
