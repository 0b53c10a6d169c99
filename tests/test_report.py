"""The start-up report (contract C9): registry -> Report -> text, JSON, importtime, chrome-trace.

Rendering tests fill the registry by hand in-process (no import state changes) and
restore it; anything that installs lazyimp runs in a fresh interpreter.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lazyimp import _registry, _report
from tests.helpers import REPO, python_env, run_python, write_tree

SCHEMA = REPO / "lazyimp" / "report-schema.json"


@pytest.fixture
def registry() -> Iterator[Any]:
    """A registry with install() at t0 and nothing recorded; restored afterwards."""
    saved = (
        dict(_registry.RECORDS),
        _registry.installed_at,
        _registry.baseline,
        _registry.memory_probe,
    )
    _registry.RECORDS.clear()
    _registry.installed_at = 100.0
    _registry.baseline = frozenset()
    _registry.memory_probe = lambda: 0
    try:
        yield _registry
    finally:
        _registry.RECORDS.clear()
        _registry.RECORDS.update(saved[0])
        (_, _registry.installed_at, _registry.baseline, _registry.memory_probe) = saved


def resolved(
    name: str,
    importer: str,
    start: float,
    duration: float,
    parent: str | None = None,
    memory: tuple[int, int] = (1 << 20, 2 << 20),
) -> _registry.ModuleRecord:
    rec = _registry.record_proxied(name, importer, f"/src/{importer}.py", 3)
    rec.state = _registry.RESOLVED
    rec.started_at = 100.0 + start
    rec.duration = duration
    rec.parent = parent
    rec.trigger_module, rec.trigger_file, rec.trigger_line = "__main__", "/src/main.py", 9
    rec.memory_before, rec.memory_after = memory
    return rec


def sample(reg: Any) -> None:
    """app (50 ms) triggers app.db (10 ms, nested); app.cli 2 ms; two never used."""
    resolved("app", "__main__", 0.010, 0.050, memory=(10 << 20, 14 << 20))
    resolved("app.db", "app", 0.020, 0.010, parent="app", memory=(11 << 20, 12 << 20))
    resolved("app.cli", "app", 0.100, 0.002, memory=(14 << 20, 15 << 20))
    reg.record_proxied("app.export", "app", "/src/app.py", 4)
    reg.record_proxied("app.plot", "app.cli", "/src/app/cli.py", 5)
    failed = reg.record_proxied("app.broken", "app", "/src/app.py", 6)
    failed.state = reg.FAILED
    failed.started_at, failed.duration = 100.2, 0.001
    reg.record_eager("_json", reg.EAGER, "extension")
    reg.record_eager("app.events", reg.IGNORED, "ignore: app.events")
    reg.RECORDS["sys"] = reg.ModuleRecord("sys", reg.EXISTING)


def test_states_cover_registry_and_sys_modules(registry: Any) -> None:
    """Every module gets one state: the registry's, or 'other' from sys.modules (contract C9.1)."""
    sample(registry)
    rep = _report.collect()
    states = {m.name: m.state for m in rep.modules}
    assert states["app"] == "resolved" and states["app.export"] == "proxied"
    assert states["app.broken"] == "failed" and states["_json"] == "eager"
    assert states["app.events"] == "ignored" and states["sys"] == "existing"
    assert states["pytest"] == "other"  # in sys.modules, never recorded
    t = rep.totals
    assert (t.deferred, t.resolved, t.never_used, t.failed) == (6, 3, 2, 1)
    assert (t.eager, t.ignored, t.existing) == (1, 1, 1)
    assert t.other == len([n for n in sys.modules if n not in registry.RECORDS])


def test_entry_carries_trigger_import_site_and_memory(registry: Any) -> None:
    """A resolved entry has load time, trigger, import site, memory before/after (contract C9.1)."""
    sample(registry)
    entry = {m.name: m for m in _report.collect().modules}["app.db"]
    assert entry.load_time == pytest.approx(0.010)
    assert entry.started_at == pytest.approx(0.020)
    assert (entry.trigger_file, entry.trigger_line, entry.trigger_module) == (
        "/src/main.py",
        9,
        "__main__",
    )
    assert (entry.importer, entry.import_file, entry.import_line) == ("app", "/src/app.py", 3)
    assert entry.memory_delta == 1 << 20 and entry.parent == "app"


