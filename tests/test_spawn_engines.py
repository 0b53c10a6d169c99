"""Path-imported packages in real worker engines (contract C11.3, C11.4): multiprocessing with
spawn and forkserver, torch DataLoader, Dask distributed, joblib.

Each scenario runs in a fresh interpreter (the pickler is process-wide).  Each first
proves that the worker cannot import the package without lazyimp (negative control),
then that it can with it.  Every wait is bounded; servers listen on 127.0.0.1 only and
are closed by the scenario.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, python_env, run_python, write_tree
from tests.spawn_fixtures import NAME, write_package
from tests.test_spawn import script

pytestmark = pytest.mark.slow


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return write_package(tmp_path)


def run(src: str, tmp_path: Path, timeout: float = 120, **kw: Any) -> Any:
    return run_python(src, tmp_path=tmp_path, timeout=timeout, cwd=tmp_path, **kw)


# --- multiprocessing ------------------------------------------------------------------------

NEGATIVE_MP = """
import concurrent.futures as cf, importlib.util, multiprocessing as mp, sys

def load(name, path):                 # the naive way: spec_from_file_location + exec
    spec = importlib.util.spec_from_file_location(
        name, path + "/__init__.py", submodule_search_locations=[path])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

if __name__ == "__main__":
    models = load(NAME, PKG).models
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=models.work, args=(3,))
    p.start()
    p.join(30)
    print("process exit", p.exitcode)
    with cf.ProcessPoolExecutor(1, mp_context=ctx) as ex:
        try:
            ex.submit(models.work, 3).result(timeout=30)
        except cf.process.BrokenProcessPool:
            print("executor broken")
"""


def test_negative_control_spawn_workers_cannot_import_the_package(
    pkg: Path, tmp_path: Path
) -> None:
    """Without lazyimp a spawn worker fails to load anything from the package (contract C11.3)."""
    out = run(script(NEGATIVE_MP, NAME=NAME, PKG=str(pkg)), tmp_path)
    assert out.stdout.split("\n")[:2] == ["process exit 1", "executor broken"]
    assert f"No module named '{NAME}'" in out.stderr


MP = """
import concurrent.futures as cf, json, multiprocessing as mp, os

if __name__ == "__main__":
    m = import_module_from_path(NAME, PKG)
    install_pickler(MODE)
    models = m.models
    ctx = mp.get_context(METHOD)
    res = {}

    # Process + Queue: the target is a package function; the child sends a package
    # object back through the queue (the return path needs the child's pickler).
    q = ctx.Queue()
    p = ctx.Process(target=models.put_point, args=(q, 3))
    p.start()
    got = q.get(timeout=30)
    p.join(30)
    res["process_queue"] = [repr(got), type(got) is models.Point, p.exitcode]

    # Pipe: a package object each way, to a child that runs a package function.
    here, there = ctx.Pipe()
    p = ctx.Process(target=models.echo_pipe, args=(there,))
    p.start()
    here.send(models.Point(5, 1))
    if not here.poll(30):
        raise SystemExit("pipe: no answer in 30 s")
    sent_back, made = here.recv()
    p.join(30)
    res["pipe"] = [sent_back == models.Point(5, 1), type(made) is models.Point, made.x]

    with ctx.Pool(1) as pool:
        if MODE == "path":
            # First task: an lru_cache function travels as a bare name (no path
            # reference), so only the bootstrap the worker got at start-up resolves it.
            res["pool_bare_name"] = pool.map_async(models.cached, [1]).get(30)
        res["pool_forward"] = pool.map_async(models.work, [3]).get(30)
        pts = pool.map_async(models.make_point, [1, 2]).get(30)
        res["pool_roundtrip"] = [type(x) is models.Point for x in pts]
        res["pool_state"] = pool.map_async(models.count_calls, range(6), chunksize=1).get(30)
        res["pool_lambda"] = pool.map_async(models.make_adder(1), [1]).get(30)

    with cf.ProcessPoolExecutor(1, mp_context=ctx) as ex:
        res["executor_forward"] = ex.submit(models.work, 4).result(timeout=30)
        res["executor_roundtrip"] = type(ex.submit(models.make_point, 1).result(timeout=30)) is models.Point
        res["executor_state"] = list(ex.map(models.count_calls, range(6), timeout=30))
    print(json.dumps(res))
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
@pytest.mark.parametrize("mode", ["path", "value"])
def test_multiprocessing_engines(pkg: Path, tmp_path: Path, method: str, mode: str) -> None:
    """Process, queues, pipes, Pool and ProcessPoolExecutor both ways, in each mode (contract C11.3, C11.4)."""
    out = run(script(MP, NAME=NAME, PKG=str(pkg), MODE=mode, METHOD=method), tmp_path)
    res = json.loads(out.stdout)
    state = list(range(1, 7)) if mode == "path" else [1] * 6  # real module vs per-message copy
    if mode == "path":
        assert res.pop("pool_bare_name") == [101]
    assert res == {
        "process_queue": ["Point(x=3, y=4)", True, 0],
        "pipe": [True, True, 10],
        "pool_forward": ["work 3"],
        "pool_roundtrip": [True, True],
        "pool_state": state,
        "pool_lambda": [2],
        "executor_forward": "work 4",
        "executor_roundtrip": True,
        "executor_state": state,
    }


