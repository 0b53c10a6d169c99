"""Imports made for their side effects run at once (contract C3.6), and the defaults (contract C3.8).

Each case runs the same program eagerly, with ``install()`` and with
``install(lazy_from=True)``, in fresh interpreters, and compares what it prints.  The
private switch ``_LAZYIMP_TEST_SIDE_EFFECT_RULE=off`` shows what the rule prevents.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import NATIVE
from helpers import REPO, run_python, write_tree

MODES = {
    "eager": "",
    "core": "import lazyimp\nlazyimp.install()\n",
    "lazy_from": "import lazyimp\nlazyimp.install(lazy_from=True)\n",
}
RULE_OFF = {"_LAZYIMP_TEST_SIDE_EFFECT_RULE": "off"}


def outputs(
    tmp_path: Path, main: str, files: dict[str, str], env: dict[str, str] | None = None
) -> dict[str, tuple[int, str, str]]:
    """(exit status, stdout, stderr) of ``main`` in each mode, tree on sys.path."""
    write_tree(tmp_path, files)
    out = {}
    for mode, setup in MODES.items():
        src = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n{setup}" + textwrap.dedent(main)
        proc = run_python(src, tmp_path=tmp_path, env=env, check=False, cwd=tmp_path)
        out[mode] = (proc.returncode, proc.stdout, proc.stderr)
    return out


def assert_same(out: dict[str, tuple[int, str, str]]) -> None:
    assert out["eager"][0] == 0, out["eager"]
    assert out["core"] == out["eager"], out
    assert out["lazy_from"] == out["eager"], out


# The smallest form: a registry filled by a grandchild the package imports.
REG = {
    "reg/__init__.py": """
        REGISTRY = {}
        import reg.sub.plugins
        from reg.sub.use import get
    """,
    "reg/sub/__init__.py": "",
    "reg/sub/plugins.py": "from reg import REGISTRY\nREGISTRY['x'] = 1\n",
    "reg/sub/use.py": "from reg import REGISTRY\ndef get():\n    return REGISTRY['x']\n",
}


def test_registry_filled_by_an_unread_grandchild_import(tmp_path: Path) -> None:
    """`import reg.sub.plugins`, never read, runs at once: the registry is filled (contract C3.6)."""
    assert_same(outputs(tmp_path, "import reg\nprint(reg.get())\n", REG))


def test_the_rule_is_what_fixes_the_smallest_form(tmp_path: Path) -> None:
    """Without the side-effect rule the smallest form fails lazily (contract C3.6)."""
    out = outputs(tmp_path, "import reg\nprint(reg.get())\n", REG, env=RULE_OFF)
    assert out["eager"] == (0, "1\n", "")
    assert out["core"][0] == 1 and "KeyError: 'x'" in out["core"][2], out["core"]


SHAPES = {
    # statement in pkg/mod.py -> (files, is the imported module read?)
    "import chain, unread": ("import pkg.helpers.registrar\n", False),
    "import chain, read in a function": (
        "import pkg.helpers.registrar\ndef f():\n    return pkg.helpers.registrar.X\n",
        True,
    ),
    "import chain, read in a nested class method": (
        "import pkg.helpers.registrar\nclass A:\n    def m(self):\n"
        "        return (lambda: pkg.helpers.registrar.X)()\n",
        True,
    ),
    "import chain, only its package read": (
        "import pkg.helpers.registrar\ndef f():\n    return pkg.helpers\n",
        False,
    ),
    "import as, unread": ("import pkg.helpers.registrar as r\n", False),
    "import as, read": ("import pkg.helpers.registrar as r\ndef f():\n    return r.X\n", True),
    "relative from-import, unread": ("from .helpers import registrar\n", False),
    "relative from-import, read": (
        "from .helpers import registrar\ndef f():\n    return registrar.X\n",
        True,
    ),
    "absolute from-import as, unread": ("from pkg.helpers import registrar as r\n", False),
    "absolute from-import as, a local of the same name": (
        "from pkg.helpers import registrar as r\ndef f(r):\n    return r\n",
        False,
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_statement_form_is_judged_by_its_binding(tmp_path: Path, shape: str) -> None:
    """The binding that counts: the chain for `import a.b.c`, the name otherwise (contract C3.6)."""
    statement, read = SHAPES[shape]
    files = {
        "pkg/__init__.py": "",
        "pkg/helpers/__init__.py": "",
        "pkg/helpers/registrar.py": "import sys\nsys._ran = True\nX = 1\n",
        "pkg/mod.py": statement,
    }
    write_tree(tmp_path, files)
    proc = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import pkg.mod
        pkg.mod.__dict__          # run pkg.mod
        print(getattr(sys, "_ran", False))
        """
    )
    assert proc.stdout == f"{not read}\n", (shape, proc.stdout)


