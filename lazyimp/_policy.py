"""What must stay eager: ignore lists, built-in defaults, the filter, config sources.

Configuration comes from four sources, merged in this order (later wins for a
scalar, lists are merged and every entry remembers its source):

1. the built-in defaults (``DEFAULT_IGNORE`` below; ``defaults=False`` drops them),
2. ``[tool.lazyimp]`` in ``pyproject.toml`` of the working directory,
3. the environment: ``LAZYIMP_IGNORE``, ``LAZYIMP_IGNORE_PACKAGES``,
   ``LAZYIMP_IGNORE_PATHS``, ``LAZYIMP_IGNORE_IMPORTERS`` (comma-separated),
   ``LAZYIMP_LAZY_FROM`` (1 or 0),
4. the keyword arguments of ``install()``.

``pyproject.toml`` is parsed only when its bytes contain ``[tool.lazyimp]``:
``import tomllib`` alone costs 5-18 ms, more than the whole install budget.

Known limits: ignoring a module keeps *its import* eager, not the imports its body
makes; use ``ignore_packages`` for a whole tree.
"""

from __future__ import annotations

import os
import sys

from . import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any


# Each entry: why deferring this module breaks programs.
DEFAULT_IGNORE: dict[str, str] = {
    # Each entry has a test in tests/test_policy.py showing what breaks without it.
    # Entries we could not show breaking were dropped (modules always imported
    # before install() can run, such as __main__, site and encodings, never reach
    # the finder; sqlalchemy's registering submodules are imported by its own
    # __init__, which the package-own-submodule rule keeps eager).
    "sitecustomize": "exists only for its import-time side effects",
    "usercustomize": "exists only for its import-time side effects",
    "rlcompleter": "installs the readline completer at import",
    "this": "prints the Zen of Python at import: the side effect is the point",
    "antigravity": "opens a browser at import: the side effect is the point",
}
DEFAULT_IGNORE_PACKAGES: dict[str, str] = {}
# Packages whose own modules import eagerly (importing the package from outside stays
# lazy): their modules fill registries at import that other modules of the package
# read while they run, which their code does not show (contract C3.6).  Each has a test
# with the real library in tests/test_side_effects.py.
DEFAULT_IGNORE_IMPORTERS: dict[str, str] = {
    "matplotlib": "its modules register docstring parameters at import "
    "(_docstring.interpd) that other modules' class bodies interpolate while they run "
    "(deferred: KeyError '_legend_kw_axes', 'contour_doc')",
    "sqlalchemy": "its modules import each other in cycles that only work in the order "
    "its own imports run them, and register events and preloaded modules at import "
    "(deferred: ImportError from the partly initialised sqlalchemy.orm.mapped_collection)",
    "alembic": "its modules import each other in a cycle (runtime.migration, ddl, "
    "autogenerate.render, operations.ops, operations.base) that works only entered at "
    "alembic.ddl, where its own imports enter it (deferred: ImportError from the partly "
    "initialised alembic.operations.base)",
}

KEYS = (
    "ignore", "ignore_packages", "ignore_paths", "ignore_importers", "defaults", "filter",
    "memory", "lazy_from", "record_eager",
)
_GLOB = frozenset("*?[")
_ENV = {
    "LAZYIMP_IGNORE": "ignore",
    "LAZYIMP_IGNORE_PACKAGES": "ignore_packages",
    "LAZYIMP_IGNORE_PATHS": "ignore_paths",
    "LAZYIMP_IGNORE_IMPORTERS": "ignore_importers",
}