def test_self_time_excludes_nested_resolutions(registry: Any) -> None:
    """Self time is the body's time minus the resolutions it triggered (contract C9.1)."""
    sample(registry)
    rep = _report.collect()
    by_name = {m.name: m for m in rep.modules}
    assert by_name["app"].self_time == pytest.approx(0.040)
    assert rep.totals.load_time == pytest.approx(0.052)
    # Estimate: 2 never-used modules at the mean self time of 3 resolved ones.
    assert rep.totals.time_saved == pytest.approx(2 * 0.052 / 3)
    # Memory: top-level resolutions only (app.db is inside app's delta).
    assert rep.totals.memory_loaded == 5 << 20


def test_text_has_summary_then_slowest_first_then_never_used(registry: Any) -> None:
    """Text: summary, resolved modules by load time, names never used (contract C9.1)."""
    sample(registry)
    out = io.StringIO()
    _report.report(out)
    text = out.getvalue()
    assert text.startswith("lazyimp report: 6 modules deferred")
    assert "resolved          3" in text and "never used        2" in text
    assert "Time saved (estimate): 34.67 ms" in text
    assert "Memory saved (estimate):" in text
    table = text.split("Resolved modules by load time")[1]
    assert table.index(" app ") < table.index(" app.db ") < table.index(" app.cli ")
    assert "/src/main.py:9  <-  app:3" in table  # a script by its path, a module by name
    assert text.rstrip().endswith("Never used (2):\n  app.export, app.plot")
    assert "Failed on first use (1):" in text


