"""CPython 3.15: eager, PEP 810's ``-X lazy_imports=all``, and ``lazyimp.install()``.

On 3.15 ``lazyimp.install()`` drives the interpreter's own lazy imports (PEP 810)
with lazyimp's policy as the lazy-imports filter.  This measures what that costs
against the interpreter's mode alone (and ``install(lazy_from=True)``, which defers
from-imports as the interpreter's mode does), on the programs of ``benchmarks/startup.py``
(the 3.11 tables of docs/performance.rst), in both shapes: "one" (start and use one thing) and
"all" (use everything: every lazy object left in a module's globals is read until
none is left, the case where laziness can only cost).

Per cell: user-space instructions of one run under callgrind
(``valgrind --tool=callgrind``, the "I refs" line: deterministic on a shared
machine), the median wall time of ``-n`` runs alternated between the variants in a
shuffled order every round (as a ratio to eager), and the modules executed (the
length of ``sys.modules`` at exit: on 3.15 a deferred module is not in it until it
runs).  Children run with ``PYTHONDONTWRITEBYTECODE`` unset after a warm-up run, so
every module comes from its bytecode cache.

    python benchmarks/native.py                 # 15 wall-time runs per cell
    python benchmarks/native.py -n 5 --no-callgrind --json out.json
    python benchmarks/native.py --timing-cost   # what the report's timing costs
    python benchmarks/native.py --quick -n 1 --no-callgrind   # CI smoke
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import startup  # noqa: E402  (the programs and the probe are shared with the 3.11 tables)

# variant -> (interpreter options, preamble)
VARIANTS: dict[str, tuple[list[str], str]] = {
    "eager": ([], ""),
    "lazy_imports=all": (["-X", "lazy_imports=all"], ""),
    "lazyimp": ([], "import lazyimp\nlazyimp.install()\n"),
    # from-imports deferred too, as -X lazy_imports=all does
    "lazy_from": ([], "import lazyimp\nlazyimp.install(lazy_from=True)\n"),
}

# "Use everything" on 3.15: deferred modules are not in sys.modules, they are lazy
# objects in the globals of the modules that imported them.  Read every one through
# the module (an attribute read reifies it) until a pass finds none left.
TOUCH_ALL = textwrap.dedent(
    """\

    def _use_everything():
        import sys, types
        lazy_type = types.LazyImportType
        while True:
            found = 0
            for module in list(sys.modules.values()):
                namespace = getattr(module, "__dict__", None)
                if type(namespace) is not dict:
                    continue
                for key, value in list(namespace.items()):
                    if type(value) is lazy_type:
                        found += 1
                        try:
                            getattr(module, key)
                        except Exception:
                            namespace.pop(key, None)  # an optional import that fails
            if not found:
                break

    _use_everything()
    """
)

PROBE = textwrap.dedent(
    """\

    import os as _os, sys as _sys
    if _os.environ.get("NATIVE_BENCH_PROBE"):
        _os.write(2, ("\\nNATIVE_BENCH %d\\n" % len(_sys.modules)).encode())
    """
)


def source(app: Any, variant: str, shape: str) -> str:
    body = app.one if shape == "one" else app.all + TOUCH_ALL
    return VARIANTS[variant][1] + app.imports + body + PROBE


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = startup.child_env()
    env.update(extra or {})
    return env


def run(argv: list[str], cwd: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} failed: {proc.stderr[-800:]}")
    return proc


_IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(argv: list[str], cwd: str) -> int:
    """User-space instructions of one run (callgrind's "I refs")."""
    proc = run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd,
        child_env(),
    )
    match = _IREFS.search(proc.stderr)
    if match is None:
        raise RuntimeError(f"no I refs line in callgrind's output: {proc.stderr[-400:]}")
    return int(match.group(1).replace(",", ""))


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=15, help="wall-time runs per cell")
    parser.add_argument("--no-callgrind", action="store_true", help="skip the instruction counts")
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-j", "--jobs", type=int, default=2, help="callgrind runs at once")
    parser.add_argument("--quick", action="store_true", help="CI smoke: the stdlib program only")
    parser.add_argument(
        "--timing-cost", action="store_true",
        help="only measure what timing each real import for the report costs (callgrind)",
    )
    opts = parser.parse_args(args)
    if not hasattr(sys, "set_lazy_imports"):
        print("benchmarks/native.py needs CPython 3.15+ (PEP 810)", file=sys.stderr)
        return 2
    use_callgrind = not opts.no_callgrind and shutil.which("valgrind") is not None
    python = sys.executable
    if opts.timing_cost:
        return timing_cost(python)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cells: list[tuple[dict[str, Any], list[str]]] = []
        for app in startup.APPS[:1] if opts.quick else startup.APPS:
            missing = [m for m in app.needs if subprocess.run(
                [python, "-c", f"import {m}"], env=child_env(), capture_output=True).returncode]
            if missing:
                print(f"skipped {app.name}: {missing} not installed", file=sys.stderr)
                continue
            for shape in ("one", "all"):
                for variant, (options, _) in VARIANTS.items():
                    path = Path(tmp) / f"{len(cells)}.py"
                    path.write_text(source(app, variant, shape))
                    row = {"program": f"{app.name} [{shape}]", "variant": variant, "times": []}
                    cells.append((row, [python, *options, str(path)]))
        for row, argv in cells:  # warm the bytecode caches; count the modules executed
            run(argv, tmp, child_env())
            probe = run(argv, tmp, child_env({"NATIVE_BENCH_PROBE": "1"}))
            row["modules"] = int(probe.stderr.rsplit("NATIVE_BENCH ", 1)[1].split()[0])
        if use_callgrind:
            # Instruction counts do not depend on what else runs: count in parallel.
            with ThreadPoolExecutor(opts.jobs) as pool:
                counts = pool.map(lambda cell: instructions(cell[1], tmp), cells)
                for (row, _), count in zip(cells, counts):
                    row["instructions"] = count
                    print(f"  {row['program']:22} {row['variant']:17} {row['modules']} modules "
                          f"{count:,} instructions", file=sys.stderr)
        rng = random.Random(opts.seed)
        for _ in range(opts.n):
            order = list(range(len(cells)))
            rng.shuffle(order)
            for i in order:
                row, argv = cells[i]
                start = time.perf_counter()
                run(argv, tmp, child_env())
                row["times"].append(time.perf_counter() - start)
        rows = [row for row, _ in cells]
    for row in rows:
        row["median_ms"] = statistics.median(row["times"]) * 1000
    print(table(rows))
    if opts.json:
        Path(opts.json).write_text(json.dumps({"python": sys.version, "rows": rows}, indent=1))
    return 0


