"""Whole-process start-up benchmarks: fresh interpreters, alternating variants.

Two tables, medians of ``-n`` runs per cell (default 20), variants alternated in a
shuffled order every round so that drift on a noisy machine hits them all alike:

1. Set-up: ``python -c pass`` (the floor) against ``import lazyimp;
   lazyimp.install()`` run in an empty folder, in a folder whose
   ``pyproject.toml`` has no ``[tool.lazyimp]`` section (contract C13.1: at most 1.10x the
   floor) and in one that has the section; and against the set-up of the peers
   (a LazyLoader finder, Mercurial's ``hgdemandimport``).  Also the modules that
   ``import lazyimp`` adds.
2. Programs: small apps run as ``python app.py``, each in two shapes, "one" (start
   and use one thing: the start-up case) and "all" (use everything imported: every
   module in ``sys.modules`` is touched until none is left unexecuted, the case where
   laziness can only cost; contract C13.4: lazyimp within 5% of eager), under: eager;
   lazyimp; the stdlib ``importlib.util.LazyLoader`` wrapped around every source
   module by a small finder; ``hgdemandimport`` (if the ``mercurial`` package is
   installed); and the floor.  Besides wall time, separate probe runs report the
   modules in ``sys.modules`` at exit, how many were executed, peak RSS (``VmHWM``
   read in the child: ``ru_maxrss`` from ``wait4`` would include the parent's pages
   that the child had before ``exec``) and, for lazyimp, how many resolved proxies
   stayed unswapped.

Children run with ``PYTHONDONTWRITEBYTECODE`` unset, after a warm-up run, so every
module comes from its bytecode cache as in a deployed program.  Apps whose packages
are not installed are skipped (listed as such).  A variant that fails is data: its
cell says ``FAILED`` and the error tail is kept in the JSON.

    python benchmarks/startup.py                 # everything, 20 runs per cell
    python benchmarks/startup.py -n 40 --json out.json
    python benchmarks/startup.py --quick         # CI smoke: set-up + stdlib app, < 60 s
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# -- what the children run ----------------------------------------------------------------

PREAMBLE = {
    "eager": "",
    "lazyimp": "import lazyimp\nlazyimp.install()\n",
    "lazy_from": "import lazyimp\nlazyimp.install(lazy_from=True)\n",
    # The stdlib LazyLoader around every source module, as hgdemandimport does on
    # Python 3, without its ignore list: a finder at the front of sys.meta_path asks
    # the finders after it and wraps source loaders.
    "lazyloader": textwrap.dedent(
        """\
        import sys
        import importlib.util
        import importlib.machinery

        class _LazyFinder:
            @classmethod
            def find_spec(cls, name, path=None, target=None):
                meta_path = sys.meta_path
                for finder in meta_path[meta_path.index(cls) + 1:]:
                    find = getattr(finder, "find_spec", None)
                    if find is None:
                        continue
                    spec = find(name, path, target)
                    if spec is not None:
                        if type(spec.loader) is importlib.machinery.SourceFileLoader:
                            spec.loader = importlib.util.LazyLoader(spec.loader)
                        return spec
                return None

        sys.meta_path.insert(0, _LazyFinder)
        """
    ),
    "hgdemandimport": "import hgdemandimport\nhgdemandimport.enable()\n",
}
PEERS = ("lazyloader", "hgdemandimport")

# "Use everything": touch every module in sys.modules (an attribute read executes a
# lazy one) until a pass adds no module.  Reads go through sys.modules[name] so that
# the loop itself holds no extra reference to a proxy.  Skipped: the lazy ``wrapt``
# package that lazyimp itself leaves in sys.modules (a proxy with no registry record:
# the program never imported it; see the report on ``resolve_all()``).
TOUCH_ALL = textwrap.dedent(
    """\

    def _use_everything():
        import sys
        li = sys.modules.get("lazyimp")
        if li is not None:
            from lazyimp import _proxy

            def ours(m):
                return _proxy.is_proxy(m) and _proxy._get(m, "_self_state").record is None
        else:
            def ours(m):
                return False
        while True:
            names = list(sys.modules)
            for name in names:
                if ours(sys.modules[name]):
                    continue
                try:
                    sys.modules[name].__dict__
                except Exception:
                    pass
            if len(sys.modules) == len(names):
                break

    _use_everything()
    """
)

# Appended in probe runs only (STARTUP_BENCH_PROBE=1): counts and peak RSS.
PROBE = textwrap.dedent(
    """\

    def _startup_bench_probe():
        import sys
        modules = list(sys.modules.values())
        li = sys.modules.get("lazyimp")
        is_lazy = getattr(li, "is_lazy", None)
        lazy = 0
        for m in modules:
            if type(m).__name__ == "_LazyModule" or (is_lazy is not None and is_lazy(m)):
                lazy += 1
        # lazyimp's own modules (and the wrapt parts it loads for its proxy type when
        # the program imports no wrapt) are its cost, not the program's modules:
        # counted apart, so that "executed" compares with eager's.
        own = sum(
            1 for name in sys.modules
            if name == "lazyimp" or name.startswith("lazyimp.")
            or (li is not None and name.startswith("wrapt.") and is_lazy is not None
                and is_lazy(sys.modules.get("wrapt")))
        )
        info = {"modules": len(modules), "lazy": lazy, "lazyimp_own": own,
                "executed": len(modules) - lazy - own}
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        info["peak_rss_kb"] = int(line.split()[1])
        except OSError:
            import resource
            info["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if is_lazy is not None:
            import gc
            from lazyimp import _proxy, _swap
            info["unswapped"] = sum(
                1 for o in gc.get_objects() if _proxy.is_proxy(o) and not is_lazy(o)
            )
            info["swap"] = dict(_swap.stats)
        import json
        import os
        # To fd 2 itself: a program may have replaced sys.stderr (pip does).
        os.write(2, ("\\nSTARTUP_BENCH " + json.dumps(info) + "\\n").encode())

    import os as _os
    if _os.environ.get("STARTUP_BENCH_PROBE"):
        _startup_bench_probe()
    """
)


class App:
    """A program: the packages it needs, its import block, and its two shapes."""

    def __init__(self, name: str, needs: tuple[str, ...], imports: str, one: str, all_: str, quick: bool = False) -> None:
        self.name = name
        self.needs = needs
        self.imports = textwrap.dedent(imports)
        self.one = textwrap.dedent(one)
        self.all = textwrap.dedent(all_)
        self.quick = quick

    def source(self, variant: str, shape: str) -> str:
        body = self.one if shape == "one" else self.all + TOUCH_ALL
        return PREAMBLE[variant] + self.imports + body + PROBE


APPS = [
    App(
        "stdlib",
        (),
        """\
        import argparse
        import asyncio
        import decimal
        import email
        import http.client
        import json
        import xml.dom.minidom
        """,
        """\
        assert json.dumps({"a": [1, 2]}) == '{"a": [1, 2]}'
        """,
        """\
        parser = argparse.ArgumentParser(prog="app")
        parser.add_argument("--count", type=int, default=2)
        args = parser.parse_args([])
        assert json.dumps({"a": args.count}) == '{"a": 2}'
        connection = http.client.HTTPConnection("localhost", 8080)  # not connected
        message = email.message_from_string("Subject: hi\\n\\nbody\\n")
        assert message["Subject"] == "hi"
        doc = xml.dom.minidom.parseString("<a><b>1</b></a>")
        assert doc.documentElement.tagName == "a"
        assert decimal.Decimal("1.10") + decimal.Decimal("2.20") == decimal.Decimal("3.30")

        async def _main():
            await asyncio.sleep(0)
            return 1

        assert asyncio.run(_main()) == 1
        """,
        quick=True,
    ),
    App(
        "rich",
        ("rich",),
        """\
        import io
        from rich.console import Console
        from rich.table import Table
        """,
        """\
        table = Table(title="Packages")
        table.add_column("name")
        table.add_column("version", justify="right")
        table.add_row("lazyimp", "0.1.0")
        out = io.StringIO()
        Console(file=out, width=60, color_system=None).print(table)
        assert "lazyimp" in out.getvalue()
        """,
        """\
        table = Table(title="Packages")
        table.add_column("name")
        table.add_column("version", justify="right")
        table.add_row("lazyimp", "0.1.0")
        out = io.StringIO()
        Console(file=out, width=60, color_system=None).print(table)
        assert "lazyimp" in out.getvalue()
        """,
    ),
    App(
        "jsonschema",
        ("jsonschema",),
        """\
        import jsonschema
        """,
        """\
        schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        jsonschema.validate({"n": 1}, schema)
        """,
        """\
        schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        jsonschema.validate({"n": 1}, schema)
        try:
            jsonschema.validate({"n": "x"}, schema)
        except jsonschema.ValidationError:
            pass
        else:
            raise AssertionError("not rejected")
        """,
    ),
    App(
        "flask",
        ("flask",),
        """\
        from flask import Flask
        """,
        """\
        app = Flask("bench")

        @app.route("/")
        def index():
            return "ok"

        assert app.test_client().get("/").data == b"ok"
        """,
        """\
        app = Flask("bench")

        @app.route("/")
        def index():
            return "ok"

        assert app.test_client().get("/").data == b"ok"
        """,
    ),
    App(
        "pip --version",
        ("pip",),
        """\
        import contextlib
        import io
        from pip._internal.cli.main import main
        """,
        """\
        with contextlib.redirect_stdout(io.StringIO()) as out:
            try:
                main(["--version"])
            except SystemExit as exc:  # optparse's --version exits
                assert exc.code in (0, None)
        assert out.getvalue().startswith("pip "), out.getvalue()
        """,
        """\
        with contextlib.redirect_stdout(io.StringIO()) as out:
            try:
                main(["--version"])
            except SystemExit as exc:  # optparse's --version exits
                assert exc.code in (0, None)
        assert out.getvalue().startswith("pip "), out.getvalue()
        """,
    ),
]

# -- running children ---------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAZYIMP", "STARTUP_BENCH"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # deployed programs read bytecode caches
    env.pop("HGDEMANDIMPORT", None)
    return env


class Runner:
    def __init__(self, python: str) -> None:
        self.python = python
        self.env = child_env()
        self.probe_env = dict(self.env, STARTUP_BENCH_PROBE="1")

    def run(self, argv: list[str], cwd: str, probe: bool = False) -> tuple[float, int, str]:
        """Run one child; return (wall seconds, exit status, stderr)."""
        with tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [self.python, *argv],
                cwd=cwd,
                env=self.probe_env if probe else self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            _, status, _ = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace")
        return elapsed, proc.returncode, stderr


class Cell:
    """One (row, variant): its command, where it runs, and what it measured."""

    def __init__(self, row: str, variant: str, argv: list[str], cwd: str, probe_argv: list[str] | None = None) -> None:
        self.row = row
        self.variant = variant
        self.argv = argv
        self.probe_argv = probe_argv or argv
        self.cwd = cwd
        self.times: list[float] = []
        self.error: str | None = None
        self.probe: dict[str, Any] = {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "variant": self.variant,
            "median_ms": self.median_ms,
            "runs": len(self.times),
            "times_ms": [round(t * 1e3, 3) for t in self.times],
            "error": self.error,
            **self.probe,
        }

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times) * 1e3 if self.times and not self.error else None


def measure(runner: Runner, cells: list[Cell], n: int, probes: int, seed: int) -> None:
    """Warm up, then n rounds of every cell in a shuffled order, then probe runs."""
    rng = random.Random(seed)
    for cell in cells:
        _, status, stderr = runner.run(cell.argv, cell.cwd)
        if status != 0:
            cell.error = stderr.strip()[-2000:] or f"exit status {status}"
    live = [c for c in cells if c.error is None]
    for _ in range(n):
        order = live[:]
        rng.shuffle(order)
        for cell in order:
            elapsed, status, stderr = runner.run(cell.argv, cell.cwd)
            if status != 0 and cell.error is None:
                cell.error = stderr.strip()[-2000:] or f"exit status {status}"
            cell.times.append(elapsed)
    for cell in live:
        results = []
        for _ in range(probes):
            _, status, stderr = runner.run(cell.probe_argv, cell.cwd, probe=True)
            for line in stderr.splitlines():
                if line.startswith("STARTUP_BENCH "):
                    results.append(json.loads(line[len("STARTUP_BENCH "):]))
        if results:
            probe = dict(results[-1])
            probe["peak_rss_kb"] = statistics.median(r["peak_rss_kb"] for r in results)
            cell.probe = probe


def installed(runner: Runner, module: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([runner.python, "-c", code], env=runner.env).returncode == 0


# -- the two tables -----------------------------------------------------------------------

FLOOR = "floor (python -c pass)"


def setup_cells(workdir: Path, quick: bool, peers: list[str]) -> list[Cell]:
    empty = workdir / "empty"
    plain = workdir / "pyproject-without-section"
    with_section = workdir / "pyproject-with-section"
    for folder in (empty, plain, with_section):
        folder.mkdir(exist_ok=True)
    (plain / "pyproject.toml").write_text(
        '[project]\nname = "someapp"\nversion = "1.0"\n\n[tool.black]\nline-length = 100\n'
        '\n[tool.ruff]\nline-length = 100\n'
    )
    (with_section / "pyproject.toml").write_text(
        '[project]\nname = "someapp"\nversion = "1.0"\n\n[tool.lazyimp]\nignore = ["json"]\n'
    )

    def cell(label: str, variant: str, code: str, cwd: Path) -> Cell:
        return Cell(label, variant, ["-c", code or "pass"], str(cwd), ["-c", code + PROBE])

    cells = [
        cell(FLOOR, "floor", "", empty),
        cell("import lazyimp; lazyimp.install() (empty folder)", "lazyimp", PREAMBLE["lazyimp"], empty),
        cell("  same, pyproject.toml without [tool.lazyimp]", "lazyimp", PREAMBLE["lazyimp"], plain),
    ]
    if not quick:
        cells.append(cell("  same, pyproject.toml with [tool.lazyimp]", "lazyimp", PREAMBLE["lazyimp"], with_section))
        cells.append(cell("import lazyimp (no install)", "lazyimp", "import lazyimp\n", empty))
    for peer in peers:
        label = {"lazyloader": "LazyLoader finder set-up", "hgdemandimport": "hgdemandimport.enable()"}[peer]
        cells.append(cell(label, peer, PREAMBLE[peer], empty))
    return cells


def app_cells(workdir: Path, apps: list[App], variants: list[str]) -> list[Cell]:
    cells = []
    for app in apps:
        for shape in ("one", "all"):
            row = f"{app.name} [{shape}]"
            for variant in variants:
                path = workdir / "apps" / f"{app.name.replace(' ', '_').replace('-', '')}_{shape}_{variant}.py"
                path.parent.mkdir(exist_ok=True)
                path.write_text(app.source(variant, shape))
                cells.append(Cell(row, variant, [str(path)], str(workdir / "empty")))
            cells.append(
                Cell(row, "floor", ["-c", "pass"], str(workdir / "empty"), ["-c", PROBE])
            )
    return cells


def lazyimp_modules(runner: Runner, cwd: str) -> list[str]:
    code = (
        "import sys; before = set(sys.modules); import lazyimp; lazyimp.install(); "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [runner.python, "-c", code], cwd=cwd, env=runner.env, capture_output=True, text=True
    )
    return out.stdout.split()


# -- output -------------------------------------------------------------------------------


def rst_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    rule = "  ".join("=" * w for w in widths)

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([rule, line(header), rule, *(line(r) for r in rows), rule])


def fmt_ms(value: float | None) -> str:
    return "FAILED" if value is None else f"{value:.1f}"


def setup_table(cells: list[Cell]) -> str:
    floor = next(c for c in cells if c.variant == "floor").median_ms
    rows = []
    for c in cells:
        ratio = f"{c.median_ms / floor:.2f}x" if c.median_ms and floor else "-"
        extra = c.probe.get("modules")
        rows.append([c.row, fmt_ms(c.median_ms), ratio, "-" if extra is None else str(extra)])
    return rst_table(["set-up", "wall ms", "vs floor", "modules"], rows)


def app_table(cells: list[Cell], variants: list[str]) -> str:
    rows = []
    by_row: dict[str, dict[str, Cell]] = {}
    for c in cells:
        by_row.setdefault(c.row, {})[c.variant] = c
    for row, group in by_row.items():
        eager = group.get("eager")
        base = eager.median_ms if eager else None
        base_rss = eager.probe.get("peak_rss_kb") if eager else None
        for variant in [*variants, "floor"]:
            c = group.get(variant)
            if c is None:
                continue
            ratio = f"{c.median_ms / base:.2f}x" if c.median_ms and base else "-"
            rss = c.probe.get("peak_rss_kb")
            rss_text = "-" if rss is None else f"{rss / 1024:.1f}"
            if rss and base_rss and variant != "eager":
                rss_text += f" ({rss / base_rss:.2f}x)"
            executed = c.probe.get("executed")
            modules = c.probe.get("modules")
            mods = "-" if modules is None else f"{executed}/{modules}"
            unswapped = c.probe.get("unswapped")
            rows.append(
                [
                    row if variant == variants[0] else "",
                    variant,
                    fmt_ms(c.median_ms),
                    ratio,
                    mods,
                    rss_text,
                    "-" if unswapped is None else str(unswapped),
                ]
            )
    return rst_table(
        ["program [shape]", "variant", "wall ms", "vs eager", "executed/in sys.modules", "peak RSS MB", "unswapped"],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=None, help="runs per cell (default 20, --quick 5)")
    parser.add_argument("--quick", action="store_true", help="set-up table and the stdlib app only")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE", help="write results as JSON (- for stdout, instead of the tables)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark")
    parser.add_argument("--apps", help="comma-separated app names to run (default: all installed)")
    parser.add_argument("--probes", type=int, default=3, help="probe runs per cell (counts, RSS)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = args.n if args.n is not None else (5 if args.quick else 20)
    runner = Runner(args.python)
    to_stdout = args.json == "-"

    def say(text: str) -> None:
        print(text, file=sys.stderr if to_stdout else sys.stdout, flush=True)

    peers = ["lazyloader"]
    notes = []
    if installed(runner, "hgdemandimport"):
        peers.append("hgdemandimport")
    else:
        notes.append("hgdemandimport: not installed (pip install mercurial==7.2.4)")
    variants = ["eager", "lazyimp", *peers]
    apps = [a for a in APPS if a.quick] if args.quick else list(APPS)
    if args.apps:
        wanted = {name.strip() for name in args.apps.split(",")}
        apps = [a for a in APPS if a.name in wanted]
    runnable = []
    for app in apps:
        missing = [m for m in app.needs if not installed(runner, m)]
        if missing:
            notes.append(f"{app.name}: skipped, not installed: {', '.join(missing)}")
        else:
            runnable.append(app)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lazyimp-startup-") as tmp:
        workdir = Path(tmp)
        s_cells = setup_cells(workdir, args.quick, peers)
        measure(runner, s_cells, n, args.probes, args.seed)
        modules = lazyimp_modules(runner, str(workdir / "empty"))
        a_cells = app_cells(workdir, runnable, variants)
        measure(runner, a_cells, n, args.probes, args.seed + 1)
    took = time.perf_counter() - started

    result = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}, {os.cpu_count()} cpus",
        "date": time.strftime("%Y-%m-%d"),
        "runs_per_cell": n,
        "seconds": round(took, 1),
        "setup": [c.as_dict() for c in s_cells],
        "lazyimp_import_adds_modules": modules,
        "apps": [c.as_dict() for c in a_cells],
        "variants": variants,
        "notes": notes,
    }
    if args.json and not to_stdout:
        Path(args.json).write_text(json.dumps(result, indent=2))
    if to_stdout:
        print(json.dumps(result, indent=2))
        return 0
    say(f"Python {result['python']} on {result['machine']}, {result['date']}; "
        f"medians of {n} alternating runs per cell ({took:.0f} s)\n")
    say(setup_table(s_cells))
    say(f"\n`import lazyimp; lazyimp.install()` adds {len(modules)} modules: {', '.join(modules)}\n")
    if a_cells:
        say(app_table(a_cells, variants))
    for note in notes:
        say(f"note: {note}")
    for c in s_cells + a_cells:
        if c.error:
            say(f"FAILED {c.row} / {c.variant}: {c.error.splitlines()[-1] if c.error else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