def test_text_fits_the_terminal_and_json_keeps_the_paths(
    registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text rows fit COLUMNS (long places go on a second line, elided in the middle if
    still too long); the JSON form keeps full paths (contract C9.1)."""
    deep = "vendor.packages.requests.adapters.very_long_module_name_for_the_report"
    rec = resolved(deep, "app", 0.3, 0.004)
    rec.trigger_module, rec.trigger_file, rec.trigger_line = deep + ".caller", "/x.py", 1234
    rec.import_file = "/site-packages/vendor/packages/requests/adapters/importer.py"
    sample(registry)
    for columns in (60, 80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        out = io.StringIO()
        _report.report(out)
        lines = out.getvalue().splitlines()
        assert max(len(line) for line in lines[12:]) <= columns, (columns, lines)
    assert "app.db" in out.getvalue() and "app:3" in out.getvalue()
    monkeypatch.setenv("COLUMNS", "80")
    text = io.StringIO()
    _report.report(text)
    row = [line for line in text.getvalue().splitlines() if "vendor.p" in line][0]
    assert "..." in row and row.rstrip().endswith(":1234")
    data = io.StringIO()
    _report.report(data, format="json")
    entry = {m["name"]: m for m in json.loads(data.getvalue())["modules"]}[deep]
    assert entry["import_file"] == "/site-packages/vendor/packages/requests/adapters/importer.py"


def test_text_without_install_says_so(registry: Any) -> None:
    """Before install() the report says lazyimp never ran, not zero savings (contract C9.1)."""
    registry.installed_at = None
    rep = _report.collect()
    assert not rep.installed and rep.totals.other == len(sys.modules)
    assert "never installed" in rep.render("text")


def test_default_file_is_stderr_and_path_is_written(
    registry: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """file=None writes to stderr; a path is written as UTF-8 text (contract C9.1)."""
    sample(registry)
    returned = _report.report()
    assert isinstance(returned, _report.Report)
    assert capsys.readouterr().err.startswith("lazyimp report:")
    _report.report(tmp_path / "r.json", format="json")
    assert json.loads((tmp_path / "r.json").read_text())["version"] == 1


def test_bad_format_and_bad_file_are_clear_errors(registry: Any) -> None:
    """Unknown format and non-writable file name the input and what was expected (contract C9.1)."""
    with pytest.raises(
        ValueError, match=r"format='xml'.*'text', 'json', 'importtime', 'chrome-trace'"
    ):
        _report.report(io.StringIO(), format="xml")
    with pytest.raises(TypeError, match=r"writable text stream, a path or None.*got 42"):
        _report.report(42)
    with pytest.raises(TypeError, match="open it in text mode"):
        _report.report(io.BytesIO())
    with pytest.raises(OSError):
        _report.report("/nonexistent-dir/report.txt")


def test_json_validates_against_the_schema(registry: Any) -> None:
    """JSON output is one object with 'version' that validates against report-schema.json (contract C9.1)."""
    jsonschema = pytest.importorskip("jsonschema")
    sample(registry)
    data = json.loads(_report.collect().render("json"))
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data["version"] == _report.SCHEMA_VERSION == 1
    bad = dict(data, version=2)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_importtime_layout_is_read_by_tuna(registry: Any, tmp_path: Path) -> None:
    """importtime output parses with tuna's own reader, nested under the importer (contract C9.1)."""
    tuna_profile = pytest.importorskip("tuna._import_profile")
    sample(registry)
    text = _report.collect().render("importtime")
    lines = text.splitlines()
    assert lines[0] == "import time: self [us] | cumulative | imported package"
    assert "import time:     10000 |      10000 |   app.db" in lines
    assert "import time:     40000 |      52000 | app" in lines
    path = tmp_path / "import.log"
    path.write_text(text)
    tree = tuna_profile.read_import_profile(str(path))
    (app,) = tree["children"]
    assert app["text"] == ["app"] and app["value"] == pytest.approx(0.040)
    assert {c["text"][0]: c["value"] for c in app["children"]} == pytest.approx(
        {"app.db": 0.010, "app.cli": 0.002}
    )


def test_chrome_trace_events_are_complete_and_nested(registry: Any) -> None:
    """chrome-trace: one 'X' event per resolution with the required fields, nested in time (contract C9.1)."""
    sample(registry)
    resolved("worker", "__main__", 0.015, 0.020)  # overlaps app: another thread
    trace = json.loads(_report.collect().render("chrome-trace"))
    events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert sorted(e["name"] for e in events) == ["app", "app.broken", "app.cli", "app.db", "worker"]
    for e in trace["traceEvents"]:
        assert {"name", "ph", "pid", "tid"} <= set(e)
    for e in events:
        assert isinstance(e["ts"], (int, float)) and e["dur"] >= 0 and e["cat"] == "import"
    by = {e["name"]: e for e in events}
    app, db = by["app"], by["app.db"]
    assert db["tid"] == app["tid"] and db["args"]["triggered by"] == "app"
    assert app["ts"] <= db["ts"] and db["ts"] + db["dur"] <= app["ts"] + app["dur"]
    assert by["worker"]["tid"] != app["tid"]  # overlapping top-level: its own lane
    # No two events of one lane partly overlap (viewers would draw them wrongly).
    for a in events:
        for b in events:
            if a is not b and a["tid"] == b["tid"] and a["ts"] < b["ts"] < a["ts"] + a["dur"]:
                assert b["ts"] + b["dur"] <= a["ts"] + a["dur"]


# The trace-event format's required fields (the "Trace Event Format" document that
# chrome://tracing and Perfetto's JSON importer implement): every event has name, ph,
# ts, pid and tid; a complete event ("X") also has dur.
TRACE_EVENT_SCHEMA = {
    "type": "object",
    "required": ["traceEvents"],
    "properties": {
        "traceEvents": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/event"}},
        "displayTimeUnit": {"enum": ["ms", "ns"]},
    },
    "$defs": {
        "event": {
            "type": "object",
            "required": ["name", "ph", "ts", "pid", "tid"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "cat": {"type": "string"},
                "ph": {"enum": list("BEXiICbnestfPNODMVvRc")},
                "ts": {"type": "number", "minimum": 0},
                "dur": {"type": "number", "minimum": 0},
                "pid": {"type": "integer"},
                "tid": {"type": "integer"},
                "args": {"type": "object"},
            },
            "if": {"properties": {"ph": {"const": "X"}}},
            "then": {"required": ["dur"]},
        }
    },
}


def check_trace_events(trace: dict[str, Any]) -> None:
    """Validate ``trace`` against the trace-event format's required fields."""
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(TRACE_EVENT_SCHEMA)
    jsonschema.validate(trace, TRACE_EVENT_SCHEMA)


def test_chrome_trace_has_the_trace_event_required_fields(registry: Any) -> None:
    """Every event has name, ph, ts, pid, tid and every X event a dur (contract C9.1)."""
    jsonschema = pytest.importorskip("jsonschema")
    sample(registry)
    trace = json.loads(_report.collect().render("chrome-trace"))
    check_trace_events(trace)
    # The check itself rejects what a viewer would reject.
    x_event = next(e for e in trace["traceEvents"] if e["ph"] == "X")
    for field in ("name", "ph", "ts", "pid", "tid", "dur"):
        broken = {k: v for k, v in x_event.items() if k != field}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"traceEvents": [broken]}, TRACE_EVENT_SCHEMA)


