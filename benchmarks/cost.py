"""What lazy importing costs, in one table: user-space instructions, wall-time ratios beside.

Rows are programs, each run as ``python program.py`` in an empty folder by a fresh
interpreter (``--python``, default this one; ``lazyimp`` comes from this repository
through ``PYTHONPATH``):

- every installed app of ``benchmarks/startup.py`` in both shapes: "one" (start and
  use one thing: the start-up case) and "all" (use every module imported, the case
  where laziness can only cost; on 3.15+ it also reads every PEP 810 lazy object left
  in a module's globals, as ``benchmarks/native.py`` does);
- every installed stack of ``benchmarks/touch.py`` ("touch": import it, do one common
  thing with it);
- "N small modules" (``-n``, default 300): a main program imports N tiny top-level
  modules at module level, then reads one attribute of each.

Columns are the variants of ``startup.PREAMBLE``: eager (its cells give the absolute
instruction count), lazyimp, ``lazy_from`` (``install(lazy_from=True)``), the stdlib
``LazyLoader`` around every source module, and Mercurial's ``hgdemandimport`` (only
if ``mercurial`` is importable).  A cell is the instruction count as a ratio to
eager's, and in parentheses the wall time as a ratio to eager's (median of ``--runs``
alternating runs).  A variant that fails is data: its cell says ``FAILED``.

Instructions come from callgrind (``benchmarks/instructions.py``: one run under
``valgrind --tool=callgrind`` after a warm-up run that fills the bytecode caches, hash
seed pinned), which gives the same count run after run on a shared, noisy machine; the
counts run ``-j`` at a time, then the wall-time rounds run one program at a time.

Below the table, per variant, three figures derived from extra programs:

- extra per module: ``(Ir(N) - Ir(N0)) / (N - N0)`` of the small-modules program, net
  of eager's (N0 = 30, so that fixed costs cancel out);
- fixed cost: the variant's preamble, one tiny module imported and used, minus eager's
  same program, minus one extra per module (lazyimp: its import, ``install()`` and
  the first interception);
- set-up: the preamble alone (``import lazyimp; lazyimp.install()``; the peers' own),
  as a ratio to ``python -c pass``.

Then the cost goals (docs/performance.rst), checked on the instruction counts of
lazyimp's two modes and printed PASS or MISS (a benchmark reports, it asserts nothing).

    python benchmarks/cost.py                          # everything installed, 7 wall rounds
    python benchmarks/cost.py --programs stdlib,rich --runs 3
    python benchmarks/cost.py --variants lazyimp,lazyloader -j 2 --json cost.json
    python benchmarks/cost.py --rst docs/_cost_table.inc
    python benchmarks/cost.py --quick                  # CI smoke: stdlib [one], N=20, < 60 s
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import instructions  # noqa: E402  (this folder's sibling scripts)
import native  # noqa: E402
import startup  # noqa: E402
import touch  # noqa: E402
from rule_cost import MODULE  # noqa: E402

REPO = HERE.parent

VARIANTS = ["eager", "lazyimp", "lazy_from", "lazyloader", "hgdemandimport"]
LAZYIMP_MODES = ("lazyimp", "lazy_from")
SYNTHETIC = "synthetic"  # the --programs name of the small-modules row
FLOOR = "floor"  # python -c pass

# The cost goals (docs/performance.rst), on instruction counts.
GOAL_EXTRA = 25_000  # instructions per lazily handled module
GOAL_FIXED = 4_000_000  # instructions
GOAL_ALL = 1.02  # "all" programs: at most this ratio to eager
GOAL_STARTUP = 1.00  # start-up programs ("one", touch): below this ratio
GOAL_SETUP = 1.10  # set-up: at most this ratio to python -c pass


# -- what runs ----------------------------------------------------------------------------


@dataclass
class Cell:
    """One program under one variant: its command and what it measured."""

    argv: list[str]
    instructions: int | None = None
    error: str | None = None
    wall: float | None = None  # wall time as a ratio to the row's baseline

    def as_dict(self) -> dict[str, Any]:
        return {"instructions": self.instructions, "wall_ratio": self.wall, "error": self.error}


@dataclass
class Row:
    """A program: a table row ("one", "all", "touch", "synthetic") or an extra program
    for the derived figures ("aux"), with its cells by variant."""

    label: str
    kind: str
    cells: dict[str, Cell] = field(default_factory=dict)

    def ratio(self, variant: str, base: str = "eager") -> float | None:
        cell, eager = self.cells.get(variant), self.cells.get(base)
        if cell is None or eager is None or not cell.instructions or not eager.instructions:
            return None
        return cell.instructions / eager.instructions


def target_info(python: str, env: dict[str, str]) -> dict[str, Any]:
    """The interpreter's real executable (valgrind must not run a shim) and version."""
    code = (
        "import json, platform, sys; print(json.dumps({'executable': sys.executable, "
        "'implementation': platform.python_implementation(), "
        "'version': sys.version.split()[0], "
        "'pep810': hasattr(sys, 'set_lazy_imports_filter')}))"
    )
    out = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, check=True)
    info: dict[str, Any] = json.loads(out.stdout)
    return info


