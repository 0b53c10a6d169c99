"""Process-wide switches shared by the finder and the proxies.

- ``switch``: the context variable behind ``enabled()``/``disabled()`` (contract C1.3).
  ``None`` means "follow the global state set by install()".
- ``eager_scope()``: imports made by lazyimp itself (loading wrapt's proxy type,
  policy helpers) and by the finder while it asks later finders must never be
  handed out lazily; a per-thread depth counter says so.
- ``lock``: guards install/uninstall and the finder's place in ``sys.meta_path``.
  It is re-created in a forked child (``os.register_at_fork``) so that a fork taken
  while another thread held it cannot leave the child's lazyimp locked (contract C1.8).
"""

import _thread
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contextvars import ContextVar
    from typing import Any


# Created by the first enabled()/disabled() block: importing _contextvars costs more
# than the rest of install(), and a process that never scopes the switch needs none.
switch: "ContextVar[bool | None] | None" = None


def scoped_switch() -> "ContextVar[bool | None]":
    """The context variable, created on first need."""
    global switch
    if switch is None:
        import _contextvars

        with lock:
            if switch is None:
                switch = _contextvars.ContextVar("lazyimp.switch", default=None)
    return switch


# The one lazyimp.Importer, once created (install(), enabled()): the proxies' hooks
# read its configuration through here, so that they never import the finder.
importer: "Any" = None

# Guards install()/uninstall() and every change to sys.meta_path made by lazyimp.
lock = _thread.RLock()

class _PerThread(_thread._local):
    # Class attributes are every thread's starting values: reading one that a
    # thread never set finds it here (a missing attribute would raise and format
    # an AttributeError on every import).
    depth = 0  # eager_scope() nesting in this thread


_local = _PerThread()


def eager_depth() -> "int":
    return _local.depth


class eager_scope:
    """Within this block, imports in this thread are eager whatever the switch says."""

    __slots__ = ()

    def __enter__(self) -> "None":
        _local.depth += 1

    def __exit__(self, *exc: "Any") -> "None":
        _local.depth -= 1


# Files whose frames are import machinery: importlib's frozen bootstrap, and the
# modules of lazyimp's own that wrap ``__import__`` or importlib (track_imports(),
# lazy_from, the fromlist hook), each registering its file when it loads.  The frame
# readers (_frames) look for an import statement past them.  Kept here, the one
# module every other imports, so that registering never imports anything.
wrappers: "set[str]" = set()
machinery: "set[str]" = {"<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>"}


def add_wrapper(filename: "str") -> "None":
    """Treat frames of ``filename`` (a module of lazyimp's that wraps importlib or
    ``__import__``) as import machinery: the importing frame is their caller."""
    wrappers.add(filename)
    machinery.add(filename)


# The one reading of an on/off environment variable (LAZYIMP, LAZYIMP_DISABLE,
# LAZYIMP_LAZY_FROM, LAZYIMP_VERBOSE): the same words everywhere, an error otherwise.
ON_WORDS = ("1", "true", "yes", "on")
OFF_WORDS = ("", "0", "false", "no", "off")


def flag(name: "str", value: "str | None" = None) -> "bool":
    """The environment variable ``name`` (or ``value``, when given) as a switch.

    ``1``, ``true``, ``yes``, ``on`` mean on; unset, empty, ``0``, ``false``, ``no``,
    ``off`` mean off; case and surrounding spaces do not matter.

    Raises:
        ValueError: any other value, naming the variable, the value and the words.
    """
    if value is None:
        value = os.environ.get(name, "")
    word = value.strip().lower()
    if word in ON_WORDS:
        return True
    if word in OFF_WORDS:
        return False
    raise ValueError(
        f"{name}={value!r} is not understood: expected one of {', '.join(ON_WORDS)} (on) "
        f"or {', '.join(w for w in OFF_WORDS if w)} or empty (off)"
    )


def _after_fork_in_child() -> "None":
    # A lock held by a thread that does not exist in the child could never be
    # released: replace it.  The thread-local depth belongs to the forking thread,
    # which continues in the child, so it stays.
    global lock
    lock = _thread.RLock()


os.register_at_fork(after_in_child=_after_fork_in_child)
