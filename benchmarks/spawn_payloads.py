"""What lazyimp's spawn pickler costs multiprocessing messages, in fresh processes.

Dump and load times of typical messages under four variants, each measured in ``-n``
fresh interpreters (default 5; variants alternated every round), median of the
per-process medians; ratios are against ``plain``:

- ``plain``: the stdlib ``ForkingPickler.dumps`` / ``loads`` (lazyimp's pickler not
  installed).  Its messages cannot be loaded by a spawn worker that lacks the package.
- ``path``: lazyimp's pickler, path references (the default mode).
- ``value``: lazyimp's pickler, by value through cloudpickle.
- ``cloudpickle``: ``cloudpickle.dumps`` (the package registered by value) and
  ``pickle.loads``, as loky and Dask's fallback pickle.

Payloads: 100k small tuples, a dict of 10k strings, 10 MB of bytes, a 10 MB numpy
array, 1k small numpy arrays, 10k datetimes, 10k instances of a dataclass from a
package imported with ``import_module_from_path``, and one such instance.  Builtin-only
payloads are bimodal per process (the memo hashes pointers), which is why every
variant runs in several processes and only medians across them are compared.
Children run with glibc's mmap and trim thresholds raised (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``): otherwise each 10 MB buffer may be mapped and faulted in
afresh on every call or not, depending on the order earlier buffers were freed, and
the 10 MB rows measure page faults (up to 8x apart between processes).  Loads
run in the sending process (the package is already imported there), so they measure
decoding, not the first import in a worker.

    python benchmarks/spawn_payloads.py              # 5 processes per variant
    python benchmarks/spawn_payloads.py -n 9 --json out.json
    python benchmarks/spawn_payloads.py --quick      # CI smoke, < 30 s
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VARIANTS = ["plain", "path", "value", "cloudpickle"]
PAYLOADS = [
    ("tuples_100k", "100k (int, str, float) tuples"),
    ("str_dict_10k", "dict of 10k strings"),
    ("bytes_10mb", "10 MB bytes"),
    ("ndarray_10mb", "10 MB numpy array"),
    ("arrays_1k", "1k small numpy arrays"),
    ("datetimes_10k", "10k datetimes"),
    ("instances_10k", "10k package dataclass instances"),
    ("one_instance", "one package instance"),
]
PACKAGE_SOURCE = """\
import dataclasses

@dataclasses.dataclass
class Sample:
    index: int
    label: str
    score: float
"""

# Runs in each child: argv = variant, package dir, repeats, JSON-encoded payload names.
CHILD = r"""
import datetime, json, pickle, sys, timeit
sys.path.insert(0, REPO)
variant, pkg_dir, repeats, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
from multiprocessing.reduction import ForkingPickler
try:
    import numpy
except ImportError:
    numpy = None
from lazyimp._pickler import install_pickler, uninstall_pickler
from lazyimp._spawn import import_module_from_path

models = import_module_from_path("spawnbench", pkg_dir).models
if variant in ("plain", "cloudpickle"):
    uninstall_pickler()
else:
    install_pickler(variant)
if variant == "cloudpickle":
    import cloudpickle, spawnbench
    cloudpickle.register_pickle_by_value(spawnbench)
    dumps, loads = cloudpickle.dumps, pickle.loads
else:
    dumps, loads = ForkingPickler.dumps, ForkingPickler.loads

def build(name):
    if name == "tuples_100k":
        return [(i, str(i), i / 7) for i in range(100_000)]
    if name == "str_dict_10k":
        return {f"key{i}": f"value number {i}" for i in range(10_000)}
    if name == "bytes_10mb":
        return bytes(range(256)) * 40_960
    if name == "ndarray_10mb":
        return None if numpy is None else numpy.arange(1_310_720, dtype=numpy.float64)
    if name == "arrays_1k":
        return None if numpy is None else [numpy.arange(16, dtype=numpy.float32) + i for i in range(1000)]
    if name == "datetimes_10k":
        start = datetime.datetime(2024, 1, 1)
        return [start + datetime.timedelta(seconds=i) for i in range(10_000)]
    if name == "instances_10k":
        return [models.Sample(i, f"s{i}", i / 3) for i in range(10_000)]
    if name == "one_instance":
        return models.Sample(1, "one", 0.5)
    raise ValueError(name)

