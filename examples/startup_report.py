"""lazyimp's demo: run a small tool with lazy imports and print the start-up report.

    python examples/startup_report.py            # statistics only: exports never load
    python examples/startup_report.py --export csv

The tool (``examples/demo_app``) imports argparse, json, statistics, decimal,
fractions, csv, email, sqlite3 and xml.etree at module level.  With lazy imports a
run pays only for what it uses; the report says what was deferred, what ran (with
the line that first used it and the import statement that asked for it), and what
was never needed.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # for demo_app
sys.path.append(os.path.dirname(HERE))  # lazyimp from this checkout if not installed

import lazyimp  # noqa: E402

lazyimp.install()

from demo_app import cli  # noqa: E402  (after install(): its imports are lazy)

status = cli.main(["3", "1", "4", "1", "5", *sys.argv[1:]])
lazyimp.report(sys.stdout)
sys.exit(status)
