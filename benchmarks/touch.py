"""The touch case of lazy ``from`` imports (contract C12): import a stack, use one common thing.

Each stack is imported the way its users write it and one everyday thing is done
with it (a boto3 client, a flask test request, a requests session, one jsonschema
validation, one networkx shortest path, one sympy derivative).  Variants: eager;
lazyimp (the core mode); lazyimp with ``lazy_from=True``; the stdlib LazyLoader
around every source module; ``hgdemandimport`` if installed.  Wall time is the
median of ``-n`` fresh interpreters per cell, variants alternated in a shuffled
order every round (``startup.measure``); probe runs count the modules executed.
With ``--instructions`` each cell also reports the user-space instructions of its
run (``perf stat -e instructions:u``, median of 3): far steadier than wall time on
a shared machine.  Stacks that are not installed are skipped and listed.

    python benchmarks/touch.py                  # 9 runs per cell
    python benchmarks/touch.py -n 21 --stacks flask,requests --json touch.json
    python benchmarks/touch.py --instructions   # needs Linux perf
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import startup  # noqa: E402  (this folder's sibling script)

# name -> (module to look for, the program: imports and one common use)
STACKS: dict[str, tuple[str, str]] = {
    "boto3": (
        "boto3",
        """\
        import boto3
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
        )
        assert client.meta.region_name == "us-east-1"
        """,
    ),
    "flask": (
        "flask",
        """\
        import flask
        app = flask.Flask("touch")

        @app.route("/")
        def index():
            return "hi"

        assert app.test_client().get("/").data == b"hi"
        """,
    ),
    "requests": (
        "requests",
        """\
        import requests
        session = requests.Session()
        assert session.headers["Accept"]
        """,
    ),
    "jsonschema": (
        "jsonschema",
        """\
        import jsonschema
        jsonschema.validate({"a": 1}, {"type": "object"})
        """,
    ),
    "networkx": (
        "networkx",
        """\
        import networkx as nx
        assert nx.shortest_path(nx.path_graph(5), 0, 4) == [0, 1, 2, 3, 4]
        """,
    ),
    "sympy": (
        "sympy",
        """\
        import sympy
        x = sympy.Symbol("x")
        assert str(sympy.sympify("x**2 + 2*x").diff(x)) == "2*x + 2"
        """,
    ),
}


def cells(workdir: Path, stacks: list[str], variants: list[str]) -> list[startup.Cell]:
    out = []
    for name in stacks:
        body = textwrap.dedent(STACKS[name][1])
        for variant in variants:
            path = workdir / f"{name}_{variant}.py"
            path.write_text(startup.PREAMBLE[variant] + body + startup.PROBE)
            out.append(startup.Cell(name, variant, [str(path)], str(workdir)))
    return out


def count_instructions(runner: startup.Runner, cell: startup.Cell, runs: int = 3) -> int | None:
    """Median user-space instructions of the cell's program (``perf stat``)."""
    counts = []
    for _ in range(runs):
        proc = subprocess.run(
            ["perf", "stat", "-x,", "-e", "instructions:u", runner.python, *cell.argv],
            cwd=cell.cwd, env=runner.env, capture_output=True, text=True,
        )
        for line in proc.stderr.splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2].startswith("instructions") and fields[0].isdigit():
                counts.append(int(fields[0]))
    return int(statistics.median(counts)) if counts else None


def table(cells: list[startup.Cell], variants: list[str]) -> str:
    by_row: dict[str, dict[str, startup.Cell]] = {}
    for c in cells:
        by_row.setdefault(c.row, {})[c.variant] = c
    rows = []
    for stack, group in by_row.items():
        eager = group["eager"]
        for variant in variants:
            c = group.get(variant)
            if c is None:
                continue
            wall = c.median_ms
            ratio = f"{wall / eager.median_ms:.2f}x" if wall and eager.median_ms else "-"
            count, base = c.probe.get("instructions"), eager.probe.get("instructions")
            instr = f"{count / 1e6:.0f}M" if count else "-"
            iratio = f"{count / base:.2f}x" if count and base else "-"
            executed, modules = c.probe.get("executed"), c.probe.get("modules")
            mods = "-" if modules is None else f"{executed}/{modules}"
            rows.append([stack if variant == "eager" else "", variant, startup.fmt_ms(wall), ratio, instr, iratio, mods])
    return startup.rst_table(
        ["stack", "variant", "wall ms", "vs eager", "instructions", "vs eager", "executed/in sys.modules"],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=9, help="runs per cell (default 9)")
    parser.add_argument("--stacks", help="comma-separated stacks (default: all installed)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark")
    parser.add_argument("--probes", type=int, default=1, help="probe runs per cell (counts)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--instructions", action="store_true", help="also count instructions with perf stat")
    args = parser.parse_args(argv)
    if args.instructions and shutil.which("perf") is None:
        parser.error("--instructions needs Linux perf (the perf command) on PATH")
    runner = startup.Runner(args.python)
    wanted = [s.strip() for s in args.stacks.split(",")] if args.stacks else list(STACKS)
    unknown = [s for s in wanted if s not in STACKS]
    if unknown:
        parser.error(f"unknown stack(s) {', '.join(unknown)}; expected some of {', '.join(STACKS)}")
    notes = []
    stacks = []
    for name in wanted:
        if startup.installed(runner, STACKS[name][0]):
            stacks.append(name)
        else:
            notes.append(f"{name}: skipped, not installed")
    variants = ["eager", "lazyimp", "lazy_from", "lazyloader"]
    if startup.installed(runner, "hgdemandimport"):
        variants.append("hgdemandimport")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lazyimp-touch-") as tmp:
        measured = cells(Path(tmp), stacks, variants)
        startup.measure(runner, measured, args.n, args.probes, args.seed)
        if args.instructions:
            for cell in measured:
                if cell.error is None:
                    cell.probe["instructions"] = count_instructions(runner, cell)
    took = time.perf_counter() - started
    print(
        f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}; medians of {args.n} "
        f"alternating runs per cell ({took:.0f} s)\n"
    )
    if measured:
        print(table(measured, variants))
    for note in notes:
        print(f"note: {note}")
    for cell in measured:
        if cell.error:
            print(f"FAILED {cell.row} / {cell.variant}: {cell.error.splitlines()[-1]}")
    if args.json:
        result = {
            "python": sys.version.split()[0],
            "date": time.strftime("%Y-%m-%d"),
            "runs_per_cell": args.n,
            "variants": variants,
            "cells": [c.as_dict() for c in measured],
            "notes": notes,
        }
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
