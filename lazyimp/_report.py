"""The start-up report: registry -> ``Report`` (plain data) -> text, JSON, importtime, trace.

``report()`` reads ``_registry.RECORDS`` and ``sys.modules`` once and builds a
``Report`` of dataclasses; each writer turns that into one format (contract C9.1):

- ``text``: a summary (deferred, resolved, never used, time and memory saved against
  an eager estimate), the resolved modules by load time, the names never used.
- ``json``: one object with a ``version`` key; the schema is ``report-schema.json``
  beside this file.
- ``importtime``: the ``python -X importtime`` layout, each resolution nested under
  the module whose import statement created the proxy, so tuna and
  importtime-waterfall draw what each importer cost.
- ``chrome-trace``: trace-event JSON (one complete ``X`` event per resolution, nested
  by what triggered it) for Perfetto and ``chrome://tracing``.

Known limits: the report covers the current process only.  Times are those of the
module body, measured by the core around each resolution; a body's time includes the
eager imports it makes (as ``-X importtime``'s cumulative column does).  The "saved"
figures are estimates: lazyimp cannot time a body it never ran, so it charges each
never-used module the mean self time and memory of the resolved ones.  Modules
imported while lazyimp was off have no timing at all (state ``other``).
"""

from __future__ import annotations

import os
import sys
import time

from . import _finder, _install, _registry, _state
from ._reportfmt import SCHEMA_VERSION as SCHEMA_VERSION
from ._reportfmt import _where

# This module is usually first imported by report(), while lazy imports are on.  Its
# own imports stay eager so that they do not show up in the report as deferred and
# never used (dataclasses imports copy and inspect): they count as "other".  An eager
# import of a module the program already holds lazily leaves it unexecuted.
with _install.disabled():
    import json
    from dataclasses import dataclass, field, fields
    from typing import Any

FORMATS = ("text", "json", "importtime", "chrome-trace")

# States whose module was handed out as a proxy.
_DEFERRED = (_registry.PROXIED, _registry.RESOLVED, _registry.FAILED)


@dataclass
class ModuleEntry:
    """One module as the report sees it (times in seconds, memory in bytes).

    ``started_at`` counts from ``install()``.  ``load_time`` is the body's duration
    including resolutions it triggered; ``self_time`` excludes them.
    """

    name: str
    state: str
    reason: str | None = None
    importer: str | None = None
    import_file: str | None = None
    import_line: int | None = None
    trigger_module: str | None = None
    trigger_file: str | None = None
    trigger_line: int | None = None
    parent: str | None = None
    started_at: float | None = None
    load_time: float | None = None
    self_time: float | None = None
    memory_before: int | None = None
    memory_after: int | None = None
    attempts: int = 0
    # For a module never used: whether the importing module's code ever reads what
    # the import statement bound (None: not known, e.g. code run by -c or a REPL).
    # An unread binding may mean the import was made for its body's side effects.
    binding_read: bool | None = None

    @property
    def memory_delta(self) -> int | None:
        """Resident memory the resolution added (bytes), or None if not sampled."""
        if self.memory_before is None or self.memory_after is None:
            return None
        return self.memory_after - self.memory_before


@dataclass
class Totals:
    """Counts per state and the sums and estimates the summary prints."""

    modules: int = 0
    deferred: int = 0
    resolved: int = 0
    never_used: int = 0
    failed: int = 0
    existing: int = 0
    ignored: int = 0
    eager: int = 0
    other: int = 0
    load_time: float = 0.0
    memory_loaded: int | None = None
    # Estimates for the modules never used (None when nothing resolved to learn from).
    time_saved: float | None = None
    memory_saved: int | None = None


