"""Load, faults and resources: lazyimp keeps working and leaves no half state.

Threads and asyncio tasks racing resolution of generated module trees (contract C5.1, C7.1),
faults raised while a body runs (contract C6.1), interpreter shutdown, fork (contract C1.8) and
the memory a proxy holds (contract C5.2).  Every test runs in a fresh interpreter through
``run_python`` with a timeout, and the child arms ``faulthandler`` so that a deadlock
prints every thread's stack and exits instead of hanging.
"""

from __future__ import annotations

import json
import random
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import run_python, write_tree

pytestmark = pytest.mark.proxy_engine(
    "races, faults and memory of proxy resolution (lazyimp/_proxy.py); on 3.15 the interpreter reifies (tests/test_native.py has its thread and fault tests)"
)

# Kills a hung child (printing all stacks) before run_python's own timeout fires.
WATCHDOG = """
import faulthandler, sys
faulthandler.dump_traceback_later({seconds}, exit=True)
sys.path.insert(0, {root!r})
"""


def prelude(root: Path, seconds: float = 40) -> str:
    return WATCHDOG.format(seconds=seconds, root=str(root))


def alias(name: str) -> str:
    return "M_" + name.replace(".", "_")


def generate_tree(root: Path, seed: int) -> list[str]:
    """200 modules: 10 packages with a subpackage of 8 modules each, 100 top-level ones.

    Every body logs its run on ``sys._stress_runs``, defines ``EARLY`` before its
    imports, imports two random modules lazily at module level (so import cycles
    abound), reads the first one's ``EARLY`` at module level in a fifth of the modules and in
    20 pairs of modules that import each other
    (nested resolutions, circular ones included), sleeps in some (other threads pile
    up on the module lock) and ends with ``COMPLETE = True``.
    """
    rng = random.Random(seed)
    names: list[str] = []
    for i in range(10):
        names += [f"sp{i}", f"sp{i}.inner"] + [f"sp{i}.inner.m{j}" for j in range(8)]
    names += [f"st{k}" for k in range(100)]
    files: dict[str, str] = {}
    for index, name in enumerate(names):
        dep_a, dep_b = rng.sample(names, 2)
        pair = name.startswith("st") and int(name[2:]) < 40
        if pair:  # st(2k) and st(2k+1) read each other at module level: a 2-cycle
            dep_a = names[index + 1] if index % 2 == 0 else names[index - 1]
        # A package's __init__ importing below itself is eager by design; keep the
        # package bodies' own imports pointing elsewhere so that they stay lazy.
        if dep_a.startswith(name + ".") or dep_b.startswith(name + "."):
            dep_a, dep_b = "st0", "st1"
        use = pair or rng.random() < 0.2
        body = [
            "import sys, time",
            "sys._stress_runs.append(__name__)",
            f"EARLY = {name!r}",
            f"import {dep_a} as _a",
            f"import {dep_b} as _b",
        ]
        if use:
            body.append(f"USE = _a.EARLY  # {dep_a}")
        if rng.random() < 0.2:
            body.append("time.sleep(0.002)")
        body += [
            "PAD = sum(range(500))",
            "def peer():",
            "    return _b.COMPLETE",
            "COMPLETE = True",
        ]
        parts = name.split(".")
        is_package = not parts[-1].startswith("m") or parts[-1] == "inner"
        if name.startswith("st"):
            is_package = False
        rel = "/".join(parts) + ("/__init__.py" if is_package else ".py")
        files[rel] = "\n".join(body) + "\n"
    write_tree(root, files)
    (root / "names.json").write_text(json.dumps(names))
    return names


def import_lines(names: list[str]) -> str:
    """Module-level import statements binding every generated module to an alias."""
    return "\n".join(f"import {name} as {alias(name)}" for name in names)


