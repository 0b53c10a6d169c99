"""What the side-effect rule (contract C3.6) costs per module, in instructions.

The rule reads the importing module's code for each import within one package: does
it ever read what the statement binds?  This benchmark prices that read on a
synthetic package of ``-n`` small modules (default 300), imported one statement each
by a hub module of the same package:

- ``read``: the hub reads every module it imports (in a function), so each import is
  lazy and pays the full decision: the rule's code read included.  Run with the rule
  on and switched off (the private test switch): the difference per module is the
  rule's cost.
- ``cross``: the same imports made by a module of another package: the rule is not
  consulted (a string comparison), the floor for a lazy hand-out.
- ``unread``: the hub never reads them: the rule makes each import eager; compared
  with the eager run, the cost of deciding so.

Every program then uses every module it imported, so eager and lazy runs execute the
same module bodies.  Instructions come from callgrind (``benchmarks/instructions.py``:
deterministic); wall-time ratios of alternating runs are printed beside them::

    python benchmarks/rule_cost.py            # 300 modules, 11 wall rounds
    python benchmarks/rule_cost.py -n 100 --runs 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import instructions  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

MODULE = textwrap.dedent(
    """\
    VALUE = 1
    TABLE = {i: str(i) for i in range(16)}
    def f(x):
        return x + VALUE
    class Thing:
        def get(self):
            return VALUE
    """
)


def write_tree(root: Path, n: int) -> None:
    """The synthetic package, its three hubs, and one program per hub."""
    pkg = root / "rc_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for i in range(n):
        (pkg / f"m{i}.py").write_text(MODULE)
    imports = "".join(f"import rc_pkg.m{i}\n" for i in range(n))
    reads = ", ".join(f"rc_pkg.m{i}.VALUE" for i in range(n))
    use = f"def use():\n    return [{reads}]\n"
    (pkg / "hub_read.py").write_text(imports + use)
    (pkg / "hub_unread.py").write_text(imports)
    other = root / "rc_other"
    other.mkdir()
    (other / "__init__.py").write_text("")
    (other / "hub_cross.py").write_text(imports + use)
    touch = "".join(f"rc_pkg.m{i}.VALUE\n" for i in range(n))
    (root / "app_read.py").write_text("import rc_pkg.hub_read as hub\nhub.use()\n")
    (root / "app_cross.py").write_text("import rc_other.hub_cross as hub\nhub.use()\n")
    (root / "app_unread.py").write_text(
        "import rc_pkg.hub_unread as hub\nimport rc_pkg\nhub.__dict__\n" + touch
    )


def program(root: Path, app: str, lazy: bool) -> list[str]:
    """``python -c`` running ``app`` with or without ``lazyimp.install()`` first."""
    setup = "import lazyimp; lazyimp.install(); " if lazy else ""
    code = f"{setup}import runpy, sys; sys.path.insert(0, {str(root)!r}); runpy.run_path({str(root / app)!r})"
    return [sys.executable, "-c", code]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="modules in the package (default 300)")
    parser.add_argument("--runs", type=int, default=11, help="alternating wall-time rounds")
    opts = parser.parse_args(argv)
    if not instructions.available():
        parser.error("valgrind is not installed: the counts need callgrind")
    env = instructions.child_env({"PYTHONPATH": str(REPO)})
    off = dict(env, _LAZYIMP_TEST_SIDE_EFFECT_RULE="off")
    with tempfile.TemporaryDirectory(prefix="lazyimp-rule-cost-") as tmp:
        root = Path(tmp)
        write_tree(root, opts.n)
        variants = {
            "eager (read)": (program(root, "app_read.py", False), env),
            "lazy, rule on (read)": (program(root, "app_read.py", True), env),
            "lazy, rule off (read)": (program(root, "app_read.py", True), off),
            "lazy (cross-package)": (program(root, "app_cross.py", True), env),
            "eager (unread)": (program(root, "app_unread.py", False), env),
            "lazy, rule on (unread)": (program(root, "app_unread.py", True), env),
        }
        counts = {name: instructions.count(argv, e) for name, (argv, e) in variants.items()}
        walls = instructions.wall_ratios(
            {k: v for k, v in variants.items() if "(read)" in k}, "eager (read)", opts.runs
        )
    n = opts.n
    print(f"{n} modules, CPython {sys.version.split()[0]}; instructions (callgrind, user space)")
    print(f"{'program':<26} {'instructions':>14} {'vs eager':>9} {'wall vs eager':>14}")
    for name, value in counts.items():
        base = counts["eager (unread)" if "unread" in name else "eager (read)"]
        wall = walls.get(name)
        print(
            f"{name:<26} {value:>14,} {value / base:>8.3f}x "
            f"{'' if wall is None else f'{wall:.3f}x':>14}"
        )
    rule = (counts["lazy, rule on (read)"] - counts["lazy, rule off (read)"]) / n
    cross = (counts["lazy, rule on (read)"] - counts["lazy (cross-package)"]) / n
    unread = (counts["lazy, rule on (unread)"] - counts["eager (unread)"]) / n
    print(f"\nthe rule's read, per lazily handled module:        {rule:>10,.0f} instructions")
    print(f"same-package vs cross-package hand-out, per module: {cross:>10,.0f} instructions")
    print(f"deciding a side-effect import is eager, per module: {unread:>10,.0f} instructions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