def importable(python: str, env: dict[str, str], module: str) -> bool:
    """``startup.installed`` for the measured interpreter, with the children's environment."""
    runner = startup.Runner(python)
    runner.env = env
    return startup.installed(runner, module)


def small_modules(folder: Path, n: int) -> None:
    """``cm0`` ... ``cm{n-1}``: tiny top-level modules (``rule_cost.MODULE``)."""
    for i in range(n):
        (folder / f"cm{i}.py").write_text(MODULE)


def small_main(variant: str, n: int) -> str:
    """The variant's preamble, ``import cmI`` for each module, then one read of each."""
    imports = "".join(f"import cm{i}\n" for i in range(n))
    reads = "".join(f"cm{i}.VALUE\n" for i in range(n))
    return startup.PREAMBLE[variant] + imports + reads


def build(
    workdir: Path,
    python: str,
    apps: list[startup.App],
    shapes: dict[str, list[str]],
    stacks: list[str],
    variants: list[str],
    n: int,
    n0: int,
    synthetic_row: bool,
    pep810: bool = False,
) -> tuple[list[Row], dict[str, Row]]:
    """Write every program; return the table rows and the derived figures' programs.

    On 3.15+ (``pep810``) the "all" shape also reads every PEP 810 lazy object left in a
    module's globals (``native.TOUCH_ALL``): there a deferred module is not in
    ``sys.modules``, which is all that ``startup.TOUCH_ALL`` walks.
    """
    programs = workdir / "programs"
    synthetic = workdir / "synthetic"
    programs.mkdir()
    synthetic.mkdir()
    rows: list[Row] = []
    for app in apps:
        slug = "".join(ch if ch.isalnum() else "_" for ch in app.name)
        for shape in shapes[app.name]:
            row = Row(f"{app.name} [{shape}]", shape)
            for variant in variants:
                path = programs / f"app_{slug}_{shape}_{variant}.py"
                extra = native.TOUCH_ALL if pep810 and shape == "all" else ""
                path.write_text(app.source(variant, shape) + extra)
                row.cells[variant] = Cell([python, str(path)])
            rows.append(row)
    for name in stacks:
        row = Row(f"{name} [touch]", "touch")
        for variant in variants:
            path = programs / f"touch_{name}_{variant}.py"
            path.write_text(startup.PREAMBLE[variant] + textwrap.dedent(touch.STACKS[name][1]))
            row.cells[variant] = Cell([python, str(path)])
        rows.append(row)

    small_modules(synthetic, n)
    aux = {
        "n": Row(f"{n} small modules", "synthetic"),
        "n0": Row(f"{n0} small modules", "aux"),
        "one": Row("1 small module", "aux"),
        "setup": Row("set-up", "aux"),
    }
    for key, count in (("n", n), ("n0", n0), ("one", 1)):
        for variant in variants:
            path = synthetic / f"main{count}_{variant}.py"
            path.write_text(small_main(variant, count))
            aux[key].cells[variant] = Cell([python, str(path)])
    aux["setup"].cells[FLOOR] = Cell([python, "-c", "pass"])
    for variant in variants:
        if variant != "eager":
            aux["setup"].cells[variant] = Cell([python, "-c", startup.PREAMBLE[variant]])
    if synthetic_row:
        rows.append(aux["n"])
    return rows, aux


