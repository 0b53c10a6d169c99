"""A command-line tool whose rarely used commands are heavy: profile its start-up.

    python -m lazyimp run --report text examples/startup_profile.py greet
    python -m lazyimp compare -n 5 examples/startup_profile.py greet

Like most tools, it imports every command's module at start-up (from
``examples/startup_features/``), and those import ``email``, ``xml.dom.minidom``,
``decimal``, ``asyncio`` and ``http.client``.  ``greet`` needs none of them.  Run
lazily, the report lists the command modules never used (their heavy imports never
ran), and ``compare`` shows what that saves against the eager run.

Commands: greet [NAME] [--width N] | mail TO SUBJECT | xml NAME... |
money AMOUNT RATE YEARS | tasks N | fetch HOST [PATH]
"""

import argparse
import sys

from startup_features import fetch, greet, mail, money, tasks, xmlout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="startup_profile", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("greet", help="say hello (needs nothing heavy)")
    p.add_argument("name", nargs="?", default="world")
    p.add_argument("--width", type=int, default=70)
    p = commands.add_parser("mail", help="print a MIME message (email)")
    p.add_argument("to")
    p.add_argument("subject")
    p = commands.add_parser("xml", help="print names as XML (xml.dom.minidom)")
    p.add_argument("names", nargs="+")
    p = commands.add_parser("money", help="compound interest (decimal)")
    p.add_argument("amount")
    p.add_argument("rate")
    p.add_argument("years", type=int)
    p = commands.add_parser("tasks", help="run concurrent tasks (asyncio)")
    p.add_argument("n", type=int)
    p = commands.add_parser("fetch", help="HEAD request over HTTPS (http.client)")
    p.add_argument("host")
    p.add_argument("path", nargs="?", default="/")
    args = parser.parse_args(argv)

    if args.command == "greet":
        out = greet.run(args.name, args.width)
    elif args.command == "mail":
        out = mail.run(args.to, args.subject)
    elif args.command == "xml":
        out = xmlout.run(args.names)
    elif args.command == "money":
        out = money.run(args.amount, args.rate, args.years)
    elif args.command == "tasks":
        out = tasks.run(args.n)
    else:
        out = fetch.run(args.host, args.path)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