class Config:
    """The effective configuration, and where each entry came from.

    ``ignore``, ``ignore_packages`` and ``ignore_importers`` map a module name to
    its source; ``ignore_paths`` maps an absolute directory or glob to its source.  ``sources``
    tells where the scalar settings came from.
    """

    def __init__(self) -> None:
        self.ignore: dict[str, str] = {}
        self.ignore_packages: dict[str, str] = {}
        self.ignore_paths: dict[str, str] = {}
        self.ignore_importers: dict[str, str] = {}
        self.defaults = True
        self.filter: Callable[[str | None, str, tuple[str, ...] | None], bool] | None = None
        self.memory: Any = None
        self.lazy_from = False
        self.record_eager = False
        self.sources: dict[str, str] = {
            "defaults": "default",
            "filter": "default",
            "memory": "default",
            "lazy_from": "default",
            "record_eager": "default",
        }
        # How many install() calls this configuration merges (contract C1.1).
        self.calls = 0
        self._dirs: tuple[str, ...] = ()
        self._globs: tuple[str, ...] = ()
        # The top-level names any name rule mentions (modules, importers): a name
        # outside them needs no further look (built on first need; a Config is not
        # changed after build()).
        self._tops: tuple[frozenset[str], frozenset[str]] | None = None

    def as_dict(self) -> dict[str, Any]:
        """A plain snapshot (for printing and the report)."""
        return {
            "ignore": dict(self.ignore),
            "ignore_packages": dict(self.ignore_packages),
            "ignore_paths": dict(self.ignore_paths),
            "ignore_importers": dict(self.ignore_importers),
            "defaults": self.defaults,
            "filter": self.filter,
            "memory": self.memory,
            "lazy_from": self.lazy_from,
            "record_eager": self.record_eager,
            "sources": dict(self.sources),
            "install_calls": self.calls,
        }

    def __repr__(self) -> str:
        return f"Config({self.as_dict()!r})"

    def copy(self) -> Config:
        """An independent copy (a later install() merges into it)."""
        other = Config()
        other.ignore = dict(self.ignore)
        other.ignore_packages = dict(self.ignore_packages)
        other.ignore_paths = dict(self.ignore_paths)
        other.ignore_importers = dict(self.ignore_importers)
        other.defaults = self.defaults
        other.filter = self.filter
        other.memory = self.memory
        other.lazy_from = self.lazy_from
        other.record_eager = self.record_eager
        other.sources = dict(self.sources)
        other.calls = self.calls
        return other

    # -- matching ---------------------------------------------------------------------
    def _top_names(self) -> tuple[frozenset[str], frozenset[str]]:
        names = ["lazyimp", *self.ignore, *self.ignore_packages]
        importers = list(self.ignore_importers)
        if self.defaults:
            names += [*DEFAULT_IGNORE, *DEFAULT_IGNORE_PACKAGES]
            importers += DEFAULT_IGNORE_IMPORTERS
        self._tops = (
            frozenset(name.partition(".")[0] for name in names),
            frozenset(name.partition(".")[0] for name in importers),
        )
        return self._tops

    def importer_reason(self, importer: str) -> str | None:
        """Why every import made by module ``importer`` stays eager, or None."""
        if importer.partition(".")[0] not in (self._tops or self._top_names())[1]:
            return None
        head = importer
        while True:
            if self.defaults and head in DEFAULT_IGNORE_IMPORTERS:
                return f"default: imports made inside {head}: {DEFAULT_IGNORE_IMPORTERS[head]}"
            source = self.ignore_importers.get(head)
            if source is not None:
                return f"ignore_importers {head!r} ({source})"
            head, dot, _ = head.rpartition(".")
            if not dot:
                return None

    def eager_reason(self, name: str, origin: str | None) -> str | None:
        """Why the policy keeps ``name`` eager, or None to let it be lazy."""
        if name.partition(".")[0] not in (self._tops or self._top_names())[0]:
            if not origin or not (self._dirs or self._globs):
                return None
        elif name == "lazyimp" or name.startswith("lazyimp."):
            return "lazyimp itself: resolving must never need a lazy module of its own"
        if self.defaults:
            if name in DEFAULT_IGNORE:
                return f"default: {DEFAULT_IGNORE[name]}"
            for pkg, why in DEFAULT_IGNORE_PACKAGES.items():
                if name == pkg or name.startswith(pkg + "."):
                    return f"default: {why}"
        source = self.ignore.get(name)
        if source is not None:
            return f"ignore ({source})"
        if self.ignore_packages:
            head = name
            while True:
                source = self.ignore_packages.get(head)
                if source is not None:
                    return f"ignore_packages {head!r} ({source})"
                head, dot, _ = head.rpartition(".")
                if not dot:
                    break
        if origin and (self._dirs or self._globs):
            for directory in self._dirs:
                if origin.startswith(directory):
                    return f"ignore_paths {directory!r} ({self.ignore_paths[directory]})"
            if self._globs:
                from fnmatch import fnmatchcase

                for pattern in self._globs:
                    if fnmatchcase(origin, pattern):
                        return f"ignore_paths {pattern!r} ({self.ignore_paths[pattern]})"
        return None


def _names(value: Any, key: str, source: str) -> list[str]:
    if isinstance(value, str):
        value = [value] if source == "install()" else value.split(",")
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError(
            f"{key} from {source} must be a list of module names, got {type(value).__name__}"
        )
    out = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError(f"{key} from {source}: expected a module name string, got {item!r}")
        item = item.strip()
        if not item and source.startswith("environment"):
            continue
        if not item or not all(part.isidentifier() for part in item.split(".")):
            raise ValueError(
                f"{key} from {source}: {item!r} is not a dotted module name (like 'pkg.mod')"
            )
        out.append(item)
    return out


