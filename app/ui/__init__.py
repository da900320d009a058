"""Everything PySide6: start-up, tray, main window, pages, dialogs, task bridge.

This is the only package allowed to import Qt (an import-linter contract).
"""

from __future__ import annotations


def _skip_pyside_source_scan() -> None:
    """Stop PySide6 reading the source of every module imported after it.

    PySide6 calls ``inspect.getsource`` on each newly imported module to see
    whether it may use ``from __feature__ import ...``; the source stays in
    ``linecache``.  With SQLAlchemy, pydantic and the app loaded after Qt that
    cost ~160 ms and 27 MB at start (measured, ``tests/bench/``).  We never
    use ``__feature__``, so answer as PySide6 itself does for a module whose
    source it cannot read (every module of a frozen build, our PyInstaller
    bundle included): "does not use it", and the module is left alone.
    """
    try:
        from PySide6.support import feature
    except ImportError:  # a PySide6 without the feature machinery: nothing to skip
        return
    if hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = lambda _module: False


_skip_pyside_source_scan()
