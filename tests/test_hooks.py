"""Reload and post-import hooks (contract C8.1, C8.3)."""

from __future__ import annotations

from pathlib import Path

from helpers import run_python


def test_lazyimp_reload_takes_a_proxy_or_a_module(pkgs: Path) -> None:
    """lazyimp.reload resolves a proxy if needed and reloads the real module (contract C8.1)."""
    run_python(
        f"""
        import sys, types
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import plain
        held = (plain,)
        again = lazyimp.reload(held[0])
        assert type(again) is types.ModuleType and again is sys.modules["plain"]
        assert sys._plain_runs == 2, "resolved, then reloaded"
        assert lazyimp.reload(again) is again and sys._plain_runs == 3
        """
    )


def test_importlib_reload_accepts_proxies_while_installed(pkgs: Path) -> None:
    """importlib.reload(proxy) works while installed; uninstall restores it (contract C8.1, C1.2)."""
    run_python(
        f"""
        import sys, importlib
        sys.path.insert(0, {str(pkgs)!r})
        original = importlib.reload
        import lazyimp
        lazyimp.install()
        import plain, a
        held = (plain,)
        plain.VALUE  # resolved; held[0] is a proxy that could not be swapped
        assert importlib.reload(held[0]) is sys.modules["plain"]
        assert sys._plain_runs == 2
        assert importlib.reload(a) is sys.modules["a"]  # unresolved proxy
        lazyimp.uninstall()
        assert importlib.reload is original
        """
    )


def test_post_import_hook_registered_before_install_fires_on_first_use(pkgs: Path) -> None:
    """wrapt hooks fire once, when the body really ran, with the real module (contract C8.3)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import wrapt
        seen = []
        @wrapt.when_imported("plain")
        def hook(module):
            seen.append((type(module).__name__, getattr(module, "VALUE", None)))
        import lazyimp
        lazyimp.install()
        import plain
        assert lazyimp.is_lazy("plain") and seen == []
        assert plain.VALUE == 1
        assert seen == [("module", 1)], seen
        import plain as again
        assert seen == [("module", 1)]
        """
    )


def test_hook_finder_inserted_after_install_never_sees_an_unexecuted_module(pkgs: Path) -> None:
    """An agent's finder placed ahead of lazyimp gets executed modules (contract C8.3)."""
    run_python(
        f"""
        import sys
        sys.path.insert(0, {str(pkgs)!r})
        import lazyimp
        lazyimp.install()
        import wrapt
        seen = []
        wrapt.register_post_import_hook(
            lambda m: seen.append(getattr(m, "VALUE", "unexecuted")), "plain"
        )
        assert type(sys.meta_path[0]).__name__ == "ImportHookFinder"
        import plain
        plain.VALUE
        assert seen == [1], seen
        """
    )
