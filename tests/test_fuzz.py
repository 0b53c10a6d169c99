"""Bad input, fuzzed with hypothesis: clear errors of documented types, no half state.

- ``import_module_from_path`` with random names and paths (contract C11.1, C11.2), in-process
  with import state restored after each example;
- random configuration from ``install()`` keywords, ``LAZYIMP_*`` variables and
  ``pyproject.toml`` (contract C3.9, C4.4), one fresh interpreter per batch of examples;
- random module names against the ignore rules (contract C3.9), on ``_policy`` directly.

CI runs a fixed number of examples (the ``ci`` profile, derandomized); ``FUZZ_PROFILE=fuzz``
(``tox -e fuzz``) runs ten times as many with fresh randomness.
"""

from __future__ import annotations

import contextlib
import json
import keyword
import os
import string
import sys
from pathlib import Path

import pytest
from helpers import import_state, run_python, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

settings.register_profile(
    "ci", max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "fuzz", max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
SCALE = 10 if PROFILE == "fuzz" else 1
settings.load_profile(PROFILE)


# -- import_module_from_path -------------------------------------------------------------

WEIRD_NAMES = [
    "",
    ".",
    "..",
    "a.b",
    ".a",
    "a.",
    "class",
    "None",
    "def",
    "os",
    "sys",
    "json",
    "a/b",
    "a\\b",
    "/etc",
    "a\0b",
    "\0",
    "é",
    "ünïcode",
    "名前",
    "a b",
    "1abc",
    "x" * 300,
    "__init__",
    "_ok_name",
    "lazyimp",
    "a-b",
    "a\nb",
]


def names() -> st.SearchStrategy[object]:
    return st.one_of(
        st.sampled_from(WEIRD_NAMES),
        st.text(max_size=12),
        st.text(alphabet=string.ascii_letters + "._/\\\0é", max_size=12),
        st.sampled_from([None, 0, 1.5, b"pkg", ["pkg"], Path("pkg")]),
    )


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Paths of every kind: missing, file, symlink loop, unreadable, no __init__, packages."""
    root = tmp_path_factory.mktemp("fuzzpaths")
    write_tree(
        root,
        {
            "afile.py": "X = 1\n",
            "noinit/mod.py": "X = 1\n",
            "goodpkg/__init__.py": "X = 1\n",
            "raisingpkg/__init__.py": "raise RuntimeError('raisingpkg body fails')\n",
            "unreadable/__init__.py": "X = 1\n",
        },
    )
    (root / "loop").symlink_to(root / "loop")
    (root / "dangling").symlink_to(root / "nowhere")
    (root / "link_to_pkg").symlink_to(root / "goodpkg")
    os.chmod(root / "unreadable", 0)  # root can still read it; others cannot
    out: dict[str, object] = {
        "missing": str(root / "missing"),
        "file": str(root / "afile.py"),
        "loop": str(root / "loop"),
        "loop_below": str(root / "loop" / "x"),
        "dangling": str(root / "dangling"),
        "noinit": str(root / "noinit"),
        "good": str(root / "goodpkg"),
        "good_path": root / "goodpkg",
        "link": str(root / "link_to_pkg"),
        "raising": str(root / "raisingpkg"),
        "unreadable": str(root / "unreadable"),
        "nul": str(root) + "/a\0b",
        "empty": "",
        "dot": ".",
        "bytes": os.fsencode(root / "goodpkg"),
        "none": None,
        "int": 3,
        "long": "/" + "x" * 300 + "/" + "y" * 300,
    }
    yield out
    os.chmod(root / "unreadable", 0o755)


DOCUMENTED = (ValueError, FileNotFoundError, TypeError)


@given(
    name=names(),
    where=st.sampled_from(
        [
            "missing",
            "file",
            "loop",
            "loop_below",
            "dangling",
            "noinit",
            "good",
            "good_path",
            "link",
            "raising",
            "unreadable",
            "nul",
            "empty",
            "dot",
            "bytes",
            "none",
            "int",
            "long",
        ]
    ),
)
@settings(max_examples=200 * SCALE)
def test_import_module_from_path_fails_clearly_and_changes_nothing(
    places: dict[str, object], name: object, where: str
) -> None:
    """Random names and paths: success, or a documented error naming the input; import state unchanged (contract C11.1)."""
    import lazyimp
    from lazyimp import _spawn

    path = places[where]
    with import_state():
        modules = set(sys.modules)
        meta_path = sys.meta_path[:]
        roots = _spawn.registered_roots()
        try:
            module = lazyimp.import_module_from_path(name, path)  # type: ignore[arg-type]
        except DOCUMENTED as exc:
            message = str(exc)
            assert set(sys.modules) == modules, set(sys.modules) ^ modules
            assert sys.meta_path == meta_path
            assert _spawn.registered_roots() == roots
            # Clear: the message names the offending input (a NUL in the path is
            # test_a_nul_byte_in_the_path_is_reported_naming_the_path's business).
            if not (isinstance(path, str) and "\0" in path):
                shown = [repr(name), repr(path), str(path)]
                assert any(s in message for s in shown), (type(exc), message)
        except RuntimeError as exc:
            # Documented: whatever the package body raises, entries removed.
            assert where == "raising" and "raisingpkg body fails" in str(exc)
            assert set(sys.modules) == modules, set(sys.modules) ^ modules
            assert _spawn.registered_roots() == roots
        else:
            assert where in ("good", "good_path", "link", "unreadable", "bytes") or isinstance(
                name, str
            )
            assert module.X == 1
            _spawn._forget(name)  # type: ignore[arg-type]
        finally:
            lazyimp.uninstall_pickler()


def test_a_nul_byte_in_the_path_is_reported_naming_the_path(tmp_path: Path) -> None:
    """import_module_from_path('pkg', 'dir/a\\0b') raises a ValueError naming the path (contract C11.1)."""
    import lazyimp

    with import_state():
        try:
            with pytest.raises(ValueError) as info:
                lazyimp.import_module_from_path("pkg_nul", str(tmp_path) + "/a\0b")
        finally:
            lazyimp.uninstall_pickler()
    assert "pkg_nul" in str(info.value) and str(tmp_path) in str(info.value), str(info.value)


# -- configuration ---------------------------------------------------------------------

KEYS = ["ignore", "ignore_packages", "ignore_paths", "ignore_importers", "defaults", "filter", "memory"]
ENV_VARS = [
    "LAZYIMP_IGNORE",
    "LAZYIMP_IGNORE_PACKAGES",
    "LAZYIMP_IGNORE_PATHS",
    "LAZYIMP_IGNORE_IMPORTERS",
    "LAZYIMP_LAZY_FROM",
    "LAZYIMP_VERBOSE",
    "LAZYIMP_DISABLE",
    "LAZYIMP_SOMETHING_ELSE",
]

# Values travel to the child as JSON; these markers become Python objects there.
MARKERS = ["<callable>", "<object>", "<bytes>", "<path>", "<set>"]


def scalar() -> st.SearchStrategy[object]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.floats(allow_nan=False, width=16),
        st.sampled_from(
            [
                "",
                "foo",
                "foo.bar",
                "foo,bar",
                " foo ",
                "1bad",
                "a..b",
                "*",
                "/abs/*.py",
                "rel/dir",
                "re[l",
                "x\0y",
                "é",
                "class",
                "import",
            ]
            + MARKERS
        ),
        st.text(max_size=8),
    )


def value() -> st.SearchStrategy[object]:
    return st.one_of(scalar(), st.lists(scalar(), max_size=3))


def toml_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                '"foo"',
                "true",
                "1",
                '["foo", "bar.baz"]',
                '["1bad"]',
                "[1, 2]",
                '"x,y"',
                "{a = 1}",
                '"/abs/*.py"',
                '"rel/dir"',
                "[",
                '"unterminated',
            ]
        ),
        st.text(alphabet=string.printable, max_size=10),
    )


@st.composite
def configurations(draw: st.DrawFn) -> dict[str, object]:
    kwargs = draw(
        st.dictionaries(st.sampled_from(KEYS + ["ignores", "Filter", "debug"]), value(), max_size=3)
    )
    env = draw(
        st.dictionaries(
            st.sampled_from(ENV_VARS),
            st.one_of(
                st.sampled_from(
                    [
                        "",
                        "0",
                        "1",
                        "foo",
                        "foo,bar",
                        "foo,,bar",
                        " , ",
                        "1bad",
                        "a..b",
                        "/abs/*.py",
                        "rel[",
                        "yes",
                        "maybe",
                        "x\x7fy",
                    ]
                ),
                st.text(alphabet=string.printable.replace("\0", ""), max_size=10),
            ),
            max_size=3,
        )
    )
    pyproject = draw(
        st.one_of(
            st.none(),
            st.just(""),
            st.builds(
                lambda header, items: header + "\n" + "\n".join(f"{k} = {v}" for k, v in items),
                st.sampled_from(
                    [
                        "[tool.lazyimp]",
                        "[tool.lazyimp",
                        "[tool]\nlazyimp = 3",
                        "[tool.other]",
                        "tool.lazyimp = 1",
                    ]
                ),
                st.lists(
                    st.tuples(st.sampled_from(KEYS + ["nope", "ignore-packages"]), toml_value()),
                    max_size=3,
                ),
            ),
            st.text(max_size=30).map(lambda t: "[tool.lazyimp]\n" + t),
            st.binary(max_size=20).map(lambda b: "<binary>" + b.hex()),
        )
    )
    return {"kwargs": kwargs, "env": env, "pyproject": pyproject}


CONFIG_CHILD = r"""
import json, os, pathlib, sys
import lazyimp

def materialise(v):
    if isinstance(v, list):
        return [materialise(x) for x in v]
    return {
        "<callable>": (lambda *a: True), "<object>": object(), "<bytes>": b"foo",
        "<path>": pathlib.Path("rel/dir"), "<set>": {"foo"},
    }.get(v, v) if isinstance(v, str) else v

cases = json.load(open(sys.argv[1]))
workdir = pathlib.Path(sys.argv[2])
failures = []
for i, case in enumerate(cases):
    d = workdir / f"case{i}"
    d.mkdir()
    text = case["pyproject"]
    if text is not None:
        if text.startswith("<binary>"):
            (d / "pyproject.toml").write_bytes(b"[tool.lazyimp]\n" + bytes.fromhex(text[8:]))
        else:
            (d / "pyproject.toml").write_text(text, encoding="utf-8")
    os.chdir(d)
    for key in [k for k in os.environ if k.startswith("LAZYIMP")]:
        del os.environ[key]
    os.environ.update(case["env"])
    kwargs = {k: materialise(v) for k, v in case["kwargs"].items()}
    before = sys.meta_path[:]
    try:
        importer = lazyimp.install(**kwargs)
    except (TypeError, ValueError) as exc:
        msg = str(exc)
        if sys.meta_path != before:
            failures.append([case, "meta_path changed after " + repr(exc)])
        elif not any(s in msg for s in ("install()", "LAZYIMP_", "pyproject.toml")):
            failures.append([case, "error does not name its source: " + repr(exc)])
    except BaseException as exc:
        failures.append([case, "undocumented " + type(exc).__name__ + ": " + str(exc)])
    else:
        # install() returned: the switch's value was understood (else ValueError).
        disabled = lazyimp._state.flag("LAZYIMP_DISABLE")
        if not disabled and sys.meta_path[0] is not importer:
            failures.append([case, "installed but not first on sys.meta_path"])
        if disabled and sys.meta_path != before:
            failures.append([case, "LAZYIMP_DISABLE set but sys.meta_path changed"])
        if sum(f is importer for f in sys.meta_path) > 1:
            failures.append([case, "two importers"])
    finally:
        for key in [k for k in os.environ if k.startswith("LAZYIMP")]:
            del os.environ[key]
        lazyimp.uninstall()
        if lazyimp.is_installed() or any(type(f).__name__ == "Importer" for f in sys.meta_path):
            failures.append([case, "uninstall() left the finder"])
print(json.dumps(failures))
"""


@given(batch=st.lists(configurations(), min_size=25, max_size=25))
@settings(max_examples=6 * SCALE)
def test_random_configuration_installs_or_fails_clearly(
    tmp_path_factory: pytest.TempPathFactory, batch: list[dict[str, object]]
) -> None:
    """Random install() keywords, LAZYIMP_* values and pyproject.toml: success or TypeError/ValueError naming the source, meta_path unchanged (contract C4.4)."""
    work = tmp_path_factory.mktemp("config")
    cases = work / "cases.json"
    cases.write_text(json.dumps(batch))
    proc = run_python(CONFIG_CHILD, tmp_path=work, args=[str(cases), str(work)], timeout=60)
    failures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not failures, json.dumps(failures[:3], indent=1)


# -- policy patterns -------------------------------------------------------------------

PARTS = ["foo", "foobar", "bar", "f", "foo_", "x", "baz"]
module_names = st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map(".".join)


@contextlib.contextmanager
def empty_cwd(path: Path):  # build() reads ./pyproject.toml
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@given(
    packages=st.lists(module_names, max_size=4),
    exact=st.lists(module_names, max_size=3),
    name=module_names,
)
@settings(max_examples=300 * SCALE)
def test_ignore_rules_match_as_documented(
    tmp_path_factory: pytest.TempPathFactory, packages: list[str], exact: list[str], name: str
) -> None:
    """ignore_packages 'foo' covers foo and foo.bar, never foobar; ignore is exact (contract C3.9)."""
    from lazyimp import _policy

    with empty_cwd(tmp_path_factory.getbasetemp()):
        config = _policy.build(
            {"ignore_packages": packages, "ignore": exact, "defaults": False}, environ=[]
        )
    covered = name in exact or any(name == p or name.startswith(p + ".") for p in packages)
    reason = config.eager_reason(name, None)
    assert (reason is not None) is covered, (name, packages, exact, reason)


DIRS = ["/a", "/a/b", "/ab", "/a/b/c", "/x"]
FILES = st.builds(
    lambda d, f: f"{d}/{f}",
    st.sampled_from(DIRS + ["/a/bc", "/abc"]),
    st.sampled_from(["m.py", "__init__.py", "b.py"]),
)


@given(dirs=st.lists(st.sampled_from(DIRS), max_size=3), origin=FILES)
@settings(max_examples=200 * SCALE)
def test_ignore_paths_cover_files_below_a_directory_only(
    tmp_path_factory: pytest.TempPathFactory, dirs: list[str], origin: str
) -> None:
    """ignore_paths '/a/b' covers /a/b/m.py and /a/b/c/m.py, not /a/bc/m.py (contract C3.9)."""
    from lazyimp import _policy

    with empty_cwd(tmp_path_factory.getbasetemp()):
        config = _policy.build({"ignore_paths": dirs, "defaults": False}, environ=[])
    covered = any(origin.startswith(d + "/") for d in dirs)
    assert (config.eager_reason("some_module", origin) is not None) is covered, (dirs, origin)


@given(name=st.text(alphabet=string.ascii_lowercase + "._", min_size=1, max_size=10))
@settings(max_examples=200 * SCALE)
def test_ignore_entries_are_dotted_names_or_a_value_error(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    """An ignore entry is accepted exactly when it is a dotted module name (contract C4.4)."""
    from lazyimp import _policy

    valid = all(part.isidentifier() for part in name.split("."))
    with empty_cwd(tmp_path_factory.getbasetemp()):
        try:
            config = _policy.build({"ignore": [name]}, environ=[])
        except ValueError as exc:
            assert not valid and repr(name) in str(exc) and "install()" in str(exc)
        else:
            assert valid and name in config.ignore
    assert not keyword.iskeyword("lazyimp")
