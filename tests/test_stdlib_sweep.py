"""The whole public stdlib imported lazily, then used, matches eager (contract C2.5, C2.7, C5.1)."""

from __future__ import annotations

import json
import sys

import pytest
from helpers import run_python

# Modules with import-time side effects on the process or terminal, or platform-only.
SKIP = {
    "antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "lib2to3",
    "msilib", "winreg", "winsound", "msvcrt", "_winapi", "nt", "ensurepip", "venv",
    "__phello__", "__hello__", "xxsubtype", "pydoc_data", "test", "sre_compile",
    "sre_constants", "sre_parse", "asynchat", "asyncore", "smtpd", "imp", "distutils",
    "crypt", "nis", "spwd", "ossaudiodev", "audioop", "cgi", "cgitb", "chunk",
    "mailcap", "nntplib", "pipes", "sndhdr", "sunau", "telnetlib", "uu", "xdrlib",
    "aifc", "imghdr", "readline", "curses", "dbm", "sqlite3",
    # Its caches (_uname_cache and friends) are filled when other modules call it at
    # import time, which in an eager sweep happens earlier than in a lazy one.
    "platform",
}

# Attributes a module creates or fills on first use, which other modules' bodies
# trigger at import time: present or not depends on the order bodies ran in, which
# differs lazily by design (as for platform above).
VOLATILE = {
    ("typing", "Match"),  # typing.__getattr__ creates Pattern and Match on first access
    ("typing", "Pattern"),
    ("dataclasses", "_MODULE_IDENTIFIER_RE"),  # 3.15: compiled on first string annotation
}

PROBE = """
import sys, json, types
names = json.loads(sys.argv[1])
def kind(v):
    # A proxy is a module to isinstance(); type() names the proxy class.
    return "module" if isinstance(v, types.ModuleType) else type(v).__name__
{setup}
mods = {{}}
for name in names:
    ns = {{}}
    try:
        exec(f"import {{name}} as m", ns)
    except Exception as e:
        mods[name] = None
        continue
    mods[name] = ns["m"]
out = {{}}
for name, m in mods.items():
    if m is None:
        out[name] = "import failed"
        continue
    try:
        # Submodules show up as attributes only once something imported them, which
        # differs between eager and lazy runs by design: leave them out.
        out[name] = sorted(
            (k, kind(getattr(m, k))) for k in dir(m)
            if not k.startswith("__") and (name, k) not in {volatile!r}
            and getattr(getattr(m, k), "__name__", None) != f"{{name}}.{{k}}"
        )
    except Exception as e:
        out[name] = f"error {{type(e).__name__}}"
print(json.dumps(out))
"""


@pytest.mark.parametrize("install", ["lazyimp.install()", "lazyimp.install(lazy_from=True)"])
def test_stdlib_modules_behave_the_same_lazily(install: str) -> None:
    """Every public stdlib module imported lazily gives eager's dir() and attribute kinds (contract C2.7, C12)."""
    names = sorted(
        n for n in sys.stdlib_module_names
        if not n.startswith("_") and n not in SKIP
    )
    eager = run_python(PROBE.format(setup="", volatile=VOLATILE), args=[json.dumps(names)], timeout=300)
    lazy = run_python(
        PROBE.format(setup=f"import lazyimp; {install}", volatile=VOLATILE),
        args=[json.dumps(names)],
        timeout=300,
    )
    e, la = json.loads(eager.stdout), json.loads(lazy.stdout)
    different = {n: (e[n], la[n]) for n in names if e[n] != la[n]}
    if different:
        detail = {n: (str(a)[:200], str(b)[:200]) for n, (a, b) in list(different.items())[:5]}
        pytest.fail(f"{len(different)} modules differ: {sorted(different)}; first: {detail}")