THREADS_CHILD = """
import random, threading, collections
sys._stress_runs = []
import lazyimp
lazyimp.install()
{imports}
import json
NAMES = json.load(open({names!r}))
MODS = {{name: globals()["M_" + name.replace(".", "_")] for name in NAMES}}
assert all(lazyimp.is_lazy(m) for m in MODS.values()), [n for n, m in MODS.items() if not lazyimp.is_lazy(m)]
assert sys._stress_runs == []

rng = random.Random({seed})
plans = [rng.sample(NAMES, rng.randint(20, 80)) for _ in range(32)]
barrier = threading.Barrier(32)
errors = []
touched = set()

def worker(plan):
    try:
        barrier.wait(10)
        for name in plan:
            m = MODS[name]
            # A thread that holds no module lock must see the finished module.
            assert m.COMPLETE is True, name
            assert m.EARLY == name, (name, m.EARLY)
            touched.add(name)
    except BaseException as exc:
        errors.append((plan, repr(exc)))

threads = [threading.Thread(target=worker, args=(plan,)) for plan in plans]
for t in threads: t.start()
for t in threads: t.join(30)
assert not any(t.is_alive() for t in threads), "deadlock: a thread did not finish"
assert not errors, errors[:3]

runs = collections.Counter(sys._stress_runs)
twice = {{n: c for n, c in runs.items() if c != 1}}
assert not twice, f"bodies run more than once: {{twice}}"
assert touched <= set(runs), touched - set(runs)
for name in NAMES:
    real = sys.modules[name]
    if name in runs:
        assert not lazyimp.is_lazy(real) and type(real) is type(sys), (name, type(real))
        assert real.COMPLETE is True and real.peer() is True, name
        # swapped out in the importing globals (contract C5.2)
        assert globals()["M_" + name.replace(".", "_")] is real, name
    else:
        assert lazyimp.is_lazy(real), name
        assert name in lazyimp.pending(), name
print("ok", len(runs), "bodies ran once;", len(NAMES) - len(runs), "never used")
"""


@pytest.mark.parametrize("round_", range(5))
def test_32_threads_touching_200_modules_run_each_body_once(tmp_path: Path, round_: int) -> None:
    """32 threads touch random subsets of 200 cyclic lazy modules: once each, complete, no deadlock (contract C7.1)."""
    names = generate_tree(tmp_path, seed=round_)
    src = prelude(tmp_path) + THREADS_CHILD.format(
        imports=import_lines(names), names=str(tmp_path / "names.json"), seed=round_
    )
    proc = run_python(src, tmp_path=tmp_path, timeout=60)
    assert proc.stdout.startswith("ok"), proc.stdout


def test_asyncio_tasks_touching_modules_in_one_thread(tmp_path: Path) -> None:
    """50 asyncio tasks interleave first uses of 200 lazy modules in one thread (contract C5.1, C7.1)."""
    names = generate_tree(tmp_path, seed=7)
    src = prelude(tmp_path) + textwrap.dedent(
        """
        import asyncio, collections, json, random
        sys._stress_runs = []
        import lazyimp
        lazyimp.install()
        {imports}
        NAMES = json.load(open({names!r}))
        MODS = {{name: globals()["M_" + name.replace(".", "_")] for name in NAMES}}

        async def task(plan):
            for name in plan:
                m = MODS[name]
                assert m.COMPLETE is True and m.EARLY == name, name
                await asyncio.sleep(0)
            return len(plan)

        async def main():
            rng = random.Random(7)
            plans = [rng.sample(NAMES, rng.randint(10, 60)) for _ in range(50)]
            done = await asyncio.wait_for(asyncio.gather(*(task(p) for p in plans)), 30)
            return sum(done)

        total = asyncio.run(main())
        runs = collections.Counter(sys._stress_runs)
        assert all(c == 1 for c in runs.values()), runs.most_common(3)
        print("ok", total, len(runs))
        """
    ).format(imports=import_lines(names), names=str(tmp_path / "names.json"))
    proc = run_python(src, tmp_path=tmp_path, timeout=60)
    assert proc.stdout.startswith("ok"), proc.stdout