# --- torch DataLoader -----------------------------------------------------------------------
# The test environments install torch on 3.11 only (pyproject.toml, test extra).
NO_TORCH = (
    "torch is installed for 3.11 only: torch==2.13.0 is the CPU build this project "
    "tests with, and an unpinned torch downloads a multi-GB CUDA build"
)

TORCH = """
import importlib.util, sys
import torch
from torch.utils.data import DataLoader

def load(name, path):                 # the naive way: spec_from_file_location + exec
    spec = importlib.util.spec_from_file_location(
        name, path + "/__init__.py", submodule_search_locations=[path])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

if __name__ == "__main__":
    kw = dict(batch_size=8, num_workers=2, multiprocessing_context="spawn", timeout=30)
    if not USE_LAZYIMP:
        load(NAME, PKG)
        from userproj import tdata
        try:
            list(DataLoader(tdata.Squares(), **kw))
        except RuntimeError as e:
            print("loader failed:", str(e).splitlines()[0])
        raise SystemExit(0)
    import_module_from_path(NAME, PKG)
    from userproj import tdata
    total = sum(int(b.sum()) for b in DataLoader(tdata.Squares(), **kw))
    batches = list(DataLoader(tdata.Squares(), collate_fn=tdata.collate, **kw))
    print(total, sum(int(b.values.sum()) for b in batches),
          all(type(b) is tdata.Batch for b in batches), len(batches))
"""


def test_torch_dataloader_spawn_workers(pkg: Path, tmp_path: Path) -> None:
    """DataLoader spawn workers load a package Dataset and return a package dataclass (contract C11.3)."""
    pytest.importorskip("torch", reason=NO_TORCH)
    neg = run(script(TORCH, NAME=NAME, PKG=str(pkg), USE_LAZYIMP=False), tmp_path, timeout=180)
    assert "loader failed: DataLoader worker" in neg.stdout, neg.stdout + neg.stderr
    out = run(script(TORCH, NAME=NAME, PKG=str(pkg), USE_LAZYIMP=True), tmp_path, timeout=180)
    # The sum of i*i for i < 64 is 85344, in 8 batches of 8.
    assert out.stdout.split() == ["85344", "85344", "True", "8"]


# --- Dask distributed -----------------------------------------------------------------------

DASK = """
import importlib.util, json, sys
from distributed import Client, LocalCluster
try:
    from lazyimp import register_with_dask
except ImportError:
    from lazyimp._spawn import register_with_dask

def can_import():
    return importlib.util.find_spec(NAME) is not None

def cluster():
    return LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address=None)

if __name__ == "__main__":
    res = {}
    # A cluster started before the package is imported: its workers know nothing.
    with cluster() as c, Client(c) as client:
        m = import_module_from_path(NAME, PKG)
        models = m.models
        res["worker_can_import_before"] = list(client.run(can_import).values())
        # By value needs no registration and no import on the worker.
        res["by_value"] = client.submit(ByValue(models.scale), 4).result(timeout=30)
        by_value_point = client.submit(ByValue(models.make_point), 1).result(timeout=30)
        res["by_value_same_class"] = type(by_value_point) is models.Point
        res["by_value_still_unimportable"] = list(client.run(can_import).values())
        register_with_dask(client)               # the one documented call
        res["submit"] = client.submit(models.scale, 3).result(timeout=30)
        res["submit_point"] = type(client.submit(models.make_point, 2).result(timeout=30)) is models.Point
        res["state"] = client.gather(
            [client.submit(models.count_calls, i, pure=False) for i in range(3)]
        )
        res["worker_can_import_after"] = list(client.run(can_import).values())
    # A cluster started after the import: its workers are spawned through the pickler.
    with cluster() as c, Client(c) as client:
        res["fresh_cluster_submit"] = client.submit(models.scale, 5).result(timeout=30)
    print(json.dumps(res))
"""


def test_dask_local_cluster(pkg: Path, tmp_path: Path) -> None:
    """client.submit(pkg.fn, x) works after register_with_dask; ByValue works without it (contract C11.3)."""
    pytest.importorskip("distributed")
    out = run(script(DASK, NAME=NAME, PKG=str(pkg)), tmp_path, timeout=180)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res == {
        "worker_can_import_before": [False],
        "by_value": 12,
        "by_value_same_class": True,
        "by_value_still_unimportable": [False],
        "submit": 9,
        "submit_point": True,
        "state": [1, 2, 3],
        "worker_can_import_after": [True],
        "fresh_cluster_submit": 15,
    }


