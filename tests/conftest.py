"""Shared fixtures; the report header says which wrapt proxy the suite runs against."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


# The engine lazyimp uses on this interpreter (lazyimp.engine(), without importing
# lazyimp into the test process).
NATIVE = hasattr(sys, "set_lazy_imports_filter")


def pytest_report_header(config: pytest.Config) -> str:
    kind = "pure Python" if os.environ.get("WRAPT_DISABLE_EXTENSIONS") else "C extension"
    import wrapt

    engine = "pep810 (PEP 810 lazy imports)" if NATIVE else "proxy"
    return f"lazyimp: engine {engine}; wrapt {wrapt.__version__} object proxy ({kind})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the proxy engine's tests on 3.15+ and the native engine's before, saying why."""
    for item in items:
        marker = item.get_closest_marker("proxy_engine")
        if NATIVE and marker is not None:
            why = marker.args[0] if marker.args else "tests the proxy engine's internals"
            item.add_marker(pytest.mark.skip(reason=f"proxy engine only (3.10-3.14): {why}"))
        if not NATIVE and item.get_closest_marker("native_engine") is not None:
            item.add_marker(pytest.mark.skip(reason="PEP 810 engine only (CPython 3.15+)"))


@pytest.fixture
def pkgs(tmp_path: Path) -> Path:
    """A folder of small modules and packages used across the core tests."""
    from helpers import write_tree

    return write_tree(
        tmp_path,
        {
            "plain.py": """
                import sys
                RUNS = getattr(sys, "_plain_runs", 0) + 1
                sys._plain_runs = RUNS
                VALUE = 1
                def f():
                    return "f"
            """,
            "a/__init__.py": """
                import sys
                sys._order = getattr(sys, "_order", []) + ["a"]
                A = 1
            """,
            "a/b/__init__.py": """
                import sys
                sys._order = getattr(sys, "_order", []) + ["a.b"]
                B = 2
            """,
            "a/b/c.py": """
                import sys
                sys._order = getattr(sys, "_order", []) + ["a.b.c"]
                C = 3
            """,
            "boom.py": """
                import sys
                sys._boom_runs = getattr(sys, "_boom_runs", 0) + 1
                import plain
                raise ValueError("boom at import")
            """,
            "selfrepl.py": """
                import sys, types
                class Replacement(types.ModuleType):
                    REPLACED = True
                sys.modules[__name__] = Replacement(__name__)
            """,
            "pep562.py": """
                def __getattr__(name):
                    if name == "dynamic":
                        return 42
                    raise AttributeError(f"custom: no {name}")
            """,
            "slow.py": """
                import sys, time
                sys._slow_runs = getattr(sys, "_slow_runs", 0) + 1
                time.sleep(0.2)
                DONE = True
            """,
            "cyc_x.py": """
                import cyc_y
                X = 1
                def get_y():
                    return cyc_y.Y
            """,
            "cyc_y.py": """
                import cyc_x
                Y = 2
                def get_x():
                    return cyc_x.X
            """,
        },
    )