# name -> (module files, the statement importing it, the exception type, a fixed body).
# Each body logs its attempts on sys._fault_runs.  "helper_ok" is imported (lazily)
# by some bodies before they fail: an eager failed import leaves it in sys.modules.
LOG = "import sys\nsys._fault_runs += 1\n"
FAULTS: dict[str, tuple[dict[str, str], str, str, str]] = {
    "ImportError": (
        {"faulty.py": LOG + "raise ImportError('nope', name='faulty')\n"},
        "faulty",
        "ImportError",
        "",
    ),
    "ModuleNotFoundError": (
        {"faulty.py": LOG + "import helper_ok\nimport no_such_module_zz\n"},
        "faulty",
        "ModuleNotFoundError",
        "helper_ok",
    ),
    "ValueError": (
        {"faulty.py": LOG + "import helper_ok\nX = helper_ok.V\nraise ValueError('bad value')\n"},
        "faulty",
        "ValueError",
        "helper_ok",
    ),
    "SyntaxError": (
        {"fpkg/__init__.py": "P = 1\n", "fpkg/bad.py": LOG + "def broken(:\n"},
        "fpkg.bad",
        "SyntaxError",
        "",
    ),
    "RecursionError": (
        {"faulty.py": LOG + "def down(n):\n    return down(n + 1)\ndown(0)\n"},
        "faulty",
        "RecursionError",
        "",
    ),
    "MemoryError": (
        {"faulty.py": LOG + "raise MemoryError('simulated')\n"},
        "faulty",
        "MemoryError",
        "",
    ),
    "SystemExit": ({"faulty.py": LOG + "raise SystemExit(3)\n"}, "faulty", "SystemExit", ""),
    # A real SIGINT, raised by the body itself: signal.raise_signal runs the Python
    # handler before it returns, so KeyboardInterrupt leaves the body at that line
    # (a timer thread's signal could land before the body starts, or anywhere).
    "KeyboardInterrupt": (
        {"faulty.py": LOG + "import signal\nsignal.raise_signal(signal.SIGINT)\nVALUE = 0\n"},
        "faulty",
        "KeyboardInterrupt",
        "",
    ),
}

