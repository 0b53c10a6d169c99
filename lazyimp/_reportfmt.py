"""What the report's writers share: the schema version they stamp, and how a place is named.

Scope: ``_report`` (the ``Report`` data, the text and JSON writers) and ``_timeline``
(the ``importtime`` and ``chrome-trace`` exports, contract C9.2) both write
``SCHEMA_VERSION`` (the ``version`` of ``report-schema.json``) and name a place in code
with ``_where``.  They live here, below both, so that ``_timeline`` needs nothing from
``_report`` at run time and ``_report`` still loads ``_timeline`` only when an export
is asked for.  Imports nothing from lazyimp.

Known limits: ``_where`` shortens a path against the working directory and
``sys.path`` as they are when the report is rendered, not when the import ran.
"""

from __future__ import annotations

import os
import sys

SCHEMA_VERSION = 1


def _where(file: str | None, line: int | None, module: str | None) -> str:
    # A place in a module is `module:line` (json.decoder:329): shorter than its path
    # and as clear.  The full path stays in the JSON form.  A script (__main__) or a
    # frame without a module is shown by its path, relative where it can be.
    if file is None:
        return module or "?"
    if module and module != "__main__" and not file.startswith("<"):
        return f"{module}:{line}" if line is not None else module
    place = _short(file)
    return f"{place}:{line}" if line is not None else place


def _short(path: str) -> str:
    # Relative to the working directory when below it, else to the longest
    # sys.path entry it is below (json/decoder.py rather than /usr/lib/...).
    if not os.path.isabs(path):
        return path
    cwd = os.getcwd() + os.sep
    if path.startswith(cwd):
        return path[len(cwd) :]
    best = ""
    for entry in sys.path:
        if entry and path.startswith(entry.rstrip(os.sep) + os.sep) and len(entry) > len(best):
            best = entry.rstrip(os.sep) + os.sep
    return path[len(best) :] if best else path