# The report's timing finder wraps the loader of each deferred module when the real
# import happens and records load time, trigger, nesting and memory.  "Bare" keeps the
# wrapper but drops that bookkeeping; the difference over the modules imported is the
# bookkeeping's cost per module.  Measured on 300 tiny generated modules, imported
# lazily and then all used, so that the bodies cost next to nothing.
BARE = textwrap.dedent(
    """\
    from lazyimp import _native

    class _Bare(_native._TimedLoader):
        __slots__ = ()

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            module.__spec__.loader = module.__loader__ = self.loader
            self.loader.exec_module(module)
            _native.DEFERRED.pop(self.record.name, None)

    _native._TimedLoader = _Bare
    """
)
TINY = 300


def timing_cost(python: str) -> int:
    """Instructions per module that the report's timing of each real import adds."""
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(TINY):
            (Path(tmp) / f"tiny{i}.py").write_text("X = 1\n")
        imports = "".join(f"import tiny{i}\n" for i in range(TINY))
        uses = "total = " + " + ".join(f"tiny{i}.X" for i in range(TINY)) + f"\nassert total == {TINY}\n"
        timed = Path(tmp) / "timed.py"
        bare = Path(tmp) / "bare.py"
        native = Path(tmp) / "native.py"
        timed.write_text(VARIANTS["lazyimp"][1] + imports + uses)
        bare.write_text(VARIANTS["lazyimp"][1] + BARE + imports + uses)
        native.write_text(imports + uses)
        for path in (timed, bare, native):
            run([python, str(path)], tmp, child_env())
        with_timing = instructions([python, str(timed)], tmp)
        without = instructions([python, str(bare)], tmp)
        interpreter = instructions([python, "-X", "lazy_imports=all", str(native)], tmp)
    print(
        f"{TINY} tiny modules deferred then used under install(): {with_timing:,} instructions "
        f"with the report's timing, {without:,} without: {(with_timing - without) / TINY:,.0f} "
        f"per module ({(with_timing - without) / with_timing:.1%} of the run)"
    )
    print(
        f"the same under -X lazy_imports=all alone: {interpreter:,}: install() adds "
        f"{(with_timing - interpreter) / TINY:,.0f} per module, lazyimp's own import and "
        "first-use loading included"
    )
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    """Eager's wall time and instructions, then each lazy variant as a ratio to eager."""
    programs = list(dict.fromkeys(row["program"] for row in rows))
    by = {(row["program"], row["variant"]): row for row in rows}
    lines = [
        f"{'program [shape]':22} {'eager':>9} {'eager Ir':>8}  {'-X lazy_imports=all':>21}  "
        f"{'install()':>21}  {'install(lazy_from=True)':>23}  "
        "modules run: eager / all / install() / lazy_from"
    ]
    for program in programs:
        eager = by[(program, "eager")]
        cells = []
        for variant in ("lazy_imports=all", "lazyimp", "lazy_from"):
            row = by[(program, variant)]
            wall = row["median_ms"] / eager["median_ms"]
            if "instructions" in row:
                cells.append(f"{wall:.2f}x ({row['instructions'] / eager['instructions']:.2f}x Ir)")
            else:
                cells.append(f"{wall:.2f}x")
        irs = f"{eager['instructions'] / 1e6:.0f}M" if "instructions" in eager else "-"
        modules = " / ".join(str(by[(program, v)]["modules"]) for v in VARIANTS)
        lines.append(
            f"{program:22} {eager['median_ms']:7.1f}ms {irs:>8}  {cells[0]:>21}  {cells[1]:>21}  "
            f"{cells[2]:>23}  {modules}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
