"""The registry of module states: what the finder and the proxies saw, for the report.

The finder and the proxies write here; ``_report`` reads.  Recording is a dict store
and a few attribute writes per module, cheap enough to stay on all the time.  This
module imports nothing from lazyimp but ``_state`` (which imports nothing), so every
mechanism can write to it without creating an import cycle.

States:

- ``existing``: in ``sys.modules`` before ``install()``.
- ``proxied``: handed out as a proxy and never used.
- ``resolved``: handed out as a proxy, then its body ran.
- ``failed``: handed out as a proxy; its body raised on the last attempt.
- ``ignored``: kept eager by the policy (``reason`` names the rule).
- ``eager``: kept eager by its kind or the import's place (built-in, extension,
  frozen, inside a function or a ``try`` block; ``reason`` says which).
- ``other``: imported while lazyimp was off or by another mechanism (filled in by
  the report from ``sys.modules``).

The ``lazyimp`` logger (contract C9.5): ``configure_verbose()``, called by ``install()``,
sets ``verbose`` from ``LAZYIMP_VERBOSE`` or from a ``lazyimp`` logger already enabled
for DEBUG; while it is true the core calls ``log_resolution(rec)`` after each
resolution.  ``logging`` is imported only then, so a program that never asks for the
log never loads it.

Known limits: records are per process and never trimmed (one small object per module);
the registry does not know which thread resolved a module (the chrome-trace writer
lays overlapping resolutions out on separate lanes instead).
"""

from __future__ import annotations

import sys
import time
from _thread import get_ident as _get_ident

from . import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


EXISTING = "existing"
PROXIED = "proxied"
RESOLVED = "resolved"
FAILED = "failed"
IGNORED = "ignored"
EAGER = "eager"
OTHER = "other"


class ModuleRecord:
    """What lazyimp knows about one module (times from ``time.perf_counter``).

    Every field but ``name`` and ``state`` starts as the class's default: making a
    record writes only what is known (the finder makes one per import it judges).
    """

    reason: str | None = None
    importer: str | None = None
    import_file: str | None = None
    _import_line: int | None = None
    # (code object, instruction offset) of the import statement: its line is read
    # from the code's line table when somebody asks (import_line).
    import_at: tuple[Any, int] | None = None
    handed_out_at: float | None = None
    trigger_module: str | None = None
    trigger_file: str | None = None
    _trigger_line: int | None = None
    trigger_at: tuple[Any, int] | None = None
    started_at: float | None = None
    duration: float | None = None
    memory_before: int | None = None
    memory_after: int | None = None
    # The module whose resolution triggered this one (nesting for traces).
    parent: str | None = None
    attempts = 0

    def __init__(self, name: str, state: str) -> None:
        self.name = name
        self.state = state

    @property
    def import_line(self) -> int | None:
        """The import statement's line (read from its code when first asked)."""
        if self.import_at is not None:
            self._import_line, self.import_at = _line_at(self.import_at), None
        return self._import_line

    @import_line.setter
    def import_line(self, value: int | None) -> None:
        self._import_line, self.import_at = value, None

    @property
    def trigger_line(self) -> int | None:
        """The line of the first use that ran the module (read when first asked)."""
        if self.trigger_at is not None:
            self._trigger_line, self.trigger_at = _line_at(self.trigger_at), None
        return self._trigger_line

    @trigger_line.setter
    def trigger_line(self, value: int | None) -> None:
        self._trigger_line, self.trigger_at = value, None

    def __repr__(self) -> str:
        return f"<ModuleRecord {self.name!r} {self.state}>"


# name -> record.  Written under the GIL by single dict operations.
RECORDS: dict[str, ModuleRecord] = {}

# Set by install(): when it happened and which modules were already there.
installed_at: float | None = None
baseline: frozenset[str] = frozenset()

# The memory probe (bytes) sampled around each resolution, or None for no sampling.
memory_probe: Callable[[], int] | None = None