def _paths(value: Any, source: str, cwd: str) -> list[str]:
    if isinstance(value, (str, os.PathLike)):
        value = [value] if source == "install()" else str(value).split(",")
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError(
            f"ignore_paths from {source} must be a list of paths, got {type(value).__name__}"
        )
    out = []
    for item in value:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"ignore_paths from {source}: expected a path, got {item!r}")
        text = os.fspath(item).strip()
        if not text:
            if source.startswith("environment"):
                continue
            raise ValueError(f"ignore_paths from {source}: empty path")
        if "\0" in text:
            raise ValueError(f"ignore_paths from {source}: {text!r} contains a NUL byte")
        if _GLOB.intersection(text):
            if not (os.path.isabs(text) or text.startswith("*")):
                raise ValueError(
                    f"ignore_paths from {source}: glob {text!r} can never match: globs are "
                    "matched against absolute file paths, so start it with '/' or '*'"
                )
            out.append(text)
        else:
            path = os.path.normpath(os.path.join(cwd, text))
            out.append(path.rstrip(os.sep) + os.sep)
    return out


def _merge(config: Config, values: dict[str, Any], source: str, cwd: str) -> None:
    for key, value in values.items():
        if key not in KEYS:
            raise TypeError(
                f"unknown lazyimp setting {key!r} from {source}; expected one of {', '.join(KEYS)}"
            )
        if key in ("ignore", "ignore_packages", "ignore_importers"):
            target = getattr(config, key)
            for name in _names(value, key, source):
                target[name] = source
        elif key == "ignore_paths":
            for path in _paths(value, source, cwd):
                config.ignore_paths[path] = source
        elif key in ("defaults", "lazy_from", "record_eager"):
            if not isinstance(value, bool):
                raise TypeError(f"{key} from {source} must be True or False, got {value!r}")
            setattr(config, key, value)
            config.sources[key] = source
        elif key == "filter":
            if value is not None and not callable(value):
                raise TypeError(
                    f"filter from {source} must be a callable "
                    f"filter(importer, name, fromlist) -> bool, got {value!r}"
                )
            config.filter = value
            config.sources[key] = source
        elif key == "memory":
            if not (value is None or isinstance(value, bool) or callable(value)):
                raise TypeError(
                    f"memory from {source} must be None, True, False or a callable returning "
                    f"bytes, got {value!r}"
                )
            config.memory = value
            config.sources[key] = source


def read_pyproject(cwd: str) -> dict[str, Any] | None:
    """``[tool.lazyimp]`` of ``cwd/pyproject.toml``, or None when there is none."""
    path = os.path.join(cwd, "pyproject.toml")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if b"tool.lazyimp" not in data:
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - 3.10 needs the tomli backport
        try:
            import tomli as tomllib
        except ImportError:
            raise ValueError(
                f"{path} has a [tool.lazyimp] section but Python 3.10 cannot read TOML "
                "without the 'tomli' package"
            ) from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None
    section = doc.get("tool", {}).get("lazyimp")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise TypeError(f"[tool.lazyimp] in {path} must be a table")
    if "filter" in section or "memory" in section:
        raise TypeError(f"[tool.lazyimp] in {path}: 'filter' and 'memory' can only be given to install()")
    return section


def build(
    arguments: dict[str, Any],
    environ: Iterable[tuple[str, str]] | None = None,
    base: Config | None = None,
    source: str = "install()",
) -> Config:
    """Merge defaults, pyproject.toml, the environment and ``install()`` arguments.

    Args:
        arguments: the keyword arguments of the call.
        environ: the environment (default ``os.environ``).
        base: a configuration already in effect: the arguments are merged into a
            copy of it (lists grow, scalars given replace), and the other sources
            are not read again.  None builds from the defaults up.
        source: how the arguments' entries are labelled in ``.config``.

    Raises:
        TypeError: an unknown setting or a value of the wrong type (naming the source).
        ValueError: a malformed module name, path, glob or TOML file.
    """
    cwd = os.getcwd()
    if base is not None:
        config = base.copy()
    else:
        config = Config()
        section = read_pyproject(cwd)
        if section:
            _merge(config, section, f"pyproject.toml [tool.lazyimp] in {cwd}", cwd)
        env = dict(environ) if environ is not None else os.environ
        for var, key in _ENV.items():
            value = env.get(var)
            if value is not None:
                _merge(config, {key: value}, f"environment ({var})", cwd)
        value = env.get("LAZYIMP_LAZY_FROM")
        if value is not None:
            lazy_from = _state.flag("LAZYIMP_LAZY_FROM", value)
            _merge(config, {"lazy_from": lazy_from}, "environment (LAZYIMP_LAZY_FROM)", cwd)
    _merge(config, arguments, source, cwd)
    config._dirs = tuple(p for p in config.ignore_paths if not _GLOB.intersection(p))
    config._globs = tuple(p for p in config.ignore_paths if _GLOB.intersection(p))
    return config