@dataclass
class Report:
    """What lazyimp saw in this process: one ``ModuleEntry`` per module, and totals.

    ``engine`` is ``lazyimp.engine()``: ``"proxy"`` (3.10-3.14) or ``"pep810"``
    (3.15+, where "deferred" means the interpreter bound a lazy object and
    "resolved" that it later imported the module).  ``modules`` is sorted by name.  Render it with ``render(format)`` or ``write``.
    """

    version: int
    engine: str
    installed: bool
    elapsed: float | None
    memory_probe: bool
    totals: Totals
    modules: list[ModuleEntry] = field(default_factory=list)
    # The configuration in effect (``Importer.config.as_dict()`` made plain: entries
    # with their sources, the number of install() calls merged); None before install.
    config: dict[str, Any] | None = None

    def by_state(self, state: str) -> list[ModuleEntry]:
        """The entries in ``state`` (one of the ``_registry`` state names)."""
        return [m for m in self.modules if m.state == state]

    def resolved_by_load_time(self) -> list[ModuleEntry]:
        """Resolved modules, slowest self time first."""
        done = self.by_state(_registry.RESOLVED)
        return sorted(done, key=lambda m: (-(m.self_time or 0.0), m.name))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``report-schema.json``)."""

        # Shallow, field by field: dataclasses.asdict deep-copies and is 10x slower.
        def plain(obj: Any) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in fields(obj)}

        modules = []
        for mod in self.modules:
            entry = plain(mod)
            entry["memory_delta"] = mod.memory_delta
            modules.append(entry)
        data = plain(self)
        data["totals"] = plain(self.totals)
        data["modules"] = modules
        return data

    def render(self, format: str = "text") -> str:
        """Render in ``format``: ``text``, ``json``, ``importtime`` or ``chrome-trace``.

        Raises:
            ValueError: ``format`` is not one of those.
        """
        return _WRITERS[_check_format(format)](self)

    def write(self, file: Any = None, format: str = "text") -> None:
        """Write ``render(format)`` to ``file``: a text stream or a path; None is stderr.

        Raises:
            ValueError: unknown ``format``.
            TypeError: ``file`` is neither a writable text stream nor a path.
            OSError: the path cannot be written.
        """
        text = self.render(format)
        if file is None:
            file = sys.stderr
        if isinstance(file, (str, os.PathLike)):
            with open(file, "w", encoding="utf-8") as out:
                out.write(text)
            return
        write = getattr(file, "write", None)
        if not callable(write):
            raise TypeError(
                f"report(file=...) expects a writable text stream, a path or None "
                f"(stderr), got {file!r}"
            )
        try:
            write(text)
        except TypeError as exc:
            raise TypeError(
                f"report(file=...) could not write text to {file!r} ({exc}); "
                f"open it in text mode or pass a path"
            ) from exc
        flush = getattr(file, "flush", None)
        if callable(flush):
            flush()


def _check_format(format: object) -> str:
    if format not in FORMATS:
        raise ValueError(
            f"report(format={format!r}) is not a known format: expected one of "
            + ", ".join(repr(f) for f in FORMATS)
        )
    return str(format)


def report(file: Any = None, format: str = "text") -> Report:
    """Write the start-up report to ``file`` and return it as data (contract C9.1).

    The eager counterpart is ``python -X importtime``; this report also knows which
    modules were deferred and never used, what triggered each load and where the
    import statement was.

    Args:
        file: a writable text stream, a path (str or ``os.PathLike``) to write to, or
            None for ``sys.stderr``.
        format: ``"text"``, ``"json"``, ``"importtime"`` or ``"chrome-trace"``.

    Returns:
        The ``Report``.

    Raises:
        ValueError: unknown ``format``.
        TypeError: ``file`` is neither a text stream nor a path.
        OSError: the path cannot be written.
    """
    _check_format(format)
    if file is not None and not isinstance(file, (str, os.PathLike)):
        if not callable(getattr(file, "write", None)):
            raise TypeError(
                f"report(file=...) expects a writable text stream, a path or None "
                f"(stderr), got {file!r}"
            )
    data = collect()
    data.write(file, format)
    return data


def collect() -> Report:
    """Build a ``Report`` from the registry and ``sys.modules`` without writing it."""
    _finder.sync_registry()  # install() leaves the registry unloaded until needed
    now = time.perf_counter()
    installed_at = _registry.installed_at
    records = dict(_registry.RECORDS)
    entries: dict[str, ModuleEntry] = {}
    for name, rec in records.items():
        entries[name] = ModuleEntry(
            name=name,
            state=rec.state,
            reason=rec.reason,
            importer=rec.importer,
            import_file=rec.import_file,
            import_line=rec.import_line,
            trigger_module=rec.trigger_module,
            trigger_file=rec.trigger_file,
            trigger_line=rec.trigger_line,
            parent=rec.parent,
            started_at=(
                rec.started_at - installed_at
                if rec.started_at is not None and installed_at is not None
                else None
            ),
            load_time=rec.duration,
            memory_before=rec.memory_before,
            memory_after=rec.memory_after,
            attempts=rec.attempts,
        )
    _fill_binding_reads(entries)  # may import lazyimp._bindings: before the sweep
    for name in list(sys.modules):
        if name not in entries:
            entries[name] = ModuleEntry(name=name, state=_registry.OTHER)
    _fill_self_times(entries)
    modules = sorted(entries.values(), key=lambda m: m.name)
    return Report(
        version=SCHEMA_VERSION,
        engine=_finder.engine(),
        installed=installed_at is not None,
        elapsed=now - installed_at if installed_at is not None else None,
        memory_probe=_registry.memory_probe is not None,
        totals=_totals(modules),
        modules=modules,
        config=_config() if installed_at is not None else None,
    )


def _config() -> dict[str, Any] | None:
    # The importer's configuration, as plain data (callables by their repr).
    importer: _finder.Importer | None = _state.importer
    if importer is None:
        return None
    data = importer.config.as_dict()
    for key in ("filter", "memory"):
        value = data[key]
        if value is not None and not isinstance(value, bool):
            data[key] = repr(value)
    return data


def _fill_binding_reads(entries: dict[str, ModuleEntry]) -> None:
    # For each module never used: does the importing module's code ever read what
    # the statement bound?  Read from the importer's source, compiled again here,
    # so the import hot path keeps nothing for it (the report pays, when asked).
    never = [m for m in entries.values() if m.state == _registry.PROXIED]
    if not never:
        return
    from . import _bindings

    for m in never:
        if m.import_file and m.import_line and m.importer:
            m.binding_read = _bindings.read_at(m.import_file, m.import_line, m.importer, m.name)


def _fill_self_times(entries: dict[str, ModuleEntry]) -> None:
    # A body's duration includes the resolutions it triggered (their ``parent`` is
    # this module); self time is what is left, never negative (clock jitter).
    nested: dict[str, float] = {}
    for entry in entries.values():
        if entry.parent is not None and entry.load_time is not None:
            nested[entry.parent] = nested.get(entry.parent, 0.0) + entry.load_time
    for entry in entries.values():
        if entry.load_time is not None:
            entry.self_time = max(0.0, entry.load_time - nested.get(entry.name, 0.0))


def _resolved_ancestor(entry: ModuleEntry, by_name: dict[str, ModuleEntry]) -> str | None:
    # The nearest enclosing resolution of this entry, through timed eager imports.
    seen = {entry.name}
    parent = entry.parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        up = by_name.get(parent)
        if up is None:
            return None
        if up.state == _registry.RESOLVED:
            return parent
        parent = up.parent
    return None


def _totals(modules: list[ModuleEntry]) -> Totals:
    t = Totals(modules=len(modules))
    counts: dict[str, int] = {}
    for m in modules:
        counts[m.state] = counts.get(m.state, 0) + 1
    t.resolved = counts.get(_registry.RESOLVED, 0)
    t.never_used = counts.get(_registry.PROXIED, 0)
    t.failed = counts.get(_registry.FAILED, 0)
    t.deferred = t.resolved + t.never_used + t.failed
    t.existing = counts.get(_registry.EXISTING, 0)
    t.ignored = counts.get(_registry.IGNORED, 0)
    t.eager = counts.get(_registry.EAGER, 0)
    t.other = counts.get(_registry.OTHER, 0)
    resolved = [m for m in modules if m.state == _registry.RESOLVED]
    # Resolutions nest, so the total is each body's time less the resolutions nested
    # in it (no double counting).  Eager imports timed inside a body (record_eager)
    # count as the body's: nested is looked for through them.
    by_name = {m.name: m for m in modules}
    nested: dict[str, float] = {}
    for m in resolved:
        owner = _resolved_ancestor(m, by_name)
        if owner is not None:
            nested[owner] = nested.get(owner, 0.0) + (m.load_time or 0.0)
    t.load_time = sum(max(0.0, (m.load_time or 0.0) - nested.get(m.name, 0.0)) for m in resolved)
    if resolved:
        t.time_saved = t.never_used * t.load_time / len(resolved)
    # Memory: top-level resolutions only (a nested one is inside its parent's delta).
    deltas = [m.memory_delta for m in resolved]
    if resolved and all(d is not None for d in deltas):
        top = [m.memory_delta or 0 for m in resolved if m.parent is None]
        t.memory_loaded = sum(top)
        t.memory_saved = round(t.never_used * t.memory_loaded / len(resolved))
    return t


# --- text -----------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.2f}"


def _kib(nbytes: int | None) -> str:
    return "-" if nbytes is None else f"{nbytes / 1024:+.0f}"


def _size(nbytes: int | None) -> str:
    if nbytes is None:
        return "unknown"
    if abs(nbytes) < 1048576:
        return f"{nbytes / 1024:.0f} KiB"
    return f"{nbytes / 1048576:.1f} MiB"


def _columns() -> int:
    """The width the text report fits: the terminal's (``COLUMNS`` first), else 100."""
    import shutil

    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _elide(text: str, room: int) -> str:
    # Keep both ends (the package and the line number): a.b...z.mod:12.
    if len(text) <= room:
        return text
    if room <= 3:
        return text[:room]
    head = (room - 3) // 2
    return text[:head] + "..." + text[len(text) - (room - 3 - head) :]