# The stack of resolutions in progress in this process (names), for nesting.
# (Per thread: each thread's resolutions nest on their own.)
_resolving_by_thread: dict[int, list[str]] = {}


def resolving_stack() -> list[str]:
    """This thread's stack of resolutions in progress (names, outermost first)."""
    ident = _get_ident()
    stack = _resolving_by_thread.get(ident)
    if stack is None:
        stack = _resolving_by_thread[ident] = []
    return stack

# True when each resolution should be logged to the ``lazyimp`` logger (contract C9.5).
# Read by the core after every resolution, so it stays a plain module global.
verbose = False



def _line_at(where: tuple[Any, int]) -> int | None:
    from ._frames import line_at

    return line_at(*where)


def mark_installed(at: float | None = None, modules: frozenset[str] | None = None) -> None:
    """Remember the install time and the modules already imported (contract C1.4).

    The finder passes what it saw at ``install()``: the registry itself is only
    imported when the first import is intercepted (or the report asks).
    """
    global installed_at, baseline
    if installed_at is None:
        installed_at = time.perf_counter() if at is None else at
        baseline = frozenset(sys.modules) if modules is None else modules
        for name in baseline:
            if name not in RECORDS:
                RECORDS[name] = ModuleRecord(name, EXISTING)


def record_eager(name: str, state: str, reason: str) -> ModuleRecord | None:
    """A module found by the finder but kept eager (``ignored`` or ``eager``).

    Returns the new record, or None when the module already has one of another
    kind (a proxy, now imported eagerly elsewhere).
    """
    rec = RECORDS.get(name)
    if rec is None or rec.state in (EAGER, IGNORED):
        rec = RECORDS[name] = ModuleRecord(name, state)
        rec.reason = reason
        return rec
    return None


# True while eager imports are timed too (install(record_eager=True)): the
# importtime and chrome-trace exports then hold the whole start-up (contract C9.1).
record_eager_times = False


class TimedLoader:
    """A one-shot loader around the real one, timing the module into its record.

    ``create_module`` and ``exec_module`` are timed together (an extension module's
    initialisation runs in either), nested under the load in progress in this
    thread, as ``-X importtime`` nests them.  Used for eager imports the exports
    time (``record_eager``) and, on the PEP 810 engine, for the real import of a
    deferred module (``_native``, which adds what a resolution records).  Nobody
    sees the wrapper: the module and its spec get the real loader back.
    """

    __slots__ = ("loader", "record", "started")

    def __init__(self, loader: object, record: ModuleRecord) -> None:
        self.loader = loader
        self.record = record
        self.started = 0.0

    def begin(self) -> None:
        """Called as the load starts."""
        stack = resolving_stack()
        self.record.parent = stack[-1] if stack else None
        self.started = time.perf_counter()

    def done(self, error: BaseException | None) -> None:
        """Called when the body returned (``error`` None) or raised."""
        self.record.started_at = self.started
        self.record.duration = time.perf_counter() - self.started

    def create_module(self, spec: object) -> object:
        self.begin()
        create = getattr(self.loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: object) -> None:
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = self.loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self.loader  # type: ignore[attr-defined]
        stack = resolving_stack()
        depth = len(stack)
        stack.append(self.record.name)
        try:
            self.loader.exec_module(module)  # type: ignore[attr-defined]
        except BaseException as exc:
            del stack[depth:]
            self.done(exc)
            raise
        del stack[depth:]
        self.done(None)

    def __getattr__(self, name: str) -> object:
        return getattr(self.loader, name)


def record_proxied(
    name: str,
    importer: str | None,
    import_file: str | None,
    import_line: int | None,
    at: tuple[Any, int] | None = None,
) -> ModuleRecord:
    """A module handed out as a proxy.

    ``at`` is ``(code, instruction offset)`` of the import statement, whose line is
    then read only when somebody asks (``import_line`` is None).
    """
    rec = ModuleRecord(name, PROXIED)
    rec.importer = importer
    rec.import_file = import_file
    if at is None:
        rec._import_line = import_line
    else:
        rec.import_at = at
    rec.handed_out_at = time.perf_counter()
    RECORDS[name] = rec
    return rec


