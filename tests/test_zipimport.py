"""Zip archives on sys.path, zipapps and eggs: lazy like source modules (contract C8.4).

Each test builds the archive in ``tmp_path`` and runs a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipapp
import zipfile
from pathlib import Path

from helpers import python_env, run_python, write_tree

MODULES = {
    "zmod.py": """
        import sys
        sys._zlog = getattr(sys, "_zlog", []) + [__name__]
        def answer():
            '''Return the answer.'''
            return 42
    """,
    "zpkg/__init__.py": """
        import sys
        sys._zlog = getattr(sys, "_zlog", []) + [__name__]
        P = "pkg"
    """,
    "zpkg/sub.py": """
        import sys
        sys._zlog = getattr(sys, "_zlog", []) + [__name__]
        from . import helper
        S = helper.H + 1
    """,
    "zpkg/helper.py": """
        import sys
        sys._zlog = getattr(sys, "_zlog", []) + [__name__]
        H = 10
    """,
    "zpkg/data.txt": "payload from the archive\n",
}

# What every archive test checks once the archive is on sys.path.
CHECKS = """
import sys, inspect, types, importlib.resources
import lazyimp
lazyimp.install()
import zmod
import zpkg.sub as sub
assert lazyimp.is_lazy("zmod") and lazyimp.is_lazy("zpkg.sub")
assert lazyimp.is_lazy("zpkg")
assert not hasattr(sys, "_zlog"), sys._zlog
if lazyimp.engine() == "proxy":  # a proxy answers these without running (contract C2.5)
    assert type(zmod.__loader__).__name__ == "zipimporter", zmod.__loader__
    assert isinstance(zmod, types.ModuleType)
    assert any(kind in zmod.__file__ for kind in (".zip", ".pyz", ".egg")), zmod.__file__
    assert not hasattr(sys, "_zlog"), sys._zlog
assert zmod.answer() == 42
assert sub.S == 11
assert sys._zlog == ["zmod", "zpkg", "zpkg.sub", "zpkg.helper"], sys._zlog
assert zmod is sys.modules["zmod"] and sub is sys.modules["zpkg.sub"]
assert type(zmod) is types.ModuleType
assert type(zmod.__loader__).__name__ == "zipimporter", zmod.__loader__
assert any(kind in zmod.__file__ for kind in (".zip", ".pyz", ".egg")), zmod.__file__
import zpkg
text = importlib.resources.files(zpkg).joinpath("data.txt").read_text()
assert text == "payload from the archive\\n", text
assert "return 42" in inspect.getsource(zmod)
assert inspect.getsource(zmod.answer).startswith("def answer():")
assert "H = 10" in inspect.getsource(sys.modules["zpkg.helper"])
print("ok")
"""


def build_zip(path: Path, files: dict[str, str], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for rel, text in files.items():
            zf.writestr(prefix + rel, textwrap.dedent(text))
    return path


def test_modules_and_packages_in_a_zip_on_sys_path(tmp_path: Path) -> None:
    """Modules and packages in a zip are lazy, resolve, read data and source (contract C8.4, C8.2)."""
    archive = build_zip(tmp_path / "lib.zip", MODULES)
    out = run_python(f"import sys\nsys.path.insert(0, {str(archive)!r})\n" + CHECKS, tmp_path=tmp_path)
    assert out.stdout.strip() == "ok"


def test_resources_of_an_unexecuted_package_in_a_zip(tmp_path: Path) -> None:
    """find_spec finds zipped submodules without loading them; files(proxy) reads zip data (contract C8.2, C8.4)."""
    archive = build_zip(tmp_path / "lib.zip", MODULES)
    run_python(
        f"""
        import sys, importlib.resources, importlib.util
        sys.path.insert(0, {str(archive)!r})
        import lazyimp
        lazyimp.install()
        import zpkg
        assert lazyimp.is_lazy("zpkg")
        spec = importlib.util.find_spec("zpkg.sub")
        assert spec is not None and spec.origin.endswith("sub.py")
        assert "zpkg.sub" not in sys.modules
        # Whether find_spec of a child runs the pending package is
        # test_introspection.py's business; files() may run it (eagerly it has run).
        text = importlib.resources.files(zpkg).joinpath("data.txt").read_text()
        assert text == "payload from the archive\\n"
        assert zpkg.P == "pkg" and sys._zlog == ["zpkg"], sys._zlog
        """,
        tmp_path=tmp_path,
    )


def test_zipapp_runs_with_lazy_imports(tmp_path: Path) -> None:
    """`python app.pyz` built with zipapp: its modules are lazy and correct (contract C8.4)."""
    src = write_tree(tmp_path / "appsrc", MODULES)
    (src / "__main__.py").write_text(CHECKS)
    target = tmp_path / "app.pyz"
    zipapp.create_archive(src, target)
    proc = subprocess.run(
        [sys.executable, str(target)],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_egg_like_zip(tmp_path: Path) -> None:
    """An egg (zip with EGG-INFO) on sys.path is lazy and resolves (contract C8.4)."""
    files = dict(MODULES)
    files["EGG-INFO/PKG-INFO"] = "Metadata-Version: 1.1\nName: zstuff\nVersion: 1.0\n"
    files["EGG-INFO/top_level.txt"] = "zmod\nzpkg\n"
    archive = build_zip(tmp_path / "zstuff-1.0-py3.egg", files)
    out = run_python(f"import sys\nsys.path.insert(0, {str(archive)!r})\n" + CHECKS, tmp_path=tmp_path)
    assert out.stdout.strip() == "ok"


def test_subdirectory_of_a_zip_on_sys_path(tmp_path: Path) -> None:
    """A path inside an archive (lib.zip/site) works like the archive root (contract C8.4)."""
    archive = build_zip(tmp_path / "lib.zip", MODULES, prefix="site/")
    out = run_python(
        f"import sys\nsys.path.insert(0, {str(archive / 'site')!r})\n" + CHECKS, tmp_path=tmp_path
    )
    assert out.stdout.strip() == "ok"


def test_failing_module_in_a_zip_leaves_clean_state_and_retries(tmp_path: Path) -> None:
    """A zipped module that raises: same error at first use, sys.modules clean (contract C6.1, C8.4)."""
    archive = build_zip(tmp_path / "lib.zip", {"zbad.py": "raise LookupError('zipped failure')\n"})
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(archive)!r})
        import lazyimp
        lazyimp.install()
        import zbad
        for _ in range(2):
            try:
                zbad.x
            except LookupError as e:
                assert "zipped failure" in str(e)
                assert "imported lazily" in e.__notes__[-1], e.__notes__
            else:
                raise AssertionError("no error")
            assert "zbad" not in sys.modules and lazyimp.is_lazy("zbad")
        """,
        tmp_path=tmp_path,
    )
