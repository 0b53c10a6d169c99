"""The environment switch: ``LAZYIMP=1 python app.py`` (contract C1.5).

The wheel ships ``lazyimp-toolkit.pth``, one line that ``site`` executes at start-up.
With ``LAZYIMP`` unset (or ``0``) the line imports nothing.  Otherwise it calls
``run()``, which installs the finder with the configuration from the environment
and ``pyproject.toml``.  Imports made while ``site`` is still running stay eager.
A broken configuration prints one warning line and leaves the interpreter running
without lazy imports: this line runs before every Python program on the machine,
pip included, so it must never stop one.
"""

from __future__ import annotations

import sys

_ran = False


def run() -> None:
    """Install lazyimp from the environment, or print one line saying why not.

    Runs once per process, however many site directories carry the .pth file.
    """
    global _ran
    if _ran:
        return
    _ran = True
    from . import _state

    try:
        on = _state.flag("LAZYIMP")
    except ValueError as exc:
        print(f"lazyimp: {exc}; lazy imports are off", file=sys.stderr)
        return
    if not on:
        return
    from . import install

    try:
        install()
    except (TypeError, ValueError, OSError, RuntimeError) as exc:
        print(f"lazyimp: LAZYIMP=1 ignored, lazy imports are off: {exc}", file=sys.stderr)