def test_report_machinery_is_not_reported_as_deferred(tmp_path: Path) -> None:
    """The report's own imports (json, dataclasses -> copy, inspect) are never deferred (contract C9.1)."""
    write_tree(tmp_path, {"mod.py": "X = 1\n"})
    proc = run_python(
        """
        import io, sys, lazyimp
        lazyimp.install()
        import mod
        mod.X
        assert "dataclasses" not in sys.modules and "json" not in sys.modules
        rep = lazyimp.report(io.StringIO())
        states = {m.name: m.state for m in rep.modules}
        print(sorted(m.name for m in rep.by_state("proxied")))
        print(states["dataclasses"], states["json"])
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    never, states = proc.stdout.splitlines()
    assert never == "[]"
    assert states == "other other"


LAZY_TREE = {
    "shop/__init__.py": "",
    "shop/app.py": """
        import shop.db
        import shop.export

        def run():
            return shop.db.query()

        def export():  # never called: shop.export stays unexecuted
            return shop.export.X
    """,
    "shop/db.py": """
        import shop.models
        VALUE = shop.models.ROWS
        def query():
            return VALUE
    """,
    "shop/models.py": "ROWS = [1, 2]\n",
    "shop/export.py": "X = 1\n",
}


def test_real_lazy_run_reports_states_sites_and_nesting(tmp_path: Path) -> None:
    """A real lazy run: resolved with trigger and import lines, never-used listed, nesting kept (contract C9.1)."""
    write_tree(tmp_path, LAZY_TREE)
    proc = run_python(
        """
        import io, json, sys
        import lazyimp
        from lazyimp import _report
        lazyimp.install()
        import shop.app
        shop.app.run()
        out = io.StringIO()
        rep = _report.report(out, format="json")
        print(out.getvalue())
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    data = json.loads(proc.stdout)
    mods = {m["name"]: m for m in data["modules"]}
    assert mods["shop.export"]["state"] == "proxied"
    db = mods["shop.db"]
    assert db["state"] == "resolved" and db["load_time"] > 0
    assert db["importer"] == "shop.app" and db["import_line"] == 2
    assert db["trigger_module"] == "shop.app" and db["trigger_line"] == 6
    models = mods["shop.models"]
    assert models["parent"] == "shop.db" and models["trigger_line"] == 3
    assert db["memory_before"] is not None and db["memory_after"] >= db["memory_before"]
    assert data["totals"]["never_used"] >= 1


def test_importtime_of_a_real_run_is_read_by_tuna(tmp_path: Path) -> None:
    """A real run's importtime output nests shop.models under shop.db in tuna's tree (contract C9.1)."""
    tuna_profile = pytest.importorskip("tuna._import_profile")
    write_tree(tmp_path, LAZY_TREE)
    run_python(
        """
        import lazyimp
        from lazyimp import _report
        lazyimp.install()
        import shop.app
        shop.app.run()
        _report.report("import.log", format="importtime")
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    tree = tuna_profile.read_import_profile(str(tmp_path / "import.log"))

    def find(node: dict[str, Any], name: str) -> dict[str, Any] | None:
        if node["text"] == [name]:
            return node
        for child in node.get("children", ()):
            hit = find(child, name)
            if hit is not None:
                return hit
        return None

    db = find(tree, "shop.db")
    assert db is not None
    assert [c["text"] for c in db.get("children", ())] == [["shop.models"]]


def test_chrome_trace_of_a_real_run_has_the_required_fields(tmp_path: Path) -> None:
    """A real run's chrome-trace validates and nests shop.models inside shop.db (contract C9.1)."""
    write_tree(tmp_path, LAZY_TREE)
    run_python(
        """
        import lazyimp
        lazyimp.install()
        import shop.app
        shop.app.run()
        lazyimp.report("trace.json", format="chrome-trace")
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    trace = json.loads((tmp_path / "trace.json").read_text())
    check_trace_events(trace)
    by = {e["name"]: e for e in trace["traceEvents"] if e["ph"] == "X"}
    db, models = by["shop.db"], by["shop.models"]
    assert models["tid"] == db["tid"] and models["args"]["triggered by"] == "shop.db"
    slack = 0.002  # microseconds, from rounding ts and dur to nanoseconds
    assert db["ts"] <= models["ts"] + slack
    assert models["ts"] + models["dur"] <= db["ts"] + db["dur"] + slack
    assert "shop.export" not in by  # never used: no event


def test_user_memory_probe_is_sampled_around_each_resolution(tmp_path: Path) -> None:
    """install(memory=callable) samples the user's probe before and after each body (contract C9.4)."""
    write_tree(tmp_path, {"heavy.py": "BLOCK = bytearray(1000)\n"})
    proc = run_python(
        """
        import itertools, lazyimp
        from lazyimp import _report
        counter = itertools.count(1000, 10)
        lazyimp.install(memory=lambda: next(counter))
        import heavy
        heavy.BLOCK
        entry = {m.name: m for m in _report.collect().modules}["heavy"]
        print(entry.memory_before, entry.memory_after, entry.memory_delta)
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    before, after, delta = map(int, proc.stdout.split())
    assert before >= 1000 and after == before + 10 and delta == 10


def test_default_memory_probe_reads_resident_set_size() -> None:
    """The default probe returns this process's RSS in bytes, close to ru_maxrss (contract C9.4)."""
    resource = pytest.importorskip("resource")
    probe = _registry._default_probe()
    if probe is None:
        pytest.skip("no /proc/self/statm here")
    rss = probe()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert 1 << 20 < rss <= peak * 1.05


def test_memory_false_reports_no_memory(tmp_path: Path) -> None:
    """install(memory=False) samples nothing and the text report leaves memory out (contract C9.4)."""
    write_tree(tmp_path, {"mod.py": "X = 1\n"})
    proc = run_python(
        """
        import io, lazyimp
        from lazyimp import _report
        lazyimp.install(memory=False)
        import mod
        mod.X
        out = io.StringIO()
        rep = _report.report(out)
        entry = {m.name: m for m in rep.modules}["mod"]
        assert entry.memory_before is None and entry.memory_delta is None
        assert not rep.memory_probe and rep.totals.memory_saved is None
        assert "Memory" not in out.getvalue(), out.getvalue()
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    assert proc.returncode == 0


def test_verbose_env_logs_each_resolution_at_debug(tmp_path: Path) -> None:
    """LAZYIMP_VERBOSE=1 logs one DEBUG line per resolution on the 'lazyimp' logger (contract C9.5)."""
    write_tree(tmp_path, {"mod.py": "X = 1\n", "unused.py": "Y = 1\n"})
    proc = run_python(
        """
        import lazyimp
        lazyimp.install()
        import mod, unused
        mod.X
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
        env={"LAZYIMP_VERBOSE": "1"},
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("lazyimp:")]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("lazyimp: resolved mod in ")
    assert "first used at" in lines[0] and "snippet.py:5" in lines[0]


def test_logging_is_not_imported_without_verbose(tmp_path: Path) -> None:
    """Without LAZYIMP_VERBOSE resolutions never import logging (contract C9.5, C13.1)."""
    write_tree(tmp_path, {"mod.py": "X = 1\n"})
    proc = run_python(
        """
        import sys, lazyimp
        lazyimp.install()
        import mod
        mod.X
        print("logging" in sys.modules)
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
    )
    assert proc.stdout.strip() == "False"


def test_log_resolution_message(caplog: pytest.LogCaptureFixture) -> None:
    """log_resolution writes the name, time, memory, trigger and import site at DEBUG (contract C9.5)."""
    rec = _registry.ModuleRecord("pkg.mod", _registry.RESOLVED)
    rec.duration, rec.parent = 0.0125, "pkg"
    rec.memory_before, rec.memory_after = 0, 2048
    rec.trigger_file, rec.trigger_line, rec.trigger_module = "a.py", 7, "a"
    rec.import_file, rec.import_line, rec.importer = "b.py", 2, "b"
    with caplog.at_level("DEBUG", logger="lazyimp"):
        _registry.log_resolution(rec)
    (record,) = caplog.records
    assert record.name == "lazyimp" and record.levelname == "DEBUG"
    assert record.getMessage() == (
        "resolved pkg.mod in 12.50 ms, +2 KiB, inside pkg: first used at a.py:7 (a), "
        "imported at b.py:2 (b)"
    )


def test_configure_verbose_values() -> None:
    """LAZYIMP_VERBOSE accepts on/off words; anything else names the value (contract C9.5)."""
    import logging

    saved = _registry.verbose
    logger = logging.getLogger("lazyimp")
    level, handlers = logger.level, logger.handlers[:]
    try:
        _registry.configure_verbose("0")
        assert _registry.verbose is False
        logger.setLevel(logging.DEBUG)  # the user's own logging configuration
        _registry.configure_verbose("")
        assert _registry.verbose is True
        with pytest.raises(ValueError, match=r"LAZYIMP_VERBOSE='maybe' is not understood"):
            _registry.configure_verbose("maybe")
    finally:
        _registry.verbose = saved
        logger.setLevel(level)
        logger.handlers[:] = handlers


def test_startup_report_example_runs(tmp_path: Path) -> None:
    """The README's demo prints the report: exports deferred and never used (contract C9.1)."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "startup_report.py")],
        capture_output=True,
        text=True,
        env=python_env(),
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith('{"mean": 2.8, "median": 3.0}\nlazyimp report:')
    never = out.split("Never used")[1]
    assert "demo_app.export" in never
    table = out.split("Resolved modules by load time")[1].split("Never used")[0]
    assert " statistics " in table and " demo_app.stats " in table


def test_never_used_modules_say_whether_their_binding_is_read(tmp_path: Path) -> None:
    """A never-used module whose binding the importer never reads is flagged (contract C3.6, C9.1)."""
    write_tree(
        tmp_path,
        {
            "plugin_pkg/__init__.py": "",
            "used_pkg/__init__.py": "X = 1\n",
            "app.py": (
                "import sys\n"
                "import plugin_pkg\n"           # never read: a side-effect import?
                "import used_pkg as u\n"        # read, in a function never called
                "def later():\n    return u.X\n"
            ),
        },
    )
    proc = run_python(
        """
        import io, json, sys
        sys.path.insert(0, ".")
        import lazyimp
        lazyimp.install()
        import app
        app.__dict__
        out = io.StringIO()
        lazyimp.report(out, format="json")
        mods = {m["name"]: m for m in json.loads(out.getvalue())["modules"]}
        print(mods["plugin_pkg"]["binding_read"], mods["used_pkg"]["binding_read"])
        text = io.StringIO()
        lazyimp.report(text)
        print(text.getvalue())
        """,
        tmp_path=tmp_path,
        cwd=tmp_path,
        env={"COLUMNS": "200"},
    )
    first, text = proc.stdout.split("\n", 1)
    assert first == "False True"
    assert "plugin_pkg*" in text and "used_pkg*" not in text
    assert "1 imported by a module that never reads the name it binds" in text
    assert "python -m lazyimp bisect" in text


def test_report_shows_the_configuration_and_its_sources(tmp_path: Path) -> None:
    """The report carries the merged configuration: entries with their install() call (contract C1.1, C9.1)."""
    proc = run_python(
        """
        import io, json
        import lazyimp
        lazyimp.install(ignore=["json"])
        lazyimp.install(ignore_packages=["email"], lazy_from=True)
        out = io.StringIO()
        lazyimp.report(out, format="json")
        config = json.loads(out.getvalue())["config"]
        print(config["install_calls"], config["ignore"], config["ignore_packages"], config["lazy_from"])
        text = io.StringIO()
        lazyimp.report(text)
        print(text.getvalue())
        """,
        cwd=tmp_path,
    )
    first, text = proc.stdout.split("\n", 1)
    assert first == "2 {'json': 'install()'} {'email': 'install() call 2'} True"
    assert "Configuration (2 install() calls merged):" in text
    assert "ignore: json (install())" in text and "ignore_packages: email (install() call 2)" in text
    assert "lazy_from: True (install() call 2)" in text