def per_call(fn):
    # Calls per timing so that one timing takes at least ~2 ms.
    number = 1
    while True:
        t = timeit.timeit(fn, number=number)
        if t >= 0.002 or number >= 100_000:
            break
        number *= 10
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeats)) / number

import statistics
out = {}
for name in names:
    obj = build(name)
    if obj is None:
        out[name] = None
        continue
    blob = bytes(dumps(obj))
    loads(blob)
    out[name] = {
        "dump": per_call(lambda: dumps(obj)),
        "load": per_call(lambda: loads(blob)),
        "bytes": len(blob),
    }
print(json.dumps(out))
"""


def write_package(root: Path) -> Path:
    pkg = root / "spawn-bench-project"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from . import models\n")
    (pkg / "models.py").write_text(PACKAGE_SOURCE)
    return pkg


def run_child(python: str, variant: str, pkg: Path, repeats: int, names: list[str]) -> Any:
    src = f"REPO = {str(REPO)!r}\n" + textwrap.dedent(CHILD)
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="268435456", MALLOC_TRIM_THRESHOLD_="536870912")
    proc = subprocess.run(
        [python, "-c", src, variant, str(pkg), str(repeats), json.dumps(names)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{variant} child failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(python: str, runs: int, repeats: int, names: list[str]) -> dict[str, Any]:
    """{payload: {variant: {"dump": [...], "load": [...], "bytes": n} or None}}."""
    results: dict[str, Any] = {n: {v: None for v in VARIANTS} for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        pkg = write_package(Path(tmp))
        for round_ in range(runs):
            order = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                for name, cell in run_child(python, variant, pkg, repeats, names).items():
                    if cell is None:
                        continue
                    slot = results[name][variant]
                    if slot is None:
                        slot = results[name][variant] = {
                            "dump": [],
                            "load": [],
                            "bytes": cell["bytes"],
                        }
                    slot["dump"].append(cell["dump"])
                    slot["load"].append(cell["load"])
    return results


def _time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(r: list[str]) -> str:
        return "|" + "|".join(f" {c:<{w}} " for c, w in zip(r, widths)) + "|"

    out = [line, fmt(header), line.replace("-", "=")]
    for r in rows:
        out += [fmt(r), line]
    return out


def table(results: dict[str, Any], runs: int) -> str:
    """reStructuredText grids: median dump and load per variant (x plain), and sizes."""
    labels = dict(PAYLOADS)
    out = []
    for kind in ("dump", "load"):
        rows = []
        for name, cells in results.items():
            if cells["plain"] is None:
                rows.append([labels[name], "(numpy missing)"] + [""] * (len(VARIANTS) - 1))
                continue
            base = statistics.median(cells["plain"][kind])
            row = [labels[name], _time(base)]
            for v in VARIANTS[1:]:
                m = statistics.median(cells[v][kind])
                row.append(f"{_time(m)} ({m / base:.2f}x)")
            rows.append(row)
        out += _grid([kind] + VARIANTS, rows) + [""]
    rows = [
        [labels[name]] + [f"{cells[v]['bytes']:,}" for v in VARIANTS]
        for name, cells in results.items()
        if cells["plain"] is not None
    ]
    out += _grid(["message bytes"] + VARIANTS, rows) + [""]
    out.append(f"Medians of {runs} fresh processes per variant; (x) = ratio to plain.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", type=int, default=None, help="processes per variant (default 5, --quick 2)"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="timings per process (default 7, --quick 3)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="CI smoke: fewer processes and timings"
    )
    parser.add_argument("--payloads", help="comma-separated payload names (default: all)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark")
    args = parser.parse_args(argv)
    runs = args.n or (2 if args.quick else 5)
    repeats = args.repeat or (3 if args.quick else 7)
    names = args.payloads.split(",") if args.payloads else [n for n, _ in PAYLOADS]
    unknown = set(names) - dict(PAYLOADS).keys()
    if unknown:
        parser.error(f"unknown payloads: {', '.join(sorted(unknown))}")
    results = measure(args.python, runs, repeats, names)
    print(table(results, runs))
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
