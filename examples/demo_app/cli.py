"""The tool's command line: ``summary`` prints statistics; ``--export FORMAT`` writes them."""

import argparse
import json

from demo_app import export, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo_app")
    parser.add_argument("numbers", nargs="+", type=float)
    parser.add_argument("--export", choices=["csv", "xml", "sqlite", "email"])
    args = parser.parse_args(argv)
    summary = stats.summarise(args.numbers)
    if args.export:
        print(export.write(summary, args.export))
    else:
        print(json.dumps(summary, sort_keys=True))
    return 0