FAULT_CHILD = """
import importlib, signal  # signal: imported by the KeyboardInterrupt body, not one it adds
# A process started in the background by a non-interactive shell (nohup, some CI
# runners) inherits SIGINT ignored, and Python then leaves it ignored: SIGINT would
# do nothing.  Python's own handler, whatever the parent left.
signal.signal(signal.SIGINT, signal.default_int_handler)
import lazyimp
lazyimp.install()
import {name} as F
PROXY = F
NAME = {name!r}
PARENT = NAME.rpartition(".")[0]
EXPECTED = {expected}
RUNS_PER_ATTEMPT = 0 if EXPECTED is SyntaxError else 1  # a body that cannot compile never runs
sys._fault_runs = 0
assert lazyimp.is_lazy(F)
before = set(sys.modules)


def first_use():
    try:
        F.VALUE
    except BaseException as exc:
        return exc
    raise AssertionError("the body did not fail")


for attempt in (1, 2):  # the next use tries again from a fresh module (contract C6.1)
    exc = first_use()
    assert type(exc) is EXPECTED, repr(exc)
    if EXPECTED is SystemExit:
        assert exc.code == 3
    notes = getattr(exc, "__notes__", [])
    assert any(repr(NAME) in n for n in notes), notes
    assert sys._fault_runs == attempt * RUNS_PER_ATTEMPT, sys._fault_runs
    # sys.modules as an eager failed import leaves it: no module, no proxy; what the
    # body imported before failing stays.
    expected = (before - {{NAME}}) | ({{{helper!r}}} - {{""}})
    assert set(sys.modules) == expected, set(sys.modules) ^ expected
    # No half swap: every binding still holds the unresolved proxy.
    assert F is PROXY and lazyimp.is_lazy(F), type(F)
    assert "not loaded yet" in repr(F)
    assert NAME in lazyimp.pending()
    if PARENT:
        assert not lazyimp.is_lazy(PARENT)
        held = vars(sys.modules[PARENT]).get(NAME.rpartition(".")[2])
        assert held is None or held is PROXY, held

# Fix the file; the next use succeeds.
with open(F.__file__, "w") as fh:
    fh.write("import sys\\nsys._fault_runs += 1\\nVALUE = 42\\n")
importlib.invalidate_caches()
assert F.VALUE == 42
assert sys._fault_runs == 2 * RUNS_PER_ATTEMPT + 1
assert sys.modules[NAME] is F and not lazyimp.is_lazy(PROXY) and PROXY.VALUE == 42
assert type(F) is type(sys)
if PARENT:
    assert getattr(sys.modules[PARENT], NAME.rpartition(".")[2]) is F
assert NAME not in lazyimp.pending()
print("ok")
"""


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_fault_in_the_body_leaves_a_clean_state_and_a_retry_works(
    tmp_path: Path, kind: str
) -> None:
    """Each fault keeps its type, leaves sys.modules as eagerly, no half swap; retry succeeds (contract C6.1)."""
    files, name, expected, helper = FAULTS[kind]
    write_tree(tmp_path, {**files, "helper_ok.py": "V = 1\n"})
    src = prelude(tmp_path) + FAULT_CHILD.format(name=name, expected=expected, helper=helper)
    proc = run_python(src, tmp_path=tmp_path, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stdout


INTERRUPT_SWEEP_CHILD = """
import collections, os
import lazyimp
lazyimp.install()
LAZYDIR = os.path.dirname(lazyimp.__file__)
sys._runs = collections.Counter()
violations = {{}}


def interrupt_at(n):
    # A trace function that raises makes the exception appear in the traced frame
    # at that line: a deterministic stand-in for a signal arriving there.
    count = 0
    where = []

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
            if count == n:
                code = frame.f_code
                where.append(f"{{os.path.basename(code.co_filename)}}:{{code.co_name}}")
                sys.settrace(None)
                raise KeyboardInterrupt
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(LAZYDIR) else None

    return calls, where


for n in range(1, {limit}):
    name = f"t{{n}}"
    exec(f"import {{name}} as T", globals())  # a module-level import statement
    proxy = T
    tracer, where = interrupt_at(n)
    sys.settrace(tracer)
    try:
        proxy.VALUE
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    finally:
        sys.settrace(None)
    if not interrupted:
        break
    runs = sys._runs[name]
    entry = sys.modules.get(name)
    problems = []
    # Half state: the proxy still unresolved while sys.modules holds a real module.
    if lazyimp.is_lazy(proxy) and entry is not None and not lazyimp.is_lazy(entry):
        problems.append("proxy unresolved but sys.modules holds the module")
    try:
        value = proxy.VALUE
    except Exception as exc:
        value = repr(exc)
    if value != 42:
        problems.append(f"retry failed: {{value}}")
    elif runs == 1 and sys._runs[name] == 2 and entry is not None:
        problems.append("body ran twice in the same module")
    if problems:
        violations.setdefault(where[0], set()).update(problems)
else:
    raise AssertionError("the sweep never reached the end of the resolution")
print("points", n)
for where, problems in sorted(violations.items()):
    print("VIOLATION", where, sorted(problems))
"""


def test_an_interrupt_at_any_line_of_the_resolution_leaves_no_half_state(tmp_path: Path) -> None:
    """KeyboardInterrupt raised at every line lazyimp runs while resolving: retry works, body never re-runs in place (contract C6.1)."""
    limit = 1500
    write_tree(
        tmp_path,
        {f"t{n}.py": "import sys\nsys._runs[__name__] += 1\nVALUE = 42\n" for n in range(1, limit)},
    )
    src = prelude(tmp_path) + INTERRUPT_SWEEP_CHILD.format(limit=limit)
    proc = run_python(src, tmp_path=tmp_path, timeout=60)
    assert proc.stdout.startswith("points"), proc.stdout
    violations = [line for line in proc.stdout.splitlines() if line.startswith("VIOLATION")]
    assert not violations, "\n".join(violations)


def test_interpreter_shutdown_with_unresolved_proxies_and_atexit_handlers(tmp_path: Path) -> None:
    """atexit handlers and finalizers touching unresolved proxies at exit work; exit status 0, no noise (contract C5.1, C5.4)."""
    write_tree(
        tmp_path,
        {
            "sd_a.py": "VALUE = 'a'\n",
            "sd_b.py": "VALUE = 'b'\n",
            "sd_c.py": "VALUE = 'c'\n",
            "sd_never.py": "raise AssertionError('sd_never must not run')\n",
            "sd_pkg/__init__.py": "P = 1\n",
            "sd_pkg/sub/__init__.py": "",
            "sd_pkg/sub/leaf.py": "import sd_b\ndef chain():\n    return 'leaf+' + sd_b.VALUE\n",
        },
    )
    for how in ("fall off the end", "sys.exit(0)"):
        src = prelude(tmp_path) + textwrap.dedent(
            f"""
            import atexit, weakref
            import lazyimp
            lazyimp.install()
            import sd_a, sd_c, sd_never
            import sd_pkg.sub.leaf as leaf

            def late():
                print("atexit", sd_a.VALUE, leaf.chain())

            class Holder:
                pass

            holder = Holder()
            weakref.finalize(holder, lambda: print("finalize", sd_c.VALUE))
            atexit.register(late)
            assert lazyimp.is_lazy(sd_a) and lazyimp.is_lazy(leaf) and lazyimp.is_lazy(sd_c)
            print("main done")
            {"import sys; sys.exit(0)" if "exit" in how else ""}
            """
        )
        proc = run_python(src, tmp_path=tmp_path, timeout=30)
        # finalize() registers its own atexit hook first, so it runs last.
        assert proc.stdout.splitlines() == ["main done", "atexit a leaf+b", "finalize c"], (
            how,
            proc.stdout,
        )
        assert proc.stderr == "", (how, proc.stderr)


def test_a_forked_child_resolves_its_proxies_on_its_own(tmp_path: Path) -> None:
    """fork with unresolved proxies (one being resolved by another thread): the child resolves its own, the parent is unaffected (contract C1.8)."""
    log = "import sys\nsys._runs.append(__name__)\n"
    write_tree(
        tmp_path,
        {
            "fk_a.py": log + "import fk_b\nVALUE = 'a+' + fk_b.VALUE\n",
            "fk_b.py": log + "VALUE = 'b'\n",
            "fk_pkg/__init__.py": log,
            "fk_pkg/leaf.py": log + "VALUE = 'leaf'\n",
            "fk_slow.py": log + "import time\ntime.sleep(0.6)\nVALUE = 'slow'\n",
        },
    )
    src = prelude(tmp_path) + textwrap.dedent(
        """
        import json, os, threading, time
        sys._runs = []
        import lazyimp
        lazyimp.install()
        import fk_a, fk_slow
        import fk_pkg.leaf as leaf

        # Another thread is inside fk_slow's body (holding its module lock) at fork.
        busy = threading.Thread(target=lambda: fk_slow.VALUE)
        busy.start()
        while "fk_slow" not in sys._runs:
            time.sleep(0.01)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                out = {"a": fk_a.VALUE, "leaf": leaf.VALUE, "runs": sys._runs,
                       "pending": sorted(lazyimp.pending())}
                lazyimp.install(ignore=["nothing_here"])  # lazyimp's own lock works
                os.write(w, json.dumps(out).encode())
                os._exit(0)
            except BaseException as exc:
                os.write(w, repr(exc).encode())
                os._exit(1)
        os.close(w)
        deadline = time.monotonic() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                raise AssertionError("the forked child hung")
            time.sleep(0.02)
        data = os.read(r, 1 << 16).decode()
        assert os.waitstatus_to_exitcode(status) == 0, data
        child = json.loads(data)
        assert child["a"] == "a+b" and child["leaf"] == "leaf", child
        assert child["runs"] == ["fk_slow", "fk_a", "fk_b", "fk_pkg", "fk_pkg.leaf"], child["runs"]
        # The parent is unaffected: nothing ran here but fk_slow, still lazy elsewhere.
        assert sys._runs == ["fk_slow"], sys._runs
        assert lazyimp.is_lazy(fk_a) and lazyimp.is_lazy(leaf)
        busy.join(10)
        assert fk_slow.VALUE == "slow" and fk_a.VALUE == "a+b" and leaf.VALUE == "leaf"
        assert sys._runs == ["fk_slow", "fk_a", "fk_b", "fk_pkg", "fk_pkg.leaf"], sys._runs
        print("ok")
        """
    )
    proc = run_python(src, tmp_path=tmp_path, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stdout


RESOURCES_CHILD = """
import gc, importlib.util, time, tracemalloc, weakref
import lazyimp
lazyimp.install()
from lazyimp import _proxy, _swap

N = {n}
SAMPLE = {sample}
import r0  # loads lazyimp's mechanism before measuring
r0.VALUE


def imports(lo, hi):
    # Module-level import statements (exec runs them as a module body).
    code = compile("\\n".join(f"import r{{i}}" for i in range(lo, hi)), "<imports>", "exec")
    exec(code, globals())


# Memory per unresolved lazy module: everything a lazy `import` keeps (the module
# object and spec importlib made, the proxy and its state, the registry record),
# then the same for plain unexecuted modules (find_spec + module_from_spec) to show
# what the proxy adds on top of what importlib makes anyway.
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
imports(1, 1 + SAMPLE)
lazy_total = tracemalloc.get_traced_memory()[0] - before
before = tracemalloc.get_traced_memory()[0]
plain = [importlib.util.module_from_spec(importlib.util.find_spec(f"q{{i}}")) for i in range(SAMPLE)]
plain_total = tracemalloc.get_traced_memory()[0] - before
tracemalloc.stop()
del plain
per_lazy = lazy_total / SAMPLE
per_plain = plain_total / SAMPLE
print(f"MEMORY per unresolved lazy module {{per_lazy:.0f}} B; plain unexecuted module "
      f"{{per_plain:.0f}} B; lazyimp adds {{per_lazy - per_plain:.0f}} B")
assert per_lazy < 64 * 1024, per_lazy

imports(1 + SAMPLE, N)
names = [f"r{{i}}" for i in range(1, N)]
proxies = [globals()[name] for name in names]
assert all(lazyimp.is_lazy(p) for p in proxies)
refs = [weakref.ref(p) for p in proxies]
states = [_proxy._get(p, "_self_state") for p in proxies]
del proxies
assert all(st.sites for st in states), "every proxy knows its binding site"

started = time.perf_counter()
total = 0
for name in names:
    total += globals()[name].VALUE  # the first use; the proxy is swapped out of globals
print(f"resolved {{len(names)}} modules in {{time.perf_counter() - started:.2f}} s")
assert total == sum(range(1, N))
gc.collect()
alive = [name for name, ref in zip(names, refs) if ref() is not None]
queued = len(_swap._queue)
leftover_sites = [st.name for st in states if st.sites]
print(f"alive proxies {{len(alive)}}, queued for the referrer scan {{queued}}, "
      f"binding-site lists not emptied {{len(leftover_sites)}}")
assert not leftover_sites, leftover_sites[:5]
assert not lazyimp.pending()
assert all(type(globals()[name]) is type(sys) for name in names)
assert not alive, (len(alive), alive[:5])
print("ok")
"""


def test_resolving_10000_modules_leaks_no_proxies_and_reports_memory_per_proxy(
    tmp_path: Path,
) -> None:
    """10,000 lazy modules resolved: every proxy is freed, binding-site lists are emptied; memory per proxy printed (contract C5.2)."""
    n, sample = 10_000, 2_000
    files = {f"r{i}.py": f"VALUE = {i}\n" for i in range(n)}
    files.update({f"q{i}.py": f"VALUE = {i}\n" for i in range(sample)})
    write_tree(tmp_path, files)
    src = prelude(tmp_path, seconds=100) + RESOURCES_CHILD.format(n=n, sample=sample)
    proc = run_python(src, tmp_path=tmp_path, timeout=120)
    sys.stdout.write(proc.stdout)  # the measurements, shown with -s and in the report
    assert proc.stdout.rstrip().endswith("ok"), proc.stdout


def test_proxies_held_while_resolving_are_freed_once_the_program_drops_them(tmp_path: Path) -> None:
    """Proxies the program held (a list) when they resolved are freed after `del` + gc (contract C5.2, C5.4)."""
    write_tree(tmp_path, {f"h{i}.py": f"VALUE = {i}\n" for i in range(300)})
    src = prelude(tmp_path) + textwrap.dedent(
        """
        import gc, weakref
        import lazyimp
        lazyimp.install()
        exec(compile("\\n".join(f"import h{i}" for i in range(300)), "<imports>", "exec"), globals())
        held = [globals()[f"h{i}"] for i in range(200, 300)]  # genuinely referenced
        refs = [weakref.ref(globals()[f"h{i}"]) for i in range(300)]
        for i in range(300):
            assert globals()[f"h{i}"].VALUE == i
        gc.collect()
        alive = [i for i, ref in enumerate(refs) if ref() is not None]
        assert alive == list(range(200, 300)), alive[:5]  # only the held ones
        del held
        gc.collect()
        alive = [i for i, ref in enumerate(refs) if ref() is not None]
        assert not alive, f"{len(alive)} proxies still alive, e.g. h{alive[0]}"
        """
    )
    run_python(src, tmp_path=tmp_path, timeout=30)