# --- joblib -----------------------------------------------------------------------------------

JOBLIB = """
import json
from joblib import Parallel, delayed

if __name__ == "__main__":
    m = import_module_from_path(NAME, PKG)
    models = m.models
    res = {}
    par = Parallel(n_jobs=2, timeout=60)
    try:                                   # negative control: loky workers cannot import it
        par(delayed(models.scale)(i) for i in range(4))
    except Exception as e:
        res["plain"] = type(e).__name__
    res["by_value_envelope"] = par(delayed(ByValue(models.scale))(i) for i in range(4))
    install_pickler("value")               # registers the package with cloudpickle
    res["value_mode"] = par(delayed(models.scale)(i) for i in range(4))
    res["value_mode_class"] = all(
        type(p) is models.Point for p in par(delayed(models.make_point)(i) for i in range(4)))
    print(json.dumps(res))
"""


def test_joblib_parallel(pkg: Path, tmp_path: Path) -> None:
    """joblib/loky ships code by value: ByValue, or install_pickler('value') (contract C11.4)."""
    pytest.importorskip("joblib")
    out = run(script(JOBLIB, NAME=NAME, PKG=str(pkg)), tmp_path, timeout=180)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res == {
        "plain": "BrokenProcessPool",
        "by_value_envelope": [0, 3, 6, 9],
        "value_mode": [0, 3, 6, 9],
        "value_mode_class": True,
    }


# --- the examples -----------------------------------------------------------------------------


def run_example(name: str, tmp_path: Path, timeout: float = 180) -> list[str]:
    """Run ``examples/<name>`` from an unrelated working directory; its stdout lines."""
    out = subprocess.run(
        [sys.executable, str(REPO / "examples" / name)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=python_env(),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_example_spawn_pool_runs(tmp_path: Path) -> None:
    """examples/spawn_pool.py runs as documented, from any working directory (contract C11.3)."""
    assert run_example("spawn_pool.py", tmp_path) == [
        "[Point(x=0, y=0), Point(x=1, y=1), Point(x=2, y=4), Point(x=3, y=9), Point(x=4, y=16)]",
        "same class: True",
    ]


def test_example_process_pool_runs(tmp_path: Path) -> None:
    """examples/process_pool.py: a spawn ProcessPoolExecutor round trip keeps module state (contract C11.3, C11.4)."""
    assert run_example("process_pool.py", tmp_path) == [
        "[Point(x=0, y=0), Point(x=1, y=1), Point(x=2, y=4), Point(x=3, y=9)]",
        "Point(x=11, y=12) True",
        "Point(x=12, y=13) calls seen by the worker: 2",
    ]


def test_example_spawn_dataloader_runs(tmp_path: Path) -> None:
    """examples/spawn_dataloader.py: DataLoader spawn workers return a package dataclass (contract C11.3)."""
    pytest.importorskip("torch", reason=f"the DataLoader example needs torch: {NO_TORCH}")
    assert run_example("spawn_dataloader.py", tmp_path) == [
        "8 batches, sum 85344",
        "same class: True",
    ]


def test_example_dask_cluster_runs(tmp_path: Path) -> None:
    """examples/dask_cluster.py: client.submit(pkg.fn, x) after one registration call (contract C11.3)."""
    pytest.importorskip("distributed", reason="the Dask example needs distributed (optional extra)")
    assert run_example("dask_cluster.py", tmp_path)[-1:] == [
        "Point(x=3, y=9) Point(x=4, y=10) True"
    ]


LATE = """
import multiprocessing as mp

if __name__ == "__main__":
    m = import_module_from_path(NAME, PKG)
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        print(pool.map_async(m.models.scale, [1]).get(30))
        # Imported after the worker started: its bootstrap never saw it.
        s = import_module_from_path("secondpkg", SECOND)
        print(pool.map_async(s.f, [1]).get(30), type(pool.apply_async(s.Thing, (4,)).get(30)) is s.Thing)
"""


def test_package_imported_after_the_workers_started(pkg: Path, tmp_path: Path) -> None:
    """A package imported after a Pool started reaches its worker with each message (contract C11.3)."""
    second = write_tree(
        tmp_path / "two",
        {"second-dir/__init__.py": "def f(n):\n    return n + 2\n\nclass Thing:\n    def __init__(self, v):\n        self.v = v\n"},
    )
    out = run(script(LATE, NAME=NAME, PKG=str(pkg), SECOND=str(second / "second-dir")), tmp_path)
    assert out.stdout.split("\n")[:2] == ["[3]", "[3] True"]
