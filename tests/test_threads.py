"""Threads racing resolution (contract C7.1)."""

from __future__ import annotations

from pathlib import Path

from helpers import run_python


def test_sixteen_threads_racing_the_first_access_run_the_body_once(pkgs: Path) -> None:
    """16 threads touch an unresolved proxy at once: the body runs once (contract C7.1)."""
    run_python(
        f"""
        import sys, threading
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import slow
        held = slow
        barrier = threading.Barrier(16)
        seen, errors = [], []
        def worker():
            try:
                barrier.wait(10)
                seen.append(held.DONE)
            except BaseException as e:
                errors.append(e)
        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads: t.start()
        for t in threads: t.join(20)
        assert not errors, errors
        assert seen == [True] * 16
        assert sys._slow_runs == 1
        """,
        timeout=60,
    )


def test_circular_import_in_one_thread_sees_the_partial_module(pkgs: Path) -> None:
    """A circular import in one thread sees the partly initialised module (contract C7.1)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import cyc_x, cyc_y
        assert cyc_x.get_y() == 2 and cyc_y.get_x() == 1
        """
    )


def test_two_threads_resolving_modules_that_need_each_other_do_not_deadlock(tmp_path: Path) -> None:
    """Two threads resolving two mutually dependent modules finish (contract C7.1)."""
    from helpers import write_tree

    write_tree(
        tmp_path,
        {
            "dl_x.py": """
                import time, dl_y
                time.sleep(0.3)
                X = 1
                VALUE_FROM_Y = getattr(dl_y, "Y", "partial")
            """,
            "dl_y.py": """
                import time, dl_x
                time.sleep(0.3)
                Y = 2
                VALUE_FROM_X = getattr(dl_x, "X", "partial")
            """,
        },
    )
    run_python(
        f"""
        import sys, threading
        sys.path.insert(0, {str(tmp_path)!r})
        import lazyimp
        lazyimp.install()
        import dl_x, dl_y
        hx, hy = dl_x, dl_y
        out = {{}}
        def a(): out["x"] = hx.X
        def b(): out["y"] = hy.Y
        ts = [threading.Thread(target=a), threading.Thread(target=b)]
        for t in ts: t.start()
        for t in ts: t.join(20)
        assert not any(t.is_alive() for t in ts), "deadlock"
        assert out == {{"x": 1, "y": 2}}, out
        """,
        timeout=60,
    )