def test_imports_across_packages_stay_lazy_when_unread(tmp_path: Path) -> None:
    """An unread import of another package, or by a top-level module, stays lazy (contract C3.6)."""
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": "import other.thing\nimport sibling_top\n",
            "other/__init__.py": "",
            "other/thing.py": "import sys\nsys._ran = sys.__dict__.get('_ran', []) + [__name__]\n",
            "sibling_top.py": "import sys\nsys._ran = sys.__dict__.get('_ran', []) + [__name__]\n",
            "top.py": "import sibling_top\n",
        },
    )
    proc = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import pkg.mod, top
        pkg.mod.__dict__, top.__dict__
        print(sys.__dict__.get("_ran", []))
        print(lazyimp.is_lazy("other.thing"), lazyimp.is_lazy("sibling_top"))
        """
    )
    assert proc.stdout.splitlines() == ["[]", "True True"]


def test_code_compiled_one_statement_at_a_time_stays_lazy(tmp_path: Path) -> None:
    """`python -c` (like a REPL cell) never shows a read: its imports stay lazy (contract C3.6)."""
    write_tree(tmp_path, {"solo.py": "import sys\nsys._ran = True\n"})
    proc = run_python(
        "import lazyimp; lazyimp.install(); import solo; import sys; "
        "print(lazyimp.is_lazy('solo'), getattr(sys, '_ran', False))",
        env={"PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)])},  # this checkout first
        cwd=tmp_path,
    )
    assert proc.stdout == "True False\n"


def test_a_side_effect_import_of_a_module_already_pending_runs_it(tmp_path: Path) -> None:
    """A module handed out lazily elsewhere runs at the side-effect statement (contract C3.6)."""
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/plugins.py": "import sys\nsys._ran = True\n",
            "pkg/loader.py": "import pkg.plugins\n",
        },
    )
    proc = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import pkg.plugins        # handed out lazily (across packages: __main__)
        assert lazyimp.is_lazy("pkg.plugins")
        import pkg.loader
        pkg.loader.__dict__       # its `import pkg.plugins` is a side-effect import
        print(getattr(sys, "_ran", False))
        """
    )
    assert proc.stdout == "True\n"


def test_the_report_says_why(tmp_path: Path) -> None:
    """The report gives a side-effect import's reason (contract C3.6, C9.1)."""
    write_tree(tmp_path, REG)
    proc = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import reg
        reg.get()
        rep = lazyimp.report(file=open("/dev/null", "w"))
        entry = {{m.name: m for m in rep.modules}}["reg.sub.plugins"]
        print(entry.state, "|", entry.reason)
        """
    )
    assert proc.stdout == "eager | side effect: reg imports reg.sub.plugins and never reads reg.sub.plugins\n"


# The smallest form of the lazy_from case (httpie and pygments.formatter).
LIB = {
    "lib/__init__.py": "",
    "lib/base.py": "class Base:\n    pass\n",
    "lib/term.py": "from lib.base import Base\nclass Term(Base):\n    pass\n",
}
LIB_MAIN = """
import lib
from lib.term import Term
def make() -> lib.base.Base:
    return Term()
print(type(make()).__name__)
"""


def test_a_submodule_set_by_another_from_import_is_there(tmp_path: Path) -> None:
    """`lib.base` read while main runs, set only by `from lib.term import`: the same lazily (contract C12.4)."""
    out = outputs(tmp_path, LIB_MAIN, LIB)
    assert out["eager"] == (0, "Term\n", "")
    assert_same(out)


# -- real libraries ------------------------------------------------------------------

needs_311 = pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="pandas 3.1.1, matplotlib 3.11.2, SQLAlchemy 2.1.9 and alembic 1.20.1 (which "
    "needs it) have no wheels for 3.10",
)

PANDAS = """
import pandas as pd
df = pd.DataFrame({"a": [1, 2, 3], "b": [2.0, None, 4.5]})
print(df.describe().round(3).to_csv())
print(df.groupby(df.a % 2).sum().to_dict())
"""

SQLALCHEMY = """
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))

engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
with Session(engine) as session:
    session.add_all([User(name="ada"), User(name="bob")])
    session.commit()
    print([u.name for u in session.scalars(select(User).order_by(User.id))])
"""

ALEMBIC = """
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.operations import Operations
engine = sa.create_engine("sqlite://")
with engine.begin() as conn:
    op = Operations(MigrationContext.configure(conn))
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("t", sa.Column("name", sa.String(10)))
    print(sa.inspect(conn).get_table_names(), [c["name"] for c in sa.inspect(conn).get_columns("t")])
"""

MATPLOTLIB = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([0, 1, 2], [0, 1, 4], label="squares")
ax.contour([[0, 1], [1, 2]])
ax.legend()
matplotlib.rcParams["svg.hashsalt"] = "lazyimp"
fig.savefig("plot.svg", metadata={"Date": None})
print(len(ax.lines), ax.get_legend().get_texts()[0].get_text())
"""


@needs_311
@pytest.mark.slow
def test_pandas_imports_and_works_lazily(tmp_path: Path) -> None:
    """pandas' `import pandas.core.config_init` registers options: identical lazily (contract C3.6)."""
    assert_same(outputs(tmp_path, PANDAS, {}))


@needs_311
@pytest.mark.slow
def test_pandas_fails_lazily_without_the_rule(tmp_path: Path) -> None:
    """Without the side-effect rule, pandas fails to import lazily (contract C3.6).

    On the proxy engine it fails on an option `import pandas.core.config_init`
    registers (KeyError).  On 3.15 it fails earlier: `from pandas._libs.tslibs import
    dtypes` (never read, in its ``__all__``) is deferred too, and a Cython module
    reifying it fails to import numpy's C API.
    """
    out = outputs(tmp_path, PANDAS, {}, env=RULE_OFF)
    assert out["core"][0] == 1, out["core"]
    if sys.version_info < (3, 15):
        assert "KeyError" in out["core"][2], out["core"]
    else:
        assert "numpy._core.multiarray failed to import" in out["core"][2], out["core"]


@needs_311
@pytest.mark.slow
def test_sqlalchemy_orm_works_lazily(tmp_path: Path) -> None:
    """SQLAlchemy's import-time registries (events, preloaded modules): identical lazily (contract C3.8, C3.6)."""
    assert_same(outputs(tmp_path, SQLALCHEMY, {}))


