"""Swap-out after resolution (contract C5.2, C5.4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_python

pytestmark = pytest.mark.proxy_engine(
    "swapping resolved proxies out of the namespaces that hold them (lazyimp/_swap.py); PEP 810 replaces a lazy global itself when it is read"
)


def test_known_bindings_are_swapped_at_once(pkgs: Path) -> None:
    """sys.modules, the parent attribute and importing globals get the real module (contract C5.2)."""
    (pkgs / "user1.py").write_text("import a.b.c\nimport plain\n")
    (pkgs / "user2.py").write_text("import plain\nfrom a import b\n")
    run_python(
        f"""
        import sys, types
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import user1, user2, plain
        import a.b.c as d
        assert type(user1).__name__ == "LazyModule"
        user1.__dict__  # executes user1
        user2.__dict__
        plain.VALUE
        real = sys.modules["plain"]
        assert type(real) is types.ModuleType
        assert plain is real, "this module's global"
        assert sys.modules["user1"].plain is real and sys.modules["user2"].plain is real
        d.C
        assert d is sys.modules["a.b.c"] and sys.modules["a.b"].c is d
        assert sys.modules["a"].b is sys.modules["a.b"] and type(sys.modules["a.b"]) is types.ModuleType
        assert sys.modules["user1"].a is sys.modules["a"]
        """
    )


def test_other_dicts_are_rewritten_by_the_batched_scan(pkgs: Path) -> None:
    """A copy in another dict forwards until the batched scan rewrites it (contract C5.2)."""
    run_python(
        f"""
        import sys, types
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        from lazyimp import _swap
        lazyimp.install()
        import plain, a
        registry = {{"plain": plain, "a": a}}
        class Holder:
            mod = plain
        plain.VALUE
        a.A
        lazyimp.resolve_all()  # runs the scan now
        assert registry["plain"] is sys.modules["plain"] and registry["a"] is sys.modules["a"]
        assert Holder.__dict__["mod"] is sys.modules["plain"]
        assert _swap.stats["scans"] >= 1
        """
    )


def test_unswappable_references_keep_forwarding(pkgs: Path) -> None:
    """Locals, closures and tuples keep a working proxy (contract C5.4)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import plain, pep562
        held = (plain, pep562)
        def closure(m=plain):
            return lambda: m.VALUE
        get = closure()
        assert get() == 1
        lazyimp.resolve_all()
        p, q = held
        assert type(p).__name__ == "LazyModule" and not lazyimp.is_lazy(p)
        assert p.VALUE == 1 and p.f() == "f" and q.dynamic == 42
        p.NEW = 3
        assert sys.modules["plain"].NEW == 3
        del p.NEW
        assert not hasattr(sys.modules["plain"], "NEW")
        assert "VALUE" in dir(p) and p == sys.modules["plain"]
        assert hash(p) == hash(sys.modules["plain"])
        assert repr(p) == repr(sys.modules["plain"])
        assert p.__wrapped__ is sys.modules["plain"]
        assert get() == 1
        """
    )


def test_resolution_does_not_scan_when_only_known_places_hold_it(pkgs: Path) -> None:
    """A proxy bound only where it was imported is swapped without a heap scan (contract C13.3)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        from lazyimp import _swap
        lazyimp.install()
        import plain
        import a.b.c
        plain.VALUE
        a.b.c.C
        assert _swap.stats["queued"] == 0, _swap.stats
        assert _swap.stats["scans"] == 0, _swap.stats
        """
    )


def test_cached_import_in_another_module_is_swapped(pkgs: Path) -> None:
    """A second module importing a cached proxy gets the real module too (contract C5.2)."""
    (pkgs / "second.py").write_text("import plain\ndef get():\n    return plain\n")
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        from lazyimp import _swap
        lazyimp.install()
        import plain
        import second
        second.get  # executes second, which imports the cached proxy
        assert type(second.get()).__name__ == "LazyModule"
        plain.VALUE
        assert second.get() is sys.modules["plain"]
        """
    )


def test_a_proxy_kept_elsewhere_still_behaves_like_its_module(pkgs: Path) -> None:
    """An unswapped resolved proxy forwards, unwraps, refuses copies and pickles like the module (contract C5.4, C8.5)."""
    run_python(
        f"""
        import sys, copy, pickle
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import plain, pep562
        held = [plain, pep562]
        plain.VALUE, pep562.dynamic  # resolve; the list keeps proxies
        p, q = held
        assert type(p).__name__ == "LazyModule" and type(p) is not type(sys)
        assert p.VALUE == 1 and q.dynamic == 42
        try:
            q.missing
        except AttributeError as e:
            assert "custom: no missing" in str(e), e
        assert p.__wrapped__ is sys.modules["plain"]
        for f in (copy.copy, copy.deepcopy, pickle.dumps):
            try:
                f(p)
            except TypeError as e:
                assert "module" in str(e)
            else:
                raise AssertionError(f)
        import cloudpickle
        assert pickle.loads(cloudpickle.dumps(p)) is sys.modules["plain"]
        """
    )
