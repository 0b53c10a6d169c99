"""The timeline exports of the report: ``importtime`` and ``chrome-trace`` (contract C9.2).

Both lay the timed loads out in time: lazy resolutions, and, with
``install(record_eager=True)``, the eager imports too.  ``importtime`` nests each load
under the load that asked for it, as ``python -X importtime`` prints it (tuna reads
it); ``chrome-trace`` is trace-event JSON, one complete event per load, for Perfetto
and ``chrome://tracing``.  Loaded only when one of them is asked for.

Known limits: the registry does not record threads, so the trace puts overlapping
top-level loads on separate lanes; modules imported while lazyimp was off have no
times and do not appear.
"""

from __future__ import annotations

import json
import os
from typing import Any

from . import _registry
from ._reportfmt import SCHEMA_VERSION, _where

TYPE_CHECKING = False
if TYPE_CHECKING:
    # For the annotations only: _report loads this module, never the other way round.
    from ._report import ModuleEntry, Report

# --- importtime -----------------------------------------------------------------------

_IMPORTTIME_HEADER = "import time: self [us] | cumulative | imported package"


def _timed(rep: Report) -> list[ModuleEntry]:
    # What the timeline exports show: lazy resolutions, and the eager imports timed
    # with install(record_eager=True).
    return [
        m for m in rep.modules
        if m.state == _registry.RESOLVED
        or (m.state in (_registry.EAGER, _registry.IGNORED) and m.load_time is not None)
    ]


def write_importtime(rep: Report) -> str:
    """The ``python -X importtime`` layout, readable by tuna (contract C9.2)."""
    # Each resolution goes under the resolution of the module whose import statement
    # created its proxy (its importer), not under whatever first used it: that is
    # what ``-X importtime`` shows for eager imports.  An importer that was not
    # itself resolved lazily (an eager module, __main__) has no line of its own, so
    # the resolution goes under the one that triggered it, or at the top.  Eager
    # imports (timed with record_eager) go under the import in progress when they
    # ran; lazy ones are then marked " (lazy)".  Lines come in the order ``-X
    # importtime`` prints them: a child before its parent (when it finishes),
    # siblings by start time; the indentation is two spaces per level.
    done = _timed(rep)
    names = {m.name for m in done}
    mixed = any(m.state != _registry.RESOLVED for m in done)
    children: dict[str | None, list[ModuleEntry]] = {}
    for m in done:
        order = (m.importer, m.parent) if m.state == _registry.RESOLVED else (m.parent, m.importer)
        owner = next((o for o in order if o in names and o != m.name), None)
        children.setdefault(owner, []).append(m)
    for group in children.values():
        group.sort(key=lambda m: (m.started_at or 0.0, m.name))

    lines = [_IMPORTTIME_HEADER]
    visiting: set[str] = set()

    def emit(entry: ModuleEntry, level: int) -> int:
        # Returns the cumulative time in microseconds; appends the lines.
        visiting.add(entry.name)
        own = round((entry.self_time or 0.0) * 1e6)
        cumulative = own
        for child in children.get(entry.name, ()):
            if child.name not in visiting:
                cumulative += emit(child, level + 1)
        mark = " (lazy)" if mixed and entry.state == _registry.RESOLVED else ""
        lines.append(f"import time: {own:9d} | {cumulative:10d} | {'  ' * level}{entry.name}{mark}")
        return cumulative

    for root in children.get(None, ()):
        emit(root, 0)
    return "\n".join(lines) + "\n"


# --- chrome-trace ---------------------------------------------------------------------


def write_chrome_trace(rep: Report) -> str:
    """Trace-event JSON for Perfetto and ``chrome://tracing`` (contract C9.2)."""
    # Every event has the fields the trace-event format requires (name, ph, ts, pid,
    # tid; metadata events carry ts 0, which readers ignore) and X events a dur.
    # One complete ("X") event per resolution.  Viewers nest X events of one thread
    # by time containment, and a resolution triggered inside another one's body
    # (``parent``) runs inside its interval, so nesting by trigger comes from the
    # times.  The registry does not record threads: top-level resolutions that
    # overlap in time (several threads) are put on separate lanes (tids) so that no
    # event straddles another.
    done = [
        m
        for m in rep.modules
        if m.state in (_registry.RESOLVED, _registry.FAILED, _registry.EAGER, _registry.IGNORED)
        and m.started_at is not None
        and m.load_time is not None
    ]
    by_name = {m.name: m for m in done}
    done.sort(key=lambda m: (m.started_at or 0.0, -(m.load_time or 0.0)))
    pid = os.getpid()
    lane_end: list[float] = []
    lane_of: dict[str, int] = {}
    events: list[dict[str, Any]] = [
        {
            "name": "process_name",
            "ph": "M",
            "ts": 0,
            "pid": pid,
            "tid": 0,
            "args": {"name": "lazyimp"},
        }
    ]
    for m in done:
        start = m.started_at or 0.0
        end = start + (m.load_time or 0.0)
        parent = by_name.get(m.parent) if m.parent else None
        if parent is not None and parent.name in lane_of:
            lane = lane_of[parent.name]
        else:
            lane = next((i for i, e in enumerate(lane_end) if e <= start), len(lane_end))
            if lane == len(lane_end):
                lane_end.append(end)
        lane_end[lane] = max(lane_end[lane], end)
        lane_of[m.name] = lane
        args: dict[str, Any] = {
            "state": m.state,
            "loaded": "eagerly" if m.state in (_registry.EAGER, _registry.IGNORED) else "lazily",
            "first used at": _where(m.trigger_file, m.trigger_line, m.trigger_module),
            "imported at": _where(m.import_file, m.import_line, m.importer),
            "self ms": round((m.self_time or 0.0) * 1000, 3),
        }
        if m.parent:
            args["triggered by"] = m.parent
        if m.memory_delta is not None:
            args["memory KiB"] = round(m.memory_delta / 1024)
        events.append(
            {
                "name": m.name,
                "cat": "import",
                "ph": "X",
                "ts": round(start * 1e6, 3),
                "dur": round((m.load_time or 0.0) * 1e6, 3),
                "pid": pid,
                "tid": lane + 1,
                "args": args,
            }
        )
    for lane in range(len(lane_end)):
        events.append(
            {
                "name": "thread_name",
                "ph": "M",
                "ts": 0,
                "pid": pid,
                "tid": lane + 1,
                "args": {"name": f"resolutions {lane + 1}"},
            }
        )
    trace = {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"generator": "lazyimp", "version": SCHEMA_VERSION},
    }
    return json.dumps(trace, indent=1) + "\n"