@needs_311
@pytest.mark.slow
def test_sqlalchemy_needs_its_default(tmp_path: Path) -> None:
    """With defaults=False, SQLAlchemy fails lazily: its default entry is needed (contract C3.8)."""
    src = "import lazyimp\nlazyimp.install(defaults=False)\n" + SQLALCHEMY
    proc = run_python(src, tmp_path=tmp_path, check=False, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "partially initialized module" in proc.stderr, proc.stderr[-500:]


@needs_311
@pytest.mark.slow
def test_alembic_operations_work_lazily(tmp_path: Path) -> None:
    """alembic's import cycle runs in its own order: identical lazily (contract C3.8)."""
    out = outputs(tmp_path, ALEMBIC, {})
    assert out["eager"][1] == "['t'] ['id', 'name']\n"
    assert_same(out)


@needs_311
@pytest.mark.slow
def test_alembic_needs_its_default(tmp_path: Path) -> None:
    """With defaults=False, alembic's cycle is entered from the other side and fails (contract C3.8)."""
    src = "import lazyimp\nlazyimp.install(defaults=False)\n" + ALEMBIC
    proc = run_python(src, tmp_path=tmp_path, check=False, cwd=tmp_path)
    assert proc.returncode == 1 and "partially initialized module" in proc.stderr, proc.stderr[-500:]


@needs_311
@pytest.mark.slow
def test_matplotlib_plots_lazily(tmp_path: Path) -> None:
    """matplotlib's docstring registrations (legend, contour): identical lazily, same file (contract C3.8)."""
    files = {}
    for mode, setup in MODES.items():
        run_python(setup + MATPLOTLIB, tmp_path=tmp_path, cwd=tmp_path)
        files[mode] = (tmp_path / "plot.svg").read_text()
    assert files["core"] == files["eager"]
    assert files["lazy_from"] == files["eager"]


@needs_311
@pytest.mark.slow
def test_matplotlib_needs_its_default(tmp_path: Path) -> None:
    """With defaults=False, matplotlib fails lazily: its default entry is needed (contract C3.8)."""
    src = "import lazyimp\nlazyimp.install(defaults=False)\n" + MATPLOTLIB
    proc = run_python(src, tmp_path=tmp_path, check=False, cwd=tmp_path)
    assert proc.returncode == 1 and "KeyError" in proc.stderr, proc.stderr[-500:]


def _django_check(tmp_path: Path, mode: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """A fresh `startproject`, then `manage.py check --deploy --fail-level WARNING`."""
    site = tmp_path / "site"
    if not site.exists():
        site.mkdir()
        run_python(f"from django.core import management\n"
                   f"management.call_command('startproject', 'mysite', {str(site)!r})\n")
    src = (
        MODES[mode]
        + "import runpy, sys\n"
        + "sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']\n"
        + "sys.path.insert(0, '.')\n"
        + "runpy.run_path('manage.py', run_name='__main__')\n"
    )
    proc = run_python(src, cwd=site, check=False, env=env)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.slow
def test_django_deploy_check_reports_the_same_warnings(tmp_path: Path) -> None:
    """`manage.py check --deploy` finds its 7 warnings and exits 1 lazily too (contract C3.6)."""
    eager = _django_check(tmp_path, "eager")
    assert eager[0] == 1 and "(7 silenced)" not in eager[2] and "7 issues" in eager[2], eager
    assert _django_check(tmp_path, "core") == eager
    assert _django_check(tmp_path, "lazy_from") == eager


@pytest.mark.slow
def test_django_check_passes_silently_without_the_rule(tmp_path: Path) -> None:
    """Without the rule, Django's security checks never register: exit 0 (contract C3.6)."""
    rc, out, err = _django_check(tmp_path, "core", RULE_OFF)
    assert rc == 0 and "no issues" in out + err, (out, err)


# A submodule handed out lazily is an attribute of its package: a later `from pkg import
# sub` finds it there and importlib imports nothing (found by the popular-stacks check:
# trio's `from . import lowlevel` under anyio, seaborn's `from . import cm`).
BYPASS_OWN = {
    "pkg/__init__.py": "REGISTRY = []\nfrom . import sub\nprint(REGISTRY)\n",
    "pkg/sub.py": "from . import REGISTRY\nREGISTRY.append('sub')\n",
    "pkg/other.py": "",
}
BYPASS_SIBLING = {
    "pkg/__init__.py": "REGISTRY = {}\nfrom .user import *\nfrom . import plugins  # noqa\n",
    "pkg/user.py": "from . import plugins\ndef get():\n    return plugins.NAME\n",
    "pkg/plugins.py": "from . import REGISTRY\nREGISTRY['rocket'] = 'registered'\nNAME = 'plugins'\n",
}


def test_a_package_runs_its_own_pending_submodule(tmp_path: Path) -> None:
    """`from . import sub` in a package whose sub was handed out lazily before it ran: sub runs there (contract C3.6)."""
    main = "import pkg.sub\nfrom pkg import other\nother.__dict__\n"
    out = outputs(tmp_path, main, BYPASS_OWN)
    assert out["eager"][1] == "['sub']\n"
    assert_same(out)


def test_a_side_effect_import_of_a_submodule_a_sibling_deferred(tmp_path: Path) -> None:
    """`from . import plugins` for its side effect, after a sibling deferred it: it runs (contract C3.6)."""
    out = outputs(tmp_path, "import pkg\nprint(pkg.REGISTRY)\n", BYPASS_SIBLING)
    assert out["eager"][1] == "{'rocket': 'registered'}\n"
    assert_same(out)


def test_a_function_level_from_import_of_a_pending_submodule_runs_it(tmp_path: Path) -> None:
    """`from pkg import sub` inside a function, sub pending as pkg's attribute: it runs (contract C2.1)."""
    files = {
        "pkg/__init__.py": "",
        "pkg/sub.py": "import sys\nsys._sub_ran = True\n",
    }
    main = (
        "import sys\nimport pkg.sub\nimport pkg\npkg.__dict__\n"
        "def f():\n    from pkg import sub\n    return getattr(sys, '_sub_ran', False)\n"
        "print(f())\n"
    )
    out = outputs(tmp_path, main, files)
    assert out["eager"][1] == "True\n"
    assert_same(out)


# -- contract C3.5: a package __init__ importing its own submodule --------------------------
OWN_READ_IN_FUNCTION = {
    "pkg/__init__.py": "from . import sub\ndef get():\n    return sub.VALUE\n",
    "pkg/sub.py": "import sys\nsys._sub_ran = True\nVALUE = 7\n",
}
OWN_READ_WHILE_RUNNING = {
    "pkg/__init__.py": "import pkg.sub\nNAME = pkg.sub.__name__\nfrom . import other\nUPPER = other.VALUE.upper()\n",
    "pkg/sub.py": "VALUE = 7\n",
    "pkg/other.py": "VALUE = 'x'\n",
}
PROBE_OWN = """
import sys
import lazyimp
import pkg
get = pkg.get  # runs the package's __init__
print("ran:", getattr(sys, "_sub_ran", False), "lazy:", lazyimp.is_lazy("pkg.sub"))
print(get(), getattr(sys, "_sub_ran", False))
"""


def test_a_package_defers_its_own_submodule_read_only_by_its_functions(tmp_path: Path) -> None:
    """`from . import sub` in an __init__ that reads sub only in functions: deferred until called (contract C3.5)."""
    write_tree(tmp_path, OWN_READ_IN_FUNCTION)
    src = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport lazyimp\nlazyimp.install()\n{PROBE_OWN}"
    out = run_python(src, tmp_path=tmp_path, cwd=tmp_path).stdout
    assert out == "ran: False lazy: True\n7 True\n", out


def test_a_package_runs_the_own_submodules_its_body_reads(tmp_path: Path) -> None:
    """An __init__ that reads its own submodule while it runs imports it eagerly, and says so (contract C3.5)."""
    write_tree(tmp_path, OWN_READ_WHILE_RUNNING)
    src = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
import lazyimp
lazyimp.install()
import pkg
print(pkg.NAME, pkg.UPPER)
for record in lazyimp.report(file=open("/dev/null", "w")).to_dict()["modules"]:
    if record["name"] in ("pkg.sub", "pkg.other"):
        print(record["name"], "|", record["state"], "|", record["reason"])
"""
    out = run_python(src, tmp_path=tmp_path, cwd=tmp_path).stdout
    lines = out.splitlines()
    assert lines[0] == "pkg.sub X", out
    assert sorted(lines[1:]) == [
        "pkg.other | eager | package __init__ reads its own submodule other while it runs",
        "pkg.sub | eager | package __init__ reads its own submodule pkg.sub while it runs",
    ], out


TRIO_MAIN = """
import trio

async def main():
    await trio.sleep(0)
    return 42

print(trio.run(main))
"""


def test_trio_runs_its_own_submodules_that_its_init_reads(tmp_path: Path) -> None:
    """trio's __init__ walks its globals while it runs: its submodules run there (contract C3.5).

    ``fixup_module_metadata(__name__, globals())`` reads every global's
    ``__module__``; deferred submodules would run during the walk and add globals to
    the dictionary being walked.  trio's __init__ also reads ``lowlevel.__name__``
    and the others while it runs, which is what the rule sees.  Without the rule, on
    the proxy engine: "dictionary changed size during iteration" (on 3.15 the walk
    sees the interpreter's lazy objects, whose ``__module__`` does not run them).
    """
    pytest.importorskip("trio")
    assert_same(outputs(tmp_path, TRIO_MAIN, {}))
    if NATIVE:
        return
    off = "from lazyimp import _rule\n_rule._own_submodule = lambda *args: None\n"
    src = f"import lazyimp\nlazyimp.install()\n{off}{TRIO_MAIN}"
    proc = run_python(src, tmp_path=tmp_path, check=False, cwd=tmp_path)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "dictionary changed size during iteration" in proc.stderr, proc.stderr