# The default probe reads resident set size from /proc/self/statm through a kept-open
# descriptor (one pread, a few microseconds).  /proc/self is resolved when the file is
# opened, so a forked child must reopen it: see _reopen_after_fork.
_statm_fd: int | None = None
_page_size = 4096


def _rss_probe() -> int:
    global _statm_fd
    import os

    if _statm_fd is None:
        _statm_fd = os.open("/proc/self/statm", os.O_RDONLY)
    fields = os.pread(_statm_fd, 128, 0).split()
    return int(fields[1]) * _page_size


def _reopen_after_fork() -> None:
    global _statm_fd
    _statm_fd = None


def _default_probe() -> Callable[[], int] | None:
    global _page_size
    import os

    try:
        _page_size = os.sysconf("SC_PAGE_SIZE")
        _rss_probe()
    except (OSError, ValueError, AttributeError):
        return None
    os.register_at_fork(after_in_child=_reopen_after_fork)
    return _rss_probe


def configure_memory(probe: object) -> None:
    """Set the memory probe: None for the default (RSS), False for none, or a callable."""
    global memory_probe
    if probe is None or probe is True:
        memory_probe = _default_probe()
    elif probe is False:
        memory_probe = None
    elif callable(probe):
        memory_probe = probe
    else:
        raise TypeError(
            f"install(memory=...) expects None, True, False or a callable returning bytes, "
            f"got {probe!r}"
        )


def configure_verbose(value: str | None = None) -> None:
    """Switch the resolution log on or off (contract C9.5); ``install()`` calls it.

    Args:
        value: ``LAZYIMP_VERBOSE``'s value; None reads the environment.  ``1``,
            ``true``, ``yes``, ``on`` switch the log on, set the ``lazyimp`` logger
            to DEBUG and give it a stderr handler when neither it nor the root
            logger has one.  Unset, empty, ``0``,
            ``false``, ``no``, ``off`` leave it to the logging configuration: the
            log is on when ``logging`` is already imported and the ``lazyimp``
            logger is enabled for DEBUG.

    Raises:
        ValueError: for any other value, naming it and the accepted ones.
    """
    global verbose
    if _state.flag("LAZYIMP_VERBOSE", value):
        import logging

        logger = logging.getLogger("lazyimp")
        # A handler of our own only when nothing would print the record otherwise.
        if not logger.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
            logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.DEBUG:
            logger.setLevel(logging.DEBUG)
        verbose = True
    else:
        logging_mod = sys.modules.get("logging")
        verbose = bool(
            logging_mod is not None
            and logging_mod.getLogger("lazyimp").isEnabledFor(logging_mod.DEBUG)
        )


def _site(file: str | None, line: int | None) -> str:
    if file is None:
        return "?"
    return f"{file}:{line}" if line is not None else file


def log_resolution(rec: ModuleRecord) -> None:
    """Log one finished resolution to the ``lazyimp`` logger at DEBUG (contract C9.5).

    The core calls this after filling ``rec`` (state, duration, trigger), only while
    ``verbose`` is true.
    """
    import logging

    logger = logging.getLogger("lazyimp")
    if not logger.isEnabledFor(logging.DEBUG):
        return
    ms = (rec.duration or 0.0) * 1000.0
    memory = ""
    if rec.memory_before is not None and rec.memory_after is not None:
        memory = f", {(rec.memory_after - rec.memory_before) / 1024:+.0f} KiB"
    nested = f", inside {rec.parent}" if rec.parent else ""
    logger.debug(
        "%s %s in %.2f ms%s%s: first used at %s (%s), imported at %s (%s)",
        rec.state,
        rec.name,
        ms,
        memory,
        nested,
        _site(rec.trigger_file, rec.trigger_line),
        rec.trigger_module or "?",
        _site(rec.import_file, rec.import_line),
        rec.importer or "?",
    )