def _write_text(rep: Report) -> str:
    t = rep.totals
    lines: list[str] = []
    if not rep.installed:
        lines.append(
            f"lazyimp report: lazyimp was never installed in this process; "
            f"{t.modules} modules imported by other means"
        )
        return "\n".join(lines) + "\n"
    elapsed = f" in the {rep.elapsed:.3f} s since install()" if rep.elapsed else ""
    lines.append(f"lazyimp report: {t.deferred} modules deferred{elapsed} (engine: {rep.engine})")
    lines.append(f"  resolved     {t.resolved:6d}  (body ran on first use)")
    lines.append(f"  never used   {t.never_used:6d}  (never executed)")
    if t.failed:
        lines.append(f"  failed       {t.failed:6d}  (body raised on first use)")
    lines.append(
        f"  kept eager   {t.ignored + t.eager:6d}  "
        f"(ignored by policy {t.ignored}, eager by kind or place {t.eager})"
    )
    lines.append(f"  existing     {t.existing:6d}  (imported before install)")
    lines.append(f"  other        {t.other:6d}  (imported while off or by other means)")
    lines.append(f"Load time of resolved modules: {_ms(t.load_time)} ms")
    if t.time_saved is not None:
        lines.append(
            f"Time saved (estimate): {_ms(t.time_saved)} ms "
            f"({t.never_used} never-used modules at the resolved modules' mean self time)"
        )
        if t.never_used:
            lines.append(
                "  a floor: what those modules would have imported is not counted; "
                "'python -m lazyimp compare' measures the difference"
            )
    else:
        lines.append("Time saved (estimate): unknown (no module resolved to learn from)")
    if rep.memory_probe:
        lines.append(f"Memory added by resolutions: {_size(t.memory_loaded)}")
        if t.memory_saved is not None:
            lines.append(f"Memory saved (estimate): {_size(t.memory_saved)}")
    resolved = rep.resolved_by_load_time()
    columns = _columns()
    if resolved:
        lines.append("")
        lines.append("Resolved modules by load time (ms; memory in KiB):")
        # The module column takes at most a third of the line; the two places share
        # what is left, each elided in the middle when it does not fit.
        width = min(max(len(m.name) for m in resolved), max(12, columns // 3))
        prefix = 2 + 3 * 9 + 1 + width + 2
        lines.append(
            f"  {'self':>8} {'total':>8} {'memory':>8}  {'module':<{width}}  "
            + _elide("first used at  <-  imported at", max(0, columns - prefix))
        )
        for m in resolved:
            first = _where(m.trigger_file, m.trigger_line, m.trigger_module)
            imported = _where(m.import_file, m.import_line, m.importer)
            row = (
                f"  {_ms(m.self_time):>8} {_ms(m.load_time):>8} {_kib(m.memory_delta):>8}  "
                f"{_elide(m.name, width):<{width}}  "
            )
            room = max(8, columns - prefix)
            if len(first) + len("  <-  ") + len(imported) <= room:
                lines.append(f"{row}{first}  <-  {imported}")
            else:  # the import statement on a line of its own, under the first use
                lines.append(row + _elide(first, room))
                lines.append(" " * prefix + _elide(f"<-  {imported}", room))
    failed = rep.by_state(_registry.FAILED)
    if failed:
        lines.append("")
        lines.append(f"Failed on first use ({len(failed)}):")
        for m in failed:
            lines.append(
                f"  {m.name}  first used at "
                f"{_where(m.trigger_file, m.trigger_line, m.trigger_module)}"
            )
    never = rep.by_state(_registry.PROXIED)
    lines.append("")
    lines.append(f"Never used ({len(never)}):")
    if never:
        lines.extend(_wrap([m.name + ("*" if m.binding_read is False else "") for m in never], columns))
        unread = [m for m in never if m.binding_read is False]
        if unread:
            lines.append(
                f"  * {len(unread)} imported by a module that never reads the name it binds: "
                "if one was imported for what its body does (a registry, a hook), deferring "
                "it changes the program; 'python -m lazyimp bisect' finds out"
            )
    else:
        lines.append("  (none)")
    lines.extend(_config_lines(rep.config))
    return "\n".join(lines) + "\n"


def _config_lines(config: dict[str, Any] | None) -> list[str]:
    # What the configuration adds to the defaults, each entry with its source.
    if not config:
        return []
    out: list[str] = []
    for key in ("ignore", "ignore_packages", "ignore_paths", "ignore_importers"):
        entries = config.get(key) or {}
        if entries:
            listed = ", ".join(f"{name} ({source})" for name, source in sorted(entries.items()))
            out.append(f"  {key}: {listed}")
    sources = config.get("sources", {})
    for key in ("defaults", "lazy_from", "filter", "memory"):
        if sources.get(key, "default") != "default":
            out.append(f"  {key}: {config.get(key)} ({sources[key]})")
    calls = config.get("install_calls") or 0
    if not out and calls <= 1:
        return []
    head = f"Configuration ({calls} install() calls merged):" if calls > 1 else "Configuration:"
    return ["", head, *out]


def _wrap(names: list[str], width: int = 88) -> list[str]:
    out: list[str] = []
    line = " "
    for name in names:
        if len(line) + len(name) + 1 > width and line.strip():
            out.append(line.rstrip(","))
            line = " "
        line += f" {name},"
    if line.strip():
        out.append(line.rstrip(","))
    return out


# --- json -----------------------------------------------------------------------------


def _write_json(rep: Report) -> str:
    return json.dumps(rep.to_dict(), indent=2) + "\n"


def _write_importtime(rep: Report) -> str:
    from . import _timeline  # the timeline exports load when one is asked for

    return _timeline.write_importtime(rep)


def _write_chrome_trace(rep: Report) -> str:
    from . import _timeline

    return _timeline.write_chrome_trace(rep)


_WRITERS = {
    "text": _write_text,
    "json": _write_json,
    "importtime": _write_importtime,
    "chrome-trace": _write_chrome_trace,
}
