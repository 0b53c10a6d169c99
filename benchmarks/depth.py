"""How much lazy importing defers: modules executed as a fraction of eager's, and why the rest ran.

Rows are the programs of ``benchmarks/startup.py`` in their start-up shape ("one":
start and use one thing), each run as ``python program.py`` by a fresh interpreter
(``lazyimp`` from this repository through ``PYTHONPATH``).  Give one or more
interpreters with ``--python``; each adds its columns, by engine:

- CPython 3.10-3.14 (lazyimp's proxy engine): eager, ``install()``, ``install(lazy_from=True)``
  and the stdlib ``LazyLoader`` around every source module;
- CPython 3.15+ (PEP 810): eager, the interpreter's own ``-X lazy_imports=all``,
  ``install()`` and ``install(lazy_from=True)`` (which drive the interpreter's engine).

A cell is the number of modules executed (``sys.modules`` at exit, less deferred
proxies and lazyimp's own modules) as a fraction of that interpreter's eager run,
and with ``--instructions`` the user-space instructions as a ratio to eager's
(callgrind: ``benchmarks/instructions.py``).  Below the table:

- the goals of the depth work (docs/performance.rst), PASS or MISS, when both a proxy
  interpreter and a 3.15 one were measured: lazyimp's best mode on the proxy
  interpreter runs at most PEP 810's fraction + 0.10 of eager's modules (and, with
  ``--instructions``, at most PEP 810's instruction ratio + 0.10 and LazyLoader's);
- for each lazyimp cell, the rules that kept modules eager, with counts, from
  ``lazyimp.report()`` (the reasons it records, grouped by rule);
- the versions of each program's packages on each interpreter (compare like with
  like: ``benchmarks/requirements-depth.txt`` pins them; install it into each
  interpreter's environment).

A variant that fails is data: its cell says ``FAILED``.

    python benchmarks/depth.py --python /venv311/bin/python --python /venv315/bin/python
    python benchmarks/depth.py --apps flask,rich --instructions --json depth.json
    python benchmarks/depth.py --quick          # CI smoke: the stdlib program, this interpreter
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import instructions  # noqa: E402
import startup  # noqa: E402

REPO = HERE.parent
GOAL_MARGIN = 0.10

PROXY_VARIANTS = ["eager", "lazyimp", "lazy_from", "lazyloader"]
NATIVE_VARIANTS = ["eager", "pep810", "lazyimp", "lazy_from"]

# After the program (and startup.PROBE, which counts the modules first): the reasons
# lazyimp recorded for what it kept eager, to stderr (a program may replace sys.stderr).
REASONS = textwrap.dedent(
    """

    def _depth_reasons():
        import json, os, sys
        if "lazyimp" not in sys.modules:
            return
        import lazyimp
        with open(os.devnull, "w") as sink:
            modules = lazyimp.report(file=sink).to_dict()["modules"]
        kept = [m["reason"] for m in modules if m["state"] in ("eager", "ignored") and m["reason"]]
        os.write(2, ("\\nDEPTH_REASONS " + json.dumps(kept) + "\\n").encode())

    if _os.environ.get("STARTUP_BENCH_PROBE"):
        _depth_reasons()
    """
)


def rule_of(reason: str) -> str:
    """A recorded reason without the module names in it: the rule it names."""
    for prefix in ("side effect", "package __init__ reads its own submodule", "parent of",
                   "the module reads", "no proxy type", "loader "):
        if reason.startswith(prefix):
            return prefix
    return reason.split(" (")[0] if reason.startswith("a name used") else reason


def interpreter_info(python: str, env: dict[str, str], packages: list[str]) -> dict[str, Any]:
    """Version, engine and the installed versions of ``packages`` of one interpreter."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from importlib import metadata
        versions = {{}}
        for name in {packages!r}:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = None
        print(json.dumps({{"version": "%d.%d.%d" % sys.version_info[:3],
                          "native": hasattr(sys, "set_lazy_imports_filter"),
                          "packages": versions}}))
        """
    )
    out = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def command(python: str, variant: str, path: Path) -> list[str]:
    if variant == "pep810":
        return [python, "-X", "lazy_imports=all", str(path)]
    return [python, str(path)]


def source(app: startup.App, variant: str) -> str:
    return app.source("eager" if variant == "pep810" else variant, "one") + REASONS


def probe(python: str, variant: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run the program once with the probes on: modules executed, reasons, or the error."""
    proc = subprocess.run(
        command(python, variant, path),
        env=dict(env, STARTUP_BENCH_PROBE="1"),
        cwd=str(path.parent),
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = {"error": None, "executed": None, "reasons": None}
    for line in proc.stderr.splitlines():
        if line.startswith("STARTUP_BENCH "):
            found["executed"] = json.loads(line.partition(" ")[2])["executed"]
        elif line.startswith("DEPTH_REASONS "):
            found["reasons"] = json.loads(line.partition(" ")[2])
    if proc.returncode != 0 or found["executed"] is None:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        found["error"] = tail[0]
    return found


def measure(
    pythons: list[str], apps: list[startup.App], count_instructions: bool, workdir: Path
) -> dict[str, Any]:
    env = instructions.child_env({"PYTHONPATH": str(REPO)})
    env.pop("HGDEMANDIMPORT", None)
    packages = sorted({pkg for app in apps for pkg in app.needs})
    result: dict[str, Any] = {"interpreters": [], "apps": [app.name for app in apps]}
    for index, python in enumerate(pythons):
        info = interpreter_info(python, env, packages)
        variants = NATIVE_VARIANTS if info["native"] else PROXY_VARIANTS
        entry = {"python": python, **info, "variants": variants, "cells": {}}
        for app in apps:
            missing = [pkg for pkg in app.needs if info["packages"].get(pkg) is None]
            if missing:
                entry["cells"][app.name] = {"skipped": f"not installed: {', '.join(missing)}"}
                continue
            cells: dict[str, Any] = {}
            for variant in variants:
                folder = workdir / f"{index}-{app.name.split()[0]}-{variant}"
                folder.mkdir()
                path = folder / "app.py"
                path.write_text(source(app, variant))
                subprocess.run(command(python, variant, path), env=env, cwd=str(folder),
                               capture_output=True)  # warm the bytecode caches
                cell = probe(python, variant, path, env)
                if count_instructions and cell["error"] is None:
                    try:
                        cell["instructions"] = instructions.count(
                            command(python, variant, path), env, cwd=str(folder), warm=False
                        )
                    except RuntimeError as exc:
                        cell["error"] = str(exc).splitlines()[-1]
                cells[variant] = cell
            entry["cells"][app.name] = cells
        result["interpreters"].append(entry)
    return result


def fraction(cells: dict[str, Any], variant: str) -> float | None:
    eager = cells.get("eager", {}).get("executed")
    value = cells.get(variant, {}).get("executed")
    return None if not eager or value is None else value / eager


def ratio(cells: dict[str, Any], variant: str) -> float | None:
    eager = cells.get("eager", {}).get("instructions")
    value = cells.get(variant, {}).get("instructions")
    return None if not eager or value is None else value / eager


def goals(result: dict[str, Any]) -> list[str]:
    """The depth goals, checked where a proxy and a native interpreter were both measured."""
    proxy = [e for e in result["interpreters"] if not e["native"]]
    native = [e for e in result["interpreters"] if e["native"]]
    if not proxy or not native:
        return []
    lines = []
    p, n = proxy[0], native[0]
    for app in result["apps"]:
        pc, nc = p["cells"].get(app, {}), n["cells"].get(app, {})
        if "skipped" in pc or "skipped" in nc:
            continue
        target = fraction(nc, "pep810")
        best = min(
            (f for f in (fraction(pc, "lazyimp"), fraction(pc, "lazy_from")) if f is not None),
            default=None,
        )
        if target is None or best is None:
            continue
        verdict = "PASS" if best <= target + GOAL_MARGIN else "MISS"
        lines.append(
            f"{verdict}  {app}: modules run {best:.2f} of eager's on {p['version']} "
            f"<= PEP 810's {target:.2f} + {GOAL_MARGIN:.2f}"
        )
        target_ir = ratio(nc, "pep810")
        best_ir = min(
            (r for r in (ratio(pc, "lazyimp"), ratio(pc, "lazy_from")) if r is not None),
            default=None,
        )
        if target_ir is not None and best_ir is not None:
            verdict = "PASS" if best_ir <= target_ir + GOAL_MARGIN else "MISS"
            lines.append(
                f"{verdict}  {app}: instructions {best_ir:.2f}x eager's "
                f"<= PEP 810's {target_ir:.2f}x + {GOAL_MARGIN:.2f}"
            )
            loader = ratio(pc, "lazyloader")
            if loader is not None:
                verdict = "PASS" if best_ir <= loader else "MISS"
                lines.append(f"{verdict}  {app}: instructions {best_ir:.2f}x <= LazyLoader's {loader:.2f}x")
    return lines


def table(result: dict[str, Any]) -> str:
    header = ["program"]
    for entry in result["interpreters"]:
        for variant in entry["variants"]:
            header.append(f"{entry['version']} {variant}")
    rows = []
    for app in result["apps"]:
        row = [app]
        for entry in result["interpreters"]:
            cells = entry["cells"].get(app, {})
            for variant in entry["variants"]:
                if "skipped" in cells:
                    row.append("skipped")
                    continue
                cell = cells.get(variant, {})
                if cell.get("error"):
                    row.append("FAILED")
                elif variant == "eager":
                    text = f"{cell['executed']} mods"
                    if cell.get("instructions"):
                        text += f" {cell['instructions'] / 1e6:.0f}M"
                    row.append(text)
                else:
                    text = f"{fraction(cells, variant):.2f}"
                    r = ratio(cells, variant)
                    if r is not None:
                        text += f" ({r:.2f}x)"
                    row.append(text)
        rows.append(row)
    return startup.rst_table(header, rows)


def reasons_text(result: dict[str, Any], top: int = 6) -> list[str]:
    lines = []
    for entry in result["interpreters"]:
        for app in result["apps"]:
            cells = entry["cells"].get(app, {})
            for variant in ("lazyimp", "lazy_from"):
                kept = cells.get(variant, {}).get("reasons")
                if not kept:
                    continue
                counts = Counter(rule_of(reason) for reason in kept)
                parts = ", ".join(f"{n} {rule}" for rule, n in counts.most_common(top))
                more = len(counts) - top
                lines.append(
                    f"{entry['version']} {app} / {variant}: {len(kept)} kept eager: {parts}"
                    + (f", and {more} other rules" if more > 0 else "")
                )
    return lines


def report(result: dict[str, Any]) -> str:
    out = [
        f"modules run, as a fraction of eager's (instructions as a ratio to eager's with "
        f"--instructions); {result['date']}, {result['machine']}",
        "",
        table(result),
    ]
    lines = goals(result)
    if lines:
        out += ["", "goals (docs/performance.rst):", *(f"  {line}" for line in lines)]
    out += ["", "kept eager, by rule (lazyimp.report()):"]
    out += [f"  {line}" for line in reasons_text(result)]
    out += ["", "package versions:"]
    for entry in result["interpreters"]:
        versions = ", ".join(f"{k} {v}" for k, v in sorted(entry["packages"].items()) if v)
        out.append(f"  {entry['version']} ({'PEP 810' if entry['native'] else 'proxy'} engine): {versions}")
    for entry in result["interpreters"]:
        for app, cells in entry["cells"].items():
            if "skipped" in cells:
                out.append(f"note: {entry['version']} {app}: skipped, {cells['skipped']}")
                continue
            for variant, cell in cells.items():
                if cell.get("error"):
                    out.append(f"FAILED {entry['version']} {app} / {variant}: {cell['error']}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", help="an interpreter to measure (repeat; default: this one)")
    parser.add_argument("--apps", help="comma-separated program names (default: all)")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (callgrind)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--rst", metavar="FILE", help="write the report as an RST literal block")
    parser.add_argument("--quick", action="store_true", help="CI smoke: the stdlib program only")
    args = parser.parse_args(argv)
    pythons = args.python or [sys.executable]
    apps = list(startup.APPS)
    if args.quick:
        apps = [app for app in apps if app.quick]
    elif args.apps:
        wanted = {name.strip() for name in args.apps.split(",")}
        unknown = wanted - {app.name for app in apps}
        if unknown:
            parser.error(f"unknown program(s): {', '.join(sorted(unknown))}")
        apps = [app for app in apps if app.name in wanted]
    if args.instructions and not instructions.available():
        parser.error("--instructions needs valgrind on PATH")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lazyimp-depth-") as tmp:
        result = measure(pythons, apps, args.instructions, Path(tmp))
    result["date"] = time.strftime("%Y-%m-%d")
    result["machine"] = f"{platform.machine()} {platform.system()}, {os.cpu_count()} cpus"
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["goals"] = goals(result)
    text = report(result)
    print(text, end="")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    if args.rst:
        body = textwrap.indent(text, "    ", lambda line: bool(line.strip()))
        versions = " and ".join(f"CPython {e['version']}" for e in result["interpreters"])
        flags = " --instructions" if args.instructions else ""
        Path(args.rst).write_text(
            ".. Generated by benchmarks/depth.py (--rst); re-run it rather than editing this file.\n\n"
            f"{versions}: ``python benchmarks/depth.py --python PY ...{flags}``::\n\n{body}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