# -- measuring ----------------------------------------------------------------------------


def error_text(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else str(exc.stderr or "")
        return stderr.strip()[-2000:] or f"exit status {exc.returncode}"
    return str(exc).strip()[-2000:]


def count_all(
    jobs: list[tuple[str, str, Cell]], env: dict[str, str], cwd: str, workers: int,
    say: Callable[[str], None],
) -> None:
    """Count every cell's instructions under callgrind, ``workers`` at a time."""
    done = 0

    def one(job: tuple[str, str, Cell]) -> tuple[str, str, Cell]:
        cell = job[2]
        try:
            cell.instructions = instructions.count(cell.argv, env, cwd)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
            cell.error = error_text(exc)
        return job

    with ThreadPoolExecutor(max(1, workers)) as pool:
        for label, variant, cell in pool.map(one, jobs):
            done += 1
            what = "FAILED" if cell.error else f"{cell.instructions:,} instructions"
            say(f"  [{done}/{len(jobs)}] {label} / {variant}: {what}")


def measure_wall(row: Row, base: str, env: dict[str, str], cwd: str, runs: int) -> str | None:
    """Wall-time ratios of the row's working cells to ``base``; an error text if a run failed."""
    live = {v: (c.argv, env) for v, c in row.cells.items() if c.error is None}
    if base not in live or len(live) < 2:
        return None
    try:
        ratios = instructions.wall_ratios(live, base, runs, cwd)
    except subprocess.CalledProcessError as exc:
        return f"{row.label}: a wall-time run failed ({error_text(exc).splitlines()[-1:]})"
    for variant, ratio in ratios.items():
        row.cells[variant].wall = ratio
    return None


# -- derived figures and goals ------------------------------------------------------------


def derived(aux: dict[str, Row], variants: list[str], n: int, n0: int) -> dict[str, dict[str, float | None]]:
    """Extra per module, fixed cost and set-up of each variant but eager."""

    def ir(key: str, variant: str) -> int | None:
        cell = aux[key].cells.get(variant)
        return cell.instructions if cell is not None else None

    def slope(variant: str) -> float | None:
        big, small = ir("n", variant), ir("n0", variant)
        return None if big is None or small is None else (big - small) / (n - n0)

    out: dict[str, dict[str, float | None]] = {}
    eager_slope, eager_one = slope("eager"), ir("one", "eager")
    for variant in variants:
        if variant == "eager":
            continue
        own, one = slope(variant), ir("one", variant)
        extra = None if own is None or eager_slope is None else own - eager_slope
        fixed = None if extra is None or one is None or eager_one is None else one - eager_one - extra
        setup = aux["setup"].ratio(variant, FLOOR)
        setup_cell = aux["setup"].cells.get(variant)
        out[variant] = {
            "extra_per_module": extra,
            "fixed_cost": fixed,
            "setup_ratio": setup,
            "setup_wall_ratio": setup_cell.wall if setup_cell is not None else None,
        }
    return out


def goals(rows: list[Row], figures: dict[str, dict[str, float | None]], variants: list[str]) -> list[dict[str, Any]]:
    """The cost goals for lazyimp's modes: PASS, MISS, or not measured (ok is None)."""
    out: list[dict[str, Any]] = []

    def check(variant: str, goal: str, ok: bool | None, detail: str) -> None:
        out.append({"variant": variant, "goal": goal, "ok": ok, "detail": detail})

    for variant in (v for v in variants if v in LAZYIMP_MODES):
        fig = figures.get(variant, {})
        extra, fixed, setup = fig.get("extra_per_module"), fig.get("fixed_cost"), fig.get("setup_ratio")
        check(variant, f"extra per lazily handled module <= {GOAL_EXTRA / 1e3:.0f}K instructions",
              None if extra is None else extra <= GOAL_EXTRA,
              "not measured" if extra is None else f"{extra / 1e3:.1f}K")
        check(variant, f"fixed cost <= {GOAL_FIXED / 1e6:.0f}M instructions",
              None if fixed is None else fixed <= GOAL_FIXED,
              "not measured" if fixed is None else f"{fixed / 1e6:.2f}M")
        programs: list[tuple[tuple[str, ...], str, Callable[[float], bool]]] = [
            (("all",), f'every "all" program <= {GOAL_ALL:.2f}x eager', lambda r: r <= GOAL_ALL),
            (("one", "touch"), f"every start-up program < {GOAL_STARTUP:.2f}x eager",
             lambda r: r < GOAL_STARTUP),
        ]
        for kinds, goal, passes in programs:
            chosen = [row for row in rows if row.kind in kinds and variant in row.cells]
            if not chosen:
                check(variant, goal, None, "no such program measured")
                continue
            ratios = {row.label: row.ratio(variant) for row in chosen}
            failing = [f"{label} {'FAILED' if r is None else f'{r:.3f}x'}"
                       for label, r in ratios.items() if r is None or not passes(r)]
            worst = max((r for r in ratios.values() if r is not None), default=None)
            detail = (", ".join(failing) if failing
                      else f"all {len(chosen)} pass, worst {worst:.3f}x" if worst is not None else "")
            check(variant, goal, not failing, detail)
        check(variant, f"set-up <= {GOAL_SETUP:.2f}x python -c pass",
              None if setup is None else setup <= GOAL_SETUP,
              "not measured" if setup is None else f"{setup:.3f}x")
    return out


# -- output -------------------------------------------------------------------------------


def fmt_count(value: float, unit: str) -> str:
    scale = {"K": 1e3, "M": 1e6}[unit]
    digits = 1 if abs(value) >= 10 * scale or unit == "K" else 2
    return f"{value / scale:.{digits}f}{unit}"


def cell_text(row: Row, variant: str, walls: bool) -> str:
    cell = row.cells.get(variant)
    if cell is None:
        return "-"
    if cell.error is not None:
        return "FAILED"
    assert cell.instructions is not None
    if variant == "eager":
        return fmt_count(cell.instructions, "M")
    ratio = row.ratio(variant)
    text = "-" if ratio is None else f"{ratio:.2f}x"
    if walls and cell.wall is not None:
        text += f" ({cell.wall:.2f}x)"
    return text


def report(
    rows: list[Row],
    figures: dict[str, dict[str, float | None]],
    checks: list[dict[str, Any]],
    variants: list[str],
    runs: int,
    n: int,
    n0: int,
    floor: int | None,
) -> str:
    """The table, the derived figures and the goals, as plain text."""
    walls = runs > 0
    lines: list[str] = []
    if rows:
        header = ["program", "eager Ir", *variants[1:]]
        body = [[row.label, *(cell_text(row, v, walls) for v in variants)] for row in rows]
        lines.append(startup.rst_table(header, body))
        legend = "(ratios to eager: instructions (callgrind, user space)"
        if walls:
            legend += (", and in parentheses wall time,\n median of "
                       f"{runs} alternating run{'s' if runs > 1 else ''})")
        lines.append(legend + ("" if walls else ")"))
    else:
        lines.append("no program selected")
    lines.append("")
    label_w = max((len(v) for v in figures), default=0)
    floor_text = "FAILED" if floor is None else fmt_count(floor, "M")
    lines.append(
        f"{'':<{label_w}}  {'extra per module':>16}  {'fixed cost':>10}  "
        f"set-up vs python -c pass ({floor_text})"
    )
    for variant, fig in figures.items():
        extra, fixed, setup, wall = (fig["extra_per_module"], fig["fixed_cost"],
                                     fig["setup_ratio"], fig["setup_wall_ratio"])
        setup_text = "FAILED" if setup is None else f"{setup:.3f}x"
        if walls and wall is not None:
            setup_text += f" (wall {wall:.2f}x)"
        lines.append(
            f"{variant:<{label_w}}  {'FAILED' if extra is None else fmt_count(extra, 'K'):>16}  "
            f"{'FAILED' if fixed is None else fmt_count(fixed, 'M'):>10}  {setup_text}"
        )
    lines.append(f"(extra per module: the small-modules program, N={n} vs N={n0}, net of eager;")
    lines.append(" fixed cost: preamble and one module, net of eager and of one extra per module)")
    if checks:
        lines.append("")
        lines.append("goals (docs/performance.rst), on instructions:")
        for c in checks:
            verdict = {True: "PASS", False: "MISS", None: "----"}[c["ok"]]
            lines.append(textwrap.fill(f"{verdict}  {c['variant']}: {c['goal']}: {c['detail']}",
                                       width=100, initial_indent="  ", subsequent_indent=" " * 8,
                                       break_on_hyphens=False))
    return "\n".join(lines)


def rst(text: str, heading: str) -> str:
    """The report as an RST literal block under a one-paragraph heading, for docs to include."""
    body = textwrap.indent(text, "    ", lambda line: bool(line.strip()))
    return (
        ".. Generated by benchmarks/cost.py (--rst); re-run it rather than editing this file.\n\n"
        f"{heading}::\n\n{body}\n"
    )


# -- main ---------------------------------------------------------------------------------


def names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def measuring_args(args: list[str]) -> list[str]:
    """The command line without the output options (``--json FILE``, ``--rst FILE``)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--json", "--rst"):
            skip = True
        elif not arg.startswith(("--json=", "--rst=")):
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark (default: this one)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="callgrind runs at once (default 2)")
    parser.add_argument("--runs", type=int, default=None, help="alternating wall-time rounds (default 7, 0: no wall times)")
    parser.add_argument("--programs", help="comma-separated programs: app and stack names, 'synthetic' (default: all installed)")
    parser.add_argument("--variants", help=f"comma-separated variants (default: {','.join(VARIANTS)}; eager is always run)")
    parser.add_argument("-n", type=int, default=None, help="small modules in the synthetic program (default 300)")
    parser.add_argument("--n0", type=int, default=None, help="the smaller synthetic program, subtracted (default 30)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--rst", metavar="FILE", help="also write the report as an RST literal block")
    parser.add_argument("--quick", action="store_true", help="CI smoke: stdlib [one], N=20/N0=5, eager and lazyimp, 1 wall round")
    opts = parser.parse_args(argv)
    quick = opts.quick
    runs = opts.runs if opts.runs is not None else (1 if quick else 7)
    n = opts.n if opts.n is not None else (20 if quick else 300)
    n0 = opts.n0 if opts.n0 is not None else (5 if quick else 30)
    if not 1 <= n0 < n:
        parser.error(f"need 1 <= N0 < N (got N={n}, N0={n0})")

    known = {app.name for app in startup.APPS} | set(touch.STACKS) | {SYNTHETIC}
    wanted = names(opts.programs)
    if wanted is not None:
        aliases = {app.name.split()[0]: app.name for app in startup.APPS}
        wanted = [aliases.get(w, w) for w in wanted]
        unknown = [w for w in wanted if w not in known]
        if unknown:
            parser.error(f"unknown program(s) {', '.join(unknown)}; expected some of {', '.join(sorted(known))}")
    elif quick:
        wanted = ["stdlib", SYNTHETIC]
    chosen_variants = names(opts.variants) or (["eager", "lazyimp"] if quick else list(VARIANTS))
    unknown = [v for v in chosen_variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; expected some of {', '.join(VARIANTS)}")

    if not instructions.available():
        parser.error("valgrind is not installed: the counts need callgrind")

    pythonpath = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = instructions.child_env({"PYTHONPATH": pythonpath})
    for key in ("STARTUP_BENCH_PROBE", "HGDEMANDIMPORT"):
        env.pop(key, None)
    try:
        target = target_info(opts.python, env)
    except (OSError, subprocess.CalledProcessError) as exc:
        parser.error(f"--python {opts.python}: cannot run it ({exc})")
    python = str(target["executable"])

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    notes: list[str] = []
    variants = [v for v in VARIANTS if v == "eager" or v in chosen_variants]
    if "hgdemandimport" in variants and not (
        importable(python, env, "mercurial") and importable(python, env, "hgdemandimport")
    ):
        variants.remove("hgdemandimport")
        notes.append("hgdemandimport: skipped, mercurial is not installed (pip install mercurial==7.2.4)")

    def selected(name: str) -> bool:
        return wanted is None or name in wanted

    apps: list[startup.App] = []
    for app in startup.APPS:
        if not selected(app.name):
            continue
        missing = [m for m in app.needs if not importable(python, env, m)]
        if missing:
            notes.append(f"{app.name}: skipped, not installed: {', '.join(missing)}")
        else:
            apps.append(app)
    shapes = {app.name: ["one"] if quick and opts.programs is None else ["one", "all"] for app in apps}
    stacks: list[str] = []
    for name, (module, _) in touch.STACKS.items():
        if not selected(name):
            continue
        if importable(python, env, module):
            stacks.append(name)
        else:
            notes.append(f"{name} [touch]: skipped, not installed: {module}")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lazyimp-cost-") as tmp:
        workdir = Path(tmp)
        cwd = workdir / "empty"  # no pyproject.toml for lazyimp to read
        cwd.mkdir()
        rows, aux = build(workdir, python, apps, shapes, stacks, variants, n, n0, selected(SYNTHETIC),
                          pep810=bool(target["pep810"]))
        measured = rows + [r for r in aux.values() if all(r is not t for t in rows)]
        jobs = [(row.label, v, cell) for row in measured for v, cell in row.cells.items()]
        say(f"counting instructions: {len(jobs)} programs under callgrind, {opts.jobs} at a time")
        count_all(jobs, env, str(cwd), opts.jobs, say)
        if runs > 0:
            say(f"wall time: {runs} alternating rounds per row")
            for row in rows:
                problem = measure_wall(row, "eager", env, str(cwd), runs)
                if problem:
                    notes.append(problem)
            problem = measure_wall(aux["setup"], FLOOR, env, str(cwd), runs)
            if problem:
                notes.append(problem)
    took = time.perf_counter() - started

    figures = derived(aux, variants, n, n0)
    checks = goals(rows, figures, variants)
    failures = [(row.label, v, cell.error) for row in measured for v, cell in row.cells.items() if cell.error]
    date = time.strftime("%Y-%m-%d")
    machine = f"{platform.machine()} {platform.system()}, {os.cpu_count()} cpus"
    command = shlex.join(["python", "benchmarks/cost.py", *measuring_args(sys.argv[1:] if argv is None else argv)])
    heading = f"{target['implementation']} {target['version']} ({machine}), {date}: ``{command}``"
    text = report(rows, figures, checks, variants, runs, n, n0, aux["setup"].cells[FLOOR].instructions)
    tail = [f"note: {note}" for note in notes]
    tail += [f"FAILED {label} / {variant}: {error.splitlines()[-1] if error else ''}"
             for label, variant, error in failures]
    if tail:
        text += "\n\n" + "\n".join(tail)
    print(f"{heading}; {took:.0f} s\n")
    print(text)

    if opts.rst:
        Path(opts.rst).write_text(rst(text, heading))
    if opts.json:
        result = {
            "python": target["version"],
            "implementation": target["implementation"],
            "executable": python,
            "pep810": bool(target["pep810"]),
            "machine": machine,
            "date": date,
            "command": command,
            "seconds": round(took, 1),
            "runs": runs,
            "n": n,
            "n0": n0,
            "variants": variants,
            "rows": [
                {"program": row.label, "kind": row.kind,
                 "cells": {v: dict(c.as_dict(), ratio=row.ratio(v)) for v, c in row.cells.items()}}
                for row in rows
            ],
            "aux": {
                key: {"program": row.label, "cells": {v: c.as_dict() for v, c in row.cells.items()}}
                for key, row in aux.items()
            },
            "derived": figures,
            "goals": checks,
            "notes": notes,
        }
        Path(opts.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
